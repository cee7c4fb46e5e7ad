import { describe, expect, it } from 'vitest';
import {
  budgetViolation,
  buildSizeReport,
  compareSizes,
  formatSizeChange,
  parseByteSize,
  parseGrowthPercent,
  type SizeComparison,
} from '../../src/report/sizes.ts';

describe('parseByteSize', () => {
  it('reads decimal and binary units as the README documents them', () => {
    expect(parseByteSize('25MB')).toBe(25_000_000);
    expect(parseByteSize('1.5 GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseByteSize('900 kb')).toBe(900_000);
    expect(parseByteSize('512KiB')).toBe(512 * 1024);
    expect(parseByteSize('123')).toBe(123);
    expect(parseByteSize('7 B')).toBe(7);
  });
  it('refuses what is not a size', () => {
    for (const text of ['', 'MB', '25 TB', '-1MB', '25 megabytes', '1e3', '25MB extra']) {
      expect(parseByteSize(text), text).toBeUndefined();
    }
  });
});

describe('parseGrowthPercent', () => {
  it('reads percentages only', () => {
    expect(parseGrowthPercent('10%')).toBe(10);
    expect(parseGrowthPercent('2.5 %')).toBe(2.5);
    expect(parseGrowthPercent('10')).toBeUndefined();
    expect(parseGrowthPercent('-5%')).toBeUndefined();
  });
});

describe('formatSizeChange', () => {
  it('shows the change with its sign and percentage', () => {
    expect(formatSizeChange(17_800_000, 21_900_000)).toBe('+4.1 MB (+23%)');
    expect(formatSizeChange(4_000_000, 3_880_000)).toBe('-120 kB (-3%)');
    expect(formatSizeChange(1000, 1000)).toBe('±0 B');
    expect(formatSizeChange(0, 1000)).toBe('+1 kB');
  });
});

describe('compareSizes and budgetViolation', () => {
  const baseline = [
    { target: 'jetson', size: 10_000_000, compileSeconds: 100 },
    { target: 'retired', size: 5_000_000 },
  ];
  const current = [
    { target: 'jetson', size: 12_000_000, compileSeconds: 90 },
    { target: 'pi', size: 3_000_000 },
  ];

  it('marks targets new and gone, and pairs the rest', () => {
    const rows = compareSizes(current, baseline);
    expect(rows.map((row) => [row.target, row.presence, row.baselineSize])).toEqual([
      ['jetson', 'same', 10_000_000],
      ['pi', 'new', undefined],
      ['retired', 'gone', 5_000_000],
    ]);
    expect(compareSizes(current, undefined).every((row) => row.presence === 'same')).toBe(true);
  });

  it('flags growth over max-growth and size over max-size, with the numbers', () => {
    const [jetson, pi] = compareSizes(current, baseline) as [SizeComparison, SizeComparison];
    expect(budgetViolation(jetson, { maxGrowthPercent: 10 })).toBe('grew 20% > max-growth 10%');
    expect(budgetViolation(jetson, { maxGrowthPercent: 25 })).toBeUndefined();
    expect(budgetViolation(jetson, { maxSize: 11_000_000 })).toBe('12 MB > max-size 11 MB');
    // A new target has no baseline to grow from; only max-size applies.
    expect(budgetViolation(pi, { maxGrowthPercent: 1, maxSize: 4_000_000 })).toBeUndefined();
    expect(budgetViolation(jetson, undefined)).toBeUndefined();
  });
});

describe('buildSizeReport', () => {
  it('applies the per-target budget over the file budget and lists the targets over it', () => {
    const { report, overBudget } = buildSizeReport({
      current: [
        { target: 'jetson', size: 12_000_000 },
        { target: 'pi', size: 12_000_000 },
      ],
      baseline: [
        { target: 'jetson', size: 10_000_000 },
        { target: 'pi', size: 10_000_000 },
      ],
      baselineLabel: 'main @ abc1234',
      budgetFor: (target) => (target === 'pi' ? { maxGrowthPercent: 50 } : { maxGrowthPercent: 10 }),
    });
    expect(overBudget).toEqual(['jetson']);
    expect(report.rows.get('jetson')?.overBudget).toBe('grew 20% > max-growth 10%');
    expect(report.rows.get('pi')?.overBudget).toBeUndefined();
    expect(report.baselineLabel).toBe('main @ abc1234');
  });

  it('without a baseline keeps the note and still checks max-size', () => {
    const { report, overBudget } = buildSizeReport({
      current: [{ target: 'jetson', size: 30_000_000 }],
      note: 'no history yet',
      budgetFor: () => ({ maxSize: 25_000_000, maxGrowthPercent: 10 }),
    });
    expect(overBudget).toEqual(['jetson']);
    expect(report.note).toBe('no history yet');
    expect(report.baselineLabel).toBeUndefined();
  });
});
