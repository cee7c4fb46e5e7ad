// `npm run emulator -- [options]`: runs the emulator standalone and prints the environment that points clients
// at it. Mistyped options are usage errors (exit 2, one line), never a stack trace.
import { numberOption, parseCommandLine, strayArgumentError, UsageError } from '../src/cli/args.ts';
import { startEmulator } from './index.ts';

const USAGE = `Usage: npm run emulator -- [options]        (or: node emulator/cli.ts [options])

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

function readOptions(argv: readonly string[]) {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, true);
  if (positionals.length > 0) throw strayArgumentError(positionals, Object.keys(OPTIONS), process.env);
  return {
    help: values.help === true,
    port: numberOption('port', values.port, { min: 0, max: 65533, integer: true }),
    quota: numberOption('quota', values.quota, { min: 1, integer: true }),
    jobMs: numberOption('job-seconds', values['job-seconds'], { min: 0 }) * 1000,
    throttle: numberOption('throttle', values.throttle, { min: 0, max: 1 }),
    errors: numberOption('errors', values.errors, { min: 0, max: 1 }),
  };
}

let options: ReturnType<typeof readOptions>;
try {
  options = readOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`emulator: ${error.message}\nRun 'npm run emulator -- --help' for the options.`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const base = options.port;
const emulator = await startEmulator({
  ports: base ? { sagemaker: base, s3: base + 1, github: base + 2 } : undefined,
  sagemaker: {
    quota: options.quota,
    timing: { startingMs: options.jobMs / 4, inProgressMs: options.jobMs, stoppingMs: 500 },
  },
  sagemakerFaults: { throttleRate: options.throttle, errorRate: options.errors },
}).catch((error: NodeJS.ErrnoException) => {
  const why =
    error.code === 'EADDRINUSE' ? `port ${base}, ${base + 1} or ${base + 2} is in use` : error.message;
  console.error(`emulator: cannot start: ${why}`);
  process.exit(1);
});
console.log(`SageMaker emulator: ${emulator.sagemakerUrl}`);
console.log(`S3 emulator:        ${emulator.s3Url}`);
console.log(`GitHub API:         ${emulator.githubUrl}`);
console.log(`Quota ${options.quota} job(s) at once; a job runs ${options.jobMs / 1000} s.`);
console.log('\nPoint clients at it with:');
for (const [name, value] of Object.entries(emulator.env)) console.log(`export ${name}=${value}`);
const shutdown = async () => {
  await emulator.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
