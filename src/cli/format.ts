// Terminal output of the CLI: diagnostics as `file:line:col: error: message [title]` (the form compilers
// print, which terminals turn into links and editors' problem matchers read), and the plan as a table.
import { charCount, flattenLines, plainText } from '../report/markdown.ts';
import type { ConfigError, PlannedJob } from '../types.ts';

export type Severity = 'error' | 'warning';

export function formatDiagnostic(problem: ConfigError, severity: Severity): string {
  // One line each: a line break inside a message would start a line that no longer reads as a diagnostic.
  return `${problem.file}:${problem.line}:${problem.col}: ${severity}: ${flattenLines(problem.message)} [${flattenLines(problem.title)}]`;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The closing line of `validate`/`plan` for one file with problems. */
export function problemCount(file: string, errors: number, warnings: number): string {
  const parts = [errors > 0 && plural(errors, 'error'), warnings > 0 && plural(warnings, 'warning')];
  return `${file}: ${parts.filter(Boolean).join(', ')}${errors > 0 ? '; no job would be created' : ''}`;
}

/** Columns padded to their widest cell, two spaces apart; the last column is never padded. */
export function formatColumns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((value, column) => {
      widths[column] = Math.max(widths[column] ?? 0, charCount(value));
    });
  }
  return rows
    .map((row) =>
      row
        .map((value, column) =>
          column === row.length - 1 ? value : value + ' '.repeat((widths[column] ?? 0) - charCount(value)),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function output(job: PlannedJob): string {
  return job.request.OutputConfig?.S3OutputLocation ?? '';
}

/** The planned jobs, one row each, as `plan` prints them; `*` marks a provisional job name. */
export function formatPlanTable(plan: readonly PlannedJob[], provisional: ReadonlySet<string>): string {
  const header = ['TARGET', 'KIND', 'DEVICE', 'REGION', 'JOB NAME', 'OUTPUT'];
  const rows = plan.map((job) => [
    plainText(job.target, 40),
    job.kind,
    plainText(job.device, 32),
    plainText(job.region, 20),
    `${job.jobName}${provisional.has(job.target) ? ' *' : ''}`,
    plainText(output(job), 120),
  ]);
  const table = formatColumns([header, ...rows]);
  return provisional.size === 0 ? table : `${table}\n${PROVISIONAL_NOTE}`;
}

/** Why a dry-run job name can differ from the one the action will use. */
const PROVISIONAL_NOTE =
  '* provisional: the model is in S3, and the action adds its ETag (or VersionId) to the name’s hash, ' +
  'which only a run with AWS credentials reads.';

export function planHeadline(file: string, plan: readonly PlannedJob[]): string {
  const regions = new Set(plan.map((job) => job.region));
  return `${file}: ${plural(plan.length, 'job')} planned in ${plural(regions.size, 'region')}; nothing was submitted.`;
}
