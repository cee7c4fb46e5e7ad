// The fuzz corpus (issue 12): configs SageMaker would reject that validation once accepted, each in
// test/fixtures/config/corpus/ with its expectations in its header comments:
//   # expect-error LINE:COL TITLE | MESSAGE FRAGMENT      (the file is refused with exactly these errors)
//   # expect-warning LINE:COL TITLE | MESSAGE FRAGMENT    (exactly these warnings)
//   # expect-valid                                        (no error: the targets are planned)
//   # expect-sent TARGET FIELD VALUE                      (a target's field as sent, e.g. compilerOptions)
//   # expect-plan-error LINE:COL TITLE | FRAGMENT         (refused after planning: artifact collisions)
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findArtifactCollisions, planJobs } from '../../src/plan/plan.ts';
import type { ConfigError } from '../../src/types.ts';
import { ctx, read } from './helpers.ts';

const DIR = new URL('../fixtures/config/corpus/', import.meta.url);
const files = readdirSync(DIR)
  .filter((name) => name.endsWith('.yml'))
  .sort();

interface Located {
  line: number;
  col: number;
  title: string;
  fragment: string;
}

function expectations(text: string) {
  const located = (kind: string): Located[] =>
    [...text.matchAll(new RegExp(`^# ${kind} (\\d+):(\\d+) ([^|\\n]+?) \\| (.+)$`, 'gm'))].map((match) => ({
      line: Number(match[1]),
      col: Number(match[2]),
      title: match[3] ?? '',
      fragment: match[4] ?? '',
    }));
  return {
    errors: located('expect-error'),
    warnings: located('expect-warning'),
    planErrors: located('expect-plan-error'),
    valid: /^# expect-valid$/m.test(text),
    sent: [...text.matchAll(/^# expect-sent (\S+) (\S+) (.+)$/gm)].map((match) => ({
      target: match[1] ?? '',
      field: match[2] ?? '',
      value: match[3] ?? '',
    })),
  };
}

/** Each expected problem is found at its line and column, and nothing else is reported. */
function expectLocated(found: readonly ConfigError[], expected: readonly Located[]): void {
  const shown = found.map((problem) => `${problem.line}:${problem.col} ${problem.title}: ${problem.message}`);
  expect(found, shown.join('\n')).toHaveLength(expected.length);
  for (const want of expected) {
    const match = found.find(
      (problem) =>
        problem.line === want.line &&
        problem.col === want.col &&
        problem.title === want.title &&
        problem.message.includes(want.fragment),
    );
    expect(
      match,
      `${want.line}:${want.col} ${want.title} | ${want.fragment}\nfound:\n${shown.join('\n')}`,
    ).toBeDefined();
  }
}

describe('the strictness corpus (test/fixtures/config/corpus)', () => {
  it('has a fixture for every item of issue 12', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  it.each(files)('%s', (name) => {
    const text = readFileSync(new URL(name, DIR), 'utf8');
    const expected = expectations(text);
    expect(
      expected.valid || expected.errors.length > 0,
      'a fixture says expect-valid or lists its errors',
    ).toBe(true);
    const result = read(text);
    expectLocated(result.errors, expected.errors);
    expectLocated(result.warnings, expected.warnings);
    for (const warning of result.warnings) expect(warning.severity).toBe('warning');
    if (!expected.valid) {
      expect(result.config).toBeUndefined();
      return;
    }
    if (!result.config) throw new Error('no config');
    for (const { target, field, value } of expected.sent) {
      const checked = result.config.targets.find((candidate) => candidate.name === target);
      expect((checked as unknown as Record<string, unknown> | undefined)?.[field]).toBe(value);
    }
    const planned = planJobs(result.config, ctx);
    expect(planned.errors).toEqual([]);
    expectLocated(findArtifactCollisions(planned.jobs, 'neo.yml', result.config), expected.planErrors);
  });
});
