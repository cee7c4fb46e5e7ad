// The heap tuning of src/action/heap.ts does what it says: a minor collection on each call of the collector.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { youngGenerationCollector } from '../../src/action/heap.ts';

/** Kinds of the garbage collections that ran while `run` did. */
async function collectionsDuring(run: () => void): Promise<number[]> {
  const kinds: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      kinds.push((entry as unknown as { detail: { kind: number } }).detail.kind);
  });
  observer.observe({ entryTypes: ['gc'] });
  run();
  // GC entries are delivered asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return kinds;
}

describe('youngGenerationCollector', () => {
  it('runs one young-generation collection per call, and nothing before the first call', async () => {
    const collect = youngGenerationCollector();
    expect(await collectionsDuring(() => {})).not.toContain(constants.NODE_PERFORMANCE_GC_MINOR);
    const kinds = await collectionsDuring(() => {
      collect();
      collect();
      collect();
    });
    expect(
      kinds.filter((kind) => kind === constants.NODE_PERFORMANCE_GC_MINOR).length,
    ).toBeGreaterThanOrEqual(3);
  });
});
