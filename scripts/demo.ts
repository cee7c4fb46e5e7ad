// `npm run demo [-- --config path/to/neo.yml]`: starts the local emulator, runs the built action (dist/) as the
// runner would for a pull request, shows live progress, then prints the outputs, the job summary and the PR
// comment. Without --config it runs examples/neo.yml, where one target fails on purpose; with --config it runs
// your file (relative to the directory you ran npm in), with every S3 model it names put in the emulator's S3.

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Emulator, startEmulator } from '../emulator/index.ts';
import { torchScriptArchive } from '../emulator/model-archives.ts';
import { createWorkspace, pullRequestEvent, runAction } from '../emulator/run-action.ts';
import { parseCommandLine, strayArgumentError, UsageError } from '../src/cli/args.ts';
import { readGitFacts } from '../src/cli/context.ts';
import { modelInputs, readNeoConfig } from '../src/config/index.ts';
import { parseS3Uri } from '../src/s3-uri.ts';
import type { RunContext } from '../src/types.ts';

const USAGE = `Usage: npm run demo -- [--config path/to/neo.yml] [--targets LIST]

Runs the built action (dist/index.js, then its post step) against the local SageMaker/S3/GitHub emulator, as
the GitHub runner would for pull request #7, and prints the step outputs, the job summary and the PR comment.

Options:
  --config FILE   your neo.yml, relative to the directory you run npm in (default: examples/neo.yml, where
                  the rasp3b target fails on purpose). Every S3 model it names is put in the emulator's S3
                  first; local models (input.path) are read from the file's git checkout. A target whose
                  name, device or model URI contains "fail" fails on purpose, as in the example.
  --targets LIST  only these targets (the action's targets input)
  -h, --help      show this help

Run 'npm run build' after changing src/: the demo runs dist/, as the runner does.`;

const REPOSITORY = 'octo-org/vision-models';
const EXAMPLE = fileURLToPath(new URL('../examples/neo.yml', import.meta.url));
// The runner facts the action sees; the demo substitutes placeholders with the same ones to seed S3.
const RUNNER = {
  GITHUB_REPOSITORY: REPOSITORY,
  GITHUB_SHA: '3f2c9d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e',
  GITHUB_REF_NAME: '7/merge',
  GITHUB_RUN_ID: '987654321',
  GITHUB_RUN_ATTEMPT: '1',
};

function readOptions(argv: readonly string[]) {
  const options = {
    help: { type: 'boolean', short: 'h' },
    config: { type: 'string' },
    targets: { type: 'string' },
  } as const;
  const { values, positionals } = parseCommandLine(argv, options, true);
  if (positionals.length > 0) throw strayArgumentError(positionals, Object.keys(options), process.env);
  return values;
}

let options: ReturnType<typeof readOptions>;
try {
  options = readOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`demo: ${error.message}\nRun 'npm run demo -- --help' for the options.`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)))) {
  console.error("demo: dist/index.js is missing; run 'npm run build' first.");
  process.exit(2);
}

// npm runs scripts in the package's directory; INIT_CWD is where the user typed the command.
const userCwd = process.env.INIT_CWD ?? process.cwd();
const configFile = options.config === undefined ? EXAMPLE : path.resolve(userCwd, options.config);
if (!existsSync(configFile)) {
  console.error(`demo: ${options.config}: no such file (paths are relative to ${userCwd})`);
  process.exit(2);
}
const exampleText = readFileSync(configFile, 'utf8');
// The example also shows sizes against the base branch: history recorded by a push to main, then compared in the PR.
const BASE_SHA = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d';
const configText =
  options.config === undefined
    ? exampleText.replace(
        'tags: {team: vision}',
        'tags: {team: vision}\nhistory: s3://artifacts/neo-history/\nbudget: {max-growth: 25%}',
      )
    : exampleText;
// The workspace is the checkout holding the file, so local model paths resolve as on the runner.
const root = options.config === undefined ? undefined : workspaceRoot(configFile, userCwd);
const configInput = root ? path.relative(root, configFile) : 'neo.yml';
// ${env.NAME} placeholders read the runner's environment: pass on the variables the file names.
const referencedEnv = Object.fromEntries(
  [...configText.matchAll(/\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}/g)]
    .map(([, name]) => [name as string, process.env[name as string]])
    .filter(([, value]) => value !== undefined),
);

// Compiled weights per device: the PR below makes the Jetson Nano build 40% larger than main's.
const weights = (grown: boolean) => (device: string) =>
  device === 'jetson_nano' ? (grown ? 56_000 : 40_000) : 24_000;
const emulator = await startEmulator({
  sagemaker: {
    quota: 10,
    timing: { startingMs: 600, inProgressMs: 2500, stoppingMs: 300 },
    artifactBytesFor: weights(false),
  },
});
const env = { ...referencedEnv, ...RUNNER, ...emulator.env };
seedModels(emulator, configText, configInput, env);
const heading = (text: string) => console.log(`\n\x1b[1m== ${text} ==\x1b[0m`);

if (options.config === undefined) {
  // A push to main first: it records the sizes the PR is compared with (history: in the example).
  if (!emulator.s3.store.listBuckets().includes('artifacts')) emulator.s3.store.createBucket('artifacts');
  const base = createWorkspace({ 'neo.yml': configText }, { ref: 'refs/heads/main', after: BASE_SHA });
  heading(`A push to main (${BASE_SHA.slice(0, 7)}) records the artifact sizes under history:`);
  const pushed = await runAction(base, {
    inputs: { 'poll-interval': '0.5', comment: 'false' },
    env: { ...env, GITHUB_EVENT_NAME: 'push', GITHUB_SHA: BASE_SHA, GITHUB_REF_NAME: 'main' },
  });
  console.log(
    `  push run exit code ${pushed.code}; manifests: ${emulator.calls
      .filter(
        (call) =>
          call.service === 's3' && call.operation === 'PutObject' && /neo-history/.test(call.detail ?? ''),
      )
      .map((call) => call.detail)
      .join(', ')}`,
  );
  emulator.sagemaker.options.artifactBytesFor = weights(true);
}

const prEvent = pullRequestEvent(REPOSITORY, 7) as { pull_request: { base: Record<string, string> } };
prEvent.pull_request.base = { ref: 'main', sha: BASE_SHA };
const runnerFiles = createWorkspace(root ? {} : { 'neo.yml': configText }, prEvent);
// With --config the action reads the user's checkout in place (it writes nothing there: no download dir).
const workspace = root ? { ...runnerFiles, dir: root } : runnerFiles;
const runnerEnv = { ...env, RUNNER_TEMP: path.dirname(runnerFiles.outputFile) };
heading(`Running dist/index.js on ${options.config ?? 'examples/neo.yml'} (workspace ${workspace.dir})`);
const run = await runAction(workspace, {
  inputs: {
    config: configInput,
    'github-token': 'ghs_demo_token',
    'poll-interval': '0.5',
    'comment-interval': '1',
    ...(options.targets !== undefined && { targets: options.targets }),
  },
  env: runnerEnv,
  onLine: (line) => console.log(`  ${line}`),
});
const post = await runAction(workspace, { post: true, env: runnerEnv });

heading('Step outputs');
for (const [name, value] of Object.entries(run.outputs)) {
  const shown = name === 'jobs' ? JSON.stringify(JSON.parse(value), null, 2) : value;
  console.log(`${name}: ${shown}`);
}
heading('Job summary (GITHUB_STEP_SUMMARY)');
console.log(run.summary);
heading('Pull-request comment');
const comments = emulator.github.comments.filter((comment) => comment.repo === REPOSITORY);
console.log(comments.at(-1)?.body ?? '(no comment)');
const githubWrites = emulator.calls.filter(
  (call) => call.service === 'github' && !call.operation.startsWith('GET'),
);
heading('Summary');
console.log(
  `main step exit code ${run.code} (${run.wallMs} ms), post step exit code ${post.code}; ` +
    `${emulator.sagemaker.jobs().length} SageMaker jobs; ${comments.length} comment, ${githubWrites.length} comment writes`,
);
await emulator.close();
if (options.config === undefined) {
  console.log(
    'The rasp3b target fails on purpose and the Jetson Nano build grew past the 25% budget (compared with main), so the step fails with exit code 1 - as it would in your PR.',
  );
  // The demo succeeded if the action behaved as designed: every target but the deliberate failure completed.
  const expected =
    run.code === 1 &&
    run.outputs.status === 'failed' &&
    Object.keys(JSON.parse(run.outputs.artifacts ?? '{}')).length === 4 &&
    run.outputs['over-budget'] === '["jetson-nano"]';
  process.exit(expected ? 0 : 1);
}
// Your file: the demo fails as the step would.
process.exit(run.code ?? 1);

/** The git checkout holding the file, else the directory the user ran npm in when it holds the file. */
function workspaceRoot(file: string, cwd: string): string {
  const inside = (dir: string) => !path.relative(dir, file).startsWith('..');
  const gitRoot = readGitFacts(path.dirname(file)).root;
  if (gitRoot && inside(gitRoot)) return gitRoot;
  return inside(cwd) ? cwd : path.dirname(file);
}

/**
 * Puts a small gzip "model" at every S3 input the file names and creates the buckets local models are
 * uploaded to, so the action finds what it would find in your account. An invalid file seeds nothing: the
 * action then reports its errors, as it would on the runner.
 */
function seedModels(
  target: Emulator,
  text: string,
  file: string,
  runnerEnv: Record<string, string | undefined>,
): void {
  const ctx: RunContext = {
    sha: RUNNER.GITHUB_SHA,
    refName: RUNNER.GITHUB_REF_NAME,
    runId: RUNNER.GITHUB_RUN_ID,
    runAttempt: RUNNER.GITHUB_RUN_ATTEMPT,
    repository: REPOSITORY,
    region: runnerEnv.AWS_REGION ?? '',
    env: runnerEnv,
  };
  const { config } = readNeoConfig(text, file, ctx);
  if (!config) return;
  const store = target.s3.store;
  const model = torchScriptArchive();
  const ensureBucket = (bucket: string) => {
    if (!store.listBuckets().includes(bucket)) store.createBucket(bucket);
  };
  for (const input of modelInputs(config)) {
    const location = parseS3Uri(input.kind === 's3' ? input.s3Uri : input.uploadTo);
    if (!location) continue;
    ensureBucket(location.bucket);
    if (input.kind === 'path') continue;
    // A prefix (an uncompressed model for an optimization job) needs at least one object under it.
    const key = location.key.endsWith('/') ? `${location.key}model.safetensors` : location.key;
    store.putObject(location.bucket, key, model, 'application/gzip');
  }
}
