// Reads neo.yml: YAML -> JSON Schema -> matrix and defaults -> semantic rules, reporting every problem at once
// with its line and column. No AWS call is made here; a config with any error yields no targets at all.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import type { ConfigError, RunContext, SourcePosition } from '../types.ts';
import { JOB_PREFIX_MAX } from './constraints.ts';
import { buildTargets, type EffectiveTarget, isRecord } from './effective.ts';
import { sanitizeNamePart } from './job-name.ts';
import { substitute } from './placeholders.ts';
import { type Problem, toConfigErrors } from './problems.ts';
import { checkTarget } from './rules.ts';
import { checkSchema } from './schema-check.ts';
import { readSource, type SourceFile } from './source.ts';
import type { ModelInput, NeoConfig, NeoTarget } from './types.ts';

export type {
  CompilationTarget,
  ModelInput,
  ModelInputSource,
  NeoConfig,
  NeoTarget,
  OptimizationTarget,
  OptimizationTechnique,
  StoppingSeconds,
} from './types.ts';

export function readNeoConfig(
  text: string | Uint8Array,
  file: string,
  ctx: RunContext,
): { config?: NeoConfig; errors: ConfigError[] } {
  try {
    return read(text, file, ctx);
  } catch (error) {
    // Only a bug gets here; say so instead of failing with a stack trace.
    const reason = error instanceof Error ? error.message : String(error);
    return {
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
): { config?: NeoConfig; errors: ConfigError[] } {
  const source = readSource(text);
  if (source.fatal) {
    // The structure after a syntax error is unreliable; fix the YAML first.
    return { errors: toConfigErrors(file, source, source.problems, [], []) };
  }
  const data = source.data;
  const schemaProblems = checkSchema(data, source);
  const problems: Problem[] = [];
  const jobPrefix = checkJobPrefix(data, ctx, problems);
  const effective = buildTargets(data, ctx, problems);
  const targets: NeoTarget[] = [];
  for (const target of effective) {
    const checked = checkTarget(target, source.locate(target.entryPath), source, problems);
    if (checked) targets.push(checked);
  }
  checkUniqueNames(effective, source, problems);
  checkOneUploadPerPath(effective, source, problems);
  const merged = mergeMissingEverywhere(problems, effective.length);

  const errors = toConfigErrors(file, source, source.problems, schemaProblems, merged);
  if (errors.length > 0) return { errors };
  return {
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
 * A local model is uploaded once (the action maps each path to one uploaded URI): every target using a path
 * must upload it to the same place.
 */
function checkOneUploadPerPath(
  targets: readonly EffectiveTarget[],
  source: SourceFile,
  problems: Problem[],
): void {
  const first = new Map<string, { uploadTo: string; target: EffectiveTarget }>();
  for (const target of targets) {
    const map = target.kind === 'optimization' ? 'model' : 'input';
    const settings = target.settings[map];
    if (!isRecord(settings) || settings['s3-uri'] !== undefined) continue;
    const { path, 'upload-to': uploadTo } = settings;
    if (typeof path !== 'string' || typeof uploadTo !== 'string') continue;
    const seen = first.get(path);
    if (!seen) {
      first.set(path, { uploadTo, target });
      continue;
    }
    if (seen.uploadTo === uploadTo) continue;
    const line = source.locate(
      seen.target.where([seen.target.kind === 'optimization' ? 'model' : 'input', 'upload-to']),
    ).line;
    problems.push({
      path: target.where([map, 'upload-to']),
      title: 'One path, several upload-to',
      message: `Target '${target.name}' uploads '${path}' to ${uploadTo}, but target '${seen.target.name}' uploads it to ${seen.uploadTo} (line ${line}); a local model is uploaded once: use one upload-to for it.`,
    });
  }
}

/**
 * Each distinct model input (an S3 URI, or a workspace path with its upload-to) with every target that uses it
 * and every place it is written, earliest first. Model package ARNs are not included. The action uploads
 * each path once (planJobs then takes the URIs as options.inputUris, keyed by path) and checks each S3 input
 * once, reporting problems at these positions.
 */
export function modelInputs(config: NeoConfig): ModelInput[] {
  const inputs = new Map<string, ModelInput>();
  for (const target of config.targets) {
    const source = target.kind === 'compilation' ? target.input?.source : target.model.source;
    if (!source) continue;
    const key = source.kind === 's3' ? `s3\u0000${source.s3Uri}` : `path\u0000${source.path}`;
    let input = inputs.get(key);
    if (!input) {
      input =
        source.kind === 's3'
          ? { kind: 's3', s3Uri: source.s3Uri, positions: [], targets: [] }
          : { kind: 'path', path: source.path, uploadTo: source.uploadTo, positions: [], targets: [] };
      inputs.set(key, input);
    }
    if (!input.positions.some((position) => samePosition(position, source.position))) {
      input.positions.push({ ...source.position });
    }
    if (!input.targets.includes(target.name)) input.targets.push(target.name);
  }
  for (const input of inputs.values()) input.positions.sort((a, b) => a.line - b.line || a.col - b.col);
  return [...inputs.values()];
}

const samePosition = (a: SourcePosition, b: SourcePosition) => a.line === b.line && a.col === b.col;
