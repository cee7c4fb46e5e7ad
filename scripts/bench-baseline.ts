// Benchmark scenario and baseline, shared by scripts/bench.ts:
// - the seeded job durations and the emulator that plays them back (one fresh emulator per measured run);
// - the BASELINE: what the SageMaker Python SDK's `wait_for_compilation_job` does, target after target:
//   CreateCompilationJob, then loop { sleep(poll); DescribeCompilationJob } until terminal, then the next one.
//   Same requests, same poll interval, the real @aws-sdk/client-sagemaker client, real HTTP.

import {
  CreateCompilationJobCommand,
  type CreateCompilationJobRequest,
  DescribeCompilationJobCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { type Emulator, startEmulator } from '../emulator/index.ts';
import { torchScriptArchive } from '../emulator/model-archives.ts';
import { mulberry32 } from '../emulator/random.ts';

export const JOB_PREFIX = 'bench';
export const MODEL_BUCKET = 'models';
export const MODEL_KEY = 'bench/model.tar.gz';
/** Share of a job's duration spent in STARTING; the rest is INPROGRESS. */
export const STARTING_SHARE = 0.2;
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'STOPPED']);

export interface JobDuration {
  target: string;
  startingMs: number;
  inProgressMs: number;
}

/**
 * Durations of jobs t0..t(count-1): uniform in [minMs, maxMs] from a seeded PRNG (mulberry32), split
 * STARTING_SHARE / rest. The sequence depends only on the seed, so the jobs of a small N are the first jobs
 * of a larger N.
 */
export function drawDurations(count: number, seed: number, minMs: number, maxMs: number): JobDuration[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const total = Math.round(minMs + random() * (maxMs - minMs));
    const startingMs = Math.round(total * STARTING_SHARE);
    return { target: `t${i}`, startingMs, inProgressMs: total - startingMs };
  });
}

export const totalMs = (d: JobDuration): number => d.startingMs + d.inProgressMs;

/** The target of a job name `bench-t17-<hash>` (or a retry `bench-t17-<hash>-r2`), undefined otherwise. */
export function targetOfJobName(jobName: string): string | undefined {
  return new RegExp(`^${JOB_PREFIX}-(t\\d+)-`).exec(jobName)?.[1];
}

/** A fresh emulator whose jobs take the drawn durations, with the account quota `quota`. */
export async function startBenchEmulator(durations: JobDuration[], quota: number): Promise<Emulator> {
  const byTarget = new Map(durations.map((d) => [d.target, d]));
  const emulator = await startEmulator({
    sagemaker: {
      quota,
      timing: { startingMs: 1000, inProgressMs: 3000, stoppingMs: 200 },
      timingFor: (jobName) => {
        const target = targetOfJobName(jobName);
        const d = target === undefined ? undefined : byTarget.get(target);
        if (!d) throw new Error(`bench: no duration for job ${jobName}`);
        return { startingMs: d.startingMs, inProgressMs: d.inProgressMs };
      },
    },
  });
  // The action does not HeadObject the model (yet), but a real run needs it: put it where neo.yml points.
  emulator.s3.store.createBucket(MODEL_BUCKET);
  emulator.s3.store.putObject(MODEL_BUCKET, MODEL_KEY, torchScriptArchive(), 'application/gzip');
  return emulator;
}

export interface BaselineJob {
  target: string;
  jobName: string;
  status: string;
  /** Epoch ms: before the Create request was sent / when the terminal Describe answered. */
  submittedAt: number;
  detectedAt: number;
  describes: number;
}

export interface BaselineRun {
  /** Epoch ms before the client was created / after the last job was seen terminal. */
  startedAt: number;
  endedAt: number;
  jobs: BaselineJob[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `requests` one after another the way `sagemaker.Session.wait_for_compilation_job(job, poll)` does
 * (`_wait_until`: sleep(poll) first, then Describe, until the status is terminal).
 */
export async function runBaseline(
  emulator: Emulator,
  requests: CreateCompilationJobRequest[],
  pollMs: number,
  onJobDone?: (done: number, job: BaselineJob) => void,
): Promise<BaselineRun> {
  const startedAt = Date.now();
  const client = new SageMakerClient({
    region: emulator.env.AWS_REGION,
    endpoint: emulator.sagemakerUrl,
    credentials: {
      accessKeyId: emulator.env.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: emulator.env.AWS_SECRET_ACCESS_KEY as string,
    },
  });
  const jobs: BaselineJob[] = [];
  try {
    for (const request of requests) {
      const jobName = request.CompilationJobName as string;
      const submittedAt = Date.now();
      await client.send(new CreateCompilationJobCommand(request));
      let status = '';
      let describes = 0;
      while (!TERMINAL_STATUSES.has(status)) {
        await sleep(pollMs);
        const out = await client.send(new DescribeCompilationJobCommand({ CompilationJobName: jobName }));
        describes++;
        status = out.CompilationJobStatus ?? '';
      }
      const job = {
        target: targetOfJobName(jobName) ?? jobName,
        jobName,
        status,
        submittedAt,
        detectedAt: Date.now(),
        describes,
      };
      jobs.push(job);
      onJobDone?.(jobs.length, job);
    }
  } finally {
    client.destroy();
  }
  return { startedAt, endedAt: Date.now(), jobs };
}
