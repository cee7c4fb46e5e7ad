// Validates the document against the JSON Schema and turns ajv's errors into messages that say the fix.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { INT32_MAX } from './constraints.ts';
import { escapeInvisible, invisibleProblem } from './invisible.ts';
import type { Problem } from './problems.ts';
import { type JsonSchema, neoSchema } from './schema.ts';
// Compiled ahead of time (scripts/gen-schema.ts); a test checks it matches src/config/schema.ts.
import compiledValidator from './schema-validator.generated.js';
import type { DocPath, SourceFile } from './source.ts';
import { closestMatch, didYouMean, listChoices } from './suggest.ts';

function validator(): ValidateFunction {
  return compiledValidator;
}

export function checkSchema(data: unknown, source: SourceFile): Problem[] {
  const validate = validator();
  if (validate(data)) return [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const problem = describe(error, data, source);
    if (!problem) continue;
    const key = `${problem.path.join('\u0000')}\u0000${problem.at}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function parsePointer(pointer: string): DocPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment));
}

/** Human name of the value at a path: "device", "subnets[1]", "the file". */
export function nameOf(path: DocPath): string {
  if (path.length === 0) return 'the file';
  const last = path[path.length - 1];
  if (typeof last === 'number') {
    const parent = path[path.length - 2];
    if (parent === 'targets') return `target #${last + 1}`;
    return parent === undefined ? `item ${last}` : `${String(parent)}[${last}]`;
  }
  return String(last);
}

/** "at the top level", "in a target", "in input": where a key was found, for unknown-key messages. */
function containerLabel(path: DocPath): string {
  if (path.length === 0) return 'at the top level';
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (typeof last === 'number') {
    if (parent === 'targets') return 'in a target';
    if (parent === 'optimizations') return 'in an optimizations entry';
    if (parent === 'include' || parent === 'exclude') return `in a matrix ${parent} entry`;
    return `in an entry of ${String(parent)}`;
  }
  return `in ${String(last)}`;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the string '${value}'`;
  return `the ${typeof value} ${String(value)}`;
}

function typeWords(types: readonly string[]): string {
  const words: Record<string, string> = {
    string: 'a string',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    object: 'a map (key: value)',
    array: 'a list',
  };
  return types.map((type) => words[type] ?? type).join(' or ');
}

/** Where each key may appear, to tell users where a misplaced key belongs. */
const HOME_LABELS: Record<string, string> = {
  target: 'an entry of targets',
  input: 'input',
  output: 'output',
  platform: 'platform',
  stoppingCondition: 'stopping-condition',
  vpc: 'vpc',
  model: 'model',
  optimization: 'an entry of optimizations',
  optimizationSpec: 'quantization/compilation/sharding',
};

let homes: Map<string, string[]> | undefined;
function keyHomes(): Map<string, string[]> {
  if (homes) return homes;
  homes = new Map();
  const defs = neoSchema.$defs as Record<string, JsonSchema>;
  const add = (key: string, home: string) => {
    const list = homes?.get(key) ?? [];
    if (!list.includes(home)) list.push(home);
    homes?.set(key, list);
  };
  for (const key of Object.keys(neoSchema.properties as JsonSchema)) add(key, 'the top level');
  for (const [name, label] of Object.entries(HOME_LABELS)) {
    for (const key of Object.keys((defs[name]?.properties as JsonSchema | undefined) ?? {})) add(key, label);
  }
  return homes;
}

const PATTERN_HINTS: Record<string, string> = {
  duration: 'use seconds (900) or a duration such as 90s, 15m, 2h, 1d or 1h30m',
  'AWS Region': 'use a region code such as us-east-1',
  'IAM role ARN': 'it must look like arn:aws:iam::123456789012:role/NeoCompile',
  'model package version ARN':
    'it must look like arn:aws:sagemaker:us-west-2:123456789012:model-package/name/1 (a versioned model package)',
  'S3 URI': 'it must look like s3://bucket/prefix/ (or an https:// S3 URL)',
  'S3 URI of a .tar.gz model archive': 'it must look like s3://bucket/path/model.tar.gz',
  'KMS key': 'use a key id, key ARN, alias name (alias/Name) or alias ARN',
  'framework version':
    'use a version such as "2.0" or "1.15.3": major.minor[.patch], digits only, a one-digit major (quote it in YAML)',
  'security group id': 'security group ids look like sg-0123abcd',
  'subnet id': 'subnet ids look like subnet-0123abcd',
  'tag value': 'tag values may use letters, digits, spaces and _ . : / = + - @',
  'ECR image URI':
    'it must be an image in Amazon ECR: <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>',
};

function describe(error: ErrorObject, data: unknown, source: SourceFile): Problem | undefined {
  const path = parsePointer(error.instancePath);
  const schema = (error.parentSchema ?? {}) as JsonSchema;
  const name = nameOf(path);
  const value = error.data;
  const title = typeof schema.title === 'string' ? schema.title : undefined;

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const keyPath = [...path, key];
      const allowed = Object.keys((schema.properties as JsonSchema | undefined) ?? {});
      const suggestion = closestMatch(key, allowed);
      const where = containerLabel(path);
      let fix: string;
      if (suggestion) fix = `did you mean ${suggestion}?`;
      else {
        const elsewhere = keyHomes().get(key);
        const near = elsewhere ? undefined : closestMatch(key, [...keyHomes().keys()]);
        if (elsewhere) fix = `it belongs in ${elsewhere.join(' or ')}.`;
        else if (near) fix = `did you mean ${near} (in ${keyHomes().get(near)?.join(' or ')})?`;
        else fix = `allowed keys ${where}: ${listChoices(allowed)}.`;
      }
      return {
        path: keyPath,
        at: 'key',
        title: 'Unknown key',
        message: `'${key}' is not a key ${where}; ${fix}`,
        covers: suggestion ? [keyPath, [...path, suggestion]] : [keyPath],
      };
    }
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      return {
        path,
        at: path.length > 0 && typeof path[path.length - 1] === 'string' ? 'key' : 'value',
        title: 'Missing key',
        message: missingMessage(path, missing, data),
        covers: [[...path, missing]],
      };
    }
    case 'type': {
      const expected = ([] as string[]).concat((error.params as { type: string | string[] }).type);
      let message = `${name} must be ${typeWords(expected)}, but it is ${describeValue(value)}.`;
      const text = source.scalarSource(path);
      if (path.length === 0) {
        message =
          value === null || value === undefined
            ? 'The file is empty. Start it with version: 1 and a targets: list.'
            : `The file must be a map of settings (version: 1, targets: ...), but it is ${describeValue(value)}.`;
      } else if (expected.includes('string') && (typeof value === 'number' || typeof value === 'boolean')) {
        const written = text ?? String(value);
        message =
          written !== String(value)
            ? `${name} must be a string, but YAML reads ${written} as the ${typeof value} ${String(value)}; quote it: "${written}".`
            : `${name} must be a string, but YAML reads ${written} as a ${typeof value}; quote it: "${written}".`;
      } else if (value === null) {
        message = `${name} has no value; give it ${typeWords(expected)}${expected.includes('string') ? " (write '' for an empty string)" : ''}.`;
      } else if (expected.includes('integer') && typeof value === 'number') {
        message = `${name} must be a whole number, but it is ${String(value)}.`;
      } else if (
        expected.includes('array') &&
        !Array.isArray(value) &&
        value !== null &&
        typeof value !== 'object'
      ) {
        message = `${name} must be a list; write it as [${text ?? String(value)}] or as '- ' items.`;
      }
      return { path, title: 'Wrong type', message, covers: [path] };
    }
    case 'enum': {
      const choices = ((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      const label = title ?? name;
      if (typeof value !== 'string') {
        return {
          path,
          title: `Invalid ${label}`,
          message: `${name} must be one of: ${listChoices(choices)}; it is ${describeValue(value)}.`,
          covers: [path],
        };
      }
      const hint = value.includes('${')
        ? ' Placeholders cannot choose it; use a matrix to vary it.'
        : didYouMean(value, choices) || `; choose one of: ${listChoices(choices)}.`;
      return {
        path,
        title: `Unknown ${label}`,
        message: `${name} '${value}' is not a ${label}${hint.startsWith(';') ? hint : `.${hint}`}`,
        covers: [path],
      };
    }
    case 'const': {
      if (path.length === 1 && path[0] === 'version') {
        return {
          path,
          title: 'Unsupported version',
          message: `version ${JSON.stringify(value)} is not supported: this action reads version: 1 (a number). Write version: 1.`,
          covers: [path],
        };
      }
      return {
        path,
        title: 'Invalid value',
        message: `${name} must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}.`,
        covers: [path],
      };
    }
    case 'pattern': {
      const propertyName = (error as { propertyName?: string }).propertyName;
      if (propertyName !== undefined) {
        const keyPath = [...path, propertyName];
        return {
          path: keyPath,
          at: 'key',
          title: 'Invalid variable name',
          message: `'${propertyName}' is not an environment variable name; use letters, digits and _, not starting with a digit.`,
          covers: [keyPath],
        };
      }
      const label = title ?? name;
      if (path[path.length - 1] === 'name' && path[path.length - 3] === 'targets') {
        return {
          path,
          title: 'Invalid target name',
          message: `Target name '${String(value)}' cannot be used in job names; use letters, digits, '.', '_' and '-', starting and ending with a letter or digit.`,
          covers: [path],
        };
      }
      const hint = (title && PATTERN_HINTS[title]) ?? `it must match ${String(schema.pattern)}`;
      const invisible = typeof value === 'string' ? invisibleProblem(value) : undefined;
      return {
        path,
        title: `Invalid ${label}`,
        message: invisible
          ? `${name} ${invisible}.`
          : `${name} '${escapeInvisible(String(value))}' is not a valid ${label}: ${hint}.`,
        covers: [path],
      };
    }
    case 'minLength':
    case 'maxLength': {
      const limit = (error.params as { limit: number }).limit;
      const length = typeof value === 'string' ? value.length : 0;
      const propertyName = (error as { propertyName?: string }).propertyName;
      if (propertyName !== undefined) {
        const keyPath = [...path, propertyName];
        return {
          path: keyPath,
          at: 'key',
          title: 'Name too long',
          message: `'${propertyName}' is ${propertyName.length} characters; at most ${limit} are allowed.`,
          covers: [keyPath],
        };
      }
      return {
        path,
        title:
          error.keyword === 'minLength' ? `${capitalize(name)} too short` : `${capitalize(name)} too long`,
        message:
          length === 0
            ? `${name} is empty; give it a value.`
            : `${name} is ${length} characters long; it must be ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${limit}.`,
        covers: [path],
      };
    }
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties': {
      const limit = (error.params as { limit: number }).limit;
      const count = Array.isArray(value)
        ? value.length
        : value && typeof value === 'object'
          ? Object.keys(value).length
          : 0;
      const unit = error.keyword.endsWith('Items') ? 'entries' : 'keys';
      const atLeast = error.keyword.startsWith('min');
      return {
        path,
        at: path.length > 0 && typeof path[path.length - 1] === 'string' ? 'key' : 'value',
        title: atLeast ? `${capitalize(name)} is empty` : `Too many ${name}`,
        message: `${name} has ${count} ${unit}; it needs ${atLeast ? 'at least' : 'at most'} ${limit}.`,
        covers: [path],
      };
    }
    case 'minimum':
    case 'maximum': {
      const limit = (error.params as { limit: number }).limit;
      // YAML rounds integers past 2^53 (9007199254740993 reads as ...992): show the digits written.
      const written = source.scalarSource(path) ?? String(value);
      const int32 =
        error.keyword === 'maximum' && limit === INT32_MAX ? ' (a 32-bit integer in the API)' : '';
      return {
        path,
        title: `${capitalize(name)} out of range`,
        message: `${name} is ${written}; it must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${limit}${int32}.`,
        covers: [path],
      };
    }
    case 'uniqueItems': {
      const { i, j } = error.params as { i: number; j: number };
      const itemPath = [...path, Math.max(i, j)];
      return {
        path: itemPath,
        title: 'Duplicate entry',
        message: `${name} lists the same value twice (entries ${Math.min(i, j) + 1} and ${Math.max(i, j) + 1}); remove one.`,
        covers: [itemPath],
      };
    }
    case 'propertyNames':
      // ajv reports the failing name's own error (pattern/maxLength) as well.
      return undefined;
    default:
      return {
        path,
        title: 'Invalid value',
        message: `${name} ${error.message ?? 'is invalid'}.`,
        covers: [path],
      };
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function missingMessage(path: DocPath, missing: string, data: unknown): string {
  if (path.length === 0) {
    if (data === null || data === undefined) {
      return 'The file is empty. Start it with version: 1 and a targets: list.';
    }
    if (missing === 'version')
      return 'Add version: 1 at the top of the file (the format version this action reads).';
    if (missing === 'targets')
      return 'Add a targets: list with at least one device, e.g. "- {name: nano, device: jetson_nano}".';
  }
  if (missing === 'name')
    return 'Each target needs a name (used in job names and the targets input); add name: <name>.';
  const owner = nameOf(path);
  if (missing === 'os' || missing === 'arch') {
    return `${owner} needs ${missing}; a platform is an os (LINUX, ANDROID) and an arch (X86_64, ARM64, ...), with an optional accelerator.`;
  }
  if (missing === 'security-group-ids' || missing === 'subnets') {
    return `${owner} needs both security-group-ids and subnets.`;
  }
  return `${owner} needs ${missing}.`;
}
