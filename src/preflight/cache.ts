// Reads each distinct model archive once. What an archive holds (ArchiveFacts) depends only on its bytes and the
// framework, so it is keyed by the input's identity (a local file's sha256, an S3 object's ETag) and framework;
// judging it against each target's data-input-config is cheap and pure, so targets sharing a model and re-runs
// cost one read. The facts are plain JSON: `snapshot()` / `createPreflightCache(snapshot)` let a caller persist
// them (e.g. in the Actions cache keyed by the identities, or as a file uploaded beside the compiled models).
import type { Readable } from 'node:stream';
import { judgeArchive, readModelArchive } from './inspect-archive.ts';
import type { ArchiveFacts, PreflightInput, PreflightOptions, PreflightResult } from './types.ts';

export type PreflightCacheSnapshot = Record<string, ArchiveFacts>;

export interface PreflightCache {
  /** The judged result from cached facts, without reading anything; undefined when this archive was not read. */
  get(identity: string, input: PreflightInput): PreflightResult | undefined;
  /** Stores what an archive holds (from readModelArchive). */
  set(identity: string, facts: ArchiveFacts): void;
  /**
   * The result for this archive and input: reads the archive (opening it only then) unless its facts are cached
   * or another call is reading it right now. A read that fails (e.g. the stream errors) is not cached.
   */
  inspect(
    identity: string,
    open: () => Promise<NodeJS.ReadableStream | Readable> | NodeJS.ReadableStream | Readable,
    input: PreflightInput,
    options?: PreflightOptions,
  ): Promise<PreflightResult>;
  /** Number of archives actually read (for the benchmark and tests). */
  readonly reads: number;
  snapshot(): PreflightCacheSnapshot;
}

const keyOf = (identity: string, framework: string): string => `${framework.toUpperCase()}\u0000${identity}`;

export function createPreflightCache(snapshot: PreflightCacheSnapshot = {}): PreflightCache {
  const facts = new Map<string, ArchiveFacts>(Object.entries(snapshot));
  const pending = new Map<string, Promise<ArchiveFacts>>();
  let reads = 0;
  return {
    get(identity, input) {
      const cached = facts.get(keyOf(identity, input.framework));
      return cached ? judgeArchive(cached, input) : undefined;
    },
    set(identity, value) {
      facts.set(keyOf(identity, value.framework), value);
    },
    async inspect(identity, open, input, options) {
      const key = keyOf(identity, input.framework);
      const cached = facts.get(key);
      if (cached) return judgeArchive(cached, input);
      let reading = pending.get(key);
      if (!reading) {
        reads += 1;
        reading = (async () => readModelArchive(await open(), input.framework, options))();
        pending.set(key, reading);
        reading.then(
          (value) => {
            // A read cut short (network, abort) says nothing lasting about the archive.
            if (value.readError === undefined || value.readError.startsWith('TAR_BAD_ARCHIVE'))
              facts.set(key, value);
          },
          () => undefined,
        );
        reading.finally(() => pending.delete(key)).catch(() => undefined);
      }
      return judgeArchive(await reading, input);
    },
    get reads() {
      return reads;
    },
    snapshot() {
      return Object.fromEntries(facts);
    },
  };
}
