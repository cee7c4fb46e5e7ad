// Shared fixtures for the config and plan tests.
import { expect } from 'vitest';
import { type NeoConfig, readNeoConfig } from '../../src/config/index.ts';
import { planJobs } from '../../src/plan/plan.ts';
import type { ConfigError, PlannedJob, RunContext } from '../../src/types.ts';

export const ctx: RunContext = {
  sha: '0123456789abcdef0123456789abcdef01234567',
  refName: 'main',
  runId: '4242',
  runAttempt: '1',
  repository: 'acme/vision-models',
  region: 'us-west-2',
  env: { MODEL_BUCKET: 'models-bucket', EMPTY: '' },
};

export const ROLE = 'arn:aws:iam::123456789012:role/NeoCompile';

/** A valid file up to `targets:` (lines 1-9); targets start on line 10. */
export const HEADER = `version: 1
role-arn: ${ROLE}
input:
  s3-uri: s3://models/resnet/model.tar.gz
  framework: PYTORCH
  framework-version: "2.0"
  data-input-config: {input0: [1, 3, 224, 224]}
output:
  s3-location: s3://artifacts/out/
`;

export function read(text: string, context: RunContext = ctx) {
  return readNeoConfig(text, 'neo.yml', context);
}

export function errorsOf(text: string, context: RunContext = ctx): ConfigError[] {
  const result = read(text, context);
  if (result.errors.length > 0) expect(result.config).toBeUndefined();
  return result.errors;
}

export function configOf(text: string, context: RunContext = ctx): NeoConfig {
  const result = read(text, context);
  expect(result.errors).toEqual([]);
  if (!result.config) throw new Error('no config');
  return result.config;
}

export function plan(text: string, context: RunContext = ctx, targets?: string): PlannedJob[] {
  const planned = planJobs(configOf(text, context), context, { targets });
  expect(planned.errors).toEqual([]);
  return planned.jobs;
}

/** 1-based line and column of the `occurrence`-th appearance of `needle` in `text`. */
export function pos(text: string, needle: string, occurrence = 1): { line: number; col: number } {
  let index = -1;
  for (let count = 0; count < occurrence; count++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`'${needle}' not found ${occurrence} times`);
  }
  const before = text.slice(0, index).split('\n');
  return { line: before.length, col: (before[before.length - 1]?.length ?? 0) + 1 };
}

/** The one error with `title` (fails when there is none or several). */
export function errorTitled(errors: readonly ConfigError[], title: string): ConfigError {
  const found = errors.filter((error) => error.title === title);
  expect(found, `errors titled '${title}' in ${JSON.stringify(errors, null, 1)}`).toHaveLength(1);
  return found[0] as ConfigError;
}
