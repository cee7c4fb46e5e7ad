// Command-line parsing shared by the neo-compile-action CLI, the emulator and the demo: node's parseArgs in
// strict mode, with every mistake turned into a UsageError (a one-line message and exit code 2, never a stack
// trace), numbers checked, and a hint when `npm run x --flag` let npm swallow the flag.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

/** A mistake in how the command was called: print the message and the usage line, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE_EXIT_CODE = 2;

export function parseCommandLine<T extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: T,
  allowPositionals: boolean,
) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
}

/** node's message on one line, without its advice to use `--` for what is almost always a typo. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\. To specify a positional argument.*$/, '')
    .replace(/\.$/, '');
}

export interface NumberRule {
  min: number;
  max?: number;
  integer?: boolean;
}

/** `--name value` as a number within `rule`, or a UsageError that says what is expected. */
export function numberOption(name: string, value: string, rule: NumberRule): number {
  const number = value.trim() === '' ? Number.NaN : Number(value);
  const kind = rule.integer ? 'a whole number' : 'a number';
  const range = rule.max === undefined ? `>= ${rule.min}` : `from ${rule.min} to ${rule.max}`;
  if (
    !Number.isFinite(number) ||
    (rule.integer && !Number.isInteger(number)) ||
    number < rule.min ||
    (rule.max !== undefined && number > rule.max)
  ) {
    throw new UsageError(`--${name} must be ${kind} ${range}, not '${value}'`);
  }
  return number;
}

/**
 * `npm run demo --config x.yml` (no `--`) makes npm take `--config` as its own setting and pass only `x.yml`
 * on: the script sees a stray argument. npm exports its settings as npm_config_<name>, which tells us so.
 */
export function npmSwallowedFlags(
  optionNames: readonly string[],
  env: Record<string, string | undefined>,
): string[] {
  if (!env.npm_lifecycle_event) return [];
  return optionNames.filter((name) => env[`npm_config_${name.replace(/-/g, '_')}`] !== undefined);
}

/** The message for a stray positional argument, with the `--` fix when npm swallowed the flags. */
export function strayArgumentError(
  positionals: readonly string[],
  optionNames: readonly string[],
  env: Record<string, string | undefined>,
): UsageError {
  const swallowed = npmSwallowedFlags(optionNames, env);
  if (swallowed.length > 0) {
    const script = env.npm_lifecycle_event ?? 'SCRIPT';
    const flags = swallowed.map((name) => `--${name}`).join(', ');
    return new UsageError(
      `npm took ${flags} as its own option; put -- before the script's options: npm run ${script} -- ${swallowed
        .map((name, index) => `--${name} ${positionals[index] ?? '…'}`)
        .join(' ')}`,
    );
  }
  return new UsageError(`unexpected argument '${positionals[0]}'`);
}
