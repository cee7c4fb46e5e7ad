// A fake clock that moves only when everything else waits, and a fake SageMaker on that clock with
// per-call faults: the scheduler's parts run in virtual time, deterministic and without real sleeps.
import type { JobApi, JobSnapshot } from '../../src/aws/sagemaker.ts';
import type { Clock } from '../../src/run/clock.ts';
import type { JobKind, JobStatus, PlannedJob } from '../../src/types.ts';

interface Timer {
  at: number;
  seq: number;
  fire(): void;
}

/** Time jumps to the next timer once no other work is pending (checked after the microtask queue drains). */
export class FakeClock implements Clock {
  time = 1_700_000_000_000;
  private timers: Timer[] = [];
  private seq = 0;
  private scheduled = false;

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = {
        at: this.time + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) return;
      this.time = Math.max(this.time, next.at);
      next.fire();
      if (this.timers.length > 0) this.schedule();
    });
  }
}

export const serviceError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name}: the service says so`), { name, ...extra });
export const networkError = () =>
  Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' });

type Operation = 'create' | 'describe' | 'list' | 'stop';
/** What a fault does to one call: hang until the signal aborts, fail before or after its effect, or take time. */
export type Fault = { hang: true } | { before: Error } | { after: Error } | { delayMs: number } | undefined;

interface FakeJob {
  kind: JobKind;
  region: string;
  name: string;
  arn: string;
  creationTime: number;
  /** When it ends by itself, and how. */
  endsAt: number;
  failureReason?: string;
  stoppedAt?: number;
}

export interface FakeCall {
  op: Operation;
  name?: string;
  at: number;
}

export class FakeSageMaker implements JobApi {
  readonly jobs = new Map<string, FakeJob>();
  readonly calls: FakeCall[] = [];
  /** Decides the fault of each call; may be replaced mid-test. */
  fault: (op: Operation, name: string | undefined, call: number) => Fault = () => undefined;
  runMs = 10_000;
  quota = Number.POSITIVE_INFINITY;
  failureFor: (name: string) => string | undefined = () => undefined;
  private readonly clock: FakeClock;

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  /** A job that exists before the run, e.g. another run's. */
  seed(name: string, options: { ageMs?: number; runMs?: number; failureReason?: string } = {}): void {
    const created = this.clock.now() - (options.ageMs ?? 1000);
    this.jobs.set(name, {
      kind: 'compilation',
      region: 'us-west-2',
      name,
      arn: `arn:aws:sagemaker:us-west-2:123456789012:compilation-job/${name}`,
      creationTime: created,
      endsAt: created + (options.runMs ?? this.runMs),
      failureReason: options.failureReason,
    });
  }

  statusOf(job: FakeJob): JobStatus {
    const now = this.clock.now();
    if (job.stoppedAt !== undefined) return now >= job.stoppedAt + 100 ? 'STOPPED' : 'STOPPING';
    if (now < job.creationTime + 100) return 'STARTING';
    if (now < job.endsAt) return 'INPROGRESS';
    return job.failureReason ? 'FAILED' : 'COMPLETED';
  }

  private snapshot(job: FakeJob): JobSnapshot {
    const status = this.statusOf(job);
    return {
      name: job.name,
      arn: job.arn,
      status,
      creationTime: job.creationTime,
      failureReason: status === 'FAILED' ? job.failureReason : undefined,
      artifact: status === 'COMPLETED' ? `s3://b/o/${job.name}.tar.gz` : undefined,
    };
  }

  private async call<T>(
    op: Operation,
    name: string | undefined,
    signal: AbortSignal | undefined,
    effect: () => T,
  ) {
    this.calls.push({ op, name, at: this.clock.now() });
    const fault = this.fault(op, name, this.calls.length);
    if (fault && 'hang' in fault) {
      return new Promise<T>((_, reject) => {
        const abort = () => reject(serviceError('AbortError'));
        if (signal?.aborted) abort();
        else signal?.addEventListener('abort', abort, { once: true });
      });
    }
    if (fault && 'delayMs' in fault) {
      await this.clock.sleep(fault.delayMs, signal);
      if (signal?.aborted) throw serviceError('AbortError');
    }
    if (fault && 'before' in fault) throw fault.before;
    const result = effect();
    if (fault && 'after' in fault) throw fault.after;
    return result;
  }

  create(job: PlannedJob, signal?: AbortSignal) {
    return this.call('create', job.jobName, signal, () => {
      if (this.jobs.has(job.jobName)) throw serviceError('ResourceInUse');
      const running = [...this.jobs.values()].filter(
        (j) => !['COMPLETED', 'FAILED', 'STOPPED'].includes(this.statusOf(j)),
      );
      if (running.length >= this.quota) throw serviceError('ResourceLimitExceeded');
      const arn = `arn:aws:sagemaker:us-west-2:123456789012:compilation-job/${job.jobName}`;
      this.jobs.set(job.jobName, {
        kind: job.kind,
        region: job.region,
        name: job.jobName,
        arn,
        creationTime: this.clock.now(),
        endsAt: this.clock.now() + this.runMs,
        failureReason: this.failureFor(job.jobName),
      });
      return { arn };
    });
  }

  describe(_kind: JobKind, _region: string, name: string, signal?: AbortSignal) {
    return this.call('describe', name, signal, () => {
      const job = this.jobs.get(name);
      if (!job) throw serviceError('ResourceNotFound');
      return this.snapshot(job);
    });
  }

  list(_kind: JobKind, _region: string, query: { nameContains: string }, signal?: AbortSignal) {
    return this.call('list', undefined, signal, () => ({
      jobs: [...this.jobs.values()]
        .filter((job) => job.name.includes(query.nameContains))
        .map((job) => this.snapshot(job)),
      pages: 1,
    }));
  }

  stop(_kind: JobKind, _region: string, name: string, signal?: AbortSignal) {
    return this.call('stop', name, signal, () => {
      const job = this.jobs.get(name);
      if (!job) throw serviceError('ResourceNotFound');
      if (job.stoppedAt === undefined) job.stoppedAt = this.clock.now();
    });
  }

  takeRetryCount(): number {
    return 0;
  }

  count(op: Operation): number {
    return this.calls.filter((call) => call.op === op).length;
  }
}

export function planned(target: string): PlannedJob {
  const name = `p-${target}-0123abcd`;
  return {
    target,
    kind: 'compilation',
    region: 'us-west-2',
    jobName: name,
    device: 'jetson_nano',
    request: {
      CompilationJobName: name,
      RoleArn: 'arn:aws:iam::123456789012:role/R',
      OutputConfig: { S3OutputLocation: 's3://b/o/', TargetDevice: 'jetson_nano' },
      StoppingCondition: { MaxRuntimeInSeconds: 900 },
    },
  };
}

export const plan = (count: number) => Array.from({ length: count }, (_, i) => planned(`t${i}`));
