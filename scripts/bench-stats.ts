// Statistics shared by the bench scripts.

/** Nearest-rank percentile (p in 0..100) of `values`; p = 50 of an odd count is its median. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}
