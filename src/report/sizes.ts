// Artifact sizes against a baseline run, and size budgets. Pure: sizes and manifests in, comparisons out.
import prettyBytes from 'pretty-bytes';

/** Decimal units (powers of 1000) as on disk labels and S3's console; binary ones (powers of 1024) as in RAM specs. */
const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** `25MB`, `1.5 GiB`, `900 KB`, `123` (bytes) -> bytes; undefined when it is not a size. */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = (match[2] as string).toLowerCase() || 'b';
  const factor = BYTE_UNITS[unit];
  if (factor === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * factor);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** `10%`, `2.5 %` -> 10, 2.5 (percent); undefined when it is not a percentage. */
export function parseGrowthPercent(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** `4.1 MB` (decimal units, as budgets are usually written). */
export function formatBytes(bytes: number): string {
  return prettyBytes(bytes);
}

/** `+4.1 MB (+23%)`, `-120 kB (-3%)`, `±0 B`. */
export function formatSizeChange(before: number, after: number): string {
  const delta = after - before;
  if (delta === 0) return '±0 B';
  const percent = before > 0 ? ` (${delta > 0 ? '+' : ''}${roundPercent((delta / before) * 100)}%)` : '';
  return `${prettyBytes(delta, { signed: true })}${percent}`;
}

function roundPercent(value: number): string {
  const rounded = Math.abs(value) < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  return String(rounded);
}

export interface SizeBudget {
  /** Largest artifact allowed, in bytes. */
  maxSize?: number;
  /** Largest growth over the baseline allowed, in percent. */
  maxGrowthPercent?: number;
}

/** One target's size now and in the baseline run. */
export interface SizeComparison {
  target: string;
  /** Bytes; undefined when the target has no completed artifact in this run. */
  size?: number;
  /** Bytes in the baseline; undefined when the baseline did not have it. */
  baselineSize?: number;
  /** Seconds of compilation now and then, when known. */
  compileSeconds?: number;
  baselineCompileSeconds?: number;
  /** new: not in the baseline; gone: only in the baseline; same: in both. */
  presence: 'new' | 'gone' | 'same';
}

export interface SizeEntry {
  target: string;
  size?: number;
  compileSeconds?: number;
}

/** Pairs this run's targets with the baseline's by target name (gone ones last, in baseline order). */
export function compareSizes(
  current: readonly SizeEntry[],
  baseline: readonly SizeEntry[] | undefined,
): SizeComparison[] {
  const before = new Map((baseline ?? []).map((entry) => [entry.target, entry]));
  const rows: SizeComparison[] = current.map((entry) => {
    const old = before.get(entry.target);
    return {
      target: entry.target,
      size: entry.size,
      compileSeconds: entry.compileSeconds,
      baselineSize: old?.size,
      baselineCompileSeconds: old?.compileSeconds,
      presence: baseline === undefined || old ? 'same' : 'new',
    };
  });
  const now = new Set(current.map((entry) => entry.target));
  for (const old of baseline ?? []) {
    if (now.has(old.target)) continue;
    rows.push({
      target: old.target,
      baselineSize: old.size,
      baselineCompileSeconds: old.compileSeconds,
      presence: 'gone',
    });
  }
  return rows;
}

/** Why a target is over its budget (one short line with the numbers), or undefined when it is within it. */
export function budgetViolation(row: SizeComparison, budget: SizeBudget | undefined): string | undefined {
  if (!budget || row.size === undefined) return undefined;
  const reasons: string[] = [];
  if (budget.maxSize !== undefined && row.size > budget.maxSize) {
    reasons.push(`${formatBytes(row.size)} > max-size ${formatBytes(budget.maxSize)}`);
  }
  if (budget.maxGrowthPercent !== undefined && row.baselineSize !== undefined && row.baselineSize > 0) {
    const growth = ((row.size - row.baselineSize) / row.baselineSize) * 100;
    if (growth > budget.maxGrowthPercent) {
      reasons.push(`grew ${roundPercent(growth)}% > max-growth ${budget.maxGrowthPercent}%`);
    }
  }
  return reasons.length > 0 ? reasons.join(', ') : undefined;
}

/** What the reports show about sizes: one row per target (this run's and gone ones), and what was compared with. */
export interface SizeReport {
  rows: ReadonlyMap<string, SizeComparison & { overBudget?: string }>;
  /** e.g. "main @ 3f2c9d1"; undefined when there was no baseline. */
  baselineLabel?: string;
  /** A quiet note, e.g. why there is no baseline. */
  note?: string;
}

/** `21.9 MB`, or `17.8 MB → 21.9 MB<sep>+4.1 MB (+23%)` against a baseline, `new` / `gone` marked. */
export function sizeChangeText(row: SizeComparison, separator: string): string {
  if (row.presence === 'gone') {
    return `gone (was ${row.baselineSize === undefined ? 'unknown' : formatBytes(row.baselineSize)})`;
  }
  if (row.size === undefined) return '—';
  const now = formatBytes(row.size);
  if (row.presence === 'new') return `${now}${separator}new`;
  if (row.baselineSize === undefined) return now;
  return `${formatBytes(row.baselineSize)} → ${now}${separator}${formatSizeChange(row.baselineSize, row.size)}`;
}

/** `+12s`, `-1m 5s`: the change of compile time against the baseline, or '' without one. */
export function compileTimeChange(row: SizeComparison): string {
  if (row.compileSeconds === undefined || row.baselineCompileSeconds === undefined) return '';
  const delta = Math.round(row.compileSeconds - row.baselineCompileSeconds);
  if (delta === 0) return '±0s';
  const abs = Math.abs(delta);
  const text = abs >= 60 ? `${Math.floor(abs / 60)}m ${abs % 60}s` : `${abs}s`;
  return `${delta > 0 ? '+' : '-'}${text}`;
}

export interface SizeReportInput {
  /** This run's targets with their artifact size (when measured) and compile seconds. */
  current: readonly SizeEntry[];
  /** The baseline run's targets, when one was found. */
  baseline?: readonly SizeEntry[];
  baselineLabel?: string;
  note?: string;
  /** The budget that applies to a target (its own, else the file's), if any. */
  budgetFor(target: string): SizeBudget | undefined;
}

/** Sizes, comparison and budgets for the reports, and the targets over budget (in report order). */
export function buildSizeReport(input: SizeReportInput): { report: SizeReport; overBudget: string[] } {
  const rows = new Map<string, SizeComparison & { overBudget?: string }>();
  const overBudget: string[] = [];
  for (const row of compareSizes(input.current, input.baseline)) {
    const violation = row.presence === 'gone' ? undefined : budgetViolation(row, input.budgetFor(row.target));
    if (violation) overBudget.push(row.target);
    rows.set(row.target, violation ? { ...row, overBudget: violation } : row);
  }
  return {
    report: {
      rows,
      baselineLabel: input.baseline ? input.baselineLabel : undefined,
      note: input.baseline ? undefined : input.note,
    },
    overBudget,
  };
}
