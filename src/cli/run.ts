// `neo-compile-action validate|plan`: the action's checks on a developer's machine (or in pre-commit), offline.
// Exit status: 0 valid (warnings allowed), 1 errors in a file, 2 usage error (bad option, unreadable file).
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the help text shows neo.yml placeholders.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseCommandLine, USAGE_EXIT_CODE, UsageError } from './args.ts';
import { checkConfig } from './check.ts';
import { type GitFacts, localRunContext, readGitFacts } from './context.ts';
import { formatDiagnostic, formatPlanTable, planHeadline, problemCount } from './format.ts';

export const CLI_USAGE = `Usage: neo-compile-action validate [options] [neo.yml ...]
       neo-compile-action plan [options] [neo.yml]

Checks neo.yml as the neo-compile-action GitHub Action does before its first job: offline, no AWS
account or credentials needed.

Commands:
  validate   check each file (default: neo.yml); every problem is printed as
             file:line:col: error: message [title]
  plan       check one file and print the jobs the action would start (as its dry-run does)

Options:
  --targets LIST     only these targets: names or globs separated by commas (the action's targets input)
  --region REGION    region of targets that set none (default: $AWS_REGION, then $AWS_DEFAULT_REGION)
  --env NAME=VALUE   a value for \${env.NAME} placeholders; repeatable (the environment counts too)
  --workspace DIR    directory local model paths are relative to (default: the git checkout's root,
                     else the current directory)
  --json             plan: print the planned jobs and their exact requests as JSON
  -h, --help         show this help

Exit status: 0 valid (warnings allowed), 1 problems found, 2 usage error (bad option, unreadable file).`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  targets: { type: 'string' },
  region: { type: 'string' },
  env: { type: 'string', multiple: true },
  workspace: { type: 'string' },
} as const;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** What git knows about the checkout holding a directory (injectable for tests). */
  git?: (dir: string) => GitFacts;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`neo-compile-action: ${error.message}\n${CLI_USAGE.split('\n\n')[0]}\n`);
    io.stderr("Run 'neo-compile-action --help' for more.\n");
    return USAGE_EXIT_CODE;
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, true);
  const [command, ...files] = positionals;
  if (values.help) {
    io.stdout(`${CLI_USAGE}\n`);
    return 0;
  }
  if (command === undefined) throw new UsageError('no command given: validate or plan');
  if (command !== 'validate' && command !== 'plan') {
    throw new UsageError(`unknown command '${command}': use validate or plan`);
  }
  if (command === 'plan' && files.length > 1) throw new UsageError('plan takes one file');
  if (command === 'validate' && values.json) throw new UsageError('--json is an option of plan');
  const extraEnv = parseEnvPairs(values.env ?? []);
  const gitOf = io.git ?? readGitFacts;

  let exitCode = 0;
  for (const file of files.length > 0 ? files : ['neo.yml']) {
    const absolute = path.resolve(io.cwd, file);
    const text = await readFile(absolute, 'utf8').catch((error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'ENOENT' ? 'no such file' : `cannot be read (${error.code ?? error.message})`;
      throw new UsageError(`${file}: ${why}`);
    });
    const git = gitOf(path.dirname(absolute));
    const workspace = values.workspace ? path.resolve(io.cwd, values.workspace) : (git.root ?? io.cwd);
    const ctx = localRunContext({ env: io.env, git, region: values.region, extraEnv, workspace });
    const result = await checkConfig({ file, text, ctx, workspace, targets: values.targets });
    for (const warning of result.warnings) io.stderr(`${formatDiagnostic(warning, 'warning')}\n`);
    for (const error of result.errors) io.stderr(`${formatDiagnostic(error, 'error')}\n`);
    if (result.errors.length > 0 || result.warnings.length > 0) {
      io.stderr(`${problemCount(file, result.errors.length, result.warnings.length)}\n`);
    }
    if (ctx.region === '' && result.errors.some((error) => error.title === 'No region')) {
      io.stderr(NO_DEFAULT_REGION_NOTE);
    }
    if (result.errors.length > 0) {
      exitCode = 1;
      continue;
    }
    if (command === 'validate') {
      const regions = new Set(result.plan.map((job) => job.region)).size;
      io.stdout(`${file}: valid, ${result.plan.length} job(s) in ${regions} region(s)\n`);
    } else if (values.json) {
      io.stdout(`${JSON.stringify(result.plan, null, 2)}\n`);
    } else {
      io.stdout(
        `${formatPlanTable(result.plan, result.provisional)}\n\n${planHeadline(file, result.plan)}\n`,
      );
    }
  }
  return exitCode;
}

const NO_DEFAULT_REGION_NOTE =
  'note: on a runner the action takes the default region from AWS_REGION; pass --region REGION (or set ' +
  'AWS_REGION) to check this file as the runner would.\n';

function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`--env takes NAME=VALUE, not '${pair}'`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}
