// Placeholders in strings: ${sha}, ${short-sha}, ${ref-name}, ${run-id}, ${run-attempt}, ${target}, ${region},
// ${env.NAME} and, in a target with a matrix, ${matrix.KEY}. `$${` writes a literal `${`.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import type { RunContext } from '../types.ts';
import { closestMatch } from './suggest.ts';

/** What a string may refer to: the run, and when known the target, its region and its matrix values. */
export interface PlaceholderScope {
  ctx: RunContext;
  target?: string;
  region?: string;
  matrix?: Record<string, unknown>;
  /** Where the string is, for messages that say what is allowed there ("in target names"). */
  where?: string;
  /** Names of run facts allowed here; default all. Target names may only use the matrix. */
  runFacts?: boolean;
}

export interface PlaceholderProblem {
  /** The placeholder text as written, to point the column at it. */
  needle: string;
  title: string;
  message: string;
}

const RUN_FACTS = ['sha', 'short-sha', 'ref-name', 'run-id', 'run-attempt'] as const;
// People write GitHub expressions out of habit; map them to the placeholder that means the same.
const GITHUB_EQUIVALENTS: Record<string, string> = {
  'github.sha': 'sha',
  'github.ref_name': 'ref-name',
  'github.run_id': 'run-id',
  'github.run_attempt': 'run-attempt',
};

const TOKEN = /\$\$\{|\$\{\{([^}]*)\}\}|\$\{([^{}]*)\}|\$\{/g;

/** Quick check before the full substitution: most strings have no placeholder at all. */
export function hasPlaceholder(text: string): boolean {
  return text.includes('${');
}

export function substitute(
  text: string,
  scope: PlaceholderScope,
): { value: string; problems: PlaceholderProblem[] } {
  if (!hasPlaceholder(text)) return { value: text, problems: [] };
  const problems: PlaceholderProblem[] = [];
  let firstSubstituted: string | undefined;
  const value = text.replace(TOKEN, (token: string, expression?: string, name?: string) => {
    if (token === '$${') return '${';
    if (expression !== undefined) {
      const trimmed = expression.trim();
      const equivalent =
        GITHUB_EQUIVALENTS[trimmed] ?? (/^(env|matrix)\.[\w.-]+$/.test(trimmed) ? trimmed : undefined);
      problems.push({
        needle: token,
        title: 'GitHub expression in neo.yml',
        message: `'${token}' is a GitHub expression, which neo.yml does not evaluate. ${
          equivalent
            ? `Write \${${equivalent}} instead.`
            : `Use a placeholder such as \${sha} or \${env.NAME}.`
        }`,
      });
      return token;
    }
    if (name === undefined) {
      problems.push({
        needle: token,
        title: 'Unclosed placeholder',
        message: "A '${' is not closed by '}'. Close it, or write $${ for a literal '${'.",
      });
      return token;
    }
    const resolved = resolve(name.trim(), scope);
    if (typeof resolved === 'string') {
      firstSubstituted ??= token;
      return resolved;
    }
    problems.push({ needle: token, ...resolved });
    return token;
  });
  // Whatever the placeholders produced is published (job names, tags, the PR comment): never a secret.
  const secret = firstSubstituted === undefined ? undefined : secretIn(value, scope.ctx.env);
  if (secret !== undefined && firstSubstituted !== undefined) {
    problems.push({
      needle: firstSubstituted,
      title: 'Secret in a placeholder value',
      message: `This value, once its placeholders are filled in, contains the value of ${secret}, which is a secret; it would be published in job names, tags, the summary and the PR comment. Use a variable that holds no secret.`,
    });
  }
  return { value, problems };
}

function resolve(name: string, scope: PlaceholderScope): string | { title: string; message: string } {
  const runFacts = scope.runFacts !== false;
  const { ctx } = scope;
  if (runFacts) {
    switch (name) {
      case 'sha':
        return ctx.sha;
      case 'short-sha':
        return ctx.sha.slice(0, 7);
      case 'ref-name':
        return ctx.refName;
      case 'run-id':
        return ctx.runId;
      case 'run-attempt':
        return ctx.runAttempt;
    }
    if (name === 'target' && scope.target !== undefined) return scope.target;
    if (name === 'region' && scope.region !== undefined) return scope.region;
    if (name.startsWith('env.')) return resolveEnv(name.slice(4), ctx);
  }
  if (name.startsWith('matrix.') && scope.matrix) return resolveMatrix(name.slice(7), scope.matrix);
  return unknown(name, scope);
}

function resolveEnv(variable: string, ctx: RunContext): string | { title: string; message: string } {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    return {
      title: 'Bad environment placeholder',
      message: `'\${env.${variable}}' is not an environment variable name; use letters, digits and _.`,
    };
  }
  const refused = refusedEnvName(variable);
  if (refused) {
    return {
      title: 'Environment variable not allowed',
      message: `\${env.${variable}} is refused: ${refused}. Values in neo.yml end up in job names, tags, the summary and the PR comment, so \${env.NAME} only reads names without ${SECRET_WORDS.join(', ')}, outside ${RESERVED_PREFIXES.join('*, ')}*. For run facts use \${sha}, \${ref-name}, \${run-id} or \${run-attempt}.`,
    };
  }
  const value = ctx.env[variable];
  if (value === undefined || value === '') {
    return {
      title: 'Environment variable not set',
      message: `\${env.${variable}} is used but ${variable} is ${value === undefined ? 'not set' : 'empty'} in this job. Set it in the workflow's env: (for example from a secret or variable) or remove the placeholder.`,
    };
  }
  return value;
}

/** Words that mark a variable as a credential, anywhere in its name (case-insensitive). */
export const SECRET_WORDS = [
  'KEY',
  'SECRET',
  'TOKEN',
  'PASSWORD',
  'PASS',
  'PAT',
  'CREDENTIAL',
  'AUTH',
  'SESSION',
  'COOKIE',
  'PRIVATE',
] as const;
/** Variables of the runner, the toolkit, AWS and action inputs: never read by \${env.NAME}. */
export const RESERVED_PREFIXES = ['AWS_', 'GITHUB_', 'ACTIONS_', 'RUNNER_', 'INPUT_'] as const;
/** Shorter secret values are not looked for in published text: they would match by chance. */
const SECRET_MIN_LENGTH = 8;

const secretWordIn = (name: string) => SECRET_WORDS.find((word) => name.toUpperCase().includes(word));

/** Why `${env.NAME}` may not read this variable, or undefined when it may. */
export function refusedEnvName(name: string): string | undefined {
  const word = secretWordIn(name);
  if (word) return `its name contains ${word}`;
  const prefix = RESERVED_PREFIXES.find((candidate) => name.toUpperCase().startsWith(candidate));
  return prefix ? `${prefix}* variables belong to ${PREFIX_OWNERS[prefix]}` : undefined;
}

const PREFIX_OWNERS: Record<(typeof RESERVED_PREFIXES)[number], string> = {
  AWS_: 'the AWS credentials and configuration',
  GITHUB_: 'GitHub and may hold its token',
  ACTIONS_: 'the runner and hold its tokens',
  RUNNER_: 'the runner',
  INPUT_: "the action's inputs, which include github-token",
};

/**
 * Secret values this process can see: every variable whose name has a secret word (the github-token
 * input arrives as INPUT_GITHUB-TOKEN; AWS keys and session tokens; ACTIONS_* tokens), at least 8 characters.
 * Secrets passed under innocent names cannot be recognised; the README says so.
 */
const secretsCache = new WeakMap<Record<string, string | undefined>, [name: string, value: string][]>();
function secretValues(env: Record<string, string | undefined>): [name: string, value: string][] {
  let found = secretsCache.get(env);
  if (!found) {
    found = Object.entries(env).filter(
      (entry): entry is [string, string] =>
        typeof entry[1] === 'string' &&
        entry[1].trim().length >= SECRET_MIN_LENGTH &&
        // PATH, PYTHONPATH, GITHUB_PATH hold directories, not secrets (their names are still refused).
        secretWordIn(entry[0].toUpperCase().replaceAll('PATH', '')) !== undefined,
    );
    secretsCache.set(env, found);
  }
  return found;
}

/** The name of a secret variable whose value `value` contains (or that contains a long part of it). */
function secretIn(value: string, env: Record<string, string | undefined>): string | undefined {
  const trimmed = value.trim();
  for (const [name, secret] of secretValues(env)) {
    const secretText = secret.trim();
    if (trimmed.includes(secretText) || (trimmed.length >= SECRET_MIN_LENGTH && secretText.includes(trimmed)))
      return name;
  }
  return undefined;
}

function resolveMatrix(
  key: string,
  matrix: Record<string, unknown>,
): string | { title: string; message: string } {
  const [head = '', ...rest] = key.split('.');
  let value: unknown = Object.hasOwn(matrix, head) ? matrix[head] : undefined;
  for (const part of rest) {
    value =
      value && typeof value === 'object' && Object.hasOwn(value, part)
        ? (value as Record<string, unknown>)[part]
        : undefined;
  }
  if (value === undefined || value === null) {
    const known = Object.keys(matrix);
    const suggestion = closestMatch(head, known);
    return {
      title: 'Unknown matrix value',
      message: `\${matrix.${key}} is not defined for this combination${
        suggestion && suggestion !== head ? `; did you mean \${matrix.${suggestion}}?` : '.'
      } Matrix keys here: ${known.join(', ') || '(none)'}.`,
    };
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return {
      title: 'Matrix value is a map',
      message: `\${matrix.${key}} is a ${Array.isArray(value) ? 'list' : 'map'}; refer to one of its values${
        keys.length > 0 && !Array.isArray(value) ? `, e.g. \${matrix.${key}.${keys[0]}}` : ''
      }.`,
    };
  }
  return String(value);
}

function unknown(name: string, scope: PlaceholderScope): { title: string; message: string } {
  const known: string[] = [];
  if (scope.runFacts !== false) {
    known.push(...RUN_FACTS);
    if (scope.target !== undefined) known.push('target');
    if (scope.region !== undefined) known.push('region');
  }
  if (scope.matrix) known.push(...Object.keys(scope.matrix).map((key) => `matrix.${key}`));
  const where = scope.where ? ` in ${scope.where}` : '';
  if (name === 'target' || name === 'region' || RUN_FACTS.includes(name as (typeof RUN_FACTS)[number])) {
    return {
      title: 'Placeholder not allowed here',
      message: `\${${name}} cannot be used${where}. Allowed here: ${formatKnown(known, scope)}.`,
    };
  }
  if (name.startsWith('matrix.')) {
    return {
      title: 'Placeholder not allowed here',
      message: `\${${name}} is only available in a target that has a matrix.`,
    };
  }
  const suggestion = closestMatch(name, [...known, ...(scope.runFacts !== false ? ['env.NAME'] : [])]);
  return {
    title: 'Unknown placeholder',
    message: `\${${name}} is not a placeholder${suggestion ? `; did you mean \${${suggestion}}?` : '.'} Known${where}: ${formatKnown(known, scope)}.`,
  };
}

function formatKnown(known: readonly string[], scope: PlaceholderScope): string {
  const names = known.map((name) => `\${${name}}`);
  if (scope.runFacts !== false) names.push('${env.NAME}');
  return names.join(', ') || '(none)';
}
