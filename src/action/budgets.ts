// How long each bounded part of the action may take. The runner gives a cancelled step ~10 s (SIGINT, SIGTERM
// 7.5 s later, then a kill); the rest are this action's promises: main step ends within `timeout` + 30 s,
// post step within 60 s, even if every call hangs.

export interface Budgets {
  /** Per SDK attempt: time to connect, and for the whole answer. */
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  /** After the timeout: stopping this run's jobs and waiting for STOPPED. */
  stopAfterTimeoutMs: number;
  /** After SIGINT/SIGTERM: stopping this run's jobs (all in parallel), before the runner's SIGTERM. */
  stopAfterCancelMs: number;
  /** After SIGINT/SIGTERM: when the last write (the PR comment) must be done, before the runner's kill. */
  cancelWindowMs: number;
  /** The final PR comment after a normal end or a timeout. */
  finalCommentMs: number;
  /** Artifact sizes, the PR's baseline and this run's manifests (S3), after every job ended. */
  sizesMs: number;
  /** The whole post step. */
  postStepMs: number;
}

export const BUDGETS: Budgets = {
  connectionTimeoutMs: 5_000,
  requestTimeoutMs: 20_000,
  stopAfterTimeoutMs: 20_000,
  stopAfterCancelMs: 6_000,
  cancelWindowMs: 9_000,
  finalCommentMs: 5_000,
  sizesMs: 15_000,
  postStepMs: 45_000,
};

/**
 * The budgets, scaled down by NEO_COMPILE_ACTION_TEST_TIME_SCALE (0 < scale < 1) for the end-to-end tests
 * of hanging calls; the runner's cancel window is not ours to scale.
 */
export function readBudgets(env: Record<string, string | undefined>): Budgets {
  const scale = Number(env.NEO_COMPILE_ACTION_TEST_TIME_SCALE);
  if (!(scale > 0 && scale < 1)) return BUDGETS;
  const scaled = { ...BUDGETS };
  for (const key of Object.keys(scaled) as (keyof Budgets)[]) {
    if (key !== 'stopAfterCancelMs' && key !== 'cancelWindowMs')
      scaled[key] = Math.round(BUDGETS[key] * scale);
  }
  return scaled;
}
