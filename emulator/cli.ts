// `npm run emulator -- [options]`: runs the emulator standalone and prints the environment that points clients
// at it. Mistyped options are usage errors (exit 2, one line), never a stack trace.
import { UsageError } from '../src/cli/args.ts';
import { EMULATOR_USAGE, readEmulatorOptions } from './cli-options.ts';
import { startEmulator } from './index.ts';

let options: ReturnType<typeof readEmulatorOptions>;
try {
  options = readEmulatorOptions(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`emulator: ${error.message}\nRun 'npm run emulator -- --help' for the options.`);
  process.exit(2);
}
if (options.help) {
  console.log(EMULATOR_USAGE);
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
// Ready to stop before the variables are printed: whoever reads them may stop us at once.
const shutdown = async () => {
  await emulator.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
console.log(`SageMaker emulator: ${emulator.sagemakerUrl}`);
console.log(`S3 emulator:        ${emulator.s3Url}`);
console.log(`GitHub API:         ${emulator.githubUrl}`);
console.log(`Quota ${options.quota} job(s) at once; a job runs ${options.jobMs / 1000} s.`);
console.log('\nPoint clients at it with:');
for (const [name, value] of Object.entries(emulator.env)) console.log(`export ${name}=${value}`);
