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
    if (typeof resolved === 'string') return resolved;
    problems.push({ needle: token, ...resolved });
    return token;
  });
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
  if (isCredentialVariable(variable)) {
    return {
      title: 'Secret environment variable',
      message: `\${env.${variable}} would put a credential into job names, tags, the plan and the PR comment; use a non-secret variable instead.`,
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

/** Credentials the runner or the AWS chain put in the environment: never interpolated into requests or reports. */
function isCredentialVariable(name: string): boolean {
  const upper = name.toUpperCase();
  return (
    ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN'].includes(
      upper,
    ) ||
    upper.startsWith('ACTIONS_') ||
    upper.startsWith('INPUT_') ||
    /(SECRET|TOKEN|PASSWORD|PRIVATE_KEY)/.test(upper)
  );
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
