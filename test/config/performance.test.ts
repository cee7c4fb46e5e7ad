// readNeoConfig stays well under 100 ms for 500 targets (the schema is compiled once per process).
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe('performance', () => {
  it('reads and plans a 500-target config in well under 100 ms', () => {
    read(text); // compiles the schema
    const readTimes: number[] = [];
    const planTimes: number[] = [];
    for (let run = 0; run < 7; run++) {
      const start = performance.now();
      const { config, errors } = read(text);
      readTimes.push(performance.now() - start);
      expect(errors).toEqual([]);
      if (!config) throw new Error('no config');
      const planStart = performance.now();
      expect(planJobs(config, ctx).jobs).toHaveLength(500);
      planTimes.push(performance.now() - planStart);
    }
    expect(median(readTimes)).toBeLessThan(100);
    expect(median(planTimes)).toBeLessThan(100);
  });

  it('reports errors in all 500 targets quickly', () => {
    const broken = text.replaceAll('skylake-avx512', "''");
    read(broken);
    const start = performance.now();
    const { errors } = read(broken);
    expect(performance.now() - start).toBeLessThan(200);
    // One error per target, each at its own line.
    expect(errors).toHaveLength(500);
  });
});
