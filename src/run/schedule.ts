// Drives the run with the clock: adopt existing jobs, then submit within quota and sweep every poll interval
// until every job ended, the timeout passed, the workflow was cancelled or the credentials failed; then stop
// the jobs this run created (never adopted ones). Every created job ends in the returned states.
import type { JobApi } from '../aws/sagemaker.ts';
import type { JobState, PlannedJob } from '../types.ts';
import { adoptExistingJobs } from './adopt.ts';
import { type Clock, formatElapsed, signalUntil, systemClock } from './clock.ts';
import type { FatalAwsError, SchedulerContext } from './context.ts';
import { isTerminal, Ledger, type LedgerEntry } from './ledger.ts';
import { type StopReport, stopOwnJobs } from './stop.ts';
import { createSubmitter } from './submit.ts';
import { createSweeper, nextPollInterval } from './sweep.ts';

export { forEachLimited } from './context.ts';
export { isTerminal, type LedgerEntry } from './ledger.ts';
export { attemptName, attemptOf, commonPrefix } from './names.ts';
export { nextPollInterval } from './sweep.ts';

export interface ScheduleOptions {
  maxConcurrency: number;
  pollIntervalMs: number;
  /** 0 = no limit. Holds over adoption, submits and sweeps: calls in flight at the deadline are abandoned. */
  timeoutMs: number;
  /** false: return as soon as every job is submitted. */
  wait: boolean;
  /** true: compile anew even when a completed job with the same content-addressed name exists. */
  force: boolean;
  /** Aborted on SIGINT/SIGTERM: stop this run's jobs and return within `stopBudgetMs.cancel`. */
  signal?: AbortSignal;
  /** Time for the stop phase: after the timeout (stops, then waiting for STOPPED), and after a cancel. */
  stopBudgetMs?: { timeout: number; cancel: number };
  /** Parallel Create/Describe calls. */
  requestParallelism?: number;
  /**
   * Jobs are created only once this resolves to true (the model preflight passed); existing jobs are looked up
   * meanwhile. false (or rejected): the look-ups stop, nothing is created and the outcome is 'held', whatever
   * comes after (a timeout, a cancel).
   */
  submitWhen?: Promise<boolean>;
}

export interface ScheduleEvents {
  /** An entry's lifecycle changed (planned, creating, created, adopted, ...): the shell saves own ones. */
  onLifecycle?(entry: LedgerEntry): void;
  /** A job changed status; `previous` is the status before, `all` every target's current state. */
  onChange?(job: JobState, previous: JobState['status'], all: JobState[]): void;
  /** The run ends early (timeout, cancel, credentials): called before any stop, to write outputs first. */
  onEnding?(jobs: JobState[], outcome: ScheduleOutcome): void;
  log?(line: string): void;
  warn?(line: string): void;
  /** Diagnostics (sweep statistics), shown only in debug logs. */
  debug?(line: string): void;
}

/** 'held': `submitWhen` said no, nothing was created (existing jobs were only looked at). */
export type ScheduleOutcome = 'finished' | 'submitted' | 'timeout' | 'cancelled' | 'auth-failed' | 'held';

export interface ScheduleResult {
  jobs: JobState[];
  outcome: ScheduleOutcome;
  /** Why the run ended with 'auth-failed'. */
  fatal?: FatalAwsError;
  /** Adopted jobs still running at the end: left to the run that created them. */
  leftToOthers: JobState[];
  /** This run's jobs still running at the end that could not be stopped (or were not, after 'auth-failed'). */
  notStopped: JobState[];
  /**
   * false: the run ended before `submitWhen` let it create anything (held, or a timeout, cancel or credential
   * failure while waiting): no job of this run exists, and `onEnding` was not called.
   */
  submitting: boolean;
}

export interface SchedulePorts {
  api: JobApi;
  clock?: Clock;
}

export const DEFAULT_STOP_BUDGET_MS = { timeout: 20_000, cancel: 6_000 };
/** A progress line this often while jobs run (real compiles take minutes). */
const PROGRESS_EVERY_MS = 60_000;

export async function scheduleJobs(
  ports: SchedulePorts,
  plan: PlannedJob[],
  options: ScheduleOptions,
  events: ScheduleEvents = {},
): Promise<ScheduleResult> {
  const clock = ports.clock ?? systemClock;
  const runStart = clock.now();
  const log = events.log ?? (() => {});
  const warn = events.warn ?? log;
  const debug = events.debug ?? (() => {});
  const ledger = new Ledger(plan, runStart, clock, {
    log,
    onChange: events.onChange,
    onLifecycle: events.onLifecycle,
  });
  const deadline = options.timeoutMs > 0 ? runStart + options.timeoutMs : Number.POSITIVE_INFINITY;
  const fatalController = new AbortController();
  let fatal: FatalAwsError | undefined;
  // A gate that says no ends the look-ups at once; its answer then stands, whatever aborts the run later.
  const heldController = new AbortController();
  let submitting = options.submitWhen === undefined;
  const gate = options.submitWhen?.then(
    (open) => open,
    () => false,
  );
  // Registered before the scheduler waits on the gate, so the run is held by the time it wakes.
  void gate?.then((open) => {
    if (!open) heldController.abort();
  });
  const run = signalUntil(clock, deadline, options.signal, fatalController.signal, heldController.signal);
  const ctx: SchedulerContext = {
    api: ports.api,
    clock,
    ledger,
    signal: run.signal,
    force: options.force,
    parallelism: options.requestParallelism ?? 8,
    log,
    warn,
    debug,
    fail(error) {
      if (fatal) return;
      fatal = error;
      fatalController.abort();
    },
    get fatal() {
      return fatal;
    },
  };

  const outcome = await drive();
  run.dispose();
  return finish(outcome);

  async function drive(): Promise<ScheduleOutcome | undefined> {
    await adoptExistingJobs(ctx);
    if (gate && !(await unlessAborted(gate, run.signal))) return undefined;
    submitting = true;
    const submitter = createSubmitter(ctx);
    const sweep = createSweeper(ctx);
    let interval = options.pollIntervalMs;
    let sweeps = 0;
    let lastSweepStart = clock.now();
    let lastProgress = runStart;
    for (;;) {
      if (run.signal.aborted) return undefined;
      await submitter.submitDue(options.maxConcurrency);
      if (run.signal.aborted) return undefined;
      if (!options.wait && submitter.waiting() === 0) return 'submitted';
      if (submitter.waiting() === 0 && ledger.inFlight().length === 0) return 'finished';
      if (clock.now() - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = clock.now();
        log(progressLine(ledger.entries, submitter.waiting(), clock.now() - runStart));
      }
      // Sweeps start every `interval` (not `interval` after the previous sweep's work), so detection stays
      // within one interval however long a sweep takes.
      await clock.sleep(Math.max(0, lastSweepStart + interval - clock.now()), run.signal);
      if (run.signal.aborted) return undefined;
      lastSweepStart = clock.now();
      const stats = await sweep(interval);
      sweeps++;
      submitter.afterSweep(sweeps);
      interval = nextPollInterval(
        interval,
        options.pollIntervalMs,
        ports.api.takeRetryCount() > 0 || stats.troubled,
      );
      debug(
        `sweep ${sweeps}: ${stats.lists} List, ${stats.describes} Describe, ${ledger.inFlight().length} in flight, ${submitter.queue.length} queued, next in ${interval} ms`,
      );
    }
  }

  async function finish(ended: ScheduleOutcome | undefined): Promise<ScheduleResult> {
    const outcome: ScheduleOutcome =
      ended ??
      (heldController.signal.aborted
        ? 'held'
        : fatal
          ? 'auth-failed'
          : options.signal?.aborted
            ? 'cancelled'
            : 'timeout');
    let stops: StopReport = { stopped: [], notStopped: [] };
    if (outcome === 'timeout' || outcome === 'cancelled' || outcome === 'auth-failed') {
      const reason =
        outcome === 'timeout'
          ? 'timeout reached'
          : outcome === 'cancelled'
            ? 'workflow cancelled'
            : 'AWS credentials failed';
      const before = submitting ? '' : ' before submitting could start';
      for (const entry of ledger.entries) {
        if (entry.lifecycle !== 'planned' || isTerminal(entry.state.status)) continue;
        const waited = entry.quotaMessage ? ` while waiting for quota (${entry.quotaMessage})` : '';
        entry.state.failureReason = `Not submitted: ${reason}${before}${waited}`;
      }
      // Before the gate opened nothing of this run exists: no early outputs, nothing to stop.
      if (submitting) events.onEnding?.(ledger.states(), outcome);
    }
    if (submitting && (outcome === 'timeout' || outcome === 'cancelled')) {
      const budgets = options.stopBudgetMs ?? DEFAULT_STOP_BUDGET_MS;
      const budget = outcome === 'timeout' ? budgets.timeout : budgets.cancel;
      const stopWindow = signalUntil(clock, clock.now() + budget);
      stops = await stopOwnJobs(ctx, stopWindow.signal, {
        // On cancel the runner kills the process ~10 s after SIGINT: one look, no waiting for STOPPED.
        waitForStopped: outcome === 'timeout',
        pollIntervalMs: options.pollIntervalMs,
      });
      stopWindow.dispose();
    }
    // In plan order, whatever order the calls ended in.
    const unstopped = new Set(stops.notStopped);
    const notStopped =
      outcome === 'auth-failed'
        ? ledger.ownUnfinished()
        : ledger.entries.filter((entry) => unstopped.has(entry) && !isTerminal(entry.state.status));
    return {
      jobs: ledger.states(),
      outcome,
      fatal,
      leftToOthers: ledger.othersUnfinished().map((entry) => entry.state),
      notStopped: notStopped.map((entry) => entry.state),
      submitting,
    };
  }
}

/** The gate's answer, or false as soon as the run is aborted (timeout, cancel, credentials). */
function unlessAborted(gate: Promise<boolean>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    void gate.then((open) => resolve(open)).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** "Progress: 3 of 8 done, 5 running, 4m10s" (plus what waits for a slot). */
export function progressLine(entries: LedgerEntry[], waiting: number, elapsedMs: number): string {
  const done = entries.filter((entry) => isTerminal(entry.state.status)).length;
  const running = entries.filter((entry) => entry.state.jobArn && !isTerminal(entry.state.status)).length;
  const queued = waiting > 0 ? `, ${waiting} waiting for a slot` : '';
  return `Progress: ${done} of ${entries.length} done, ${running} running${queued}, ${formatElapsed(elapsedMs)}`;
}
