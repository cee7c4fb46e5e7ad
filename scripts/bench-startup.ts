// Start-up of the built action, for `npm run bench` (issue 10: process start to first SageMaker request). One
// start is one sample of a ~250 ms span that the machine's scheduling moves by tens of ms, so each N gets several
// short runs on a fresh emulator: the action is spawned, killed once its first CreateCompilationJob arrives, and
// the goal is judged on the median.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createWorkspace, pullRequestEvent, runAction } from '../emulator/run-action.ts';
import { type JobDuration, startBenchEmulator } from './bench-baseline.ts';
import { percentile } from './bench-stats.ts';

export interface StartupSample {
  /** Spawn to the first SageMaker request received by the emulator. */
  firstSageMakerMs: number;
  /** Spawn to the first request of any service (the model's HeadObject). */
  firstAnyMs: number;
  firstCreateMs: number;
}

export interface StartupMeasure {
  samples: StartupSample[];
  medianFirstSageMakerMs: number;
  minFirstSageMakerMs: number;
  maxFirstSageMakerMs: number;
  medianFirstAnyMs: number;
  medianFirstCreateMs: number;
}

/** Nearest-rank median: one of the starts (the lower middle one for an even count). */
const median = (values: number[]): number => percentile(values, 50);

/** `runs` starts of the action on `config`, each on a fresh emulator, stopped at the first create. */
export async function measureStartups(
  config: string,
  durations: JobDuration[],
  quota: number,
  env: { repository: string; inputs: Record<string, string> },
  runs = 5,
): Promise<StartupMeasure> {
  const samples: StartupSample[] = [];
  for (let run = 0; run < runs; run++) {
    const emulator = await startBenchEmulator(durations, quota);
    const workspace = createWorkspace({ 'neo.yml': config }, pullRequestEvent(env.repository, 7));
    let child: ChildProcess | undefined;
    const watch = setInterval(() => {
      if (emulator.calls.some((call) => call.operation === 'CreateCompilationJob')) child?.kill('SIGKILL');
    }, 5);
    try {
      const spawnAt = Date.now();
      await runAction(workspace, {
        inputs: env.inputs,
        env: { ...emulator.env, GITHUB_REPOSITORY: env.repository },
        onSpawn: (spawned) => {
          child = spawned;
        },
      });
      const first = (match: (service: string, operation: string) => boolean) =>
        (emulator.calls.find((call) => match(call.service, call.operation))?.time ?? Number.NaN) - spawnAt;
      samples.push({
        firstSageMakerMs: first((service) => service === 'sagemaker'),
        firstAnyMs: first(() => true),
        firstCreateMs: first((_, operation) => operation === 'CreateCompilationJob'),
      });
    } finally {
      clearInterval(watch);
      await emulator.close();
      rmSync(workspace.dir, { recursive: true, force: true });
    }
  }
  const sageMaker = samples.map((sample) => sample.firstSageMakerMs);
  return {
    samples,
    medianFirstSageMakerMs: median(sageMaker),
    minFirstSageMakerMs: Math.min(...sageMaker),
    maxFirstSageMakerMs: Math.max(...sageMaker),
    medianFirstAnyMs: median(samples.map((sample) => sample.firstAnyMs)),
    medianFirstCreateMs: median(samples.map((sample) => sample.firstCreateMs)),
  };
}
