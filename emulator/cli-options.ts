// Options of `npm run emulator -- …` (emulator/cli.ts), checked: numbers in range, no unknown flag.
import { numberOption, parseCommandLine, strayArgumentError } from '../src/cli/args.ts';

export const EMULATOR_USAGE = `Usage: npm run emulator -- [options]        (or: node emulator/cli.ts [options])

Starts the local SageMaker (JSON 1.1), S3 (REST-XML) and GitHub (REST) emulators on 127.0.0.1 and prints
the variables that point the AWS SDK, the action and Octokit at them. Ctrl-C stops them.

Options:
  --port N          SageMaker on N, S3 on N+1, GitHub on N+2 (default: any free ports)
  --quota N         account quota: compilation jobs running at once before ResourceLimitExceeded (default 10)
  --job-seconds S   how long a job runs, in seconds (default 3)
  --throttle P      share of SageMaker requests answered with ThrottlingException, 0 to 1 (default 0)
  --errors P        share of SageMaker requests answered with a 5xx error, 0 to 1 (default 0)
  -h, --help        show this help

The -- matters: without it npm takes the options for itself (npm run emulator -- --quota 2).`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  port: { type: 'string', default: '0' },
  quota: { type: 'string', default: '10' },
  'job-seconds': { type: 'string', default: '3' },
  throttle: { type: 'string', default: '0' },
  errors: { type: 'string', default: '0' },
} as const;

/** The emulator's options from its arguments; a UsageError names what is wrong. */
export function readEmulatorOptions(argv: readonly string[], env: Record<string, string | undefined>) {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, true);
  if (positionals.length > 0) throw strayArgumentError(positionals, Object.keys(OPTIONS), env);
  return {
    help: values.help === true,
    port: numberOption('port', values.port, { min: 0, max: 65533, integer: true }),
    quota: numberOption('quota', values.quota, { min: 1, integer: true }),
    jobMs: numberOption('job-seconds', values['job-seconds'], { min: 0 }) * 1000,
    throttle: numberOption('throttle', values.throttle, { min: 0, max: 1 }),
    errors: numberOption('errors', values.errors, { min: 0, max: 1 }),
  };
}
