// Durations, placeholders, YAML details (anchors, merges, scalars as written) and defaults.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/config/duration.ts';
import { substitute } from '../../src/config/placeholders.ts';
import { ctx, errorsOf, errorTitled, HEADER, plan, pos, ROLE } from './helpers.ts';

describe('durations', () => {
  it.each([
    [900, 900],
    ['900', 900],
    ['90s', 90],
    ['15m', 900],
    ['2h', 7200],
    ['1d', 86_400],
    ['1h30m', 5400],
    ['1d2h3m4s', 93_784],
  ])('%s is %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['15 minutes', 'm', '', '1.5h', '30m1h', '-5'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('plans durations in seconds, with max-wait and max-pending', () => {
    const text = `${HEADER}stopping-condition: {max-runtime: 1h30m, max-wait: 2h, max-pending: 3h}\ntargets:\n  - {name: t, device: jetson_nano}\n`;
    expect(plan(text)[0]?.request.StoppingCondition).toEqual({
      MaxRuntimeInSeconds: 5400,
      MaxWaitTimeInSeconds: 7200,
      MaxPendingTimeInSeconds: 10_800,
    });
  });

  it('defaults max-runtime to 15 minutes for compilation and 1 day for optimization', () => {
    const text = `${HEADER}targets:\n  - {name: t, device: jetson_nano}\n  - {name: o, kind: optimization, instance-type: ml.g5.xlarge, model: {s3-uri: s3://models/llama/}, optimizations: [{compilation: {}}]}\n`;
    expect(plan(text).map((job) => job.request.StoppingCondition)).toEqual([
      { MaxRuntimeInSeconds: 900 },
      { MaxRuntimeInSeconds: 86_400 },
    ]);
  });
});

describe('placeholders', () => {
  const scope = { ctx, target: 'nano', region: 'eu-west-1' };

  it('substitutes run facts, the target, its region and environment variables', () => {
    const text =
      '${sha}|${short-sha}|${ref-name}|${run-id}|${run-attempt}|${target}|${region}|${env.MODEL_BUCKET}';
    expect(substitute(text, scope)).toEqual({
      value: `${ctx.sha}|0123456|main|4242|1|nano|eu-west-1|models-bucket`,
      problems: [],
    });
  });

  it('writes $${ as a literal ${', () => {
    expect(substitute('cost $${x} ${target}', scope).value).toBe('cost ${x} nano');
  });

  it('reports an unclosed placeholder', () => {
    expect(substitute('s3://b/${sha', scope).problems).toEqual([
      expect.objectContaining({ title: 'Unclosed placeholder', needle: '${' }),
    ]);
  });

  it('substitutes in every string of a target, at its own region', () => {
    const text = `version: 1
role-arn: ${ROLE}
input: {s3-uri: "s3://\${env.MODEL_BUCKET}/resnet/model.tar.gz", framework: XGBOOST}
output: {s3-location: "s3://artifacts-\${region}/\${short-sha}/\${target}/"}
tags: {commit: "\${sha}", run: "\${run-id}-\${run-attempt}", ref: "\${ref-name}"}
targets:
  - {name: nano, device: jetson_nano}
  - {name: trn, device: ml_trn1, region: us-east-1}
`;
    const [nano, trn] = plan(text);
    expect(nano?.kind === 'compilation' && nano.request.InputConfig?.S3Uri).toBe(
      's3://models-bucket/resnet/model.tar.gz',
    );
    expect(nano?.request.OutputConfig?.S3OutputLocation).toBe('s3://artifacts-us-west-2/0123456/nano/');
    expect(trn?.request.OutputConfig?.S3OutputLocation).toBe('s3://artifacts-us-east-1/0123456/trn/');
    expect(trn?.region).toBe('us-east-1');
    expect(nano?.request.Tags).toEqual([
      { Key: 'commit', Value: ctx.sha },
      { Key: 'run', Value: '4242-1' },
      { Key: 'ref', Value: 'main' },
    ]);
  });

  it('reports an unknown placeholder in a top-level default once, at its column', () => {
    const text = `${HEADER.replace('s3://artifacts/out/', '"s3://artifacts/${commit}/"')}targets:\n  - {name: a, device: jetson_nano}\n  - {name: b, device: rasp4b}\n`;
    const errors = errorsOf(text);
    expect(errors).toEqual([
      expect.objectContaining({ title: 'Unknown placeholder', ...pos(text, '${commit}') }),
    ]);
  });
});

describe('YAML as written', () => {
  it('keeps tag and environment values as written', () => {
    const text = `${HEADER}tags: {version: 1.0, enabled: true, count: 12}\ntargets:
  - name: o
    kind: optimization
    instance-type: ml.g5.xlarge
    model: {s3-uri: s3://models/llama/}
    environment: {OPTION_TENSOR_PARALLEL_DEGREE: 4, OPTION_DTYPE: fp16, OPTION_RATIO: 0.90}
    optimizations: [{compilation: {}}]
`;
    const [job] = plan(text);
    expect(job?.request.Tags).toEqual([
      { Key: 'version', Value: '1.0' },
      { Key: 'enabled', Value: 'true' },
      { Key: 'count', Value: '12' },
    ]);
    expect(job?.kind === 'optimization' && job.request.OptimizationEnvironment).toEqual({
      OPTION_TENSOR_PARALLEL_DEGREE: '4',
      OPTION_DTYPE: 'fp16',
      OPTION_RATIO: '0.90',
    });
  });

  it('shares settings with anchors and merge keys, and points errors at the anchor', () => {
    const text = `${HEADER}targets:
  - &arm {name: rasp, device: rasp4b, compiler-options: {mattr: [neon]}}
  - <<: *arm
    name: rasp3
    device: rasp3b
`;
    const errors = errorsOf(text);
    expect(errors).toEqual([
      expect.objectContaining({
        title: 'Invalid mattr flag',
        ...pos(text, 'neon'),
        message: expect.stringMatching(/'\+neon'/),
      }),
    ]);
    const fixed = text.replace('[neon]', '["+neon"]');
    expect(
      plan(fixed).map((job) => [
        job.target,
        job.device,
        job.kind === 'compilation' ? job.request.OutputConfig?.CompilerOptions : undefined,
      ]),
    ).toEqual([
      ['rasp', 'rasp4b', '{"mattr":["+neon"]}'],
      ['rasp3', 'rasp3b', '{"mattr":["+neon"]}'],
    ]);
  });

  it('reports a YAML error and nothing else', () => {
    const text = `${HEADER}targets:\n  - name: t\n    device: "jetson_nano\n`;
    const errors = errorsOf(text);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error.line >= 12)).toBe(true);
  });

  it('rejects documents that expand aliases too far', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      lines.push(
        `a${i}: &a${i} [*a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}]`,
      );
    const errors = errorsOf(`${lines.join('\n')}\n`);
    expect(errors[0]?.line).toBeGreaterThanOrEqual(1);
  });
});

describe('defaults', () => {
  it('takes the job prefix from the repository name', () => {
    const text = `${HEADER}targets:\n  - {name: nano, device: jetson_nano}\n`;
    expect(plan(text)[0]?.jobName).toMatch(/^vision-models-nano-[0-9a-f]{12}$/);
    expect(plan(text, { ...ctx, repository: 'acme/My_Repo.v2' })[0]?.jobName).toMatch(/^My-Repo-v2-nano-/);
  });

  it('accepts a job-prefix with placeholders, sanitized', () => {
    const text = `${HEADER}job-prefix: "pr/\${ref-name}"\ntargets:\n  - {name: nano, device: jetson_nano}\n`;
    expect(plan(text, { ...ctx, refName: 'feature/x' })[0]?.jobName).toMatch(
      /^pr-feature-x-nano-[0-9a-f]{12}$/,
    );
  });

  it('reads region from the file before the job', () => {
    const text = `${HEADER}region: eu-central-1\ntargets:\n  - {name: nano, device: jetson_nano}\n`;
    expect(plan(text, { ...ctx, region: '' })[0]?.region).toBe('eu-central-1');
  });

  it('omits what is not configured', () => {
    const text = `version: 1\nrole-arn: ${ROLE}\noutput: {s3-location: s3://artifacts/out/}\ntargets:\n  - {name: x, device: ml_c5, input: {s3-uri: s3://models/x.tar.gz, framework: XGBOOST}}\n`;
    const [job] = plan(text);
    expect(job?.request).toEqual({
      CompilationJobName: job?.jobName,
      RoleArn: ROLE,
      InputConfig: { S3Uri: 's3://models/x.tar.gz', Framework: 'XGBOOST' },
      OutputConfig: { S3OutputLocation: 's3://artifacts/out/', TargetDevice: 'ml_c5' },
      StoppingCondition: { MaxRuntimeInSeconds: 900 },
    });
  });

  it('explains a config error with no job when the region is missing everywhere', () => {
    const text = `${HEADER}targets:\n  - {name: nano, device: jetson_nano}\n`;
    expect(errorTitled(errorsOf(text, { ...ctx, region: '' }), 'No region')).toMatchObject(
      pos(text, '{name: nano'),
    );
  });
});
