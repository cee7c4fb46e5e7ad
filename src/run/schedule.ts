// Submits the planned jobs within the concurrency limit and the account quota, watches them all with one
// List sweep per region and kind per tick, and stops whatever is still running on timeout or cancel.
// Never loses a job: every created job ends in the returned states with its last known status.
import {
  awsErrorMessage,
  awsErrorName,
  isTransientAwsError,
  type JobApi,
  type JobSnapshot,
} from '../aws/sagemaker.ts';
import type { JobKind, JobState, JobStatus, PlannedJob } from '../types.ts';

export interface ScheduleOptions {
  maxConcurrency: number;
  pollIntervalMs: number;
  /** 0 = no limit. */
  timeoutMs: number;
  /** false: return as soon as every job is submitted. */
  wait: boolean;
  /** true: compile anew even when a completed job with the same content-addressed name exists. */
  force: boolean;
  /** Aborted on SIGINT/SIGTERM: stop in-flight jobs and return quickly. */
  signal?: AbortSignal;
  /** How long to wait for STOPPED after stopping jobs on timeout. */
  stopWaitMs?: number;
  /** Parallel Create/Describe/Stop calls. */
  requestParallelism?: number;
}

export interface ScheduleEvents {
  /** A create for this job (under `job.jobName`) is about to be sent. */
  beforeCreate?(job: JobState): void;
  /** A job now exists in SageMaker under this run's responsibility (created or adopted). */
  onCreated?(job: JobState): void;
  /** A job changed status; `previous` is the status before, `all` every target's current state. */
  onChange?(job: JobState, previous: JobState['status'], all: JobState[]): void;
  log?(line: string): void;
  warn?(line: string): void;
  /** Diagnostics (sweep statistics), shown only in debug logs. */
  debug?(line: string): void;
}

export type ScheduleOutcome = 'finished' | 'submitted' | 'timeout' | 'cancelled';

export interface ScheduleResult {
  jobs: JobState[];
  outcome: ScheduleOutcome;
}

const TERMINAL: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'STOPPED', 'NOT_CREATED']);
export const isTerminal = (status: JobState['status']): boolean => TERMINAL.has(status);

const MAX_NAME = 63;
const ATTEMPT_SUFFIX = /-r(\d+)$/;

/** `name` for attempt 1, `name-rN` after; keeps the 63-character limit by trimming before the hash. */
export function attemptName(name: string, attempt: number): string {
  if (attempt <= 1) return name;
  const suffix = `-r${attempt}`;
  if (name.length + suffix.length <= MAX_NAME) return name + suffix;
  const lastDash = name.lastIndexOf('-');
  const hash = lastDash > 0 ? name.slice(lastDash) : '';
  const head = name.slice(0, MAX_NAME - suffix.length - hash.length).replace(/-+$/, '');
  return head + hash + suffix;
}

/** Which attempt of `base` a listed job name is, or 0 when it is not one. */
export function attemptOf(base: string, name: string): number {
  if (name === base) return 1;
  const match = ATTEMPT_SUFFIX.exec(name);
  if (!match) return 0;
  const attempt = Number(match[1]);
  return attemptName(base, attempt) === name ? attempt : 0;
}

/** Longest common prefix: the NameContains filter that matches every job of a group. */
export function commonPrefix(names: string[]): string {
  if (names.length === 0) return '';
  let prefix = names[0] as string;
  for (const name of names) {
    while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix;
}

/** Poll interval after a sweep: widen under throttling (SDK retries), narrow back when calm. */
export function nextPollInterval(current: number, base: number, retried: boolean): number {
  if (retried) return Math.min(current * 2, base * 8);
  return Math.max(base, Math.round(current / 2));
}

/** The latest existing attempt of a planned job. */
interface Latest {
  attempt: number;
  snapshot: JobSnapshot;
}

interface Tracked {
  planned: PlannedJob;
  state: JobState;
  attempt: number;
  unseenSweeps: number;
  /** Create calls that failed with throttling, 5xx or a network error after the SDK's own retries. */
  transientFailures: number;
  /** The service's message of the last ResourceLimitExceeded. */
  quotaMessage?: string;
}

/** Create calls that may fail transiently (after the SDK's retries each) before the target is given up. */
const MAX_TRANSIENT_CREATE_FAILURES = 8;
/** Existing attempts to step over (ResourceInUse on FAILED/STOPPED names) before giving a target up. */
const MAX_NAME_ROUNDS = 20;
/**
 * Submission rounds a quota error may persist while none of this run's jobs is running before the user is
 * warned that no slot of ours will free up (e.g. an instance-type quota of 0).
 */
const MAX_IDLE_QUOTA_ROUNDS = 5;
/** Sweeps between two probes of a full quota (one create beyond what the quota allowed last). */
const QUOTA_PROBE_SWEEPS = 3;
/** Up to this many targets per region and kind, existing jobs are looked up by name, above by one List. */
const DESCRIBE_ADOPTION_LIMIT = 20;

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Runs `fn` over `items` with at most `limit` calls at once. */
export async function forEachLimited<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const groupKey = (kind: JobKind, region: string) => `${region}\u0000${kind}`;

/** Jobs grouped by region and kind: each group is one client and one List filter. */
function groupByRegionAndKind(jobs: Tracked[]): Tracked[][] {
  const groups = new Map<string, Tracked[]>();
  for (const job of jobs) {
    const key = groupKey(job.planned.kind, job.planned.region);
    const group = groups.get(key);
    if (group) group.push(job);
    else groups.set(key, [job]);
  }
  return [...groups.values()];
}

export async function scheduleJobs(
  api: JobApi,
  plan: PlannedJob[],
  options: ScheduleOptions,
  events: ScheduleEvents = {},
): Promise<ScheduleResult> {
  const runStart = Date.now();
  const parallelism = options.requestParallelism ?? 8;
  const log = events.log ?? (() => {});
  const warn = events.warn ?? log;
  const tracked: Tracked[] = plan.map((planned) => ({
    planned,
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

  const setStatus = (
    job: Tracked,
    snapshot: Omit<Partial<JobSnapshot>, 'status'> & { status: JobState['status'] },
  ) => {
    const previous = job.state.status;
    const s = job.state;
    if (snapshot.arn) s.jobArn = snapshot.arn;
    if (snapshot.creationTime) s.createdAt = snapshot.creationTime;
    if (snapshot.startTime) s.startedAt = snapshot.startTime;
    if (snapshot.endTime) s.endedAt = snapshot.endTime;
    if (snapshot.failureReason) s.failureReason = snapshot.failureReason;
    if (snapshot.artifact) s.artifact = snapshot.artifact;
    if (snapshot.artifactDigest) s.artifactDigest = snapshot.artifactDigest;
    s.status = snapshot.status;
    if (isTerminal(s.status) && !s.endedAt) s.endedAt = Date.now();
    if (previous !== s.status) {
      const elapsed = ((Date.now() - (s.createdAt ?? runStart)) / 1000).toFixed(1);
      log(`[${s.target}] ${previous} -> ${s.status} after ${elapsed}s (${s.jobName})`);
      events.onChange?.(
        s,
        previous,
        tracked.map((job) => job.state),
      );
    }
  };

  // Idempotent re-runs: names are content-addressed, so an existing job with our name is this very request.
  await adoptExistingJobs();

  const queue = tracked.filter((job) => job.state.status === 'PENDING');
  // Jobs that exist in SageMaker and have not ended: what counts against max-concurrency.
  const activeCount = () => tracked.filter((job) => job.state.jobArn && !isTerminal(job.state.status)).length;
  /**
   * How many of our jobs the account quota seems to allow: learned from ResourceLimitExceeded (the jobs we had
   * running then), raised by a probe every few sweeps (other workflows in the account may have freed slots). Without it,
   * every sweep that freed one slot sent the whole queue to meet ~N quota errors (measured: 1,985 rejected
   * creates for 100 jobs under a quota of 20).
   */
  let quotaCap = Number.POSITIVE_INFINITY;
  let idleQuotaRounds = 0;
  let interval = options.pollIntervalMs;
  let sweeps = 0;
  let lastSweepStart = Date.now();
  let createsAtLastSweep = 0;
  /** A List or Describe of the last sweep failed even after the SDK's retries: poll less often. */
  let sweepTroubled = false;
  /** Consecutive failed List calls per region and kind. */
  const listFailures = new Map<string, number>();
  const warned = new Set<string>();
  const warnOnce = (key: string, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    warn(message);
  };
  const deadline = options.timeoutMs > 0 ? runStart + options.timeoutMs : Number.POSITIVE_INFINITY;

  for (;;) {
    if (options.signal?.aborted) return finish('cancelled');
    if (Date.now() >= deadline) return finish('timeout');

    const active = activeCount();
    const limit = Math.min(options.maxConcurrency, quotaCap);
    if (queue.length > 0 && active < limit) await submitBatch(queue.splice(0, limit - active));
    if (options.signal?.aborted) return finish('cancelled');
    if (!options.wait && queue.length === 0) return finish('submitted');
    if (queue.length === 0 && activeCount() === 0) return finish('finished');

    // Sweeps start every `interval` (not `interval` after the previous sweep's work), so detection stays
    // within one interval however long a sweep takes.
    const wait = Math.max(0, lastSweepStart + interval - Date.now());
    await sleep(Math.min(wait, Math.max(0, deadline - Date.now())), options.signal);
    if (options.signal?.aborted) return finish('cancelled');
    lastSweepStart = Date.now();
    const listsBefore = api.calls.List ?? 0;
    const createsBefore = createsAtLastSweep;
    const describesBefore = api.calls.Describe ?? 0;
    sweepTroubled = false;
    await sweep();
    sweeps++;
    // Our own freed slots refill up to the cap by themselves; a probe beyond it every few sweeps finds out
    // whether other workflows in the account have freed slots too (a refused probe sets the cap back).
    if (Number.isFinite(quotaCap) && queue.length > 0 && sweeps % QUOTA_PROBE_SWEEPS === 0) quotaCap += 1;
    interval = nextPollInterval(interval, options.pollIntervalMs, api.takeRetryCount() > 0 || sweepTroubled);
    events.debug?.(
      `sweep ${sweeps}: ${(api.calls.List ?? 0) - listsBefore} List, ${(api.calls.Describe ?? 0) - describesBefore} Describe, ${activeCount()} in flight, ${queue.length} queued, next in ${interval} ms, ${(api.calls.Create ?? 0) - createsBefore} Create since the last sweep`,
    );
    createsAtLastSweep = api.calls.Create ?? 0;
  }

  async function adoptExistingJobs(): Promise<void> {
    for (const jobs of groupByRegionAndKind(tracked)) {
      // A few targets: ask for each planned name (a long job history under the prefix costs nothing);
      // many: one List over the prefix is cheaper than a Describe each.
      const found =
        jobs.length <= DESCRIBE_ADOPTION_LIMIT
          ? await latestAttemptsByName(jobs)
          : await latestAttemptsByList(jobs);
      for (const [job, latest] of found) {
        job.attempt = latest.attempt;
        job.state.jobName = latest.snapshot.name;
        try {
          await resolveExisting(job, latest.snapshot.status, true);
        } catch (error) {
          // Left PENDING: its create meets ResourceInUse and resolves the job then.
          warn(
            `[${job.state.target}] could not inspect existing job ${job.state.jobName}: ${awsErrorMessage(error)}`,
          );
        }
      }
    }
  }

  /** Existing attempts of each job among `existing` (from a List), the latest per job. */
  function latestOf(jobs: Tracked[], existing: JobSnapshot[]): Map<Tracked, Latest> {
    const result = new Map<Tracked, Latest>();
    for (const job of jobs) {
      for (const snapshot of existing) {
        const attempt = attemptOf(job.planned.jobName, snapshot.name);
        if (attempt > 0 && attempt > (result.get(job)?.attempt ?? 0)) result.set(job, { attempt, snapshot });
      }
    }
    return result;
  }

  /** Long names lose part of their readable head in attempt names: the filter matches those too. */
  function attemptsFilter(jobs: Tracked[]): string {
    return commonPrefix(jobs.flatMap((job) => [job.planned.jobName, attemptName(job.planned.jobName, 99)]));
  }

  async function latestAttemptsByList(jobs: Tracked[]): Promise<Map<Tracked, Latest>> {
    const first = jobs[0] as Tracked;
    try {
      const existing = await api.list(first.planned.kind, first.planned.region, {
        nameContains: attemptsFilter(jobs),
      });
      return latestOf(jobs, existing);
    } catch (error) {
      warn(
        `Could not list existing ${first.planned.kind} jobs in ${first.planned.region}: ${awsErrorMessage(error)}`,
      );
      return new Map();
    }
  }

  async function latestAttemptsByName(jobs: Tracked[]): Promise<Map<Tracked, Latest>> {
    const result = new Map<Tracked, Latest>();
    await forEachLimited(jobs, parallelism, async (job) => {
      let snapshot: JobSnapshot;
      try {
        snapshot = await api.describe(job.planned.kind, job.planned.region, job.planned.jobName);
      } catch (error) {
        // Not found: never run before (attempts only follow a first one). Other errors: the create decides.
        if (awsErrorName(error) !== 'ResourceNotFound') {
          warn(`[${job.state.target}] could not look up ${job.planned.jobName}: ${awsErrorMessage(error)}`);
        }
        return;
      }
      result.set(job, { attempt: 1, snapshot });
      if (
        snapshot.status === 'FAILED' ||
        snapshot.status === 'STOPPED' ||
        snapshot.status === 'STOPPING' ||
        options.force
      ) {
        // Later attempts may exist: only this job's own attempts match this filter.
        for (const [found, latest] of await latestAttemptsByList([job])) result.set(found, latest);
      }
    });
    return result;
  }

  /** Decides what to do with a job that already exists under this job's current name. */
  async function resolveExisting(job: Tracked, status: JobStatus, fromEarlierRun: boolean): Promise<void> {
    if (status === 'COMPLETED' && !options.force) {
      const snapshot = await api.describe(job.planned.kind, job.planned.region, job.state.jobName);
      job.state.reused = fromEarlierRun || snapshot.creationTime < runStart;
      log(`[${job.state.target}] reusing completed job ${job.state.jobName}`);
      setStatus(job, snapshot);
    } else if (
      status === 'COMPLETED' ||
      status === 'FAILED' ||
      status === 'STOPPED' ||
      status === 'STOPPING'
    ) {
      job.attempt += 1;
      job.state.jobName = attemptName(job.planned.jobName, job.attempt);
    } else {
      const snapshot = await api.describe(job.planned.kind, job.planned.region, job.state.jobName);
      log(`[${job.state.target}] adopting running job ${job.state.jobName} (${snapshot.status})`);
      setStatus(job, snapshot);
      events.onCreated?.(job.state);
    }
  }

  async function submitBatch(batch: Tracked[]): Promise<void> {
    const requeue: Tracked[] = [];
    const quotaHit: Tracked[] = [];
    await forEachLimited(batch, parallelism, async (job) => {
      // After a cancel start nothing new (what is not created need not be stopped); after a quota error,
      // nothing more in this batch (it would only meet the same error).
      const outcome = options.signal?.aborted || quotaHit.length > 0 ? 'retry' : await submitOne(job);
      if (outcome === 'retry') requeue.push(job);
      if (outcome === 'quota') quotaHit.push(job);
    });
    if (quotaHit.length > 0) {
      // The rule: a full quota is waited out, never a reason to fail a target by itself.
      requeue.push(...quotaHit);
      const firstHit = !Number.isFinite(quotaCap);
      quotaCap = activeCount();
      const message = quotaHit[0]?.quotaMessage ?? 'ResourceLimitExceeded';
      const line = `Quota reached at ${quotaCap} running job(s) of this run (${message}); the rest wait for a free slot`;
      if (firstHit) log(line);
      else events.debug?.(line);
      idleQuotaRounds = activeCount() === 0 ? idleQuotaRounds + 1 : 0;
      if (idleQuotaRounds === MAX_IDLE_QUOTA_ROUNDS) {
        warn(
          `The quota stays full while no job of this run is running (${message}). The jobs keep waiting until the timeout; if this quota is 0 for your account, request an increase in Service Quotas.`,
        );
      }
      for (const job of quotaHit) job.state.failureReason = `Waiting for quota: ${message}`;
    }
    if (requeue.length > 0) {
      // Keep plan order: requeued jobs go first, and are tried again after the next sweep.
      requeue.sort((a, b) => tracked.indexOf(a) - tracked.indexOf(b));
      queue.unshift(...requeue);
    }
  }

  async function submitOne(job: Tracked): Promise<'created' | 'quota' | 'retry' | 'failed' | 'done'> {
    for (let round = 0; round < MAX_NAME_ROUNDS; round++) {
      const request = {
        ...job.planned,
        jobName: job.state.jobName,
        request: withName(job.planned, job.state.jobName),
      };
      try {
        events.beforeCreate?.(job.state);
        const { arn } = await api.create(request as PlannedJob);
        job.state.failureReason = undefined;
        setStatus(job, { status: 'STARTING', arn, creationTime: Date.now() });
        events.onCreated?.(job.state);
        return 'created';
      } catch (error) {
        const name = awsErrorName(error);
        if (name === 'ResourceLimitExceeded') {
          job.quotaMessage = awsErrorMessage(error);
          return 'quota';
        }
        // Safe to repeat: the content-addressed name turns a duplicate into ResourceInUse, then adoption.
        if (isTransientAwsError(error) && ++job.transientFailures < MAX_TRANSIENT_CREATE_FAILURES) {
          warn(`[${job.state.target}] create failed (${name}), will retry: ${awsErrorMessage(error)}`);
          return 'retry';
        }
        if (name === 'ResourceInUse') {
          // Our own earlier attempt whose response was lost, or an overlapping run: the name is the request.
          try {
            const snapshot = await api.describe(job.planned.kind, job.planned.region, job.state.jobName);
            await resolveExisting(job, snapshot.status, false);
          } catch (describeError) {
            // The job exists: never give it up for a failed look-up. Try again after the next sweep.
            if (++job.transientFailures < MAX_TRANSIENT_CREATE_FAILURES * 2) {
              warn(
                `[${job.state.target}] could not inspect ${job.state.jobName}, will retry: ${awsErrorMessage(describeError)}`,
              );
              return 'retry';
            }
            setStatus(job, {
              status: 'NOT_CREATED',
              failureReason: `${job.state.jobName} exists but could not be inspected: ${awsErrorMessage(describeError)}`,
            });
            return 'failed';
          }
          if (isTerminal(job.state.status)) return 'done';
          if (job.state.status !== 'PENDING') return 'created';
          continue; // a new attempt name was chosen
        }
        setStatus(job, { status: 'NOT_CREATED', failureReason: `${name}: ${awsErrorMessage(error)}` });
        return 'failed';
      }
    }
    setStatus(job, {
      status: 'NOT_CREATED',
      failureReason: `Gave up after ${MAX_NAME_ROUNDS} name conflicts`,
    });
    return 'failed';
  }

  /** One status sweep; returns how many of our jobs became terminal. */
  async function sweep(): Promise<number> {
    const inFlight = tracked.filter((job) => job.state.jobArn && !isTerminal(job.state.status));

    const becameTerminal: Tracked[] = [];
    await Promise.all(
      groupByRegionAndKind(inFlight).map(async (jobs) => {
        const first = jobs[0] as Tracked;
        const wanted = new Set(jobs.map((job) => job.state.jobName));
        let snapshots: JobSnapshot[];
        try {
          snapshots = await api.list(first.planned.kind, first.planned.region, {
            nameContains: commonPrefix([...wanted]),
            creationTimeAfter: Math.min(...jobs.map((job) => job.state.createdAt ?? runStart)) - 300_000,
            signal: options.signal,
            enough: (seen) => {
              let found = 0;
              for (const s of seen) if (wanted.has(s.name)) found++;
              return found >= wanted.size;
            },
          });
        } catch (error) {
          if (options.signal?.aborted) return; // a cancel interrupted the sweep
          sweepTroubled = true;
          const key = groupKey(first.planned.kind, first.planned.region);
          const failures = (listFailures.get(key) ?? 0) + 1;
          listFailures.set(key, failures);
          warnOnce(awsErrorName(error), listFailureAdvice(error, first.planned.kind));
          // Without List (a policy without sagemaker:List*, or a List that keeps failing) ask job by job.
          if (!isTransientAwsError(error) || failures >= 3) becameTerminal.push(...jobs);
          return;
        }
        listFailures.delete(groupKey(first.planned.kind, first.planned.region));
        const byName = new Map(snapshots.map((s) => [s.name, s]));
        for (const job of jobs) {
          const snapshot = byName.get(job.state.jobName);
          if (!snapshot) {
            job.unseenSweeps++;
            if (job.unseenSweeps >= 3) {
              job.unseenSweeps = 0;
              becameTerminal.push(job); // not listed (yet): ask for it by name
            }
            continue;
          }
          job.unseenSweeps = 0;
          if (isTerminal(snapshot.status)) becameTerminal.push(job);
          else setStatus(job, snapshot);
        }
      }),
    );
    let freed = 0;
    await forEachLimited(becameTerminal, parallelism, async (job) => {
      try {
        if (options.signal?.aborted) return;
        const detail = await api.describe(
          job.planned.kind,
          job.planned.region,
          job.state.jobName,
          options.signal,
        );
        setStatus(job, detail);
        if (isTerminal(detail.status)) freed++;
      } catch (error) {
        if (options.signal?.aborted) return;
        warn(`Could not describe ${job.state.jobName}, will retry: ${awsErrorMessage(error)}`);
        sweepTroubled = true;
      }
    });
    return freed;
  }

  async function stopInFlight(): Promise<Tracked[]> {
    const inFlight = tracked.filter((job) => job.state.jobArn && !isTerminal(job.state.status));
    await forEachLimited(inFlight, parallelism, async (job) => {
      try {
        await api.stop(job.planned.kind, job.planned.region, job.state.jobName);
        setStatus(job, { status: 'STOPPING' });
      } catch (error) {
        // A job that just ended cannot be stopped; the next describe tells its final status.
        warn(`Could not stop ${job.state.jobName}: ${awsErrorMessage(error)}`);
      }
    });
    return inFlight;
  }

  async function refresh(jobs: Tracked[]): Promise<void> {
    await forEachLimited(jobs, parallelism, async (job) => {
      try {
        setStatus(job, await api.describe(job.planned.kind, job.planned.region, job.state.jobName));
      } catch (error) {
        warn(`Could not describe ${job.state.jobName}: ${awsErrorMessage(error)}`);
      }
    });
  }

  async function finish(outcome: ScheduleOutcome): Promise<ScheduleResult> {
    if (outcome === 'timeout' || outcome === 'cancelled') {
      const reason = outcome === 'timeout' ? 'timeout reached' : 'workflow cancelled';
      for (const job of queue) {
        const waited = job.quotaMessage ? ` while waiting for quota (${job.quotaMessage})` : '';
        job.state.failureReason = `Not submitted: ${reason}${waited}`;
      }
      const stopped = await stopInFlight();
      // On cancel the runner kills us ~10 s after SIGINT: one quick look, no waiting for STOPPED.
      const waitUntil = Date.now() + (outcome === 'timeout' ? (options.stopWaitMs ?? 60_000) : 0);
      let pending = stopped;
      do {
        await refresh(pending);
        pending = pending.filter((job) => !isTerminal(job.state.status));
        if (pending.length === 0 || Date.now() >= waitUntil) break;
        await sleep(Math.min(options.pollIntervalMs, 2000));
      } while (Date.now() < waitUntil);
    }
    return { jobs: tracked.map((job) => job.state), outcome };
  }
}

/** What to tell the user when listing jobs fails. */
function listFailureAdvice(error: unknown, kind: JobKind): string {
  const name = awsErrorName(error);
  const operation = kind === 'compilation' ? 'ListCompilationJobs' : 'ListOptimizationJobs';
  if (/ExpiredToken|TokenExpired|ExpiredTokenException/.test(name)) {
    return `AWS credentials expired while waiting (${name}). Give the role session more time than the action's timeout, e.g. role-duration-seconds in aws-actions/configure-aws-credentials.`;
  }
  if (/AccessDenied|UnauthorizedOperation/.test(name)) {
    return `${operation} is denied (${awsErrorMessage(error)}); checking jobs one by one with Describe instead. Add sagemaker:${operation} to the workflow role's policy for cheaper polling.`;
  }
  return `Status sweep failed, will retry: ${name}: ${awsErrorMessage(error)}`;
}

/** The planned request under another (attempt) name. */
function withName(job: PlannedJob, name: string): PlannedJob['request'] {
  if (job.kind === 'compilation') return { ...job.request, CompilationJobName: name };
  return { ...job.request, OptimizationJobName: name };
}
