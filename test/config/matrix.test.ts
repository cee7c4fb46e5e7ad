// Matrix targets: GitHub's strategy.matrix semantics (cross product, include, exclude) on one target entry.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import { describe, expect, it } from 'vitest';
import { configOf, errorsOf, errorTitled, HEADER, plan, pos } from './helpers.ts';

function matrix(lines: string, extra = ''): string {
  return `${HEADER}targets:\n  - name: edge\n${extra}    matrix:\n${lines
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n')}\n`;
}

describe('matrix expansion', () => {
  it('makes the cross product, in order, with readable names', () => {
    const text = matrix('device: [jetson_nano, rasp4b]\nframework-version: ["1.13", "2.0"]');
    const jobs = plan(text);
    expect(jobs.map((job) => job.target)).toEqual([
      'edge-jetson_nano-1.13',
      'edge-jetson_nano-2.0',
      'edge-rasp4b-1.13',
      'edge-rasp4b-2.0',
    ]);
    const first = jobs[0];
    expect(first?.kind === 'compilation' && first.request.InputConfig).toEqual({
      S3Uri: 's3://models/resnet/model.tar.gz',
      Framework: 'PYTORCH',
      FrameworkVersion: '1.13',
      DataInputConfig: '{"input0":[1,3,224,224]}',
    });
    expect(first?.kind === 'compilation' && first.request.OutputConfig?.TargetDevice).toBe('jetson_nano');
    // Every matrix target points at the entry it comes from.
    expect(new Set(jobs.map((job) => JSON.stringify(job.position)))).toEqual(
      new Set([JSON.stringify(pos(text, 'name: edge'))]),
    );
    expect(configOf(text).targets.map((target) => target.group)).toEqual(['edge', 'edge', 'edge', 'edge']);
  });

  it('drops excluded combinations', () => {
    const text = matrix(
      'device: [jetson_nano, rasp4b]\nframework-version: ["1.13", "2.0"]\nexclude:\n  - {device: rasp4b, framework-version: "1.13"}',
    );
    expect(plan(text).map((job) => job.target)).toEqual([
      'edge-jetson_nano-1.13',
      'edge-jetson_nano-2.0',
      'edge-rasp4b-2.0',
    ]);
  });

  it('adds include keys to matching combinations and makes new combinations from the others', () => {
    const text = matrix(
      [
        'device: [jetson_nano, rasp4b]',
        'include:',
        '  - {device: rasp4b, compiler-options: {mattr: ["+neon"]}}',
        '  - {device: rasp3b, compiler-options: {mcpu: cortex-a53}}',
      ].join('\n'),
    );
    const jobs = plan(text);
    expect(jobs.map((job) => [job.target, job.device])).toEqual([
      ['edge-jetson_nano', 'jetson_nano'],
      ['edge-rasp4b', 'rasp4b'],
      ['edge-rasp3b', 'rasp3b'],
    ]);
    const options = jobs.map((job) =>
      job.kind === 'compilation' ? job.request.OutputConfig?.CompilerOptions : '',
    );
    expect(options).toEqual([undefined, '{"mattr":["+neon"]}', '{"mcpu":"cortex-a53"}']);
  });

  it('adds include keys that name no matrix key to every combination', () => {
    const text = matrix('device: [jetson_nano, rasp4b]\ninclude:\n  - {region: us-east-1}');
    expect(plan(text).map((job) => [job.target, job.region])).toEqual([
      ['edge-jetson_nano', 'us-east-1'],
      ['edge-rasp4b', 'us-east-1'],
    ]);
  });

  it('varies whole platforms and keeps an include-only matrix', () => {
    const text = matrix(
      'include:\n  - {platform: {os: LINUX, arch: ARM64, accelerator: MALI}}\n  - {device: coreml, input: {framework: TENSORFLOW, data-input-config: {input_1: {shape: [1, 224, 224, 3]}}}}',
    );
    expect(plan(text).map((job) => [job.target, job.device])).toEqual([
      ['edge-LINUX-ARM64-MALI', 'LINUX/ARM64/MALI'],
      ['edge-coreml-TENSORFLOW', 'coreml'],
    ]);
  });

  it('uses the name as written when it refers to the matrix, and variables in strings', () => {
    const text = `${HEADER}targets:\n  - name: \${matrix.device}-\${matrix.variant}\n    output: {s3-location: "s3://artifacts/\${matrix.variant}/\${target}/"}\n    matrix:\n      device: [jetson_nano]\n      variant: [fp32, int8]\n`;
    const jobs = plan(text);
    expect(jobs.map((job) => job.target)).toEqual(['jetson_nano-fp32', 'jetson_nano-int8']);
    expect(jobs.map((job) => job.request.OutputConfig?.S3OutputLocation)).toEqual([
      's3://artifacts/fp32/jetson_nano-fp32/',
      's3://artifacts/int8/jetson_nano-int8/',
    ]);
  });

  it('lets matrix values override the entry and top-level settings', () => {
    const text = matrix('input: [{framework-version: "1.13"}]', '    device: jetson_nano\n');
    const [job] = plan(text);
    expect(job?.kind === 'compilation' && job.request.InputConfig?.FrameworkVersion).toBe('1.13');
    expect(job?.target).toBe('edge-1.13');
  });
});

describe('matrix errors', () => {
  it('points at the matrix value a schema error comes from', () => {
    const text = matrix('device: [jetson_nano, jetson_nan]');
    expect(errorTitled(errorsOf(text), 'Unknown TargetDevice')).toMatchObject({
      ...pos(text, 'jetson_nan]'),
      message: expect.stringMatching(/did you mean jetson_nano\?/),
    });
  });

  it('points at the matrix value a semantic error comes from, naming the generated target', () => {
    const text = matrix('device: [ml_trn1, rasp4b]');
    expect(errorTitled(errorsOf(text), 'Device not available in this region')).toMatchObject({
      ...pos(text, 'ml_trn1'),
      message: expect.stringMatching(/^Target 'edge-ml_trn1': ml_trn1 is only available in us-east-1/),
    });
  });

  it('reports a key that sets nothing and that nothing uses, with a suggestion', () => {
    const text = matrix('devcie: [jetson_nano, rasp4b]', '    device: jetson_nano\n');
    expect(errorTitled(errorsOf(text), 'Unused matrix key')).toMatchObject({
      ...pos(text, 'devcie'),
      message: expect.stringMatching(/did you mean device\?/),
    });
  });

  it('reports ${matrix.KEY} for a key the combination does not have', () => {
    const text = `${HEADER}targets:\n  - name: edge-\${matrix.devise}\n    matrix:\n      device: [jetson_nano]\n`;
    expect(errorTitled(errorsOf(text), 'Unknown matrix value')).toMatchObject({
      ...pos(text, '${matrix.devise}'),
      message: expect.stringMatching(/did you mean \$\{matrix\.device\}\?/),
    });
  });

  it('reports ${matrix.KEY} outside a matrix target', () => {
    const text = `${HEADER}targets:\n  - name: nano\n    device: jetson_nano\n    tags: {variant: "\${matrix.variant}"}\n`;
    expect(errorTitled(errorsOf(text), 'Placeholder not allowed here')).toMatchObject(
      pos(text, '${matrix.variant}'),
    );
  });

  it('reports exclude keys that are not matrix lists', () => {
    const text = matrix('device: [jetson_nano, rasp4b]\nexclude:\n  - {framework: ONNX}');
    expect(errorTitled(errorsOf(text), 'Exclude key not in matrix')).toMatchObject(
      pos(text, 'framework: ONNX'),
    );
  });

  it('reports an exclude entry that matches nothing', () => {
    const text = matrix('device: [jetson_nano, rasp4b]\nexclude:\n  - {device: jetson-nano}');
    expect(errorTitled(errorsOf(text), 'Exclude matches nothing')).toMatchObject(
      pos(text, '{device: jetson-nano}'),
    );
  });

  it('reports a matrix whose combinations are all excluded', () => {
    const text = matrix('device: [jetson_nano]\nexclude:\n  - {device: jetson_nano}');
    expect(errorTitled(errorsOf(text), 'Matrix makes no targets')).toMatchObject(pos(text, 'matrix'));
  });

  it('reports more than 256 combinations', () => {
    const values = (prefix: string) => `[${Array.from({ length: 7 }, (_, i) => `${prefix}${i}`).join(', ')}]`;
    const text = matrix(
      `a: ${values('a')}\nb: ${values('b')}\nc: ${values('c')}`,
      '    device: jetson_nano\n    tags: {x: "${matrix.a}${matrix.b}${matrix.c}"}\n',
    );
    expect(errorTitled(errorsOf(text), 'Matrix too large')).toMatchObject({
      ...pos(text, 'matrix:'),
      message: expect.stringMatching(/343 combinations/),
    });
  });

  it('reports generated names that collide', () => {
    const text = matrix(
      'device: [rasp4b]\ninclude:\n  - {device: coreml, region: us-east-1}\n  - {device: coreml, region: us-east-2}',
    );
    expect(errorTitled(errorsOf(text), 'Duplicate target name')).toMatchObject({
      ...pos(text, 'edge'),
      message: expect.stringMatching(/'edge-coreml' \(generated by its matrix\)/),
    });
  });

  it('requires lists as matrix values', () => {
    const text = matrix('device: jetson_nano');
    expect(errorTitled(errorsOf(text), 'Wrong type')).toMatchObject({
      ...pos(text, 'jetson_nano'),
      message: expect.stringMatching(/must be a list; write it as \[jetson_nano\]/),
    });
  });
});
