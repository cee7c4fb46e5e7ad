// The model preflight's surface for the pipeline: inspect an archive (or go through the cache), hint at failures.
export { createPreflightCache, type PreflightCache, type PreflightCacheSnapshot } from './cache.ts';
export { hintForFailure } from './failure-hints.ts';
export { FRAMEWORK_LAYOUTS } from './framework-layouts.ts';
export { inspectModelArchive, judgeArchive, readModelArchive } from './inspect-archive.ts';
export type {
  ArchiveFacts,
  PreflightFinding,
  PreflightInput,
  PreflightOptions,
  PreflightResult,
  PreflightSeverity,
} from './types.ts';
