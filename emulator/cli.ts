// `npm run emulator`: runs the emulator standalone and prints the environment that points clients at it.
import { parseArgs } from 'node:util';
import { startEmulator } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    quota: { type: 'string', default: '10' },
    'job-seconds': { type: 'string', default: '3' },
    throttle: { type: 'string', default: '0' },
    errors: { type: 'string', default: '0' },
  },
});
const base = Number(values.port);
const jobMs = Number(values['job-seconds']) * 1000;
const emulator = await startEmulator({
  ports: base ? { sagemaker: base, s3: base + 1, github: base + 2 } : undefined,
  sagemaker: {
    quota: Number(values.quota),
    timing: { startingMs: jobMs / 4, inProgressMs: jobMs, stoppingMs: 500 },
  },
  sagemakerFaults: { throttleRate: Number(values.throttle), errorRate: Number(values.errors) },
});
console.log(`SageMaker emulator: ${emulator.sagemakerUrl}`);
console.log(`S3 emulator:        ${emulator.s3Url}`);
console.log(`GitHub API:         ${emulator.githubUrl}`);
console.log('\nPoint clients at it with:');
for (const [name, value] of Object.entries(emulator.env)) console.log(`export ${name}=${value}`);
const shutdown = async () => {
  await emulator.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
