// The job ledger: one record per target with its lifecycle and owner. The scheduler's parts read and write
// it, the shell saves the records this run owns for the post step (GITHUB_STATE), the post step reads them.
import type { JobSnapshot } from '../aws/sagemaker.ts';
import type { JobKind, JobState, PlannedJob } from '../types.ts';
import type { Clock } from './clock.ts';

/**
 * - planned: nothing sent yet (or a create that surely had no effect);
 * - creating: a create was sent and its outcome is not known yet (lost answer, cancel, deadline);
 * - created: this run created the job;
 * - adopted: another run created it and it has not completed; watched and reported, never stopped by us;
 * - reused: an earlier run's COMPLETED job stands for this target;
 * - not-created: given up without a job.
 */
export type Lifecycle = 'planned' | 'creating' | 'created' | 'adopted' | 'reused' | 'not-created';

export interface LedgerEntry {
  readonly planned: PlannedJob;
  /** What is reported for the target (outputs, summary, comment). */
  readonly state: JobState;
  lifecycle: Lifecycle;
  /** 1 for the planned name, N for `name-rN`. */
  attempt: number;
  /** Sweeps in a row whose List did not show this job. */
  unseenSweeps: number;
  /** Create calls that failed transiently (after the SDK's own retries). */
  transientFailures: number;
  /** The service's message of the last ResourceLimitExceeded. */
  quotaMessage?: string;
}

/** Whose job an entry is: only this run's own jobs are ever stopped by it. */
export function ownerOf(entry: LedgerEntry): 'this-run' | 'another-run' | 'none' {
  if (entry.lifecycle === 'created' || entry.lifecycle === 'creating') return 'this-run';
  if (entry.lifecycle === 'adopted' || entry.lifecycle === 'reused') return 'another-run';
  return 'none';
}

/** What the post step gets of an entry (GITHUB_STATE): enough to find the job and tell whether it is ours. */
export interface SavedJob {
  kind: JobKind;
  region: string;
  name: string;
  /** creating: a create was sent, outcome unknown; created: ours; released: no longer ours to stop. */
  lifecycle: 'creating' | 'created' | 'released';
  /** Epoch ms when the main step's run started: a `creating` job created before it is not ours. */
  runStart: number;
}

/** The entry as saved for the post step: own entries to stop, others released (never stopped). */
export function savedJobOf(entry: LedgerEntry, runStart: number): SavedJob {
  const own = ownerOf(entry) === 'this-run';
  return {
    kind: entry.planned.kind,
    region: entry.planned.region,
    name: entry.state.jobName,
    lifecycle: own ? (entry.lifecycle === 'creating' ? 'creating' : 'created') : 'released',
    runStart,
  };
}

const TERMINAL: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'STOPPED', 'NOT_CREATED']);
export const isTerminal = (status: JobState['status']): boolean => TERMINAL.has(status);

export type StatusUpdate = Omit<Partial<JobSnapshot>, 'status'> & { status: JobState['status'] };

export interface LedgerEvents {
  /** A target's status changed; `all` is every target's current state. */
  onChange?(state: JobState, previous: JobState['status'], all: JobState[]): void;
  /** An entry's lifecycle or name changed (the shell saves own entries for the post step). */
  onLifecycle?(entry: LedgerEntry): void;
  log?(line: string): void;
}

export class Ledger {
  readonly entries: LedgerEntry[];
  readonly runStart: number;
  private readonly clock: Clock;
  private readonly events: LedgerEvents;

  constructor(plan: PlannedJob[], runStart: number, clock: Clock, events: LedgerEvents = {}) {
    this.runStart = runStart;
    this.clock = clock;
    this.events = events;
    this.entries = plan.map((planned) => ({
      planned,
      lifecycle: 'planned',
      attempt: 1,
      unseenSweeps: 0,
      transientFailures: 0,
      state: {
        target: planned.target,
        kind: planned.kind,
        region: planned.region,
        device: planned.device,
        jobName: planned.jobName,
        status: 'PENDING',
      },
    }));
  }

  states(): JobState[] {
    return this.entries.map((entry) => entry.state);
  }

  /** Jobs that exist in SageMaker and have not ended (ours and adopted ones): what sweeps watch. */
  inFlight(): LedgerEntry[] {
    return this.entries.filter((entry) => entry.state.jobArn && !isTerminal(entry.state.status));
  }

  /** Jobs this run created (or may have created) that have not ended: what a timeout or cancel stops. */
  ownUnfinished(): LedgerEntry[] {
    return this.entries.filter((entry) => ownerOf(entry) === 'this-run' && !isTerminal(entry.state.status));
  }

  /** Adopted jobs still running: left to the run that created them. */
  othersUnfinished(): LedgerEntry[] {
    return this.entries.filter(
      (entry) => entry.lifecycle === 'adopted' && entry.state.jobArn && !isTerminal(entry.state.status),
    );
  }

  setLifecycle(entry: LedgerEntry, lifecycle: Lifecycle): void {
    if (entry.lifecycle === lifecycle) return;
    entry.lifecycle = lifecycle;
    this.events.onLifecycle?.(entry);
  }

  /** Moves the entry to another attempt name (the earlier one ended before this run). */
  rename(entry: LedgerEntry, attempt: number, name: string): void {
    entry.attempt = attempt;
    entry.state.jobName = name;
    entry.state.jobArn = undefined;
    // The post step must know the new name: a create under it may be in flight when the main step is killed.
    this.events.onLifecycle?.(entry);
  }

  update(entry: LedgerEntry, snapshot: StatusUpdate): void {
    const s = entry.state;
    const previous = s.status;
    if (snapshot.arn) s.jobArn = snapshot.arn;
    if (snapshot.creationTime) s.createdAt = snapshot.creationTime;
    if (snapshot.startTime) s.startedAt = snapshot.startTime;
    if (snapshot.endTime) s.endedAt = snapshot.endTime;
    if (snapshot.failureReason) s.failureReason = snapshot.failureReason;
    if (snapshot.artifact) s.artifact = snapshot.artifact;
    if (snapshot.artifactDigest) s.artifactDigest = snapshot.artifactDigest;
    s.status = snapshot.status;
    if (s.status === 'NOT_CREATED' && entry.lifecycle !== 'not-created')
      this.setLifecycle(entry, 'not-created');
    if (isTerminal(s.status) && !s.endedAt) s.endedAt = this.clock.now();
    if (previous === s.status) return;
    const elapsed = ((this.clock.now() - (s.createdAt ?? this.runStart)) / 1000).toFixed(1);
    this.events.log?.(`[${s.target}] ${previous} -> ${s.status} after ${elapsed}s (${s.jobName})`);
    this.events.onChange?.(s, previous, this.states());
  }
}
