// Stops the jobs this run created (never adopted ones) when the run ends early: all in parallel, every call
// bounded by `signal` (the time the runner leaves), then watches them until STOPPED while time is left.
import { classifyAwsError } from '../aws/sagemaker.ts';
import { CLOCK_SLACK_MS } from './adopt.ts';
import type { Clock } from './clock.ts';
import { errorText, forEachLimited, type SchedulerContext } from './context.ts';
import { isTerminal, type LedgerEntry } from './ledger.ts';

/** Stop calls at once: enough to send a typical run's stops in one go, few enough not to be throttled away. */
const STOP_PARALLELISM = 32;

export interface StopReport {
  /** Own jobs a Stop was accepted for. */
  stopped: LedgerEntry[];
  /** Own jobs that could not be stopped (time ran out, credentials, errors). */
  notStopped: LedgerEntry[];
}

export async function stopOwnJobs(
  ctx: Pick<SchedulerContext, 'api' | 'ledger' | 'warn' | 'log'> & { clock: Clock },
  signal: AbortSignal,
  options: { waitForStopped: boolean; pollIntervalMs: number },
): Promise<StopReport> {
  const { api, ledger } = ctx;
  const own = ledger.ownUnfinished();
  const stopped: LedgerEntry[] = [];
  const notStopped: LedgerEntry[] = [];
  let credentialsFailed = false;
  await forEachLimited(own, STOP_PARALLELISM, async (entry) => {
    if (signal.aborted || credentialsFailed) {
      notStopped.push(entry);
      return;
    }
    try {
      if (entry.lifecycle === 'creating') {
        // Its create's outcome is unknown: a job under this name created before this run is another run's.
        const found = await api.describe(
          entry.planned.kind,
          entry.planned.region,
          entry.state.jobName,
          signal,
        );
        if (found.creationTime < ledger.runStart - CLOCK_SLACK_MS) {
          ledger.update(entry, found);
          ledger.setLifecycle(entry, 'adopted');
          return;
        }
      }
      await api.stop(entry.planned.kind, entry.planned.region, entry.state.jobName, signal);
      stopped.push(entry);
      ledger.setLifecycle(entry, 'created');
      ledger.update(entry, { status: 'STOPPING' });
    } catch (error) {
      const kind = classifyAwsError(error);
      if (kind === 'not-found' && entry.lifecycle === 'creating') {
        // Its create never reached SageMaker.
        ledger.update(entry, { status: 'NOT_CREATED', failureReason: 'Not created: the run ended first' });
        // Still `creating` for the post step: the create may land after this Stop found nothing.
        ledger.setLifecycle(entry, 'creating');
        return;
      }
      if (kind === 'credentials' || kind === 'denied') credentialsFailed = true;
      // A job that just ended cannot be stopped (ValidationException); the look-up below tells its status.
      if (kind === 'validation') stopped.push(entry);
      else notStopped.push(entry);
      if (!signal.aborted) ctx.warn(`Could not stop ${entry.state.jobName}: ${errorText(error)}`);
    }
  });
  let pending = stopped;
  do {
    await forEachLimited(pending, STOP_PARALLELISM, async (entry) => {
      try {
        ledger.update(
          entry,
          await api.describe(entry.planned.kind, entry.planned.region, entry.state.jobName, signal),
        );
      } catch (error) {
        if (!signal.aborted) ctx.warn(`Could not describe ${entry.state.jobName}: ${errorText(error)}`);
      }
    });
    pending = pending.filter((entry) => !isTerminal(entry.state.status));
    if (pending.length === 0 || signal.aborted || !options.waitForStopped) break;
    await ctx.clock.sleep(Math.min(options.pollIntervalMs, 2000), signal);
  } while (!signal.aborted);
  for (const entry of notStopped) {
    entry.state.failureReason = `Still running: could not be stopped${
      credentialsFailed ? ' (credentials)' : signal.aborted ? ' in the time left' : ''
    }`;
  }
  return { stopped, notStopped };
}
