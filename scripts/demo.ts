// `npm run demo`: starts the local emulator, runs the built action (dist/) on examples/neo.yml as the runner
// would for a pull request, shows live progress, then prints the outputs, the job summary and the PR comment.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { startEmulator } from '../emulator/index.ts';
import { createWorkspace, pullRequestEvent, runAction } from '../emulator/run-action.ts';

const REPOSITORY = 'octo-org/vision-models';
const emulator = await startEmulator({
  sagemaker: { quota: 10, timing: { startingMs: 600, inProgressMs: 2500, stoppingMs: 300 } },
});
// The models the example config points at; a real model is a .tar.gz of the trained weights.
const model = gzipSync(Buffer.from('resnet50 weights (demo)'));
emulator.s3.store.createBucket('models');
emulator.s3.store.putObject('models', 'resnet50/model.tar.gz', model, 'application/gzip');
emulator.s3.store.putObject('models', 'resnet50/model-fails-to-load.tar.gz', model, 'application/gzip');

const workspace = createWorkspace(
  { 'neo.yml': readFileSync(new URL('../examples/neo.yml', import.meta.url), 'utf8') },
  pullRequestEvent(REPOSITORY, 7),
);
const heading = (text: string) => console.log(`\n\x1b[1m== ${text} ==\x1b[0m`);
heading(`Running dist/index.js on examples/neo.yml (workspace ${workspace.dir})`);
const run = await runAction(workspace, {
  inputs: {
    config: 'neo.yml',
    'github-token': 'ghs_demo_token',
    'poll-interval': '0.5',
    'comment-interval': '1',
  },
  env: { ...emulator.env, GITHUB_REPOSITORY: REPOSITORY },
  onLine: (line) => console.log(`  ${line}`),
});
const post = await runAction(workspace, {
  post: true,
  env: { ...emulator.env, GITHUB_REPOSITORY: REPOSITORY },
});

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
console.log(
  'The rasp3b target fails on purpose, so the step fails with exit code 1 - as it would in your PR.',
);
await emulator.close();
// The demo succeeded if the action behaved as designed: every target but the deliberate failure completed.
const status = run.outputs.status;
const expected =
  run.code === 1 &&
  status === 'failed' &&
  Object.keys(JSON.parse(run.outputs.artifacts ?? '{}')).length === 4;
process.exit(expected ? 0 : 1);
