// Mermaid Gantt chart of the jobs: one section per job with its queued and running time.
import type { JobState } from '../types.ts';
import { flattenLines, truncate } from './markdown.ts';
import { displayStatus } from './status.ts';

/** GitHub's Mermaid rejects diagrams over 50,000 characters; stay clear of it. */
const MERMAID_MAX_CHARS = 45_000;

/**
 * Mermaid labels end at `:`, `;`, `#` or a newline, `%%` starts a comment and backticks would end
 * the fence, so foreign text is reduced to a conservative character set.
 */
export function mermaidLabel(text: string): string {
  const label = flattenLines(text)
    .replace(/[^\p{L}\p{N} ._/()+-]/gu, '_')
    .trim();
  return label === '' ? '_' : truncate(label, 60);
}

/** Task lines for one job, as `name :tags, start, end` with epoch-millisecond times. */
function jobTasks(job: JobState, now: number, fallbackTime: number): string[] {
  const status = displayStatus(job);
  const failed = status === 'failed';
  const task = (name: string, tags: string[], start: number, end: number): string =>
    `    ${name} :${[...tags, String(start), String(Math.max(start, end))].join(', ')}`;

  // Adopted jobs ran in an earlier workflow run; their old times would stretch the axis.
  if (status === 'reused') return [task('reused', ['milestone'], fallbackTime, fallbackTime)];
  if (job.createdAt === undefined && job.startedAt === undefined) {
    return [task('not submitted', ['milestone', ...(failed ? ['crit'] : [])], fallbackTime, fallbackTime)];
  }

  const end = job.endedAt ?? now;
  const tasks: string[] = [];
  if (job.createdAt !== undefined) {
    const queuedEnd = job.startedAt ?? end;
    const stillQueued = job.startedAt === undefined && status === 'queued';
    const tags = stillQueued
      ? ['active']
      : job.startedAt === undefined && failed
        ? ['crit', 'done']
        : ['done'];
    tasks.push(task('queued', tags, job.createdAt, queuedEnd));
  }
  if (job.startedAt !== undefined) {
    const tags = status === 'running' ? ['active'] : failed ? ['crit', 'done'] : ['done'];
    tasks.push(task('running', tags, job.startedAt, end));
  }
  return tasks;
}

/** A fenced Mermaid Gantt chart (plus a note when it had to leave jobs out), or '' without jobs. */
export function renderGantt(jobs: readonly JobState[], now: number): string {
  if (jobs.length === 0) return '';
  const times = jobs
    .filter((job) => !job.reused)
    .flatMap((job) => [job.createdAt, job.startedAt])
    .filter((time): time is number => time !== undefined);
  const chartStart = times.length > 0 ? Math.min(...times) : now;

  const lines = ['gantt', '    dateFormat x', '    axisFormat %H:%M', '    todayMarker off'];
  let length = lines.join('\n').length;
  let shown = 0;
  for (const job of jobs) {
    const section = [`    section ${mermaidLabel(job.target)}`, ...jobTasks(job, now, chartStart)].join('\n');
    if (length + section.length + 1 > MERMAID_MAX_CHARS) break;
    lines.push(section);
    length += section.length + 1;
    shown++;
  }
  const chart = `\`\`\`mermaid\n${lines.join('\n')}\n\`\`\``;
  if (shown === jobs.length) return chart;
  return `${chart}\n\n_The timeline shows the first ${shown} of ${jobs.length} jobs (Mermaid's diagram size limit)._`;
}
