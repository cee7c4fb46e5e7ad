// Everything the action checks before its first AWS call, offline, as its dry run does: read and validate
// neo.yml, select targets, hash local models (no upload, no S3 look-up), plan every request and look for
// targets that would overwrite each other's artifact.
import { modelInputs, readNeoConfig } from '../config/index.ts';
import { findArtifactCollisions, planJobs, provisionalJobNames, selectTargets } from '../plan/plan.ts';
import { prepareModelInputs } from '../run/model-inputs.ts';
import type { ConfigError, PlannedJob, RunContext } from '../types.ts';

export interface CheckOptions {
  /** The file's name as the user wrote it: diagnostics name it so, for terminals and editors to open. */
  file: string;
  text: string;
  ctx: RunContext;
  /** Directory local model paths (input.path, model.path) are relative to, as GITHUB_WORKSPACE on a runner. */
  workspace: string;
  /** The action's `targets` input: names or globs, separated by commas or newlines. */
  targets?: string;
}

export interface CheckResult {
  errors: ConfigError[];
  warnings: ConfigError[];
  /** The planned requests; empty when there is any error. */
  plan: PlannedJob[];
  /**
   * Targets whose job name is provisional: their model is in S3 (or a model package), whose ETag or VersionId
   * the action adds to the name's hash and only a run with credentials reads. Local models are hashed here.
   */
  provisional: Set<string>;
}

type Diagnostics = { errors: ConfigError[]; warnings?: ConfigError[] };

/**
 * Warnings are problems that do not stop a run (a framework version Neo does not list yet). They may come
 * as their own list or as errors marked `severity: 'warning'`.
 */
function split(found: Diagnostics): { errors: ConfigError[]; warnings: ConfigError[] } {
  const isWarning = (error: ConfigError) => (error as { severity?: string }).severity === 'warning';
  return {
    errors: found.errors.filter((error) => !isWarning(error)),
    warnings: [...(found.warnings ?? []), ...found.errors.filter(isWarning)],
  };
}

export async function checkConfig(options: CheckOptions): Promise<CheckResult> {
  const { file, ctx } = options;
  const result = readNeoConfig(options.text, file, ctx);
  const read = split(result as Diagnostics);
  const { config } = result;
  const { warnings } = read;
  const fail = (errors: ConfigError[]) => ({ errors, warnings, plan: [], provisional: new Set<string>() });
  if (!config || read.errors.length > 0) return fail(read.errors);

  const selection = selectTargets(config, options.targets);
  if (selection.errors.length > 0) return fail(selection.errors);
  const selected = new Set(selection.selected.map((target) => target.name));
  const prepared = await prepareModelInputs(
    modelInputs(config).filter((input) => input.targets.some((target) => selected.has(target))),
    undefined,
    { workspace: options.workspace, configFile: file, offline: true },
  );
  if (prepared.errors.length > 0) return fail(prepared.errors);
  const planned = planJobs(config, ctx, {
    targets: options.targets,
    inputIdentity: prepared.identity,
    inputUris: prepared.inputUris,
  });
  const errors = [...planned.errors, ...findArtifactCollisions(planned.jobs, file, config)];
  if (errors.length > 0) return fail(errors);
  const provisional = provisionalJobNames(planned.jobs, prepared.identity);
  return {
    errors: [],
    warnings,
    plan: planned.jobs,
    provisional,
  };
}
