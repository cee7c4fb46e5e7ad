// Keeps V8's young generation from growing while the jobs are watched: by default it grows to 3 x 32 MiB under
// the steady churn of status sweeps (measured: 289 MiB peak at 2,000 targets, 194 MiB with a 1 MiB semi-space).
// `runs.using: node24` takes no node flags, but V8 reads the growth factor each time the young generation would
// grow. Called once the config is read and checked: start-up work (compiling the bundle, validating thousands of
// targets) still gets the default growth and its fewer garbage collections; streaming a model archive and the
// status sweeps do not grow it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function stopYoungGenerationGrowth(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * A young-generation collection on demand, for the model preflight. A streamed archive passes through two sets of
 * buffers (the socket's and gunzip's), held outside the JavaScript heap: V8 frees them only at its next
 * collection, which a young generation grown at start-up (8 MiB) puts off for ~12 MB of model, so ~20 MiB of spent
 * buffers pile up. A minor collection every 4 MiB (about 1 ms each) halves that (measured on a 100 MB model:
 * +21 -> +11 MiB peak RSS). `--expose-gc` set now only gives new contexts a `gc`; a no-op if that ever fails.
 */
export function youngGenerationCollector(): () => void {
  // Made at the first call: only runs that stream a model of more than 4 MiB pay for the extra context.
  let collect: ((options: { type: 'minor' }) => void) | null | undefined;
  return () => {
    if (collect === undefined) {
      try {
        setFlagsFromString('--expose-gc');
        const gc = runInNewContext('gc') as unknown;
        collect = typeof gc === 'function' ? (gc as (options: { type: 'minor' }) => void) : null;
      } catch {
        collect = null;
      }
    }
    collect?.({ type: 'minor' });
  };
}
