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

/** The planned jobs, one row each, as `plan` prints them. */
export function formatPlanTable(plan: readonly PlannedJob[]): string {
  const header = ['TARGET', 'KIND', 'DEVICE', 'REGION', 'JOB NAME (dry run)', 'OUTPUT'];
  const rows = plan.map((job) => [
    plainText(job.target, 40),
    job.kind,
    plainText(job.device, 32),
    plainText(job.region, 20),
    job.jobName,
    plainText(output(job), 120),
  ]);
  return formatColumns([header, ...rows]);
}

/** Why a dry-run job name can differ from the one the action will use. */
export const DRY_RUN_NAME_NOTE =
  'Job names of S3 models are provisional: the action adds the model object’s ETag (or VersionId) to the ' +
  'hash, which only a run with AWS credentials reads. Names of models in the repository are final.';

export function planHeadline(file: string, plan: readonly PlannedJob[]): string {
  const regions = new Set(plan.map((job) => job.region));
  return `${file}: ${plural(plan.length, 'job')} planned in ${plural(regions.size, 'region')}; nothing was submitted.`;
}
