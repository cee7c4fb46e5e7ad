// Semantic rules: everything the schema cannot say (cross-field rules, inherited values, substituted
// placeholders, per-framework shapes, regions). Each target is checked with its effective settings; the
// checked target comes back typed, ready for the planner.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import { parseByteSize, parseGrowthPercent } from '../report/sizes.ts';
import type { SourcePosition } from '../types.ts';
import { checkCompilerOptions } from './compiler-options.ts';
import {
  COMPILER_OPTIONS_LENGTH,
  COREML_FRAMEWORKS,
  DATA_INPUT_CONFIG_LENGTH,
  DEFAULT_COMPILATION_RUNTIME,
  DEFAULT_OPTIMIZATION_RUNTIME,
  ECR_IMAGE_PATTERN,
  ENVIRONMENT_VALUE_MAX,
  FRAMEWORKS,
  FRAMEWORKS_WITH_VERSION,
  FRAMEWORKS_WITHOUT_DATA_INPUT,
  IMAGE_MAX,
  KMS_KEY_FORMS,
  KMS_KEY_MAX,
  MAX_PENDING_RANGE,
  MAX_RUNTIME_RANGE,
  MODEL_PACKAGE_ARN_LENGTH,
  MODEL_PACKAGE_ARN_PATTERN,
  REGION_PATTERN,
  ROLE_ARN_LENGTH,
  ROLE_ARN_PATTERN,
  S3_BUCKET_PATTERN,
  S3_URI_MAX,
  S3_URI_PATTERN,
  SECURITY_GROUP_PATTERN,
  SUBNET_PATTERN,
  TAG_KEY_LENGTH,
  TAG_PATTERN,
  TAG_VALUE_LENGTH,
  TAGS_MAX,
  TARGET_NAME_MAX,
  TARGET_NAME_PATTERN,
  VPC_ID_MAX,
} from './constraints.ts';
import { checkDataInputConfig } from './data-input.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { type EffectiveTarget, type FieldPath, isRecord } from './effective.ts';
import { undocumentedVersion } from './framework-versions.ts';
import { escapeInvisible, invisibleProblem } from './invisible.ts';
import type { Problem } from './problems.ts';
import { arnParts, isKnownRegion, nearestRegions, partitionOf, regionsForDevice } from './regions.ts';
import { DURATION_PATTERN } from './schema.ts';
import type { DocPath, SourceFile } from './source.ts';
import type {
  CompilationTarget,
  ModelInputSource,
  NeoTarget,
  OptimizationTarget,
  OptimizationTechnique,
  StoppingSeconds,
  TargetCommon,
} from './types.ts';

type Record_ = Record<string, unknown>;

interface ReportOptions {
  at?: 'key' | 'value';
  needle?: string;
  /** The problem depends on this target (not only on the value): name the target when the value is shared. */
  perTarget?: boolean;
  /**
   * What the problem is about besides its position, e.g. a missing key (a key of the entry, or a field path),
   * so that it is dropped when a misspelled key explains it.
   */
  about?: (string | FieldPath)[];
}

/** One target being checked: its settings, and how to report a problem at one of them. */
class TargetCheck {
  readonly target: EffectiveTarget;
  readonly source: SourceFile;
  readonly problems: Problem[];
  /** Problems that do not stop the run (e.g. a framework version Neo does not document). */
  readonly warnings: Problem[];
  failed = false;

  constructor(target: EffectiveTarget, source: SourceFile, problems: Problem[], warnings: Problem[]) {
    this.target = target;
    this.source = source;
    this.problems = problems;
    this.warnings = warnings;
  }

  get(field: FieldPath): unknown {
    let value: unknown = this.target.settings;
    for (const segment of field) {
      if (Array.isArray(value) && typeof segment === 'number') value = value[segment];
      else if (isRecord(value) && typeof segment === 'string') value = value[segment];
      else return undefined;
    }
    return value;
  }

  string(field: FieldPath): string | undefined {
    const value = this.get(field);
    return typeof value === 'string' ? value : undefined;
  }

  record(field: FieldPath): Record_ {
    const value = this.get(field);
    return isRecord(value) ? value : {};
  }

  /** Reports at a setting (where it was written), or at the target's entry when `field` is empty. */
  report(field: FieldPath, title: string, message: string, options: ReportOptions = {}): void {
    const path = field.length === 0 ? this.target.entryPath : this.target.where(field);
    this.reportAt(path, title, message, options);
  }

  reportAt(path: DocPath, title: string, message: string, options: ReportOptions = {}): void {
    this.failed = true;
    this.problems.push(this.problem(path, title, message, options));
  }

  /** A warning at a setting: shown at its line, the target is still planned. */
  warn(field: FieldPath, title: string, message: string, options: ReportOptions = {}): void {
    this.warnings.push(this.problem(this.target.where(field), title, message, options));
  }

  private problem(path: DocPath, title: string, message: string, options: ReportOptions): Problem {
    const shared = !isUnder(path, this.target.entryPath) || this.target.name !== this.target.group;
    return {
      path,
      at: options.at,
      needle: options.needle,
      title,
      message,
      target: options.perTarget && shared ? this.target.name : undefined,
      // A key missing from the entry may also be misspelled at the top level, where it would be inherited from.
      subjects: options.about?.flatMap((subject) =>
        typeof subject === 'string'
          ? [[...this.target.entryPath, subject], [subject]]
          : [this.target.where(subject)],
      ),
    };
  }

  /** A tag or environment value as written: YAML numbers and booleans keep their source text. */
  text(field: FieldPath): string | undefined {
    const value = this.get(field);
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') {
      return this.source.scalarSource(this.target.where(field)) ?? String(value);
    }
    return undefined;
  }
}

function isUnder(path: DocPath, prefix: DocPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);
}

const COMPILATION_ONLY = ['device', 'platform', 'input', 'model-package-arn', 'compiler-options'];
const OPTIMIZATION_ONLY = ['instance-type', 'model', 'environment', 'optimizations', 'max-instance-count'];
const TECHNIQUES: readonly OptimizationTechnique[] = ['quantization', 'compilation', 'sharding'];

/** Checks one target; returns it typed when none of its settings has a problem. */
export function checkTarget(
  target: EffectiveTarget,
  position: SourcePosition,
  source: SourceFile,
  problems: Problem[],
  warnings: Problem[] = [],
): NeoTarget | undefined {
  const check = new TargetCheck(target, source, problems, warnings);
  checkName(check);
  const common = checkCommon(check, position);
  const result =
    target.kind === 'optimization' ? checkOptimization(check, common) : checkCompilation(check, common);
  return check.failed ? undefined : result;
}

function checkName(check: TargetCheck): void {
  const { name, group, entryPath } = check.target;
  const generated = name !== group;
  if (name.length <= TARGET_NAME_MAX && TARGET_NAME_PATTERN.test(name)) return;
  // A literal name that breaks the pattern is reported by the schema; this catches generated names.
  if (!generated && name.length <= TARGET_NAME_MAX) return;
  check.reportAt(
    [...entryPath, 'name'],
    'Invalid target name',
    name.length > TARGET_NAME_MAX
      ? `Target name '${name}' is ${name.length} characters; at most ${TARGET_NAME_MAX} are allowed${generated ? ' (matrix values are appended to the name; set a shorter name using ${matrix.KEY})' : ''}.`
      : `Target name '${name}' cannot be used in job names; use letters, digits, '.', '_' and '-', starting and ending with a letter or digit.`,
  );
}

function checkCommon(check: TargetCheck, position: SourcePosition): TargetCommon {
  const { target } = check;
  const region = check.string(['region']) ?? '';
  if (region === '') {
    check.report(
      [],
      'No region',
      'No AWS Region for this target: set region: in neo.yml, or AWS_REGION in the job (e.g. with aws-actions/configure-aws-credentials).',
      { about: ['region'] },
    );
  } else if (!REGION_PATTERN.test(region) || !isKnownRegion(region)) {
    const fromJob = target.where(['region']) === target.entryPath;
    const nearest = nearestRegions(region);
    const fix =
      nearest.length > 0
        ? `did you mean ${listOr(nearest)}?`
        : 'use one such as us-east-1 (see https://docs.aws.amazon.com/general/latest/gr/sagemaker.html).';
    check.report(
      ['region'],
      REGION_PATTERN.test(region) ? 'Unknown AWS Region' : 'Invalid AWS Region',
      REGION_PATTERN.test(region)
        ? `'${region}'${fromJob ? " (the job's AWS_REGION)" : ''} is not an AWS Region; ${fix}`
        : `'${escapeInvisible(region)}'${fromJob ? " (the job's AWS_REGION)" : ''} is not an AWS Region code; ${fix}`,
    );
  }

  const roleArn = check.string(['role-arn']);
  if (check.get(['role-arn']) === undefined) {
    check.report(
      [],
      'No role-arn',
      'Set role-arn (at the top level or on this target): the IAM role SageMaker assumes for the job.',
      {
        perTarget: true,
        about: ['role-arn'],
      },
    );
  } else if (roleArn !== undefined) {
    checkArn(
      check,
      ['role-arn'],
      roleArn,
      'IAM role ARN',
      ROLE_ARN_PATTERN,
      ROLE_ARN_LENGTH,
      'arn:aws:iam::123456789012:role/NeoCompile',
    );
    const parts = arnParts(roleArn);
    if (
      parts &&
      REGION_PATTERN.test(region) &&
      ROLE_ARN_PATTERN.test(roleArn) &&
      parts.partition !== partitionOf(region)
    ) {
      check.report(
        ['role-arn'],
        'Role in another partition',
        `The role is in partition ${parts.partition} but region ${region} is in ${partitionOf(region)}; use a role of that partition (arn:${partitionOf(region)}:iam::...).`,
        { perTarget: true },
      );
    }
  }

  const s3Location = check.string(['output', 's3-location']);
  if (check.get(['output', 's3-location']) === undefined) {
    check.report(
      check.get(['output']) === undefined ? [] : ['output'],
      'No output location',
      'Set output.s3-location (at the top level or on this target): the S3 prefix for the compiled model, e.g. s3://bucket/${sha}/${target}/.',
      { perTarget: true, at: 'key', about: ['output'] },
    );
  } else if (s3Location !== undefined) {
    checkS3Uri(check, ['output', 's3-location'], s3Location, 's3://bucket/prefix/');
  }
  const writtenOutput = target.written.output;
  const writtenLocation = isRecord(writtenOutput) ? writtenOutput['s3-location'] : undefined;
  const kmsKeyId = check.string(['output', 'kms-key-id']);
  if (kmsKeyId !== undefined) checkKmsKey(check, kmsKeyId);

  const stoppingCondition = checkStoppingCondition(check);
  const vpc = checkVpc(check);
  const tags = checkTags(check);
  const budget = checkBudget(check);
  const history = check.string(['history']);
  if (history !== undefined) checkS3Uri(check, ['history'], history, 's3://bucket/neo-history/');
  return {
    name: target.name,
    group: target.group,
    position,
    region,
    roleArn: roleArn ?? '',
    output: {
      s3Location: s3Location ?? '',
      ...(kmsKeyId !== undefined && { kmsKeyId }),
      ...(typeof writtenLocation === 'string' && { s3LocationAsWritten: writtenLocation }),
    },
    stoppingCondition,
    ...(vpc && { vpc }),
    tags,
    ...(budget && { budget }),
    ...(history !== undefined && { history }),
  };
}

/** `budget: {max-size: 25MB, max-growth: 10%}` in bytes and percent (the schema checked the forms). */
function checkBudget(check: TargetCheck): TargetCommon['budget'] {
  const budget = check.get(['budget']);
  if (!isRecord(budget)) return undefined;
  const rawSize = budget['max-size'];
  const maxSize =
    typeof rawSize === 'number' ? rawSize : typeof rawSize === 'string' ? parseByteSize(rawSize) : undefined;
  if (rawSize !== undefined && (maxSize === undefined || !Number.isSafeInteger(maxSize))) {
    check.report(
      ['budget', 'max-size'],
      'Invalid size',
      `'${String(rawSize)}' is not a size; write a number with B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB, e.g. 25MB.`,
    );
  }
  const rawGrowth = budget['max-growth'];
  const maxGrowthPercent = typeof rawGrowth === 'string' ? parseGrowthPercent(rawGrowth) : undefined;
  return {
    ...(maxSize !== undefined && Number.isSafeInteger(maxSize) && { maxSize }),
    ...(maxGrowthPercent !== undefined && { maxGrowthPercent }),
  };
}

/** "a", "a or b", "a, b or c". */
function listOr(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function checkArn(
  check: TargetCheck,
  field: FieldPath,
  value: string,
  what: string,
  pattern: RegExp,
  length: { min: number; max: number },
  example: string,
): void {
  if (value.length < length.min || value.length > length.max) {
    check.report(
      field,
      `Invalid ${what}`,
      `The ${what} is ${value.length} characters; it must be ${length.min} to ${length.max}.`,
    );
  } else if (!pattern.test(value)) {
    check.report(
      field,
      `Invalid ${what}`,
      `'${value}' is not a valid ${what}; it must look like ${example}.`,
    );
  }
}

function checkS3Uri(check: TargetCheck, field: FieldPath, value: string, example: string): boolean {
  const invisible = invisibleProblem(value);
  if (invisible !== undefined) {
    check.report(field, 'Invisible character in S3 URI', `${invisible}.`);
    return false;
  }
  if (value.length > S3_URI_MAX) {
    check.report(
      field,
      'S3 URI too long',
      `The S3 URI is ${value.length} characters; at most ${S3_URI_MAX} are allowed.`,
    );
    return false;
  }
  const match = S3_URI_PATTERN.exec(value);
  if (!match) {
    check.report(
      field,
      'Invalid S3 URI',
      `'${value}' is not an S3 URI; it must look like ${example} (s3:// or https://).`,
    );
    return false;
  }
  const bucket = match[2] ?? '';
  if (match[1] === 's3' && !S3_BUCKET_PATTERN.test(bucket)) {
    check.report(
      field,
      'Invalid S3 bucket name',
      `'${bucket}' is not a valid bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.`,
    );
    return false;
  }
  return true;
}

function checkKmsKey(check: TargetCheck, value: string): void {
  if (value.length > KMS_KEY_MAX || !KMS_KEY_FORMS.some((form) => form.pattern.test(value))) {
    check.report(
      ['output', 'kms-key-id'],
      'Invalid KMS key',
      `'${value}' is not a KMS key reference. Use a key id (1234abcd-12ab-34cd-56ef-1234567890ab), a key ARN (arn:aws:kms:us-west-2:111122223333:key/1234abcd-...), an alias name (alias/ExampleAlias) or an alias ARN (arn:aws:kms:us-west-2:111122223333:alias/ExampleAlias).`,
    );
  }
}

function checkStoppingCondition(check: TargetCheck): StoppingSeconds {
  const condition = check.record(['stopping-condition']);
  const field = (key: string) => ['stopping-condition', key];
  // Seconds as written: YAML rounds integers past 2^53.
  const written = (key: string, value: number) =>
    typeof condition[key] === 'number'
      ? (check.source.scalarSource(check.target.where(field(key))) ?? String(value))
      : String(value);
  const seconds = (key: string): number | undefined => {
    const value = condition[key];
    if (value === undefined) return undefined;
    const parsed = parseDuration(value);
    if (parsed !== undefined) return parsed;
    // Wrong formats are reported by the schema; a value too large to count (past 2^53 seconds) is caught
    // here rather than silently replaced by the default.
    const text = typeof value === 'number' ? written(key, value) : String(value);
    if (typeof value === 'number' || DURATION_PATTERN.test(text.trim())) {
      check.report(
        field(key),
        `${key} out of range`,
        `${key} is ${text}${typeof value === 'number' ? ' s' : ''}, far more than 28 days (${MAX_RUNTIME_RANGE.max} s).`,
      );
    }
    return undefined;
  };
  const defaultRuntime =
    check.target.kind === 'optimization' ? DEFAULT_OPTIMIZATION_RUNTIME : DEFAULT_COMPILATION_RUNTIME;
  const runtime = seconds('max-runtime');
  const wait = seconds('max-wait');
  const pending = seconds('max-pending');

  if (runtime !== undefined && (runtime < MAX_RUNTIME_RANGE.min || runtime > MAX_RUNTIME_RANGE.max)) {
    check.report(
      field('max-runtime'),
      'max-runtime out of range',
      `max-runtime is ${formatDuration(runtime)} (${written('max-runtime', runtime)} s); it must be from 1 second to 28 days (${MAX_RUNTIME_RANGE.max} s).`,
    );
  }
  if (pending !== undefined && (pending < MAX_PENDING_RANGE.min || pending > MAX_PENDING_RANGE.max)) {
    check.report(
      field('max-pending'),
      'max-pending out of range',
      `max-pending is ${formatDuration(pending)} (${written('max-pending', pending)} s); it must be from 2h (${MAX_PENDING_RANGE.min} s) to 28d (${MAX_PENDING_RANGE.max} s).`,
    );
  }
  const effectiveRuntime = runtime ?? defaultRuntime;
  if (wait !== undefined && wait < effectiveRuntime) {
    check.report(
      field('max-wait'),
      'max-wait shorter than max-runtime',
      `max-wait (${formatDuration(wait)}) must be at least max-runtime (${formatDuration(effectiveRuntime)}${runtime === undefined ? ', the default' : ''}); raise max-wait or lower max-runtime.`,
      { perTarget: true },
    );
  }
  return {
    maxRuntimeInSeconds: effectiveRuntime,
    ...(wait !== undefined && { maxWaitTimeInSeconds: wait }),
    ...(pending !== undefined && { maxPendingTimeInSeconds: pending }),
  };
}

function checkVpc(check: TargetCheck): { securityGroupIds: string[]; subnets: string[] } | undefined {
  const vpc = check.get(['vpc']);
  if (!isRecord(vpc)) return undefined;
  const list = (key: string, pattern: RegExp, example: string): string[] => {
    const values = Array.isArray(vpc[key]) ? (vpc[key] as unknown[]) : [];
    values.forEach((id, index) => {
      if (typeof id !== 'string') return;
      if (id.length > VPC_ID_MAX || !pattern.test(id)) {
        check.report(
          ['vpc', key, index],
          `Invalid ${key === 'subnets' ? 'subnet' : 'security group'} id`,
          `'${id}' is not a valid id; ids look like ${example}.`,
        );
      }
    });
    return values.filter((id): id is string => typeof id === 'string');
  };
  return {
    securityGroupIds: list('security-group-ids', SECURITY_GROUP_PATTERN, 'sg-0123abcd'),
    subnets: list('subnets', SUBNET_PATTERN, 'subnet-0123abcd'),
  };
}

function checkTags(check: TargetCheck): { key: string; value: string }[] {
  const tags = check.record(['tags']);
  const keys = Object.keys(tags);
  if (keys.length > TAGS_MAX) {
    // Point at the target's own tags when it has some: the top-level ones may be fine for other targets.
    const path = check.target.own.has('tags')
      ? [...check.target.entryPath, 'tags']
      : check.target.where(['tags']);
    check.reportAt(
      path,
      'Too many tags',
      `This target has ${keys.length} tags (top-level and its own); at most ${TAGS_MAX} are allowed.`,
      {
        perTarget: true,
        at: 'key',
      },
    );
  }
  const result: { key: string; value: string }[] = [];
  for (const key of keys) {
    const field = ['tags', key];
    if (key.length < TAG_KEY_LENGTH.min || key.length > TAG_KEY_LENGTH.max) {
      check.report(
        field,
        'Invalid tag key',
        `Tag key '${key}' is ${key.length} characters; it must be ${TAG_KEY_LENGTH.min} to ${TAG_KEY_LENGTH.max}.`,
        { at: 'key' },
      );
    } else if (!TAG_PATTERN.test(key)) {
      check.report(
        field,
        'Invalid tag key',
        `Tag key '${key}' may only use letters, digits, spaces and _ . : / = + - @.`,
        { at: 'key' },
      );
    } else if (key.toLowerCase().startsWith('aws:')) {
      check.report(
        field,
        'Reserved tag key',
        `Tag keys starting with 'aws:' are reserved by AWS; rename '${key}'.`,
        { at: 'key' },
      );
    }
    const value = check.text(field);
    if (value === undefined) continue;
    if (value.length > TAG_VALUE_LENGTH.max) {
      check.report(
        field,
        'Tag value too long',
        `The value of tag '${key}' is ${value.length} characters; at most ${TAG_VALUE_LENGTH.max} are allowed.`,
      );
    } else if (!TAG_PATTERN.test(value)) {
      check.report(
        field,
        'Invalid tag value',
        `The value of tag '${key}' ('${value}') may only use letters, digits, spaces and _ . : / = + - @.`,
      );
    }
    result.push({ key, value });
  }
  return result;
}

function checkCompilation(check: TargetCheck, common: TargetCommon): CompilationTarget {
  const { target } = check;
  for (const key of OPTIMIZATION_ONLY) {
    if (check.get([key]) === undefined) continue;
    check.report(
      [key],
      'Optimization setting on a compilation target',
      `${key} is only for optimization targets; add kind: optimization to this target, or remove ${key}.`,
      {
        at: 'key',
      },
    );
  }
  const region = common.region;

  // Model source: exactly one of input and model-package-arn.
  const hasInput = check.get(['input']) !== undefined;
  const hasPackage = check.get(['model-package-arn']) !== undefined;
  if (hasInput && hasPackage) {
    const own = target.own.has('input') && target.own.has('model-package-arn');
    check.report(
      ['model-package-arn'],
      'Both input and model-package-arn',
      own
        ? 'A compilation job takes either input (an S3 model) or model-package-arn, not both; remove one.'
        : 'The top level sets both input and model-package-arn; a compilation job takes one of them: remove one, or set them per target.',
      { at: 'key' },
    );
  } else if (!hasInput && !hasPackage) {
    check.report(
      [],
      'No model to compile',
      'Set input (s3-uri or path, framework, data-input-config) or model-package-arn, on this target or at the top level.',
      { about: ['input', 'model-package-arn'] },
    );
  }
  const device = check.string(['device']);
  const platform = check.record(['platform']);
  const hasPlatform = check.get(['platform']) !== undefined;
  let input: CompilationTarget['input'];
  if (hasInput && !hasPackage) input = checkInput(check, device);
  const modelPackageArn = hasPackage && !hasInput ? checkModelPackage(check, region) : undefined;
  const modelPackageArnPosition =
    modelPackageArn !== undefined ? check.source.locate(target.where(['model-package-arn'])) : undefined;

  if (device !== undefined && hasPlatform) {
    check.report(
      ['platform'],
      'Both device and platform',
      'Use either device or platform (TargetDevice or TargetPlatform), not both.',
      { at: 'key' },
    );
  } else if (check.get(['device']) === undefined && !hasPlatform) {
    check.report(
      [],
      'No device or platform',
      'Set device (e.g. device: jetson_nano) or platform (e.g. platform: {os: LINUX, arch: ARM64}) on this target.',
      { about: ['device', 'platform'] },
    );
  }
  if (device !== undefined) {
    const regions = regionsForDevice(device);
    if (regions && region !== '' && !regions.includes(region)) {
      check.report(
        ['device'],
        'Device not available in this region',
        `${device} is only available in ${regions.join(', ')}, but this target runs in ${region}; set region: ${regions[0]} on this target.`,
        { perTarget: true },
      );
    }
  }
  const os = typeof platform.os === 'string' ? platform.os : undefined;
  const arch = typeof platform.arch === 'string' ? platform.arch : undefined;
  const accelerator = typeof platform.accelerator === 'string' ? platform.accelerator : undefined;

  const options = oneLineOptions(check);
  let compilerOptions: string | undefined;
  if (options === undefined) {
    if (accelerator === 'NVIDIA') {
      check.report(
        ['platform', 'accelerator'],
        'NVIDIA compiler options missing',
        'The NVIDIA accelerator requires compiler-options with gpu-code, trt-ver and cuda-ver, e.g. compiler-options: {gpu-code: sm_62, trt-ver: 6.0.1, cuda-ver: "10.0"}.',
        { perTarget: true },
      );
    }
  } else {
    checkCompilerOptions(
      options,
      {
        device,
        os,
        accelerator,
        sourceOf: (field) => check.source.scalarSource(target.where(['compiler-options', ...field])),
      },
      (field, title, message, options = {}) =>
        check.report(['compiler-options', ...field], title, message, {
          perTarget: !options.intrinsic,
          at: options.at,
        }),
    );
    compilerOptions = typeof options === 'string' ? options : JSON.stringify(options);
    if (
      typeof compilerOptions === 'string' &&
      (compilerOptions.length < COMPILER_OPTIONS_LENGTH.min ||
        compilerOptions.length > COMPILER_OPTIONS_LENGTH.max)
    ) {
      check.report(
        ['compiler-options'],
        'CompilerOptions length',
        `compiler-options is ${compilerOptions.length} characters as sent; it must be ${COMPILER_OPTIONS_LENGTH.min} to ${COMPILER_OPTIONS_LENGTH.max}.`,
      );
    }
  }

  return {
    ...common,
    kind: 'compilation',
    ...(input && { input }),
    ...(modelPackageArn !== undefined && { modelPackageArn }),
    ...(modelPackageArnPosition && { modelPackageArnPosition }),
    ...(device !== undefined && { targetDevice: device as CompilationTarget['targetDevice'] }),
    ...(hasPlatform &&
      device === undefined && {
        targetPlatform: {
          os: os as NonNullable<CompilationTarget['targetPlatform']>['os'],
          arch: arch as NonNullable<CompilationTarget['targetPlatform']>['arch'],
          ...(accelerator !== undefined && {
            accelerator: accelerator as NonNullable<CompilationTarget['targetPlatform']>['accelerator'],
          }),
        },
      }),
    ...(compilerOptions !== undefined && { compilerOptions }),
  };
}

/**
 * compiler-options as sent: CompilerOptions is one line (the API pattern `.*`). A YAML block scalar (`|`, `>`)
 * ends with a line break the user did not mean: it is dropped. A line break inside the value is an error.
 */
function oneLineOptions(check: TargetCheck): unknown {
  const options = check.get(['compiler-options']);
  if (typeof options !== 'string') return options;
  const written = check.source.scalarSource(check.target.where(['compiler-options'])) ?? '';
  const value = /^[|>]/.test(written) ? options.replace(/\r?\n$/, '') : options;
  const lineBreak = /[\n\r\u0085\u2028\u2029]/.exec(value);
  if (lineBreak) {
    check.report(
      ['compiler-options'],
      'Line break in compiler-options',
      `compiler-options '${escapeInvisible(value)}' has a line break at character ${lineBreak.index + 1}; SageMaker takes CompilerOptions as one line. Write it on one line, or as a map (e.g. compiler-options: {mcpu: skylake-avx512}).`,
    );
  }
  return value;
}

function checkInput(check: TargetCheck, device: string | undefined): CompilationTarget['input'] {
  const input = check.record(['input']);
  const source = checkModelSource(check, 'input', (s3Uri) => {
    if (!checkS3Uri(check, ['input', 's3-uri'], s3Uri, 's3://bucket/model.tar.gz')) return;
    if (!/\.tar\.gz$/.test(s3Uri)) {
      check.report(
        ['input', 's3-uri'],
        'Model is not a .tar.gz',
        `'${s3Uri}' must point to a single gzip-compressed tar archive ending in .tar.gz (e.g. s3://bucket/model.tar.gz).`,
      );
    }
  });

  const written = check.string(['input', 'framework']);
  // An unknown framework is reported by the schema; rules that depend on it skip it.
  const framework = written !== undefined && FRAMEWORKS.includes(written) ? written : undefined;
  if (input.framework === undefined) {
    check.report(
      ['input'],
      'Input has no framework',
      'input needs framework (e.g. PYTORCH, TENSORFLOW, ONNX), here or in the top-level input.',
      {
        perTarget: true,
        at: 'key',
        about: [['input', 'framework']],
      },
    );
  }
  const frameworkVersion = check.string(['input', 'framework-version']);
  if (
    input['framework-version'] !== undefined &&
    framework !== undefined &&
    !FRAMEWORKS_WITH_VERSION.includes(framework)
  ) {
    check.report(
      ['input', 'framework-version'],
      'framework-version not supported',
      `framework-version is only supported for ${FRAMEWORKS_WITH_VERSION.join(', ')}; remove it for ${framework}.`,
      { perTarget: true, at: 'key' },
    );
  }
  if (frameworkVersion !== undefined && framework !== undefined) {
    const documented = undocumentedVersion(framework, frameworkVersion);
    if (documented) {
      check.warn(
        ['input', 'framework-version'],
        'Framework version not documented for Neo',
        `Neo documents ${framework} versions ${documented.join(', ')}, not ${frameworkVersion}; the job may fail if Neo does not support it (a newer version may simply be missing from this list).`,
      );
    }
  }
  if (device === 'coreml' && framework !== undefined && !COREML_FRAMEWORKS.includes(framework)) {
    check.report(
      ['input', 'framework'],
      'Framework not supported by coreml',
      `The CoreML converter supports ${COREML_FRAMEWORKS.join(' and ')} models, not ${framework}.`,
      { perTarget: true },
    );
  }

  const dataInput = input['data-input-config'];
  let dataInputConfig: string | undefined;
  if (dataInput === undefined) {
    if (framework !== undefined && !FRAMEWORKS_WITHOUT_DATA_INPUT.includes(framework)) {
      check.report(
        ['input'],
        'No data-input-config',
        `input needs data-input-config for ${framework}: the name and shape of each model input, e.g. data-input-config: ${
          framework === 'TENSORFLOW' || framework === 'TFLITE'
            ? '{input: [1, 224, 224, 3]}'
            : '{input0: [1, 3, 224, 224]}'
        }.`,
        { perTarget: true, at: 'key', about: [['input', 'data-input-config']] },
      );
    }
  } else {
    checkDataInputConfig(
      dataInput,
      {
        framework,
        coreml: device === 'coreml',
        sourceOf: (field) =>
          check.source.scalarSource(check.target.where(['input', 'data-input-config', ...field])),
      },
      (field, title, message, options = {}) =>
        check.report(['input', 'data-input-config', ...field], title, message, {
          perTarget: !options.intrinsic,
          at: options.at,
        }),
    );
    dataInputConfig = typeof dataInput === 'string' ? dataInput : JSON.stringify(dataInput);
    if (
      typeof dataInputConfig === 'string' &&
      (dataInputConfig.length < DATA_INPUT_CONFIG_LENGTH.min ||
        dataInputConfig.length > DATA_INPUT_CONFIG_LENGTH.max)
    ) {
      check.report(
        ['input', 'data-input-config'],
        'DataInputConfig length',
        `data-input-config is ${dataInputConfig.length} characters as sent; it must be ${DATA_INPUT_CONFIG_LENGTH.min} to ${DATA_INPUT_CONFIG_LENGTH.max}.`,
      );
    }
  }
  return {
    s3Uri: source.kind === 's3' ? source.s3Uri : '',
    source,
    framework: (written ?? '') as NonNullable<CompilationTarget['input']>['framework'],
    ...(frameworkVersion !== undefined && { frameworkVersion }),
    ...(dataInputConfig !== undefined && { dataInputConfig }),
    ...(input?.preflight === false && { preflight: false }),
  };
}

/**
 * The model source of input (compilation) or model (optimization): s3-uri, or path with upload-to. Returns
 * the source; when it has a problem (reported), the target is dropped, so the placeholder returned is unused.
 */
function checkModelSource(
  check: TargetCheck,
  map: 'input' | 'model',
  checkS3: (s3Uri: string) => void,
): ModelInputSource {
  const { target } = check;
  const written = check.record([map]);
  const s3Uri = check.string([map, 's3-uri']);
  const path = check.string([map, 'path']);
  const uploadTo = check.string([map, 'upload-to']);
  const position = (key: string) => check.source.locate(target.where([map, key]));
  const hasS3 = written['s3-uri'] !== undefined;
  const hasPath = written.path !== undefined;

  if (hasS3 && hasPath) {
    check.report(
      [map, 'path'],
      'Both s3-uri and path',
      `${map} sets both s3-uri and path; use s3-uri for a model in S3 or path for a model in the workspace, not both.`,
      { at: 'key' },
    );
  } else if (!hasS3 && !hasPath) {
    if (map === 'input') {
      check.report(
        ['input'],
        'Input has no s3-uri or path',
        'input needs s3-uri (the S3 URI of the model archive, .tar.gz) or path (the model in the workspace, with upload-to), here or in the top-level input.',
        {
          perTarget: true,
          at: 'key',
          about: [
            ['input', 's3-uri'],
            ['input', 'path'],
          ],
        },
      );
    } else {
      check.report(
        check.get(['model']) === undefined ? [] : ['model'],
        'No model to optimize',
        'Set model.s3-uri: the S3 URI of the model to optimize, e.g. model: {s3-uri: s3://models/llama/}, or model.path and model.upload-to for a model in the workspace.',
        { at: 'key', about: ['model'] },
      );
    }
  } else if (hasS3) {
    if (s3Uri !== undefined) checkS3(s3Uri);
    // A top-level upload-to is a default for the targets that set a path; one written on the target is a slip.
    if (written['upload-to'] !== undefined && isUnder(target.where([map, 'upload-to']), target.entryPath)) {
      check.report(
        [map, 'upload-to'],
        'upload-to without path',
        'upload-to is only used with path (a model in the workspace, which the action uploads); remove it, or replace s3-uri with path.',
        { at: 'key' },
      );
    }
  } else {
    if (path !== undefined) checkWorkspacePath(check, [map, 'path'], path);
    if (written['upload-to'] === undefined) {
      check.report(
        [map, 'path'],
        'path needs upload-to',
        `${map}.path needs upload-to: the S3 prefix the action uploads the model to, e.g. upload-to: s3://bucket/neo-inputs/ (on this target or in the top-level ${map}).`,
        { at: 'key', perTarget: true, about: [[map, 'upload-to']] },
      );
    } else if (
      uploadTo !== undefined &&
      checkS3Uri(check, [map, 'upload-to'], uploadTo, 's3://bucket/neo-inputs/')
    ) {
      if (/\.tar\.gz$/.test(uploadTo)) {
        check.report(
          [map, 'upload-to'],
          'upload-to is a prefix',
          `upload-to is the S3 prefix to upload under (the action names the object after its content); remove the file name, e.g. ${uploadTo.replace(/[^/]*$/, '')}.`,
        );
      }
    }
  }

  if (hasPath && !hasS3) {
    return {
      kind: 'path',
      path: path ?? '',
      uploadTo: uploadTo ?? '',
      position: position('path'),
      uploadToPosition: position('upload-to'),
    };
  }
  return { kind: 's3', s3Uri: s3Uri ?? '', position: position('s3-uri') };
}

const WORKSPACE_PATH_FIX =
  'Use a path relative to the workspace (the repository checkout), e.g. models/resnet50.tar.gz: write the model there in an earlier step, or upload it to S3 yourself and use s3-uri.';

/**
 * A model path must stay in the workspace as written (symlinks are followed later, by the action) and name a
 * .tar.gz file or a directory (packed by the action): a name with another extension is neither.
 */
function checkWorkspacePath(check: TargetCheck, field: FieldPath, value: string): void {
  const outside = (message: string) =>
    check.report(field, 'Path outside the workspace', `${message} ${WORKSPACE_PATH_FIX}`);
  if (value.trim() === '') {
    check.report(field, 'Empty path', `path is empty. ${WORKSPACE_PATH_FIX}`);
    return;
  }
  if (value.startsWith('~')) {
    outside(
      `'${value}' starts with ~ (a home directory), which is outside the workspace and is not expanded.`,
    );
    return;
  }
  if (/^[\\/]/.test(value) || /^[A-Za-z]:/.test(value)) {
    outside(`'${value}' is an absolute path; path is relative to the workspace.`);
    return;
  }
  const segments = value.split(/[\\/]/);
  let depth = 0;
  for (const segment of segments) {
    if (segment === '..') depth--;
    else if (segment !== '' && segment !== '.') depth++;
    if (depth < 0) {
      outside(`'${value}' climbs above the workspace with '..'.`);
      return;
    }
  }
  if (/[\\/]$/.test(value)) return;
  const name = segments[segments.length - 1] ?? '';
  const dot = name.lastIndexOf('.');
  if (name.endsWith('.tar.gz') || name === '..' || dot <= 0) return;
  check.report(
    field,
    'Model is not a .tar.gz',
    `'${value}' is a ${name.slice(dot)} file; Neo takes a single gzip-compressed tar archive: pack it into a .tar.gz, or point path at the directory to pack (end it with / if the directory name has a dot, e.g. ${value}/).`,
  );
}

function checkModelPackage(check: TargetCheck, region: string): string | undefined {
  const arn = check.string(['model-package-arn']);
  if (arn === undefined) return undefined;
  const before = check.problems.length;
  checkArn(
    check,
    ['model-package-arn'],
    arn,
    'model package version ARN',
    MODEL_PACKAGE_ARN_PATTERN,
    MODEL_PACKAGE_ARN_LENGTH,
    'arn:aws:sagemaker:us-west-2:123456789012:model-package/name/1',
  );
  const parts = arnParts(arn);
  if (check.problems.length === before && parts && region !== '' && parts.region !== region) {
    check.report(
      ['model-package-arn'],
      'Model package in another region',
      `The model package is in ${parts.region} but this target runs in ${region}; compile it in ${parts.region} (region: ${parts.region}) or use a package of ${region}.`,
      { perTarget: true },
    );
  }
  return arn;
}

function checkOptimization(check: TargetCheck, common: TargetCommon): OptimizationTarget {
  const { target } = check;
  for (const key of COMPILATION_ONLY) {
    if (!target.own.has(key)) continue;
    check.report(
      [key],
      'Compilation setting on an optimization target',
      `${key} is only for compilation targets; an optimization target uses instance-type, model and optimizations.`,
      { at: 'key' },
    );
  }
  const instanceType = check.string(['instance-type']);
  if (check.get(['instance-type']) === undefined) {
    check.report(
      [],
      'No instance-type',
      'Set instance-type (e.g. ml.g5.12xlarge): the instance type that will host the optimized model.',
      {
        about: ['instance-type'],
      },
    );
  }

  const model = check.record(['model']);
  const source = checkModelSource(check, 'model', (s3Uri) => {
    checkS3Uri(check, ['model', 's3-uri'], s3Uri, 's3://bucket/model/');
  });
  const acceptEula = typeof model['accept-eula'] === 'boolean' ? model['accept-eula'] : undefined;

  const environment = checkEnvironment(check, ['environment']);
  const optimizations: OptimizationTarget['optimizations'] = [];
  const entries = check.get(['optimizations']);
  if (entries === undefined) {
    check.report(
      [],
      'No optimizations',
      'Set optimizations: a list of quantization, compilation or sharding entries, e.g. - quantization: {image: ...}.',
      {
        about: ['optimizations'],
      },
    );
  } else if (Array.isArray(entries)) {
    const seen = new Map<string, number>();
    entries.forEach((entry, index) => {
      if (!isRecord(entry)) return;
      const field = ['optimizations', index];
      const techniques = TECHNIQUES.filter((technique) => entry[technique] !== undefined);
      if (techniques.length === 0) {
        check.report(
          field,
          'Empty optimization',
          'Each optimizations entry needs one of quantization, compilation, sharding.',
          {
            about: TECHNIQUES.map((technique) => [...field, technique]),
          },
        );
        return;
      }
      if (techniques.length > 1) {
        check.report(
          field,
          'Several techniques in one entry',
          `This entry sets ${techniques.join(' and ')}; give each technique its own entry (- ${techniques[0]}: ... / - ${techniques[1]}: ...).`,
        );
        return;
      }
      const technique = techniques[0] as OptimizationTechnique;
      const previous = seen.get(technique);
      if (previous !== undefined) {
        check.report(
          [...field, technique],
          'Technique listed twice',
          `${technique} is already configured in entry ${previous + 1}; merge the two entries.`,
          { at: 'key' },
        );
      }
      seen.set(technique, index);
      const spec = check.record([...field, technique]);
      const image = check.string([...field, technique, 'image']);
      if (image !== undefined) checkImage(check, [...field, technique, 'image'], image, common.region);
      const overrides = checkEnvironment(check, [...field, technique, 'environment']);
      optimizations.push({
        technique,
        ...(image !== undefined && { image }),
        ...(isRecord(spec.environment) && overrides && { environment: overrides }),
      });
    });
    const sharding = seen.get('sharding');
    if (sharding !== undefined && seen.size > 1) {
      check.report(
        ['optimizations', sharding, 'sharding'],
        'Sharding combined with other techniques',
        'Sharding cannot be combined with other optimization techniques; move it to a separate optimization target.',
        { at: 'key' },
      );
    }
  }
  const maxInstanceCount = check.get(['max-instance-count']);
  return {
    ...common,
    kind: 'optimization',
    instanceType: (instanceType ?? '') as OptimizationTarget['instanceType'],
    model: {
      s3Uri: source.kind === 's3' ? source.s3Uri : '',
      source,
      ...(acceptEula !== undefined && { acceptEula }),
    },
    ...(environment && { environment }),
    optimizations,
    ...(typeof maxInstanceCount === 'number' && { maxInstanceCount }),
  };
}

function checkImage(check: TargetCheck, field: FieldPath, image: string, region: string): void {
  const match = ECR_IMAGE_PATTERN.exec(image);
  if (image.length > IMAGE_MAX || !match) {
    check.report(
      field,
      'Invalid ECR image URI',
      `'${image}' is not an Amazon ECR image URI (at most ${IMAGE_MAX} characters) such as 763104351884.dkr.ecr.${region || 'us-west-2'}.amazonaws.com/djl-inference:<tag>.`,
    );
    return;
  }
  const imageRegion = match[3];
  if (region !== '' && imageRegion !== region) {
    check.report(
      field,
      'Image in another region',
      `The image is in ${imageRegion} but this target runs in ${region}; SageMaker pulls images from its own region: use the ${region} image.`,
      { perTarget: true },
    );
  }
}

function checkEnvironment(check: TargetCheck, field: FieldPath): Record<string, string> | undefined {
  const environment = check.get(field);
  if (!isRecord(environment)) return undefined;
  const member = field.length === 1 ? 'OptimizationEnvironment' : 'OverrideEnvironment';
  const result: Record<string, string> = {};
  for (const key of Object.keys(environment)) {
    const value = check.text([...field, key]);
    if (value === undefined) continue;
    // The service counts characters (code points), not UTF-16 units.
    const length = [...value].length;
    if (length > ENVIRONMENT_VALUE_MAX) {
      check.report(
        [...field, key],
        'Environment value too long',
        `The value of ${key} is ${length} characters; SageMaker takes at most ${ENVIRONMENT_VALUE_MAX} per variable (${member}). Shorten it, or put the long setting in a file in the model archive.`,
      );
    }
    result[key] = value;
  }
  return result;
}
