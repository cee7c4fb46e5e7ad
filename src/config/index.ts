// Reads neo.yml: YAML -> JSON Schema -> matrix and defaults -> semantic rules, reporting every problem at once
// with its line and column. No AWS call is made here; a config with any error yields no targets at all.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import type { ConfigError, RunContext } from '../types.ts';
import { JOB_PREFIX_MAX, TARGETS_MAX } from './constraints.ts';
import { buildTargets, isRecord } from './effective.ts';
import { sanitizeNamePart } from './job-name.ts';
import { substitute } from './placeholders.ts';
import { type Problem, toConfigErrors } from './problems.ts';
import { checkTarget } from './rules.ts';
import { checkSchema } from './schema-check.ts';
import { readSource, type SourceFile } from './source.ts';
import type { ConfigWarning, ModelInput, NeoConfig, NeoTarget } from './types.ts';

export type {
  CompilationTarget,
  ConfigWarning,
  ModelInput,
  ModelInputSource,
  NeoConfig,
  NeoTarget,
  OptimizationTarget,
  OptimizationTechnique,
  StoppingSeconds,
} from './types.ts';

/**
 * Reads and checks neo.yml. `errors` stop the run (no config then); `warnings` do not: print them as
 * `::warning` annotations at their line and carry on.
 */
export function readNeoConfig(
  text: string | Uint8Array,
  file: string,
  ctx: RunContext,
): { config?: NeoConfig; errors: ConfigError[]; warnings: ConfigWarning[] } {
  try {
    return read(text, file, ctx);
  } catch (error) {
    // Only a bug gets here; say so instead of failing with a stack trace.
    const reason = error instanceof Error ? error.message : String(error);
    return {
      warnings: [],
      errors: [
        {
          file,
          line: 1,
          col: 1,
          title: 'Internal error reading the config',
          message: `neo-compile-action could not check this file (${reason}). Please report this with the file attached.`,
        },
      ],
    };
  }
}

function read(
  text: string | Uint8Array,
  file: string,
  ctx: RunContext,
): { config?: NeoConfig; errors: ConfigError[]; warnings: ConfigWarning[] } {
  const source = readSource(text);
  if (source.fatal) {
    // The structure after a syntax error is unreliable; fix the YAML first.
    return { errors: toConfigErrors(file, source, source.problems, [], []), warnings: [] };
  }
  const data = source.data;
  const schemaProblems = checkSchema(data, source);
  const problems: Problem[] = [];
  const warningProblems: Problem[] = [];
  const jobPrefix = checkJobPrefix(data, ctx, problems);
  const effective = buildTargets(data, ctx, problems);
  checkTargetCount(effective.length, problems);
  const targets: NeoTarget[] = [];
  for (const target of effective) {
    const checked = checkTarget(target, source.locate(target.entryPath), source, problems, warningProblems);
    if (checked) targets.push(checked);
  }
  checkUniqueNames(effective, source, problems);
  const merged = mergeMissingEverywhere(problems, effective.length);

  const errors = toConfigErrors(file, source, source.problems, schemaProblems, merged);
  const warnings = toConfigErrors(file, source, [], [], warningProblems).map(
    (warning): ConfigWarning => ({ ...warning, severity: 'warning' }),
  );
  if (errors.length > 0) return { errors, warnings };
  return {
    warnings,
    config: {
      version: 1,
      file,
      ...(jobPrefix !== undefined && { jobPrefix }),
      targetsPosition: source.locate(['targets'], 'key'),
      targets,
    },
    errors: [],
  };
}

/** More targets than TARGETS_MAX (see there why) is refused before any job, at the `targets:` key. */
function checkTargetCount(count: number, problems: Problem[]): void {
  if (count <= TARGETS_MAX) return;
  problems.push({
    path: ['targets'],
    at: 'key',
    title: 'Too many targets',
    message: `This file makes ${count} targets (matrix combinations included); at most ${TARGETS_MAX} are allowed: each target is a paid SageMaker job, and GitHub limits the outputs, job summary and PR comment that report them. Split the file (one neo.yml per model or device family, selected with the config input) or use the targets input to run a subset.`,
  });
}

/** Settings every target needs, which a file usually sets once at the top level. */
const USUALLY_TOP_LEVEL: Record<string, string> = {
  'No role-arn': 'role-arn: arn:aws:iam::123456789012:role/NeoCompile',
  'No output location': 'output: {s3-location: s3://bucket/${sha}/${target}/}',
  'No region': 'region: us-east-1',
};

/** "No role-arn" on every one of many targets is one missing top-level key: report it once. */
function mergeMissingEverywhere(problems: Problem[], targetCount: number): Problem[] {
  if (targetCount < 2) return problems;
  const missingEverywhere = Object.keys(USUALLY_TOP_LEVEL).filter(
    (title) => problems.filter((problem) => problem.title === title).length === targetCount,
  );
  if (missingEverywhere.length === 0) return problems;
  const kept = problems.filter((problem) => !missingEverywhere.includes(problem.title));
  for (const title of missingEverywhere) {
    const key = (USUALLY_TOP_LEVEL[title] ?? '').split(':')[0] ?? '';
    kept.push({
      path: [],
      title,
      message: `None of the ${targetCount} targets sets ${key}; set it once at the top level, e.g. ${USUALLY_TOP_LEVEL[title]}`,
      subjects: [[key]],
    });
  }
  return kept;
}

function checkJobPrefix(data: unknown, ctx: RunContext, problems: Problem[]): string | undefined {
  if (!isRecord(data) || typeof data['job-prefix'] !== 'string') return undefined;
  const path = ['job-prefix'];
  const { value, problems: found } = substitute(data['job-prefix'], { ctx, where: 'job-prefix' });
  for (const problem of found) problems.push({ path, ...problem, covers: [path] });
  const prefix = sanitizeNamePart(value);
  if (prefix === '') {
    problems.push({
      path,
      title: 'Invalid job-prefix',
      message: `job-prefix '${value}' has no letters or digits; job names are made of letters, digits and '-'.`,
    });
  } else if (prefix.length > JOB_PREFIX_MAX) {
    problems.push({
      path,
      title: 'job-prefix too long',
      message: `job-prefix '${prefix}' is ${prefix.length} characters; at most ${JOB_PREFIX_MAX} leave room for the target name and hash in the 63-character job name.`,
    });
  }
  return prefix;
}

/** Names must be unique, also once turned into job names (tx2.trt and tx2-trt would read the same). */
function checkUniqueNames(
  targets: readonly { name: string; group: string; entryPath: readonly (string | number)[] }[],
  source: SourceFile,
  problems: Problem[],
): void {
  const byName = new Map<string, (typeof targets)[number]>();
  const byJobName = new Map<string, (typeof targets)[number]>();
  for (const target of targets) {
    const namePath = [...target.entryPath, 'name'];
    const generated = target.name !== target.group ? ' (generated by its matrix)' : '';
    const first = byName.get(target.name);
    if (first) {
      const line = source.locate([...first.entryPath, 'name']).line;
      problems.push({
        path: namePath,
        title: 'Duplicate target name',
        message: `Target name '${target.name}'${generated} is already used by the target on line ${line}; target names must be unique.`,
      });
      continue;
    }
    byName.set(target.name, target);
    const jobPart = sanitizeNamePart(target.name).toLowerCase();
    const clash = byJobName.get(jobPart);
    if (clash) {
      const line = source.locate([...clash.entryPath, 'name']).line;
      problems.push({
        path: namePath,
        title: 'Target names clash in job names',
        message: `Target names '${target.name}' and '${clash.name}' (line ${line}) both become '${jobPart}' in job names; rename one.`,
      });
      continue;
    }
    byJobName.set(jobPart, target);
  }
}

/**
 * Each distinct model input (an S3 URI, or a workspace path with its upload-to) with every target that uses it
 * and every place it is written, earliest first. Model package ARNs are not included. The action uploads
 * each path once per distinct upload-to (a file spanning regions names one bucket per region; planJobs then
 * takes the URIs as options.inputUris, keyed by localModelKey) and checks each S3 input once, reporting
 * problems at these positions.
 */
export function modelInputs(config: NeoConfig): ModelInput[] {
  // Sets of seen positions and targets keep this linear: one input shared by thousands of targets is common.
  const inputs = new Map<string, { input: ModelInput; positions: Set<string>; targets: Set<string> }>();
  for (const target of config.targets) {
    const source = target.kind === 'compilation' ? target.input?.source : target.model.source;
    if (!source) continue;
    const key =
      source.kind === 's3' ? `s3\u0000${source.s3Uri}` : `path\u0000${source.path}\u0000${source.uploadTo}`;
    let entry = inputs.get(key);
    if (!entry) {
      const input: ModelInput =
        source.kind === 's3'
          ? { kind: 's3', s3Uri: source.s3Uri, positions: [], targets: [] }
          : { kind: 'path', path: source.path, uploadTo: source.uploadTo, positions: [], targets: [] };
      entry = { input, positions: new Set(), targets: new Set() };
      inputs.set(key, entry);
    }
    const position = `${source.position.line}:${source.position.col}`;
    if (!entry.positions.has(position)) {
      entry.positions.add(position);
      entry.input.positions.push({ ...source.position });
    }
    if (!entry.targets.has(target.name)) {
      entry.targets.add(target.name);
      entry.input.targets.push(target.name);
    }
  }
  const result = [...inputs.values()].map((entry) => entry.input);
  for (const input of result) input.positions.sort((a, b) => a.line - b.line || a.col - b.col);
  return result;
}
