// Models in the workspace: input.path / model.path with upload-to, instead of s3-uri. Validation (with
// positions), inheritance, the resolved source and modelInputs.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CompilationTarget, modelInputs, type OptimizationTarget } from '../../src/config/index.ts';
import { configOf, ctx, errorsOf, errorTitled, HEADER, pos, ROLE } from './helpers.ts';

const MINIMAL = `version: 1\nrole-arn: ${ROLE}\noutput: {s3-location: s3://artifacts/out/}\n`;
const REST = 'framework: PYTORCH, data-input-config: {input0: [1, 3, 224, 224]}';

/** A file with one compilation target whose input is `input` (a flow map's content). */
function withInput(input: string, header = MINIMAL): string {
  return `${header}targets:\n  - name: t\n    device: jetson_nano\n    input: {${input}, ${REST}}\n`;
}

function compilation(text: string, name = 't'): CompilationTarget {
  const target = configOf(text).targets.find((candidate) => candidate.name === name);
  if (target?.kind !== 'compilation') throw new Error(`no compilation target ${name}`);
  return target;
}

describe('input.path', () => {
  it('is accepted with upload-to and exposed as the source, placeholders substituted', () => {
    const text = withInput(
      'path: "models/${ref-name}/resnet50.tar.gz", upload-to: "s3://neo-inputs/${short-sha}/"',
    );
    const target = compilation(text);
    expect(target.input).toEqual({
      s3Uri: '',
      source: {
        kind: 'path',
        path: 'models/main/resnet50.tar.gz',
        uploadTo: 's3://neo-inputs/0123456/',
        position: pos(text, '"models/'),
        uploadToPosition: pos(text, '"s3://neo-inputs'),
      },
      framework: 'PYTORCH',
      dataInputConfig: '{"input0":[1,3,224,224]}',
    });
  });

  it.each([
    'models/resnet50.tar.gz',
    'build/model',
    'build/model/',
    './build/resnet50-v1.5/',
    'models/../build/model.tar.gz',
    '.models',
    'models/~backup/model.tar.gz',
  ])('accepts %s', (path) => {
    const source = compilation(withInput(`path: ${path}, upload-to: s3://neo-inputs/`)).input?.source;
    expect(source).toMatchObject({ kind: 'path', path });
  });

  it.each([
    ['../models/model.tar.gz', /climbs above the workspace/],
    ['models/../../model.tar.gz', /climbs above the workspace/],
    ['build/..\\..\\model', /climbs above the workspace/],
    ['/tmp/model.tar.gz', /is an absolute path/],
    ['C:/models/model.tar.gz', /is an absolute path/],
    ['~/models/model.tar.gz', /starts with ~ \(a home directory\)/],
    ['~', /starts with ~/],
  ])('rejects %s, which leaves the workspace, at the value', (path, message) => {
    const text = withInput(`path: '${path}', upload-to: s3://neo-inputs/`);
    expect(errorsOf(text)).toEqual([
      {
        file: 'neo.yml',
        ...pos(text, `'${path}'`),
        title: 'Path outside the workspace',
        message: expect.stringMatching(message),
      },
    ]);
    expect(errorsOf(text)[0]?.message).toMatch(/Use a path relative to the workspace/);
  });

  it('rejects a path that escapes only after placeholders are substituted', () => {
    const text = withInput('path: "${env.MODEL_DIR}/model.tar.gz", upload-to: s3://neo-inputs/');
    const errors = errorsOf(text, { ...ctx, env: { MODEL_DIR: '../elsewhere' } });
    expect(errors).toEqual([
      expect.objectContaining({
        title: 'Path outside the workspace',
        ...pos(text, '"${env'),
        message: expect.stringMatching(/'\.\.\/elsewhere\/model\.tar\.gz' climbs above the workspace/),
      }),
    ]);
  });

  it.each(['model.pt', 'models/resnet.tgz', 'models/weights.onnx'])('rejects the file %s', (path) => {
    const text = withInput(`path: ${path}, upload-to: s3://neo-inputs/`);
    const error = errorTitled(errorsOf(text), 'Model is not a .tar.gz');
    expect(error).toMatchObject(pos(text, path));
    expect(error.message).toMatch(/pack it into a \.tar\.gz, or point path at the directory to pack/);
  });

  it('rejects s3-uri and path in one input, at the path key', () => {
    const text = withInput(
      'path: models/resnet50.tar.gz, s3-uri: s3://models/model.tar.gz, upload-to: s3://neo-inputs/',
    );
    expect(errorsOf(text)).toEqual([
      expect.objectContaining({
        title: 'Both s3-uri and path',
        ...pos(text, 'path:'),
        message: expect.stringMatching(/not both/),
      }),
    ]);
  });

  it('rejects s3-uri and path set together at the top level once, for every target', () => {
    const text = `${MINIMAL}input: {s3-uri: s3://models/model.tar.gz, path: models/m.tar.gz, upload-to: s3://in/x/, ${REST}}\ntargets:\n  - {name: a, device: jetson_nano}\n  - {name: b, device: rasp4b}\n`;
    expect(errorsOf(text)).toEqual([
      expect.objectContaining({ title: 'Both s3-uri and path', ...pos(text, 'path:') }),
    ]);
  });

  it('requires upload-to with path', () => {
    const text = withInput('path: models/resnet50.tar.gz');
    expect(errorsOf(text)).toEqual([
      expect.objectContaining({
        title: 'path needs upload-to',
        ...pos(text, 'path:'),
        message: expect.stringMatching(/upload-to: s3:\/\/bucket\/neo-inputs\//),
      }),
    ]);
  });

  it('checks upload-to: an S3 prefix, not an object', () => {
    const bad = withInput('path: models/m.tar.gz, upload-to: gs://bucket/in/');
    expect(errorTitled(errorsOf(bad), 'Invalid S3 URI')).toMatchObject(pos(bad, 'gs://'));
    const object = withInput('path: models/m.tar.gz, upload-to: s3://bucket/in/model.tar.gz');
    const error = errorTitled(errorsOf(object), 'upload-to is a prefix');
    expect(error).toMatchObject(pos(object, 's3://bucket/in/model.tar.gz'));
    expect(error.message).toMatch(/e\.g\. s3:\/\/bucket\/in\/\./);
  });

  it('reports an input with neither s3-uri nor path', () => {
    const text = `${MINIMAL}targets:\n  - name: t\n    device: jetson_nano\n    input: {${REST}}\n`;
    expect(errorsOf(text)).toEqual([
      expect.objectContaining({ title: 'Input has no s3-uri or path', ...pos(text, 'input:') }),
    ]);
  });

  it('rejects upload-to written on a target that reads its model from S3', () => {
    const text = `${HEADER}targets:\n  - name: t\n    device: jetson_nano\n    input: {upload-to: s3://neo-inputs/}\n`;
    expect(errorsOf(text)).toEqual([
      expect.objectContaining({ title: 'upload-to without path', ...pos(text, 'upload-to') }),
    ]);
  });

  it('accepts one path uploaded to one bucket per region, as one input per upload-to', () => {
    const text = `${MINIMAL}input: {path: models/m.tar.gz, upload-to: "s3://in-\${region}/x/", ${REST}}\ntargets:\n  - {name: a, device: jetson_nano}\n  - {name: b, device: rasp4b, region: us-east-1}\n  - {name: c, device: rasp3b, region: us-east-1}\n`;
    expect(errorsOf(text)).toEqual([]);
    expect(modelInputs(configOf(text))).toEqual([
      expect.objectContaining({ path: 'models/m.tar.gz', uploadTo: 's3://in-us-west-2/x/', targets: ['a'] }),
      expect.objectContaining({
        path: 'models/m.tar.gz',
        uploadTo: 's3://in-us-east-1/x/',
        targets: ['b', 'c'],
      }),
    ]);
  });
});

describe('inheritance of the model source', () => {
  it('a target path replaces the top-level s3-uri, keeping the other input keys', () => {
    const text = `${HEADER}targets:\n  - {name: s3, device: jetson_nano}\n  - name: local\n    device: rasp4b\n    input: {path: models/resnet50.tar.gz, upload-to: s3://neo-inputs/}\n`;
    const config = configOf(text);
    const [s3, local] = config.targets as CompilationTarget[];
    expect(s3?.input?.source).toEqual({
      kind: 's3',
      s3Uri: 's3://models/resnet/model.tar.gz',
      position: pos(text, 's3://models/resnet'),
    });
    expect(s3?.input?.s3Uri).toBe('s3://models/resnet/model.tar.gz');
    expect(local?.input).toMatchObject({
      s3Uri: '',
      source: { kind: 'path', path: 'models/resnet50.tar.gz', position: pos(text, 'models/resnet50') },
      framework: 'PYTORCH',
      frameworkVersion: '2.0',
    });
  });

  it('a target s3-uri replaces the top-level path and its upload-to', () => {
    const text = `${MINIMAL}input: {path: models/m.tar.gz, upload-to: s3://neo-inputs/, ${REST}}\ntargets:\n  - {name: local, device: jetson_nano}\n  - {name: s3, device: rasp4b, input: {s3-uri: s3://models/m.tar.gz}}\n`;
    const local = compilation(text, 'local');
    expect(local.input?.source).toEqual({
      kind: 'path',
      path: 'models/m.tar.gz',
      uploadTo: 's3://neo-inputs/',
      position: pos(text, 'models/m.tar.gz'),
      uploadToPosition: pos(text, 's3://neo-inputs/'),
    });
    expect(compilation(text, 's3').input?.source).toEqual({
      kind: 's3',
      s3Uri: 's3://models/m.tar.gz',
      position: pos(text, 's3://models/m.tar.gz'),
    });
  });

  it('a top-level upload-to is a default for the targets that set a path', () => {
    const text = `${MINIMAL}input: {s3-uri: s3://models/m.tar.gz, upload-to: s3://neo-inputs/, ${REST}}\ntargets:\n  - {name: s3, device: jetson_nano}\n  - {name: local, device: rasp4b, input: {path: build/model/}}\n`;
    expect(compilation(text, 's3').input?.source.kind).toBe('s3');
    expect(compilation(text, 'local').input?.source).toMatchObject({
      kind: 'path',
      path: 'build/model/',
      uploadTo: 's3://neo-inputs/',
      uploadToPosition: pos(text, 's3://neo-inputs/'),
    });
  });

  it('a matrix may vary path, with positions at each matrix value', () => {
    const text = `${HEADER}targets:\n  - name: m\n    device: jetson_nano\n    input: {upload-to: s3://neo-inputs/}\n    matrix: {path: [models/a.tar.gz, models/b.tar.gz]}\n`;
    const config = configOf(text);
    expect(
      config.targets.map((target) => [target.name, (target as CompilationTarget).input?.source]),
    ).toEqual([
      [
        'm-models-a.tar.gz',
        expect.objectContaining({ path: 'models/a.tar.gz', position: pos(text, 'models/a') }),
      ],
      [
        'm-models-b.tar.gz',
        expect.objectContaining({ path: 'models/b.tar.gz', position: pos(text, 'models/b') }),
      ],
    ]);
  });

  it('exposes the position of model-package-arn', () => {
    const arn = 'arn:aws:sagemaker:us-west-2:123456789012:model-package/resnet/3';
    const text = `${MINIMAL}model-package-arn: ${arn}\ntargets:\n  - {name: t, device: ml_c5}\n`;
    const target = compilation(text);
    expect(target.modelPackageArn).toBe(arn);
    expect(target.modelPackageArnPosition).toEqual(pos(text, arn));
    expect(target.input).toBeUndefined();
  });
});

describe('model.path (optimization)', () => {
  const optimization = (model: string) =>
    `${MINIMAL}targets:\n  - name: llm\n    kind: optimization\n    instance-type: ml.g5.xlarge\n    model: {${model}}\n    optimizations: [{compilation: {}}]\n`;

  it('is accepted with upload-to and exposed as the source', () => {
    const text = optimization('path: build/llama/, upload-to: s3://neo-inputs/llm/, accept-eula: true');
    const target = configOf(text).targets[0] as OptimizationTarget;
    expect(target.model).toEqual({
      s3Uri: '',
      source: {
        kind: 'path',
        path: 'build/llama/',
        uploadTo: 's3://neo-inputs/llm/',
        position: pos(text, 'build/llama/'),
        uploadToPosition: pos(text, 's3://neo-inputs'),
      },
      acceptEula: true,
    });
  });

  it('keeps s3-uri as the source of an S3 model', () => {
    const text = optimization('s3-uri: s3://models/llama/');
    expect((configOf(text).targets[0] as OptimizationTarget).model).toEqual({
      s3Uri: 's3://models/llama/',
      source: { kind: 's3', s3Uri: 's3://models/llama/', position: pos(text, 's3://models/llama/') },
    });
  });

  it.each([
    ['path: ../llama/, upload-to: s3://neo-inputs/', 'Path outside the workspace', '../llama/'],
    ['path: build/llama/', 'path needs upload-to', 'path'],
    [
      'path: build/llama/, s3-uri: s3://models/llama/, upload-to: s3://neo-inputs/',
      'Both s3-uri and path',
      'path',
    ],
    ['path: build/model.safetensors, upload-to: s3://neo-inputs/', 'Model is not a .tar.gz', 'build/model'],
    ['accept-eula: true', 'No model to optimize', 'model'],
  ])('rejects {%s}', (model, title, at) => {
    const text = optimization(model);
    expect(errorsOf(text)).toEqual([expect.objectContaining({ title, ...pos(text, at) })]);
  });
});

describe('modelInputs', () => {
  it('lists each distinct S3 and local input once, with its targets and every position', () => {
    const text = `${HEADER}targets:
  - {name: a, device: jetson_nano}
  - {name: b, device: rasp4b}
  - {name: c, device: rasp3b, input: {s3-uri: s3://models/resnet/model.tar.gz}}
  - {name: d, device: ml_c5, input: {path: models/r.tar.gz, upload-to: s3://neo-inputs/}}
  - {name: e, device: ml_m5, input: {path: models/r.tar.gz, upload-to: s3://neo-inputs/}}
  - {name: f, device: ml_p3, input: {path: build/other/, upload-to: s3://neo-inputs/}}
  - {name: pkg, device: ml_c4, model-package-arn: "arn:aws:sagemaker:us-west-2:123456789012:model-package/r/1"}
  - {name: llm, kind: optimization, instance-type: ml.g5.xlarge, model: {s3-uri: s3://models/llama/}, optimizations: [{compilation: {}}]}
`;
    expect(modelInputs(configOf(text))).toEqual([
      {
        kind: 's3',
        s3Uri: 's3://models/resnet/model.tar.gz',
        // a and b share the top-level value: one position for both.
        positions: [
          pos(text, 's3://models/resnet/model.tar.gz'),
          pos(text, 's3://models/resnet/model.tar.gz', 2),
        ],
        targets: ['a', 'b', 'c'],
      },
      {
        kind: 'path',
        path: 'models/r.tar.gz',
        uploadTo: 's3://neo-inputs/',
        positions: [pos(text, 'models/r.tar.gz'), pos(text, 'models/r.tar.gz', 2)],
        targets: ['d', 'e'],
      },
      {
        kind: 'path',
        path: 'build/other/',
        uploadTo: 's3://neo-inputs/',
        positions: [pos(text, 'build/other/')],
        targets: ['f'],
      },
      {
        kind: 's3',
        s3Uri: 's3://models/llama/',
        positions: [pos(text, 's3://models/llama/')],
        targets: ['llm'],
      },
    ]);
  });

  it('reads the local-model example', () => {
    const text = readFileSync(new URL('../fixtures/config/local-model.yml', import.meta.url), 'utf8');
    expect(modelInputs(configOf(text))).toEqual([
      {
        kind: 'path',
        path: 'models/resnet50.tar.gz',
        uploadTo: 's3://neo-inputs/main/',
        positions: [pos(text, 'models/resnet50.tar.gz')],
        targets: ['jetson-nano', 'rasp4b'],
      },
      {
        kind: 's3',
        s3Uri: 's3://models/resnet50/model.tar.gz',
        positions: [pos(text, 's3://models/resnet50/model.tar.gz')],
        targets: ['from-s3'],
      },
      {
        kind: 'path',
        path: 'build/resnet50/',
        uploadTo: 's3://neo-inputs/main/',
        positions: [pos(text, 'build/resnet50/')],
        targets: ['packed'],
      },
      {
        kind: 'path',
        path: 'build/llama/',
        uploadTo: 's3://neo-inputs/llm/',
        positions: [pos(text, 'build/llama/')],
        targets: ['llama-g5'],
      },
    ]);
  });
});
