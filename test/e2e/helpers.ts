// Shared set-up for the end-to-end tests: an emulator per test and a workspace with a neo.yml.
import { type Emulator, type EmulatorOptions, startEmulator } from '../../emulator/index.ts';
import { torchScriptArchive } from '../../emulator/model-archives.ts';
import { createWorkspace, pullRequestEvent, type RunOptions, runAction } from '../../emulator/run-action.ts';

export const REPOSITORY = 'octo-org/vision-models';

/** Starts an emulator with fast jobs and the models the test configs point at. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = await startEmulator({
    ...options,
    sagemaker: { timing: { startingMs: 40, inProgressMs: 150, stoppingMs: 40 }, ...options.sagemaker },
  });
  emulator.s3.store.createBucket('models');
  // A real TorchScript archive: the model preflight checks what it reads.
  const model = torchScriptArchive();
  for (const key of ['resnet50/model.tar.gz', 'resnet50/model-fails-to-load.tar.gz']) {
    emulator.s3.store.putObject('models', key, model, 'application/gzip');
  }
  return emulator;
}

export function targetsYaml(count: number, extra = ''): string {
  const devices = ['jetson_nano', 'rasp4b', 'ml_c5', 'jetson_xavier', 'rk3399', 'ml_m5', 'qcs605', 'imx8qm'];
  const targets = Array.from(
    { length: count },
    (_, i) => `  - name: t${i}\n    device: ${devices[i % devices.length]}\n${extra}`,
  ).join('');
  return `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
job-prefix: resnet50
input:
  s3-uri: s3://models/resnet50/model.tar.gz
  framework: PYTORCH
  framework-version: "2.0"
  data-input-config: {input0: [1, 3, 224, 224]}
output:
  s3-location: s3://artifacts/resnet50/\${target}/
targets:
${targets}`;
}

export interface E2ERun {
  emulator: Emulator;
  workspace: ReturnType<typeof createWorkspace>;
  run(options?: RunOptions): ReturnType<typeof runAction>;
}

/** A workspace holding `neo.yml`, run against `emulator` as a pull_request of PR #7. */
export function prepareRun(
  emulator: Emulator,
  config: string,
  event: unknown = pullRequestEvent(REPOSITORY, 7),
) {
  const workspace = createWorkspace({ 'neo.yml': config }, event);
  return {
    workspace,
    run: (options: RunOptions = {}) =>
      runAction(workspace, {
        ...options,
        inputs: {
          'github-token': 'ghs_test',
          'poll-interval': '0.05',
          'comment-interval': '0',
          ...options.inputs,
        },
        env: { ...emulator.env, GITHUB_REPOSITORY: REPOSITORY, ...options.env },
      }),
  };
}

export const sagemakerCalls = (emulator: Emulator, operation: string) =>
  emulator.calls.filter((call) => call.service === 'sagemaker' && call.operation === operation);
