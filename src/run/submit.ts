// Submits queued targets within max-concurrency and the account quota. A create whose outcome is unknown
// (connection reset or timeout after sending) is settled by a Describe of the name: the job is then this
// run's, whatever its status, so a target never gets a second job in one run.
import { awsErrorName, classifyAwsError, type JobSnapshot, sentMoreThanOnce } from '../aws/sagemaker.ts';
import type { PlannedJob } from '../types.ts';
import { resolveExisting } from './adopt.ts';
import { errorText, failIfFatal, forEachLimited, operationName, type SchedulerContext } from './context.ts';
import { isTerminal, type LedgerEntry } from './ledger.ts';

/** Create calls that may fail transiently (after the SDK's retries each) before the target is given up. */
const MAX_TRANSIENT_CREATE_FAILURES = 8;
/** Existing attempts to step over (ResourceInUse on earlier runs' FAILED/STOPPED names). */
const MAX_NAME_ROUNDS = 20;
/**
 * Submission rounds a quota error may persist while none of this run's jobs is running before the user is
 * warned that no slot of ours will free up (e.g. an instance-type quota of 0).
 */
const MAX_IDLE_QUOTA_ROUNDS = 5;
/** Sweeps between two probes of a full quota (one create beyond what the quota allowed last). */
export const QUOTA_PROBE_SWEEPS = 3;

type SubmitOutcome = 'created' | 'quota' | 'retry' | 'failed' | 'done' | 'aborted';

export interface Submitter {
  /** Targets not yet submitted, in plan order. */
  readonly queue: LedgerEntry[];
  /** Targets still to submit or to settle (a create whose outcome a failed look-up left unknown). */
  waiting(): number;
  /** Submits from the queue up to the free slots. */
  submitDue(maxConcurrency: number): Promise<void>;
  /** Called after each sweep: every few sweeps, probe one slot beyond the learned quota. */
  afterSweep(sweeps: number): void;
}

export function createSubmitter(ctx: SchedulerContext): Submitter {
  const { ledger } = ctx;
  const queue = ledger.entries.filter((entry) => entry.state.status === 'PENDING');
  /**
   * How many of our jobs the account quota seems to allow: learned from ResourceLimitExceeded (the jobs we had
   * running then), raised by a probe every few sweeps (other workflows may have freed slots).
   */
  let quotaCap = Number.POSITIVE_INFINITY;
  let idleQuotaRounds = 0;
  const activeCount = () => ledger.inFlight().length;

  async function submitDue(maxConcurrency: number): Promise<void> {
    const free = Math.min(maxConcurrency, quotaCap) - activeCount();
    if (queue.length === 0 || free <= 0 || ctx.signal.aborted) return;
    const batch = queue.splice(0, free);
    const requeue: LedgerEntry[] = [];
    const quotaHit: LedgerEntry[] = [];
    await forEachLimited(batch, ctx.parallelism, async (entry) => {
      // After a stop signal start nothing new; after a quota error nothing more in this batch.
      const outcome = ctx.signal.aborted || quotaHit.length > 0 ? 'retry' : await submitOne(entry);
      if (outcome === 'retry' || outcome === 'aborted') requeue.push(entry);
      if (outcome === 'quota') quotaHit.push(entry);
    });
    if (quotaHit.length > 0) onQuota(quotaHit, requeue);
    if (requeue.length > 0) {
      // Keep plan order: requeued entries go first.
      const order = new Map(ledger.entries.map((entry, index) => [entry, index]));
      requeue.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
      queue.unshift(...requeue.filter((entry) => entry.lifecycle !== 'creating'));
    }
  }

  function onQuota(quotaHit: LedgerEntry[], requeue: LedgerEntry[]): void {
    // A full quota is waited out, never a reason to fail a target by itself.
    requeue.push(...quotaHit);
    const firstHit = !Number.isFinite(quotaCap);
    quotaCap = activeCount();
    const message = quotaHit[0]?.quotaMessage ?? 'ResourceLimitExceeded';
    const line = `Quota reached at ${quotaCap} running job(s) of this run (${message}); the rest wait for a free slot`;
    if (firstHit) ctx.log(line);
    else ctx.debug(line);
    idleQuotaRounds = activeCount() === 0 ? idleQuotaRounds + 1 : 0;
    if (idleQuotaRounds === MAX_IDLE_QUOTA_ROUNDS) {
      ctx.warn(
        `The quota stays full while no job of this run is running (${message}). The jobs keep waiting until the timeout; if this quota is 0 for your account, request an increase in Service Quotas.`,
      );
    }
    for (const entry of quotaHit) entry.state.failureReason = `Waiting for quota: ${message}`;
  }

  async function submitOne(entry: LedgerEntry): Promise<SubmitOutcome> {
    const operation = operationName('Create', entry.planned.kind);
    for (let round = 0; round < MAX_NAME_ROUNDS; round++) {
      ledger.setLifecycle(entry, 'creating');
      let arn: string;
      try {
        ({ arn } = await ctx.api.create(withName(entry.planned, entry.state.jobName), ctx.signal));
      } catch (error) {
        const kind = classifyAwsError(error);
        // A create cut off by a cancel, the deadline or a fatal error may have gone through: it stays
        // `creating`, and the stop phase (or the post step) settles it by name.
        if (ctx.signal.aborted || failIfFatal(ctx, error, operation)) return 'aborted';
        if (kind === 'quota') {
          ledger.setLifecycle(entry, 'planned');
          entry.quotaMessage = errorText(error);
          return 'quota';
        }
        if (kind === 'throttle') {
          // Refused before it had any effect.
          ledger.setLifecycle(entry, 'planned');
          return giveUpOrRetry(entry, error);
        }
        if (kind === 'transient' || (kind === 'in-use' && sentMoreThanOnce(error))) {
          const settled = await settleUnknownCreate(entry);
          if (settled === 'not-found') {
            ledger.setLifecycle(entry, 'planned');
            return giveUpOrRetry(entry, error);
          }
          if (settled === 'next-name') continue;
          return settled;
        }
        if (kind === 'in-use') {
          const outcome = await resolveInUse(entry);
          if (outcome === 'next-name') continue;
          return outcome;
        }
        ledger.update(entry, {
          status: 'NOT_CREATED',
          failureReason: `${awsErrorName(error)}: ${errorText(error)}`,
        });
        return 'failed';
      }
      entry.state.failureReason = undefined;
      ledger.setLifecycle(entry, 'created');
      ledger.update(entry, { status: 'STARTING', arn, creationTime: ctx.clock.now() });
      return 'created';
    }
    ledger.update(entry, {
      status: 'NOT_CREATED',
      failureReason: `Gave up after ${MAX_NAME_ROUNDS} name conflicts`,
    });
    return 'failed';
  }

  function giveUpOrRetry(entry: LedgerEntry, error: unknown): SubmitOutcome {
    if (++entry.transientFailures < MAX_TRANSIENT_CREATE_FAILURES) {
      ctx.warn(
        `[${entry.state.target}] create failed (${awsErrorName(error)}), will retry: ${errorText(error)}`,
      );
      return 'retry';
    }
    ledger.update(entry, {
      status: 'NOT_CREATED',
      failureReason: `${awsErrorName(error)}: ${errorText(error)}`,
    });
    return 'failed';
  }

  /** The create's answer was lost: the name tells whether the job exists, and then it is ours. */
  async function settleUnknownCreate(entry: LedgerEntry): Promise<SubmitOutcome | 'not-found' | 'next-name'> {
    let found: JobSnapshot;
    try {
      found = await ctx.api.describe(
        entry.planned.kind,
        entry.planned.region,
        entry.state.jobName,
        ctx.signal,
      );
    } catch (error) {
      if (ctx.signal.aborted || failIfFatal(ctx, error, operationName('Describe', entry.planned.kind))) {
        return 'aborted';
      }
      if (classifyAwsError(error) === 'not-found') return 'not-found';
      // Still unknown: keep the entry `creating` and ask again after the next sweep.
      ctx.warn(
        `[${entry.state.target}] could not look up ${entry.state.jobName}, will retry: ${errorText(error)}`,
      );
      pendingSettles.add(entry);
      return 'aborted';
    }
    const outcome = await resolveExisting(ctx, entry, found, { ours: true, detailed: true });
    if (outcome === 'next-name') return 'next-name';
    return isTerminal(entry.state.status) ? 'done' : 'created';
  }

  /** ResourceInUse on a name this run never sent before: an earlier run's or a concurrent run's job. */
  async function resolveInUse(entry: LedgerEntry): Promise<SubmitOutcome | 'next-name'> {
    try {
      const found = await ctx.api.describe(
        entry.planned.kind,
        entry.planned.region,
        entry.state.jobName,
        ctx.signal,
      );
      ledger.setLifecycle(entry, 'planned');
      const outcome = await resolveExisting(ctx, entry, found, { ours: false, detailed: true });
      if (outcome === 'next-name') return 'next-name';
      return isTerminal(entry.state.status) ? 'done' : 'created';
    } catch (error) {
      if (ctx.signal.aborted || failIfFatal(ctx, error, operationName('Describe', entry.planned.kind))) {
        return 'aborted';
      }
      // The job exists: never give it up for a failed look-up. Try again after the next sweep.
      ledger.setLifecycle(entry, 'planned');
      if (++entry.transientFailures < MAX_TRANSIENT_CREATE_FAILURES * 2) {
        ctx.warn(
          `[${entry.state.target}] could not inspect ${entry.state.jobName}, will retry: ${errorText(error)}`,
        );
        return 'retry';
      }
      ledger.update(entry, {
        status: 'NOT_CREATED',
        failureReason: `${entry.state.jobName} exists but could not be inspected: ${errorText(error)}`,
      });
      return 'failed';
    }
  }

  /** Entries whose create outcome is still unknown after a failed look-up: settled before the next submit. */
  const pendingSettles = new Set<LedgerEntry>();

  return {
    queue,
    waiting: () => queue.length + pendingSettles.size,
    async submitDue(maxConcurrency) {
      for (const entry of [...pendingSettles]) {
        if (ctx.signal.aborted) return;
        pendingSettles.delete(entry);
        const settled = await settleUnknownCreate(entry);
        if (settled === 'not-found') {
          ledger.setLifecycle(entry, 'planned');
          queue.unshift(entry);
        } else if (settled === 'next-name') {
          queue.unshift(entry);
        }
      }
      await submitDue(maxConcurrency);
    },
    afterSweep(sweeps) {
      // Our own freed slots refill up to the cap by themselves; a probe beyond it every few sweeps finds out
      // whether other workflows in the account have freed slots too (a refused probe sets the cap back).
      if (Number.isFinite(quotaCap) && queue.length > 0 && sweeps % QUOTA_PROBE_SWEEPS === 0) quotaCap += 1;
    },
  };
}

/** The planned request under the entry's current (attempt) name. */
function withName(job: PlannedJob, name: string): PlannedJob {
  if (job.kind === 'compilation')
    return { ...job, jobName: name, request: { ...job.request, CompilationJobName: name } };
  return { ...job, jobName: name, request: { ...job.request, OptimizationJobName: name } };
}
