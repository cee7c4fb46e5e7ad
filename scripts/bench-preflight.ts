// The model preflight's cost, for `npm run bench` (issue 13): a 100 MB model in S3 read by the built action
// against the emulator, with preflight on and off (time and peak RSS), and a re-run that finds the archive's facts
// under `history:` and reads no model.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { startEmulator } from '../emulator/index.ts';
import { modelArchive, torchScriptModelFile } from '../emulator/model-archives.ts';
import { createWorkspace, pullRequestEvent, runAction } from '../emulator/run-action.ts';

export interface PreflightBenchRun {
  preflight: boolean;
  wallMs: number;
  /** Process start to first CreateCompilationJob: what the preflight adds to. */
  startToFirstCreateMs: number;
  peakRssMiB: number | null;
  /** Full GetObject reads of the model (the 2-byte gzip check is not counted). */
  modelReads: number;
  exitCode: number | null;
}

export interface PreflightBench {
  modelBytes: number;
  archiveBytes: number;
  runs: { off: PreflightBenchRun; first: PreflightBenchRun; cached: PreflightBenchRun };
}

/** Peak resident set of a running process (VmHWM, a high-water mark), in MiB; undefined off Linux or once gone. */
export function peakRssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kib = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kib ? Math.round(Number(kib[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

const CONFIG = `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
job-prefix: preflight-bench
history: s3://bench-history/neo/
input:
  s3-uri: s3://models/big/model.tar.gz
  framework: PYTORCH
  framework-version: "2.0"
  data-input-config: {input0: [1, 3, 224, 224]}
output:
  s3-location: s3://artifacts/preflight-bench/\${target}/
targets:
  - name: jetson
    device: jetson_nano
  - name: pi
    device: rasp4b
`;

export async function measurePreflight(modelBytes = 100 * 1024 * 1024): Promise<PreflightBench> {
  // A TorchScript model whose weights are incompressible, packed as model.tar.gz.
  const archive = modelArchive(torchScriptModelFile(randomBytes(modelBytes)));
  const emulator = await startEmulator({
    sagemaker: { timing: { startingMs: 50, inProgressMs: 200, stoppingMs: 50 } },
  });
  emulator.s3.store.createBucket('models');
  emulator.s3.store.createBucket('bench-history');
  emulator.s3.store.putObject('models', 'big/model.tar.gz', archive, 'application/gzip');
  const one = async (preflight: boolean, force: boolean): Promise<PreflightBenchRun> => {
    const before = emulator.calls.length;
    const workspace = createWorkspace({ 'neo.yml': CONFIG }, pullRequestEvent('octo-org/bench', 7));
    let pid: number | undefined;
    let peak: number | null = null;
    const sampler = setInterval(() => {
      peak = peakRssOf(pid) ?? peak;
    }, 50);
    const spawnAt = Date.now();
    try {
      const run = await runAction(workspace, {
        inputs: {
          'poll-interval': '0.1',
          comment: 'false',
          preflight: String(preflight),
          force: String(force),
        },
        env: { ...emulator.env, GITHUB_REPOSITORY: 'octo-org/bench' },
        onSpawn: (child) => {
          pid = child.pid;
        },
      });
      const calls = emulator.calls.slice(before);
      const rss = /^::debug::peak RSS (\d+) MiB/m.exec(run.stdout);
      const firstCreate = calls.find((call) => call.operation === 'CreateCompilationJob');
      const gets = calls.filter(
        (call) => call.operation === 'GetObject' && call.detail === 'big/model.tar.gz',
      );
      return {
        preflight,
        wallMs: run.wallMs,
        startToFirstCreateMs: firstCreate ? firstCreate.time - spawnAt : Number.NaN,
        // VmHWM from outside: getrusage's maxrss (the debug line) survives exec and reports this process's peak.
        peakRssMiB: peak ?? (rss ? Number(rss[1]) : null),
        modelReads: Math.max(0, gets.length - 1),
        exitCode: run.code,
      };
    } finally {
      clearInterval(sampler);
      rmSync(workspace.dir, { recursive: true, force: true });
    }
  };
  try {
    const off = await one(false, true);
    const first = await one(true, true);
    const cached = await one(true, true);
    return { modelBytes, archiveBytes: archive.length, runs: { off, first, cached } };
  } finally {
    await emulator.close();
  }
}
