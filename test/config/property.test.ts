// Property-based tests: whatever the file holds, reading it never throws, every error has a position, an
// invalid file plans nothing, and a file that passes yields requests within the API's constraints.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import { readFileSync } from 'node:fs';
import { Framework, OptimizationJobDeploymentInstanceType, TargetDevice } from '@aws-sdk/client-sagemaker';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readNeoConfig } from '../../src/config/index.ts';
import { planJobs } from '../../src/plan/plan.ts';
import type { ConfigError, PlannedJob } from '../../src/types.ts';
import { ctx } from './helpers.ts';

const full = readFileSync(new URL('../fixtures/config/full.yml', import.meta.url), 'utf8');
const fullData = parse(full) as Record<string, unknown>;

/** Reads, checks the universal properties and, when valid, plans and checks the requests. */
function check(text: string): void {
  const result = readNeoConfig(text, 'neo.yml', ctx);
  for (const error of result.errors) expectPositioned(error, text);
  if (result.errors.length > 0) {
    expect(result.config).toBeUndefined();
    return;
  }
  expect(result.config).toBeDefined();
  if (!result.config) return;
  const planned = planJobs(result.config, ctx);
  expect(planned.errors).toEqual([]);
  const names = new Set<string>();
  for (const job of planned.jobs) {
    expectWithinApiConstraints(job);
    expect(names.has(job.jobName)).toBe(false);
    names.add(job.jobName);
  }
}

function expectPositioned(error: ConfigError, text: string): void {
  expect(error.file).toBe('neo.yml');
  expect(Number.isInteger(error.line) && error.line >= 1).toBe(true);
  expect(Number.isInteger(error.col) && error.col >= 1).toBe(true);
  expect(error.line).toBeLessThanOrEqual(text.split('\n').length + 1);
  expect(error.title).not.toMatch(/Internal error/);
  expect(error.message.length).toBeGreaterThan(0);
}

const S3 = /^(https|s3):\/\/([^/]+)\/?(.*)$/;
const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const JOB_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** Independent checks of a planned request against the API reference constraints. */
function expectWithinApiConstraints(job: PlannedJob): void {
  const request = job.request;
  expect(job.jobName).toMatch(JOB_NAME);
  expect(request.RoleArn).toMatch(ROLE);
  expect(request.RoleArn?.length).toBeGreaterThanOrEqual(20);
  const runtime = request.StoppingCondition?.MaxRuntimeInSeconds ?? 0;
  expect(runtime >= 1 && runtime <= 2_419_200).toBe(true);
  expect((request.Tags ?? []).length).toBeLessThanOrEqual(50);
  expect(request.OutputConfig?.S3OutputLocation).toMatch(S3);
  if (job.kind === 'compilation') {
    const { InputConfig, ModelPackageVersionArn, OutputConfig } = job.request;
    expect(job.request.CompilationJobName).toBe(job.jobName);
    expect((InputConfig === undefined) !== (ModelPackageVersionArn === undefined)).toBe(true);
    expect((OutputConfig?.TargetDevice === undefined) !== (OutputConfig?.TargetPlatform === undefined)).toBe(
      true,
    );
    if (OutputConfig?.TargetDevice) expect(Object.values(TargetDevice)).toContain(OutputConfig.TargetDevice);
    if (InputConfig) {
      expect(InputConfig.S3Uri).toMatch(/\.tar\.gz$/);
      expect(Object.values(Framework)).toContain(InputConfig.Framework);
      if (InputConfig.FrameworkVersion)
        expect(InputConfig.FrameworkVersion).toMatch(/^[0-9]\.[A-Za-z0-9.]{1,8}$/);
      const data = InputConfig.DataInputConfig;
      if (data !== undefined) expect(data.length >= 1 && data.length <= 16_384).toBe(true);
      if (InputConfig.Framework !== 'XGBOOST') expect(data).toBeDefined();
    }
    const options = OutputConfig?.CompilerOptions;
    if (options !== undefined) expect(options.length >= 3 && options.length <= 1024).toBe(true);
  } else {
    expect(job.request.OptimizationJobName).toBe(job.jobName);
    expect(Object.values(OptimizationJobDeploymentInstanceType)).toContain(
      job.request.DeploymentInstanceType,
    );
    const configs = job.request.OptimizationConfigs ?? [];
    expect(configs.length >= 1 && configs.length <= 10).toBe(true);
    expect(job.request.ModelSource?.S3?.S3Uri).toMatch(S3);
  }
}

/** Values that exercise the rules: enum near-misses, placeholders, wrong types, edge numbers. */
const interestingValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    'jetson_nano',
    'jetson_nan',
    'ml_trn1',
    'ml_inf2',
    'coreml',
    'PYTORCH',
    'TENSORFLOW',
    'XGBOOST',
    'ONNX',
    'NVIDIA',
    'ANDROID',
    'LINUX',
    'ml.g5.12xlarge',
    '${sha}',
    '${nope}',
    '${env.UNSET}',
    '${{ github.sha }}',
    '${matrix.x}',
    's3://bucket/key.tar.gz',
    's3:/bad',
    'alias/x',
    '15m',
    '29d',
    '1..10',
    '2.0',
    2.0,
    0,
    -1,
    29,
    30,
    7200,
    null,
    true,
    '',
    'x'.repeat(300),
    [1, 3, 224, 224],
    { shape: [1, 224, 224, 3], type: 'Image' },
    { device: ['jetson_nano', 'rasp4b'] },
    { os: 'LINUX', arch: 'ARM64', accelerator: 'NVIDIA' },
  ),
);

type Mutation = {
  path: number[];
  kind: 'delete' | 'replace' | 'rename' | 'duplicate';
  value: unknown;
  key: string;
};

const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat(), { minLength: 0, maxLength: 5 }),
  kind: fc.constantFrom('delete', 'replace', 'rename', 'duplicate'),
  value: interestingValue,
  key: fc.oneof(
    fc.constantFrom('devcie', 'matrix', 'include', 'name', 'input', 'kind', 'region'),
    fc.string({ maxLength: 8 }),
  ),
});

/** Applies a mutation at a pseudo-random place: children are chosen by index modulo their count. */
function mutate(data: unknown, { path, kind, value, key }: Mutation): unknown {
  const root = structuredClone(data);
  let parent: Record<string, unknown> | unknown[] | undefined;
  let slot: string | number | undefined;
  let node: unknown = root;
  for (const step of path) {
    if (Array.isArray(node) && node.length > 0) {
      parent = node;
      slot = step % node.length;
      node = node[slot];
    } else if (node && typeof node === 'object' && Object.keys(node).length > 0) {
      const keys = Object.keys(node);
      parent = node as Record<string, unknown>;
      slot = keys[step % keys.length];
      node = (node as Record<string, unknown>)[slot as string];
    } else break;
  }
  if (parent === undefined || slot === undefined) return kind === 'replace' ? value : root;
  if (Array.isArray(parent)) {
    const index = slot as number;
    if (kind === 'delete') parent.splice(index, 1);
    else if (kind === 'duplicate') parent.splice(index, 0, structuredClone(parent[index]));
    else parent[index] = value;
    return root;
  }
  const name = slot as string;
  if (kind === 'delete') delete parent[name];
  else if (kind === 'replace' || kind === 'duplicate') parent[name] = value;
  else {
    parent[key] = parent[name];
    if (key !== name) delete parent[name];
  }
  return root;
}

describe('properties', () => {
  it('arbitrary text never throws and every error has a position', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => check(text)),
      { numRuns: 300 },
    );
  });

  it('arbitrary YAML data never throws and every error has a position', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => check(stringify(value))),
      { numRuns: 300 },
    );
  });

  it('mutated valid configs never throw, plan nothing when invalid, and stay within the API when valid', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const data = mutations.reduce<unknown>((current, step) => mutate(current, step), fullData);
        check(stringify(data));
      }),
      { numRuns: 400 },
    );
  });

  it('text edits of the full example never throw', () => {
    const lines = full.split('\n');
    fc.assert(
      fc.property(fc.nat(lines.length - 1), fc.nat(80), fc.string({ maxLength: 6 }), (line, col, insert) => {
        const edited = [...lines];
        const target = edited[line] ?? '';
        edited[line] = target.slice(0, col) + insert + target.slice(col + (insert.length % 3));
        check(edited.join('\n'));
      }),
      { numRuns: 400 },
    );
  });

  it('the unmutated example is valid (the oracle holds for it)', () => {
    const result = readNeoConfig(stringify(fullData), 'neo.yml', ctx);
    expect(result.errors).toEqual([]);
  });
});
