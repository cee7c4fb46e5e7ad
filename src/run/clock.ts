// The scheduler's only source of time: injected, so tests drive it with a fake clock and never sleep for real.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** A signal that aborts at `at` (clock time) or as soon as any of `parents` aborts; dispose() frees the timer. */
export function signalUntil(
  clock: Clock,
  at: number,
  ...parents: (AbortSignal | undefined)[]
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const disposed = new AbortController();
  const abort = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
    disposed.abort();
  };
  for (const parent of parents) {
    if (!parent) continue;
    if (parent.aborted) abort(parent.reason);
    else
      parent.addEventListener('abort', () => abort(parent.reason), { once: true, signal: disposed.signal });
  }
  if (Number.isFinite(at) && !controller.signal.aborted) {
    void clock.sleep(at - clock.now(), disposed.signal).then(() => {
      if (!disposed.signal.aborted) abort(new DeadlineError());
    });
  }
  return { signal: controller.signal, dispose: () => disposed.abort() };
}

/** The reason a deadline signal carries. */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
  constructor() {
    super('deadline reached');
  }
}

/** "4m10s", "35s", "1h2m": elapsed time for progress lines. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}
