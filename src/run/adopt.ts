// Finds jobs that already exist under a target's names before anything is created, and decides what an
// existing job means for the target: reuse (COMPLETED), adopt (another run's job still running), retry under
// the next attempt name (an earlier run's job that ended without an artifact), or this run's own job.
import { classifyAwsError, type JobSnapshot } from '../aws/sagemaker.ts';
import {
  errorText,
  failIfFatal,
  forEachLimited,
  groupByRegionAndKind,
  operationName,
  type SchedulerContext,
} from './context.ts';
import type { LedgerEntry } from './ledger.ts';
import { attemptName, attemptOf, commonPrefix } from './names.ts';

/** Up to this many targets per region and kind, existing jobs are looked up by name, above by one List. */
const DESCRIBE_ADOPTION_LIMIT = 20;
/** Runner and AWS clocks may differ by this much when telling "created by this run" from "earlier". */
export const CLOCK_SLACK_MS = 5_000;

interface Latest {
  attempt: number;
  snapshot: JobSnapshot;
  /** From a Describe (every detail), not a List summary. */
  detailed: boolean;
}

/** Idempotent re-runs: names are content-addressed, so an existing job with our name is this very request. */
export async function adoptExistingJobs(ctx: SchedulerContext): Promise<void> {
  for (const entries of groupByRegionAndKind(ctx.ledger.entries)) {
    if (ctx.signal.aborted) return;
    // A few targets: ask for each planned name (a long job history under the prefix costs nothing);
    // many: one List over the prefix is cheaper than a Describe each.
    const found =
      entries.length <= DESCRIBE_ADOPTION_LIMIT
        ? await latestAttemptsByName(ctx, entries)
        : await latestAttemptsByList(ctx, entries);
    for (const [entry, latest] of found) {
      if (ctx.signal.aborted) return;
      ctx.ledger.rename(entry, latest.attempt, latest.snapshot.name);
      try {
        await resolveExisting(ctx, entry, latest.snapshot, { ours: false, detailed: latest.detailed });
      } catch (error) {
        if (failIfFatal(ctx, error, operationName('Describe', entry.planned.kind)) || ctx.signal.aborted)
          return;
        // Left planned: its create meets ResourceInUse and resolves the job then.
        ctx.warn(
          `[${entry.state.target}] could not inspect existing job ${entry.state.jobName}: ${errorText(error)}`,
        );
      }
    }
  }
}

/**
 * What an existing job under the entry's current name means. `ours`: this run sent a create for the name
 * whose outcome it does not know. Returns 'next-name' when the entry moved to a new attempt name.
 */
export async function resolveExisting(
  ctx: SchedulerContext,
  entry: LedgerEntry,
  found: JobSnapshot,
  how: { ours: boolean; detailed: boolean },
): Promise<'settled' | 'next-name'> {
  const { ledger } = ctx;
  const createdDuringRun = how.ours
    ? found.creationTime >= ledger.runStart - CLOCK_SLACK_MS
    : found.creationTime > ledger.runStart;
  const detail = async () =>
    how.detailed
      ? found
      : ctx.api.describe(entry.planned.kind, entry.planned.region, entry.state.jobName, ctx.signal);
  if (how.ours && createdDuringRun) {
    // Our own create whose answer was lost: the job is this run's, whatever its status (never a second one).
    ledger.setLifecycle(entry, 'created');
    ctx.log(`[${entry.state.target}] the create of ${entry.state.jobName} went through; watching it`);
    ledger.update(entry, await detail());
    return 'settled';
  }
  if (createdDuringRun) {
    // Another run of the same request created it while this run was starting: report it, never replace it.
    ledger.setLifecycle(entry, 'adopted');
    ctx.log(
      `[${entry.state.target}] adopting ${entry.state.jobName}, created by another run (${found.status})`,
    );
    ledger.update(entry, await detail());
    return 'settled';
  }
  if (found.status === 'COMPLETED' && !ctx.force) {
    const snapshot = await detail();
    entry.state.reused = true;
    ledger.setLifecycle(entry, 'reused');
    ctx.log(`[${entry.state.target}] reusing completed job ${entry.state.jobName}`);
    ledger.update(entry, snapshot);
    return 'settled';
  }
  if (['COMPLETED', 'FAILED', 'STOPPED', 'STOPPING'].includes(found.status)) {
    // An earlier run's job that ended without an artifact we want: compile anew under the next name.
    ledger.rename(entry, entry.attempt + 1, attemptName(entry.planned.jobName, entry.attempt + 1));
    return 'next-name';
  }
  const snapshot = await detail();
  ledger.setLifecycle(entry, 'adopted');
  ctx.log(`[${entry.state.target}] adopting running job ${entry.state.jobName} (${snapshot.status})`);
  ledger.update(entry, snapshot);
  return 'settled';
}

/** Existing attempts of each entry among `existing` (from a List), the latest per entry. */
function latestOf(entries: LedgerEntry[], existing: JobSnapshot[]): Map<LedgerEntry, Latest> {
  const result = new Map<LedgerEntry, Latest>();
  for (const entry of entries) {
    for (const snapshot of existing) {
      const attempt = attemptOf(entry.planned.jobName, snapshot.name);
      if (attempt > 0 && attempt > (result.get(entry)?.attempt ?? 0))
        result.set(entry, { attempt, snapshot, detailed: false });
    }
  }
  return result;
}

/** Long names lose part of their readable head in attempt names: the filter matches those too. */
function attemptsFilter(entries: LedgerEntry[]): string {
  return commonPrefix(
    entries.flatMap((entry) => [entry.planned.jobName, attemptName(entry.planned.jobName, 99)]),
  );
}

async function latestAttemptsByList(
  ctx: SchedulerContext,
  entries: LedgerEntry[],
): Promise<Map<LedgerEntry, Latest>> {
  const first = entries[0] as LedgerEntry;
  try {
    const existing = await ctx.api.list(
      first.planned.kind,
      first.planned.region,
      { nameContains: attemptsFilter(entries) },
      ctx.signal,
    );
    return latestOf(entries, existing.jobs);
  } catch (error) {
    if (!failIfFatal(ctx, error, operationName('List', first.planned.kind)) && !ctx.signal.aborted) {
      ctx.warn(
        `Could not list existing ${first.planned.kind} jobs in ${first.planned.region}: ${errorText(error)}`,
      );
    }
    return new Map();
  }
}

async function latestAttemptsByName(
  ctx: SchedulerContext,
  entries: LedgerEntry[],
): Promise<Map<LedgerEntry, Latest>> {
  const result = new Map<LedgerEntry, Latest>();
  await forEachLimited(entries, ctx.parallelism, async (entry) => {
    if (ctx.signal.aborted) return;
    let snapshot: JobSnapshot;
    try {
      snapshot = await ctx.api.describe(
        entry.planned.kind,
        entry.planned.region,
        entry.planned.jobName,
        ctx.signal,
      );
    } catch (error) {
      if (failIfFatal(ctx, error, operationName('Describe', entry.planned.kind)) || ctx.signal.aborted)
        return;
      // Not found: never run before (attempts only follow a first one). Other errors: the create decides.
      if (classifyAwsError(error) !== 'not-found') {
        ctx.warn(`[${entry.state.target}] could not look up ${entry.planned.jobName}: ${errorText(error)}`);
      }
      return;
    }
    result.set(entry, { attempt: 1, snapshot, detailed: true });
    if (['FAILED', 'STOPPED', 'STOPPING'].includes(snapshot.status) || ctx.force) {
      // Later attempts may exist: only this entry's own attempts match this filter.
      for (const [found, latest] of await latestAttemptsByList(ctx, [entry])) result.set(found, latest);
    }
  });
  return result;
}
