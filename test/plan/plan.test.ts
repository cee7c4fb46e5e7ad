// The planner: target selection by the `targets` input, job names and their hash, purity.
import { describe, expect, it } from 'vitest';
import { localModelKey, planJobs } from '../../src/plan/plan.ts';
import { configOf, ctx, HEADER, pos } from '../config/helpers.ts';

const JOB_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

const text = `${HEADER}targets:
  - {name: jetson-nano, device: jetson_nano}
  - {name: jetson-xavier, device: jetson_xavier}
  - {name: rasp4b, device: rasp4b}
  - name: edge
    matrix: {device: [rasp3b, imx8qm]}
`;

function names(targets?: string): string[] {
  const planned = planJobs(configOf(text), ctx, { targets });
  expect(planned.errors).toEqual([]);
  return planned.jobs.map((job) => job.target);
}

describe('targets input', () => {
  it('selects every target when empty', () => {
    const all = ['jetson-nano', 'jetson-xavier', 'rasp4b', 'edge-rasp3b', 'edge-imx8qm'];
    expect(names()).toEqual(all);
    expect(names('')).toEqual(all);
    expect(names(' \n , ')).toEqual(all);
  });

  it('takes names separated by commas or newlines, in config order', () => {
    expect(names('rasp4b, jetson-nano')).toEqual(['jetson-nano', 'rasp4b']);
    expect(names('rasp4b\njetson-nano\n')).toEqual(['jetson-nano', 'rasp4b']);
  });

  it('takes globs, matrix entry names and exclusions', () => {
    expect(names('jetson-*')).toEqual(['jetson-nano', 'jetson-xavier']);
    expect(names('edge')).toEqual(['edge-rasp3b', 'edge-imx8qm']);
    expect(names('edge-*, rasp4b')).toEqual(['rasp4b', 'edge-rasp3b', 'edge-imx8qm']);
    expect(names('!jetson-*')).toEqual(['rasp4b', 'edge-rasp3b', 'edge-imx8qm']);
    expect(names('edge, !edge-imx8qm')).toEqual(['edge-rasp3b']);
  });

  it('reports a pattern that matches nothing, with a suggestion, and plans no job', () => {
    const config = configOf(text);
    const planned = planJobs(config, ctx, { targets: 'rasp4b, jetson-nan' });
    expect(planned.jobs).toEqual([]);
    expect(planned.errors).toEqual([
      {
        file: 'neo.yml',
        ...pos(text, 'targets:'),
        title: 'Unknown target in the targets input',
        message: expect.stringMatching(
          /'jetson-nan', which matches no target in neo\.yml; did you mean jetson-nano\?/,
        ),
      },
    ]);
    expect(planJobs(config, ctx, { targets: '!nothing-*' }).errors).toHaveLength(1);
  });

  it('reports a selection that leaves nothing', () => {
    const planned = planJobs(configOf(text), ctx, { targets: 'rasp4b, !rasp4b' });
    expect(planned.jobs).toEqual([]);
    expect(planned.errors[0]?.title).toBe('No target selected');
  });
});

describe('job names', () => {
  it('are <prefix>-<target>-<hash> with 12 hex characters of hash', () => {
    for (const job of planJobs(configOf(text), ctx).jobs) {
      expect(job.jobName).toMatch(
        new RegExp(`^vision-models-${job.target.replace(/_/g, '-')}-[0-9a-f]{12}$`),
      );
      expect(job.jobName).toMatch(JOB_NAME);
    }
  });

  it('shorten the readable part, never the hash, and never collide', () => {
    const long = 'a'.repeat(60);
    const config = configOf(
      `${HEADER}job-prefix: ${'p'.repeat(32)}\ntargets:\n  - {name: ${long}1, device: jetson_nano}\n  - {name: ${long}2, device: jetson_nano}\n`,
    );
    const jobs = planJobs(config, ctx).jobs;
    const [first, second] = jobs.map((job) => job.jobName);
    for (const name of [first, second]) {
      expect(name?.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(JOB_NAME);
      expect(name).toMatch(/^p{32}-a+-[0-9a-f]{12}$/);
    }
    expect(first?.slice(0, -12)).toBe(second?.slice(0, -12));
    expect(first).not.toBe(second);
  });

  it('are stable for the same request and change with any field', () => {
    const base = `${HEADER}targets:\n  - {name: nano, device: jetson_nano, tags: {team: vision}, stopping-condition: {max-runtime: 15m}}\n`;
    const nameOf = (source: string, context = ctx, inputIdentity?: Record<string, string>) =>
      planJobs(configOf(source, context), context, { inputIdentity }).jobs[0]?.jobName;
    const original = nameOf(base);
    expect(nameOf(base)).toBe(original);
    // Same request written differently: same name.
    expect(nameOf(base.replace('max-runtime: 15m', 'max-runtime: 900'))).toBe(original);
    // The commit only matters when a field uses it.
    expect(nameOf(base, { ...ctx, sha: 'f'.repeat(40), runId: '1' })).toBe(original);
    const changed = [
      base.replace('team: vision', 'team: audio'),
      base.replace('max-runtime: 15m', 'max-runtime: 16m'),
      base.replace('jetson_nano', 'jetson_xavier'),
      base.replace('"2.0"', '"1.13"'),
      base.replace('[1, 3, 224, 224]', '[1, 3, 256, 256]'),
      base.replace('s3://artifacts/out/', 's3://artifacts/other/'),
      base.replace('device: jetson_nano', 'device: jetson_nano, region: us-east-1'),
    ].map((source) => nameOf(source));
    expect(new Set([original, ...changed]).size).toBe(changed.length + 1);
    // The input's identity (ETag / VersionId) enters the hash.
    const uri = 's3://models/resnet/model.tar.gz';
    const etagA = nameOf(base, ctx, { [uri]: '"etag-a"' });
    expect(etagA).not.toBe(original);
    expect(nameOf(base, ctx, { [uri]: '"etag-a"' })).toBe(etagA);
    expect(nameOf(base, ctx, { [uri]: '"etag-b"' })).not.toBe(etagA);
    expect(nameOf(base, ctx, { 's3://other/model.tar.gz': '"etag-a"' })).toBe(original);
  });

  it('use the identity of a model package and of an optimization model', () => {
    const arn = 'arn:aws:sagemaker:us-west-2:123456789012:model-package/resnet/3';
    const source = `${HEADER}targets:
  - {name: pkg, device: ml_c5, model-package-arn: ${arn}}
  - {name: llm, kind: optimization, instance-type: ml.g5.xlarge, model: {s3-uri: s3://models/llama/}, optimizations: [{compilation: {}}]}
`;
    const config = configOf(source);
    const before = planJobs(config, ctx).jobs.map((job) => job.jobName);
    const after = planJobs(config, ctx, {
      inputIdentity: { [arn]: 'v3', 's3://models/llama/': 'etag' },
    }).jobs.map((job) => job.jobName);
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
  });
});

describe('models in the workspace', () => {
  const source = `${HEADER}targets:
  - {name: s3, device: jetson_nano}
  - name: local
    device: rasp4b
    input: {path: models/resnet50.tar.gz, upload-to: s3://neo-inputs/}
  - name: llm
    kind: optimization
    instance-type: ml.g5.xlarge
    model: {path: build/llama/, upload-to: s3://neo-inputs/llm/}
    optimizations: [{compilation: {}}]
`;
  const RESNET = 's3://neo-inputs/1f2e/resnet50.tar.gz';
  const LLAMA = 's3://neo-inputs/llm/9a8b/llama.tar.gz';
  const RESNET_KEY = localModelKey('models/resnet50.tar.gz', 's3://neo-inputs/');
  const LLAMA_KEY = localModelKey('build/llama/', 's3://neo-inputs/llm/');
  const inputUris = { [RESNET_KEY]: RESNET, [LLAMA_KEY]: LLAMA };

  it('plans a path input with the S3 URI it was uploaded to', () => {
    const planned = planJobs(configOf(source), ctx, { inputUris });
    expect(planned.errors).toEqual([]);
    const [s3, local, llm] = planned.jobs;
    expect(s3?.kind === 'compilation' && s3.request.InputConfig?.S3Uri).toBe(
      's3://models/resnet/model.tar.gz',
    );
    expect(local?.kind === 'compilation' && local.request.InputConfig).toEqual({
      S3Uri: RESNET,
      Framework: 'PYTORCH',
      FrameworkVersion: '2.0',
      DataInputConfig: '{"input0":[1,3,224,224]}',
    });
    expect(llm?.kind === 'optimization' && llm.request.ModelSource).toEqual({ S3: { S3Uri: LLAMA } });
  });

  it('reports a path input that was not uploaded at its position, and plans nothing', () => {
    const config = configOf(source);
    const planned = planJobs(config, ctx, { inputUris: { [LLAMA_KEY]: LLAMA } });
    expect(planned.jobs).toEqual([]);
    expect(planned.errors).toEqual([
      {
        file: 'neo.yml',
        ...pos(source, 'models/resnet50.tar.gz'),
        title: 'Input not uploaded',
        message: expect.stringMatching(
          /^internal: input not uploaded: the local model 'models\/resnet50\.tar\.gz' \('local'\)/,
        ),
      },
    ]);
    expect(planJobs(config, ctx).errors.map((error) => error.line)).toEqual([
      pos(source, 'models/resnet50').line,
      pos(source, 'build/llama/').line,
    ]);
    // Only the selected targets need their inputs uploaded.
    expect(planJobs(config, ctx, { targets: 's3' }).errors).toEqual([]);
  });

  it('names a path job after the uploaded object and its identity', () => {
    const config = configOf(source);
    const nameOf = (uris: Record<string, string>, inputIdentity?: Record<string, string>) =>
      planJobs(config, ctx, { targets: 'local', inputUris: uris, inputIdentity }).jobs[0]?.jobName;
    const original = nameOf(inputUris);
    expect(nameOf(inputUris)).toBe(original);
    // New content: a new content-addressed key, a new name.
    const other = nameOf({ ...inputUris, [RESNET_KEY]: 's3://neo-inputs/77aa/resnet50.tar.gz' });
    expect(other).not.toBe(original);
    // The identity of the uploaded object enters the hash too.
    const withIdentity = nameOf(inputUris, { [RESNET]: 'sha256:1f2e' });
    expect(withIdentity).not.toBe(original);
    expect(nameOf(inputUris, { [RESNET]: 'sha256:1f2e' })).toBe(withIdentity);
    expect(nameOf(inputUris, { [RESNET]: 'sha256:77aa' })).not.toBe(withIdentity);
  });
});

describe('input identity', () => {
  const source = `${HEADER}targets:\n  - {name: nano, device: jetson_nano}\n`;
  const uri = 's3://models/resnet/model.tar.gz';
  const nameOf = (inputIdentity?: Record<string, string>) =>
    planJobs(configOf(source), ctx, { inputIdentity }).jobs[0]?.jobName;

  it('keeps the job name for the same identity and changes it with the identity', () => {
    const first = nameOf({ [uri]: 'etag:"a"' });
    expect(nameOf({ [uri]: 'etag:"a"' })).toBe(first);
    expect(nameOf({ [uri]: 'version:3' })).not.toBe(first);
    expect(nameOf({ [uri]: 'etag:"b"' })).not.toBe(first);
    // Only the target's own input counts.
    expect(nameOf({ [uri]: 'etag:"a"', 's3://models/other.tar.gz': 'etag:"z"' })).toBe(first);
  });
});

describe('planning', () => {
  it('is pure: the config is not changed and equal inputs give equal plans', () => {
    const config = configOf(text);
    const frozen = structuredClone(config);
    deepFreeze(config);
    const first = planJobs(config, ctx, { targets: 'edge' });
    expect(planJobs(config, ctx, { targets: 'edge' })).toEqual(first);
    expect(config).toEqual(frozen);
  });

  it('describes devices and carries the entry position', () => {
    const jobs = planJobs(configOf(text), ctx).jobs;
    expect(jobs.map((job) => [job.device, job.position?.line])).toEqual([
      ['jetson_nano', 11],
      ['jetson_xavier', 12],
      ['rasp4b', 13],
      ['rasp3b', 14],
      ['imx8qm', 14],
    ]);
  });
});

function deepFreeze(value: unknown): void {
  if (value && typeof value === 'object') {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
}
