// One status sweep: one List per region and kind for every job in flight (ours and adopted), then one
// Describe per job that ended (its final details) or that List stopped showing.
import { classifyAwsError, type JobSnapshot } from '../aws/sagemaker.ts';
import { signalUntil } from './clock.ts';
import {
  errorText,
  failIfFatal,
  forEachLimited,
  groupByRegionAndKind,
  groupKey,
  operationName,
  type SchedulerContext,
} from './context.ts';
import { isTerminal, type LedgerEntry } from './ledger.ts';
import { commonPrefix } from './names.ts';

export interface SweepStats {
  /** List requests (pages) sent. */
  lists: number;
  describes: number;
  /** A List or Describe failed even after the SDK's retries, or the SDK had to retry: poll less often. */
  troubled: boolean;
}

/** Sweeps in a row a job may be missing from List before it is asked for by name. */
const UNSEEN_SWEEPS_BEFORE_DESCRIBE = 3;
/** Failed Lists in a row (per region and kind) before the sweep asks job by job. */
const LIST_FAILURES_BEFORE_DESCRIBE = 3;

/**
 * Longest a sweep may take, at least: a call the SDK keeps retrying (a throttled Describe backs off for up to
 * ~20 s) is given up for this sweep and asked again in the next, instead of holding every submit and every
 * other job's detection.
 */
export const SWEEP_MIN_BUDGET_MS = 5_000;

/** `intervalMs`: the current poll interval; a sweep may take twice that, and at least SWEEP_MIN_BUDGET_MS. */
export type Sweeper = (intervalMs: number) => Promise<SweepStats>;

export function createSweeper(ctx: SchedulerContext): Sweeper {
  const listFailures = new Map<string, number>();
  const warned = new Set<string>();
  const warnOnce = (key: string, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    ctx.warn(message);
  };

  return async function sweep(intervalMs: number): Promise<SweepStats> {
    const window = signalUntil(
      ctx.clock,
      ctx.clock.now() + Math.max(SWEEP_MIN_BUDGET_MS, 2 * intervalMs),
      ctx.signal,
    );
    try {
      return await sweepWithin(window.signal);
    } finally {
      window.dispose();
    }
  };

  async function sweepWithin(signal: AbortSignal): Promise<SweepStats> {
    const stats: SweepStats = { lists: 0, describes: 0, troubled: false };
    // Cut short by the sweep's budget (not the run's end): what was not answered is asked again next sweep.
    const givenUp = (call: string): boolean => {
      if (!signal.aborted || ctx.signal.aborted) return false;
      stats.troubled = true;
      ctx.debug(`${call} took longer than this sweep may; asked again next sweep`);
      return true;
    };
    const toDescribe: LedgerEntry[] = [];
    await Promise.all(
      groupByRegionAndKind(ctx.ledger.inFlight()).map(async (entries) => {
        const first = entries[0] as LedgerEntry;
        const { kind, region } = first.planned;
        const key = groupKey(kind, region);
        const wanted = new Set(entries.map((entry) => entry.state.jobName));
        let snapshots: JobSnapshot[];
        try {
          const listed = await ctx.api.list(
            kind,
            region,
            {
              nameContains: commonPrefix([...wanted]),
              creationTimeAfter:
                Math.min(...entries.map((entry) => entry.state.createdAt ?? ctx.ledger.runStart)) - 300_000,
              enough: (seen) => {
                let found = 0;
                for (const s of seen) if (wanted.has(s.name)) found++;
                return found >= wanted.size;
              },
            },
            signal,
          );
          stats.lists += listed.pages;
          snapshots = listed.jobs;
        } catch (error) {
          stats.lists += 1;
          if (givenUp(`List of ${kind} jobs in ${region}`)) return;
          if (ctx.signal.aborted || failIfFatal(ctx, error, operationName('List', kind))) return;
          stats.troubled = true;
          const failures = (listFailures.get(key) ?? 0) + 1;
          listFailures.set(key, failures);
          const denied = classifyAwsError(error) === 'denied';
          warnOnce(denied ? 'denied' : 'list', listFailureAdvice(error, kind, denied));
          // Without List (a policy without sagemaker:List*, or a List that keeps failing) ask job by job.
          if (denied || failures >= LIST_FAILURES_BEFORE_DESCRIBE) toDescribe.push(...entries);
          return;
        }
        listFailures.delete(key);
        const byName = new Map(snapshots.map((s) => [s.name, s]));
        for (const entry of entries) {
          const snapshot = byName.get(entry.state.jobName);
          if (!snapshot) {
            if (++entry.unseenSweeps >= UNSEEN_SWEEPS_BEFORE_DESCRIBE) {
              entry.unseenSweeps = 0;
              toDescribe.push(entry); // not listed (yet): ask for it by name
            }
            continue;
          }
          entry.unseenSweeps = 0;
          if (isTerminal(snapshot.status)) toDescribe.push(entry);
          else ctx.ledger.update(entry, snapshot);
        }
      }),
    );
    await forEachLimited(toDescribe, ctx.parallelism, async (entry) => {
      if (signal.aborted) return;
      stats.describes++;
      try {
        ctx.ledger.update(
          entry,
          await ctx.api.describe(entry.planned.kind, entry.planned.region, entry.state.jobName, signal),
        );
      } catch (error) {
        if (givenUp(`Describe of ${entry.state.jobName}`)) return;
        if (ctx.signal.aborted || failIfFatal(ctx, error, operationName('Describe', entry.planned.kind)))
          return;
        ctx.warn(`Could not describe ${entry.state.jobName}, will retry: ${errorText(error)}`);
        stats.troubled = true;
      }
    });
    return stats;
  }
}

/** What to tell the user when listing jobs fails. */
function listFailureAdvice(error: unknown, kind: 'compilation' | 'optimization', denied: boolean): string {
  const operation = operationName('List', kind);
  if (denied) {
    return `${operation} is denied (${errorText(error)}); checking jobs one by one with Describe instead. Add sagemaker:${operation} to the workflow role's policy for cheaper polling.`;
  }
  return `Status sweep failed, will retry: ${errorText(error)}`;
}

/** Poll interval after a sweep: widen under throttling (SDK retries), narrow back when calm. */
export function nextPollInterval(current: number, base: number, retried: boolean): number {
  if (retried) return Math.min(current * 2, base * 8);
  return Math.max(base, Math.round(current / 2));
}
