// Large files: 500 targets read, checked and planned completely. How long it takes is measured by `npm run bench`
// (validation of 1,000 and 10,000 targets), never by a timed test.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import { describe, expect, it } from 'vitest';
import { planJobs } from '../../src/plan/plan.ts';
import { ctx, HEADER, read } from './helpers.ts';

const devices = ['jetson_nano', 'rasp4b', 'ml_c5', 'ml_m5', 'jetson_xavier'];
const text = `${HEADER.replace('s3://artifacts/out/', '"s3://artifacts/${sha}/${target}/"')}tags: {team: vision}\ntargets:\n${Array.from(
  { length: 500 },
  (_, i) =>
    `  - name: t${i}\n    device: ${devices[i % devices.length]}\n    compiler-options: {mcpu: skylake-avx512}\n`,
).join('')}`;

describe('large files', () => {
  it('reads and plans a 500-target config', () => {
    const { config, errors } = read(text);
    expect(errors).toEqual([]);
    if (!config) throw new Error('no config');
    const jobs = planJobs(config, ctx).jobs;
    expect(jobs).toHaveLength(500);
    expect(new Set(jobs.map((job) => job.jobName)).size).toBe(500);
  });

  it('reports an error in each of 500 targets, each at its own line', () => {
    const { errors } = read(text.replaceAll('skylake-avx512', "''"));
    expect(errors).toHaveLength(500);
    expect(new Set(errors.map((error) => error.line)).size).toBe(500);
  });
});
