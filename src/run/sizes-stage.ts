// After the jobs end: each completed artifact's size, the comparison with the PR's base run, budgets, and this
// run's manifest under `history:`. S3 problems here are notes and warnings, never a failed run by themselves.
import type { ObjectStorage } from '../aws/s3.ts';
import type { NeoTarget } from '../config/types.ts';
import { buildSizeReport, type SizeEntry, type SizeReport } from '../report/sizes.ts';
import type { JobState } from '../types.ts';
import {
  manifestUris,
  measureArtifactSizes,
  readBaselineManifest,
  writeRunManifest,
} from './artifact-sizes.ts';
import { buildRunManifest, type ManifestTarget, recordsRefManifest } from './history.ts';

export interface SizeStageContext {
  sha: string;
  refName: string;
  eventName: string;
  /** The PR's base commit and branch; undefined outside pull requests. */
  base?: { sha?: string; ref?: string };
  now: number;
  /** The run's signal, with the stage's own deadline: S3 may hang, the step must not. */
  signal?: AbortSignal;
  /** Write this run's manifests (only a run whose jobs all ended is a baseline worth keeping). */
  record: boolean;
}

export interface SizeStageResult {
  report: SizeReport;
  /** Targets over their budget, in report order. */
  overBudget: string[];
  /** The commit (or ref) compared with; '' without a baseline. */
  baseline: string;
  /** Bytes per COMPLETED target whose size S3 gave. */
  sizes: Map<string, number>;
  warnings: string[];
}

const compileSeconds = (job: JobState): number | undefined =>
  job.createdAt !== undefined && job.endedAt !== undefined
    ? Math.round((job.endedAt - job.createdAt) / 100) / 10
    : undefined;

const entryOf = (target: ManifestTarget): SizeEntry => ({
  target: target.target,
  size: target.size ?? undefined,
  compileSeconds: target['compile-seconds'] ?? undefined,
});

export async function measureAndCompareSizes(
  jobs: readonly JobState[],
  targets: readonly NeoTarget[],
  storage: ObjectStorage,
  ctx: SizeStageContext,
): Promise<SizeStageResult> {
  const warnings: string[] = [];
  const sizes = new Map<string, number>();
  const byName = new Map(targets.map((target) => [target.name, target]));
  const call = { signal: ctx.signal };
  for (const [target, result] of await measureArtifactSizes(jobs, storage, 8, call)) {
    if ('size' in result) sizes.set(target, result.size);
    // Only a target with a budget or history needs its size; for the others a missing size is no news.
    else if (byName.get(target)?.budget || byName.get(target)?.history) {
      warnings.push(`Could not measure the artifact of ${target}: ${result.error}`);
    }
  }
  const histories = [
    ...new Set(jobs.map((job) => byName.get(job.target)?.history).filter((h) => h !== undefined)),
  ];

  // The PR's baseline: the base commit's manifest, else its branch's latest, from each history prefix in use.
  let baselineTargets: ManifestTarget[] | undefined;
  let baseline = '';
  let baselineLabel: string | undefined;
  const notes: string[] = [];
  if (ctx.base && histories.length > 0) {
    for (const history of histories) {
      const lookup = await readBaselineManifest(storage, history, ctx.base, call);
      if (!lookup.found) {
        notes.push(...lookup.notes);
        continue;
      }
      baselineTargets = [...(baselineTargets ?? []), ...lookup.manifest.targets];
      if (baseline === '') {
        // What the event says (a checked hex sha, the base branch), never the manifest's own text: anyone who
        // can write to the bucket could put anything there, and `baseline` may end up in a `run:` line.
        const sha = ctx.base.sha ?? '';
        const ref = ctx.base.ref ?? '';
        baseline = lookup.kind === 'commit' ? sha : ref;
        baselineLabel =
          lookup.kind === 'commit' ? `${ref || 'base'} @ ${sha.slice(0, 7)}` : `${ref} (latest)`;
      }
    }
  }
  const note =
    histories.length === 0
      ? undefined
      : ctx.base === undefined
        ? undefined
        : `no size history for ${ctx.base.ref ?? 'the base'} yet${notes.length > 0 ? ` (${notes[0]})` : ''}`;

  const { report, overBudget } = buildSizeReport({
    current: jobs.map((job) => ({
      target: job.target,
      size: sizes.get(job.target),
      compileSeconds: job.status === 'COMPLETED' ? compileSeconds(job) : undefined,
    })),
    baseline: baselineTargets?.map(entryOf),
    baselineLabel,
    note,
    budgetFor: (target) => byName.get(target)?.budget,
  });

  // This run's manifest, one per history prefix with the targets that use it.
  for (const history of ctx.record ? histories : []) {
    const own = jobs.filter((job) => byName.get(job.target)?.history === history);
    const manifest = buildRunManifest(
      own.map((job) => ({ job, size: sizes.get(job.target), digest: job.artifactDigest })),
      { sha: ctx.sha, refName: ctx.refName, eventName: ctx.eventName, now: ctx.now },
    );
    const uris = manifestUris(history, ctx.sha, ctx.refName, recordsRefManifest(ctx.eventName));
    warnings.push(...(await writeRunManifest(storage, uris, manifest, call)));
  }
  return { report, overBudget, baseline, sizes, warnings };
}
