// Pure renderers: job states, config errors and plans in; PR comment bodies, job summaries and log
// tables out. All foreign text goes through ./markdown.ts, all URLs through ./links.ts.

import { hintForFailure } from '../preflight/failure-hints.ts';
import type { ConfigError, JobState, PlannedJob } from '../types.ts';
import { renderGantt } from './gantt.ts';
import {
  compilationLogUrl,
  fileLineUrl,
  commitUrl as gitHubCommitUrl,
  runUrl as gitHubRunUrl,
  s3ObjectUrl,
  sageMakerJobUrl,
} from './links.ts';
import {
  cell,
  charCount,
  cleanText,
  codeBlock,
  escapeHtmlText,
  flattenLines,
  link,
  plainText,
  tableHeader,
  tableRow,
  truncate,
} from './markdown.ts';
import { compileTimeChange, type SizeReport, sizeChangeText } from './sizes.ts';
import {
  countByStatus,
  DISPLAY_STATUSES,
  type DisplayStatus,
  displayStatus,
  formatDuration,
  isFinished,
  jobDurationMs,
  STATUS_EMOJI,
} from './status.ts';

export interface ReportContext {
  /** owner/name */
  repository: string;
  sha: string;
  /** e.g. https://github.com */
  serverUrl: string;
  runId: string;
  /** Workflow name; with configPath it keys the PR comment. */
  workflow: string;
  configPath: string;
  /** Epoch milliseconds; durations of unfinished jobs run up to it. */
  now: number;
  /** Artifact sizes (and the baseline compared with), when known: adds a Size column. */
  sizes?: SizeReport;
  /** One line per model from the model preflight, e.g. "model.pth: TorchScript, input0 [1,3,224,224] ✓". */
  preflight?: string[];
}

export interface CommentRenderOptions {
  /** The last render of the run: the title states the outcome instead of progress. */
  final?: boolean;
  /** Longest body to produce, in UTF-16 code units (default COMMENT_MAX_LENGTH). */
  maxLength?: number;
}

/** GitHub rejects comment bodies over 65,536 characters; the margin absorbs differences in how characters are counted. */
export const COMMENT_MAX_LENGTH = 65_000;
/** Job summaries may hold 1 MiB per step, in UTF-8 bytes; this many characters stays well inside it. */
const SUMMARY_MAX_LENGTH = 300_000;

// Longest text shown in a table cell, in characters (full failure text goes to <details>).
const TARGET_CHARS = 80;
const DEVICE_CHARS = 80;
const JOB_NAME_CHARS = 80;
const ARTIFACT_CHARS = 150;
const FAILURE_CELL_CHARS = 100;
const CONFIG_MESSAGE_CHARS = 500;
/** Failure details are not shortened below this many characters; beyond that whole blocks are left out. */
const MIN_DETAIL_CHARS = 300;
/** Room kept for the notes that say what was cut. */
const NOTE_RESERVE = 500;

/** Percent-encoding keeps the marker one line, free of `-->`/`>`, and distinct for every (workflow, path) pair. */
function markerValue(value: string): string {
  return encodeURIComponent(value).replaceAll('%2F', '/');
}

/** Hidden HTML comment that identifies the PR comment of one config in one workflow. */
export function commentMarker(workflow: string, configPath: string): string {
  const path = configPath.replace(/^(\.\/)+/, '');
  return `<!-- neo-compile-action:v1 workflow=${markerValue(workflow)} config=${markerValue(path)} -->`;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

function commitLink(ctx: ReportContext): string {
  const text = /^[0-9a-f]{7,64}$/i.test(ctx.sha) ? `\`${ctx.sha.slice(0, 7)}\`` : cell(ctx.sha, 12);
  return link(text, gitHubCommitUrl(ctx));
}

function runLink(ctx: ReportContext, text = 'workflow run'): string {
  return link(text, gitHubRunUrl(ctx));
}

/** `**neo.yml** · workflow **CI** · commit abc1234 · workflow run` */
function contextLine(ctx: ReportContext): string {
  return [
    `**${cell(ctx.configPath, 120)}**`,
    `workflow **${cell(ctx.workflow, 80)}**`,
    `commit ${commitLink(ctx)}`,
    runLink(ctx),
  ].join(' · ');
}

/** `✅ 2 completed · ❌ 1 failed` (statuses with no jobs are left out). */
function countsText(jobs: readonly JobState[]): string {
  const counts = countByStatus(jobs);
  return DISPLAY_STATUSES.filter((status) => counts[status] > 0)
    .map((status) => `${STATUS_EMOJI[status]} ${counts[status]} ${status}`)
    .join(' · ');
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

function title(jobs: readonly JobState[], final: boolean): string {
  const counts = countByStatus(jobs);
  const total = jobs.length;
  if (total === 0) return 'SageMaker Neo: no targets';
  const unfinished = counts.queued + counts.running;
  if (!final && unfinished > 0) {
    return `${STATUS_EMOJI.running} SageMaker Neo: ${total - unfinished} of ${plural(total, 'target')} done`;
  }
  if (counts.failed > 0)
    return `${STATUS_EMOJI.failed} SageMaker Neo: ${counts.failed} of ${plural(total, 'target')} failed`;
  if (counts.stopped > 0) {
    return `${STATUS_EMOJI.stopped} SageMaker Neo: ${counts.stopped} of ${plural(total, 'target')} stopped`;
  }
  if (unfinished > 0) return `⚠️ SageMaker Neo: ${unfinished} of ${plural(total, 'target')} unfinished`;
  const reused = counts.reused > 0 ? ` (${counts.reused} reused)` : '';
  return `${STATUS_EMOJI.completed} SageMaker Neo: ${plural(total, 'target')} ready${reused}`;
}

function statusCell(status: DisplayStatus): string {
  return `${STATUS_EMOJI[status]} ${status}`;
}

function artifactCell(job: JobState): string {
  if (job.artifact === undefined || job.artifact === '') return '—';
  const text = cell(job.artifact, ARTIFACT_CHARS);
  const url = s3ObjectUrl(job.region, job.artifact);
  const linked = url === undefined ? text : link(text, url);
  if (job.downloadSkipped) return `${linked}<br><sub>not downloaded: ${cell(job.downloadSkipped, 200)}</sub>`;
  if (!job.artifactFile) return linked;
  const { sha256, size } = job.artifactFile;
  return `${linked}<br>sha256 <code>${cell(sha256.slice(0, 16), 16)}…</code> · ${formatBytes(size)}`;
}

/** `950 B`, `12.3 KiB`, `4.5 MiB`. */
export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function jobCell(job: JobState): string {
  if (job.jobName === '') return '—';
  const name = cell(job.jobName, JOB_NAME_CHARS);
  // A job that was never created has no console page or logs to link to.
  if (job.status === 'PENDING' || job.status === 'NOT_CREATED') return name;
  const pageUrl = sageMakerJobUrl(job.region, job.kind, job.jobName);
  const logUrl = compilationLogUrl(job.region, job.kind, job.jobName);
  const page = pageUrl === undefined ? name : link(name, pageUrl);
  return logUrl === undefined ? page : `${page} · ${link('logs', logUrl)}`;
}

const hasFailureReason = (job: JobState): boolean =>
  job.failureReason !== undefined && flattenLines(job.failureReason) !== '';

/** The cell shows one flattened, shortened line; details are needed when that hides something. */
function failureNeedsDetails(job: JobState): boolean {
  if (job.failureReason === undefined || !hasFailureReason(job)) return false;
  const flat = flattenLines(job.failureReason);
  return charCount(flat) > FAILURE_CELL_CHARS || cleanText(job.failureReason).trim() !== flat;
}

interface JobsTable {
  header: string;
  rows: string[];
}

function jobsTable(jobs: readonly JobState[], now: number, sizes?: SizeReport): JobsTable {
  const withFailure = jobs.some(hasFailureReason);
  const titles = ['Target', 'Device', 'Status', 'Duration', 'Artifact', 'Job'];
  if (sizes) titles.splice(5, 0, 'Size');
  if (withFailure) titles.push('Failure reason');
  const rows = jobs.map((job) => {
    const duration = jobDurationMs(job, now);
    const size = sizes?.rows.get(job.target);
    const timeChange = size ? compileTimeChange(size) : '';
    const cells = [
      cell(job.target, TARGET_CHARS),
      cell(job.device, DEVICE_CHARS),
      statusCell(displayStatus(job)),
      duration === undefined ? '—' : `${formatDuration(duration)}${timeChange ? ` (${timeChange})` : ''}`,
      artifactCell(job),
      jobCell(job),
    ];
    if (sizes) {
      const text = size ? escapeHtmlText(sizeChangeText(size, '\u0000')).replace('\u0000', '<br>') : '—';
      cells.splice(5, 0, size?.overBudget ? `⚠️ ${text}<br>over budget: ${cell(size.overBudget, 120)}` : text);
    }
    if (withFailure) {
      const hint =
        job.status === 'FAILED' && job.failureReason ? hintForFailure(job.failureReason) : undefined;
      const reason = cell(job.failureReason, FAILURE_CELL_CHARS);
      cells.push(hint ? `${reason}<br>💡 ${cell(hint, 200)}` : reason);
    }
    return tableRow(cells);
  });
  return { header: tableHeader(titles), rows };
}

/** The model preflight's one line per model, under the title. */
function preflightLine(ctx: ReportContext): string {
  const lines = ctx.preflight ?? [];
  if (lines.length === 0) return '';
  const shown = lines.slice(0, 10).map((line) => cell(line, 160));
  const more = lines.length > shown.length ? ` · … ${lines.length - shown.length} more` : '';
  return `\n\n<sub>Model preflight: ${shown.join(' · ')}${more}</sub>`;
}

/** The line under the title about sizes: what they are compared with, targets gone since, or why no comparison. */
function sizesLine(sizes: SizeReport | undefined): string {
  // Without history there is nothing to compare with, and nothing to say beyond the Size column.
  if (!sizes || (sizes.baselineLabel === undefined && sizes.note === undefined)) return '';
  const gone = [...sizes.rows.values()]
    .filter((row) => row.presence === 'gone')
    .map((row) => cell(row.target, 40));
  const parts = [
    sizes.baselineLabel
      ? `Sizes vs ${cell(sizes.baselineLabel, 80)}`
      : `Sizes: ${cell(sizes.note ?? 'no baseline to compare with', 200)}`,
  ];
  if (gone.length > 0)
    parts.push(`gone since then: ${gone.slice(0, 20).join(', ')}${gone.length > 20 ? ', …' : ''}`);
  return `\n\n<sub>${parts.join(' · ')}</sub>`;
}

interface FailureDetail {
  /** Characters in the full failure text. */
  chars: number;
  endedAt?: number;
  /** The `<details>` block with the text cut to `maxChars` characters. */
  render(maxChars: number): string;
}

function failureDetail(job: JobState): FailureDetail {
  const fullText = cleanText(job.failureReason ?? '').trim();
  const chars = Array.from(fullText);
  const summary = `${STATUS_EMOJI.failed} Failure reason of <b>${escapeHtmlText(truncate(flattenLines(job.target), TARGET_CHARS))}</b>`;
  return {
    chars: chars.length,
    endedAt: job.endedAt,
    render(maxChars) {
      const cut = chars.length - maxChars;
      const text =
        cut > 0 ? `${chars.slice(0, maxChars).join('')}\n… (${cut} more characters cut)` : fullText;
      // A <pre> HTML block (blank line before it) runs to the first `</pre>`, which escaped text cannot
      // contain; inside it nothing is markdown, so backtick runs and blank lines are just text.
      return `<details><summary>${summary}</summary>\n\n<pre>${escapeHtmlText(text)}</pre>\n\n</details>`;
    },
  };
}

interface FitNotes {
  moreRows(count: number): string;
  detailsCut(shortened: number, omitted: number): string;
}

/** Length of blocks joined the way `assemble` joins them. */
const joinedLength = (blocks: readonly string[], separator: number): number =>
  blocks.reduce((sum, block) => sum + block.length + separator, 0);

/**
 * Fits a report into `maxLength`: first the longest failure details are shortened (one common cap,
 * as high as fits), then whole detail blocks are left out, oldest first, then table rows are cut
 * from the end. Whatever was cut is stated in a note.
 */
function fitJobsReport(
  parts: { head: string; table: JobsTable; details: FailureDetail[]; tail: string },
  maxLength: number,
  notes: FitNotes,
): string {
  const budget =
    maxLength - NOTE_RESERVE - parts.head.length - parts.table.header.length - parts.tail.length - 16;
  let rows = parts.table.rows;
  let details = parts.details.map((detail) => detail.render(detail.chars));
  let shortened = 0;
  let omitted = 0;
  let rowsCut = 0;

  const rowsLength = joinedLength(rows, 1);
  if (rowsLength + joinedLength(details, 2) > budget) {
    const fitsWithCap = (cap: number) =>
      rowsLength +
        joinedLength(
          parts.details.map((detail) => detail.render(cap)),
          2,
        ) <=
      budget;
    if (parts.details.length > 0 && fitsWithCap(MIN_DETAIL_CHARS)) {
      let fitting = MIN_DETAIL_CHARS;
      let tooLong = Math.max(...parts.details.map((detail) => detail.chars));
      while (tooLong - fitting > 1) {
        const middle = Math.floor((fitting + tooLong) / 2);
        if (fitsWithCap(middle)) fitting = middle;
        else tooLong = middle;
      }
      details = parts.details.map((detail) => detail.render(fitting));
      shortened = parts.details.filter((detail) => detail.chars > fitting).length;
    } else {
      const blocks = parts.details.map((detail, index) => ({
        index,
        endedAt: detail.endedAt ?? Number.NEGATIVE_INFINITY,
        block: detail.render(MIN_DETAIL_CHARS),
      }));
      const dropOrder = [...blocks].sort((a, b) => a.endedAt - b.endedAt || b.block.length - a.block.length);
      const dropped = new Set<number>();
      let length =
        rowsLength +
        joinedLength(
          blocks.map((entry) => entry.block),
          2,
        );
      for (const entry of dropOrder) {
        if (length <= budget) break;
        dropped.add(entry.index);
        length -= entry.block.length + 2;
      }
      details = blocks.filter((entry) => !dropped.has(entry.index)).map((entry) => entry.block);
      omitted = dropped.size;
      shortened = parts.details.filter(
        (detail, index) => !dropped.has(index) && detail.chars > MIN_DETAIL_CHARS,
      ).length;
      if (length > budget) {
        let kept = rows.length;
        while (kept > 0 && length > budget) {
          kept--;
          length -= (rows[kept]?.length ?? 0) + 1;
        }
        rowsCut = rows.length - kept;
        rows = rows.slice(0, kept);
      }
    }
  }

  const sections = [parts.head.trimEnd(), [parts.table.header, ...rows].join('\n')];
  if (rowsCut > 0) sections.push(notes.moreRows(rowsCut));
  if (details.length > 0) sections.push(details.join('\n\n'));
  if (shortened > 0 || omitted > 0) sections.push(notes.detailsCut(shortened, omitted));
  if (parts.tail !== '') sections.push(parts.tail.trimEnd());
  return clampLength(`${sections.join('\n\n')}\n`, maxLength);
}

/** Last resort for absurdly small limits: a hard cut that never splits a surrogate pair. */
function clampLength(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const suffix = '\n\n_… cut to fit the size limit._\n';
  const cut = text.slice(0, Math.max(0, maxLength - suffix.length)).replace(/[\uD800-\uDBFF]$/, '');
  return `${cut}${suffix}`.slice(0, maxLength);
}

/** `3 shortened, 2 left out`, leaving out zero counts. */
function cutCounts(shortened: number, omitted: number): string {
  const parts: string[] = [];
  if (shortened > 0) parts.push(`${shortened} shortened`);
  if (omitted > 0) parts.push(`${omitted} left out`);
  return parts.join(', ');
}

function inProgressNote(now: number): string {
  const time = new Date(now).toISOString().slice(11, 19);
  return `<sub>Updated ${time} UTC while the jobs run; this comment is edited in place until they finish.</sub>`;
}

// ---------------------------------------------------------------------------------------------
// PR comment

/** The PR comment: marker, title, context and counts, the job table, failure details. */
export function renderCommentBody(
  jobs: JobState[],
  ctx: ReportContext,
  opts: CommentRenderOptions = {},
): string {
  const final = opts.final ?? false;
  const head = [
    commentMarker(ctx.workflow, ctx.configPath),
    `### ${title(jobs, final)}`,
    '',
    `${contextLine(ctx)} · ${countsText(jobs) || 'no targets'}${preflightLine(ctx)}${sizesLine(ctx.sizes)}`,
  ].join('\n');
  const unfinished = jobs.some((job) => !isFinished(displayStatus(job)));
  return fitJobsReport(
    {
      head,
      table: jobsTable(jobs, ctx.now, ctx.sizes),
      details: jobs.filter(failureNeedsDetails).map(failureDetail),
      tail: !final && unfinished ? inProgressNote(ctx.now) : '',
    },
    opts.maxLength ?? COMMENT_MAX_LENGTH,
    {
      moreRows: (count) =>
        `_… ${plural(count, 'more target')}, see the job summary of the ${runLink(ctx)} for the full table._`,
      detailsCut: (shortened, omitted) =>
        `_Failure details cut to fit GitHub's comment size limit (${cutCounts(shortened, omitted)}); ` +
        `the job summary of the ${runLink(ctx)} has them in full._`,
    },
  );
}

/** The PR comment for a config that failed validation: every problem with its file:line:col. */
export function renderValidationErrorsBody(errors: ConfigError[], ctx: ReportContext): string {
  const head = [
    commentMarker(ctx.workflow, ctx.configPath),
    `### ${STATUS_EMOJI.failed} SageMaker Neo: ${cell(ctx.configPath, 120)} is invalid`,
    '',
    `${contextLine(ctx)} · ${plural(errors.length, 'problem')}; no compilation job was started.${preflightLine(ctx)}`,
  ].join('\n');
  const rows = errors.map((error) => {
    const location = cell(`${error.file}:${error.line}:${error.col}`, 200);
    const url = fileLineUrl(ctx, error.file, error.line);
    return tableRow([
      url === undefined ? location : link(location, url),
      cell(error.title, 120),
      cell(error.message, CONFIG_MESSAGE_CHARS),
    ]);
  });
  return fitJobsReport(
    { head, table: { header: tableHeader(['Location', 'Problem', 'Details']), rows }, details: [], tail: '' },
    COMMENT_MAX_LENGTH,
    {
      moreRows: (count) =>
        `_… ${plural(count, 'more problem')}, see the annotations of the ${runLink(ctx)}._`,
      detailsCut: () => '',
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Job summary

/** The job summary: the same table and failure details, then a timeline of the jobs. */
export function renderSummary(jobs: JobState[], ctx: ReportContext): string {
  const final = jobs.every((job) => isFinished(displayStatus(job)));
  const head = [
    `## ${title(jobs, final)}`,
    '',
    `${contextLine(ctx)} · ${countsText(jobs) || 'no targets'}${preflightLine(ctx)}${sizesLine(ctx.sizes)}`,
  ].join('\n');
  const gantt = renderGantt(jobs, ctx.now);
  return fitJobsReport(
    {
      head,
      table: jobsTable(jobs, ctx.now, ctx.sizes),
      details: jobs.filter(failureNeedsDetails).map(failureDetail),
      tail: gantt === '' ? '' : `### Timeline\n\n${gantt}`,
    },
    SUMMARY_MAX_LENGTH,
    {
      moreRows: (count) => `_… ${plural(count, 'more target')} left out (job summary size limit)._`,
      detailsCut: (shortened, omitted) =>
        `_Failure details cut to fit the job summary size limit (${cutCounts(shortened, omitted)})._`,
    },
  );
}

/**
 * The dry-run summary: what would be submitted, as a table plus each request as JSON. `provisionalNames`: targets
 * whose job name is not final, because its hash covers the model's ETag, which a dry run does not read from S3.
 */
export function renderPlanSummary(
  plan: PlannedJob[],
  ctx: ReportContext,
  provisionalNames: ReadonlySet<string> = new Set(plan.map((job) => job.target)),
): string {
  const head = [
    `## 🧪 SageMaker Neo dry run: ${plural(plan.length, 'job')} planned`,
    '',
    `${contextLine(ctx)} · nothing was submitted.${preflightLine(ctx)}`,
  ].join('\n');
  const rows = plan.map((job) => {
    const target = cell(job.target, TARGET_CHARS);
    const url = job.position ? fileLineUrl(ctx, ctx.configPath, job.position.line) : undefined;
    return tableRow([
      url === undefined ? target : link(target, url),
      job.kind,
      cell(job.device, DEVICE_CHARS),
      cell(job.region, 40),
      provisionalNames.has(job.target)
        ? `${cell(job.jobName, JOB_NAME_CHARS)} *`
        : cell(job.jobName, JOB_NAME_CHARS),
    ]);
  });
  const requests = plan.map((job) => {
    const operation = job.kind === 'optimization' ? 'CreateOptimizationJob' : 'CreateCompilationJob';
    const summary = `${operation} request for <b>${escapeHtmlText(truncate(flattenLines(job.target), TARGET_CHARS))}</b>`;
    return `<details><summary>${summary}</summary>\n\n${codeBlock(JSON.stringify(job.request, null, 2), 'json')}\n\n</details>`;
  });
  const sections = [
    head,
    [tableHeader(['Target', 'Kind', 'Device', 'Region', 'Job name']), ...rows].join('\n'),
  ];
  if (plan.some((job) => provisionalNames.has(job.target))) {
    sections.push(
      '<sub>* Not the final name: its hash covers the model in S3 (its ETag), which a dry run does not read. The real run names the job `<prefix>-<target>-<hash>` with the same prefix and target.</sub>',
    );
  }
  // Requests are the bulky part: keep as many as fit, in plan order, and say how many were left out.
  let room = SUMMARY_MAX_LENGTH - NOTE_RESERVE - joinedLength(sections, 2);
  const shown: string[] = [];
  for (const block of requests) {
    if (block.length + 2 > room) break;
    shown.push(block);
    room -= block.length + 2;
  }
  if (shown.length > 0) sections.push(shown.join('\n\n'));
  if (shown.length < requests.length) {
    sections.push(
      `_${plural(requests.length - shown.length, 'more request')} left out (job summary size limit)._`,
    );
  }
  return clampLength(`${sections.join('\n\n')}\n`, SUMMARY_MAX_LENGTH);
}

// ---------------------------------------------------------------------------------------------
// Log

/** A compact plain-text table for the Actions log, columns padded to line up, then the counts. */
export function renderLogTable(jobs: JobState[], now: number, sizes?: SizeReport): string {
  const header = ['STATUS', 'TARGET', 'DEVICE', 'DURATION', 'JOB', 'RESULT'];
  if (sizes) header.splice(4, 0, 'SIZE');
  const rows = jobs.map((job) => {
    const duration = jobDurationMs(job, now);
    const row = [
      displayStatus(job),
      plainText(job.target, 40),
      plainText(job.device, 32),
      duration === undefined ? '-' : formatDuration(duration),
      plainText(job.jobName, 64),
      plainText(job.failureReason ?? job.artifact ?? '', 120),
    ];
    if (sizes) {
      const size = sizes.rows.get(job.target);
      const text = size ? sizeChangeText(size, ' ') : '-';
      row.splice(4, 0, size?.overBudget ? `OVER BUDGET ${text}` : text);
    }
    return row;
  });
  const widths = header.map((title, column) =>
    Math.max(charCount(title), ...rows.map((row) => charCount(row[column] ?? ''))),
  );
  // Rows start with the status word, never with foreign text, so no line can read as a `::command`.
  const lines = [header, ...rows].map((row) =>
    row
      .map((value, column) =>
        column === row.length - 1 ? value : value + ' '.repeat((widths[column] ?? 0) - charCount(value)),
      )
      .join('  ')
      .trimEnd(),
  );
  const counts = countByStatus(jobs);
  const totals = DISPLAY_STATUSES.filter((status) => counts[status] > 0)
    .map((status) => `${counts[status]} ${status}`)
    .join(', ');
  lines.push(`${plural(jobs.length, 'target')}${totals === '' ? '' : `: ${totals}`}`);
  return lines.join('\n');
}
