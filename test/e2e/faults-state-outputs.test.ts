// Issue 10 rows 7 and 8 against the built dist/: a post step fed bad saved state, and a run whose `jobs`
// output would pass GitHub's 1 MB limit per output.
import { appendFileSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { outputBlock } from '../../src/action/outputs-file.ts';
import { prepareRun, sagemakerCalls, startTestEmulator, targetsYaml } from './helpers.ts';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('row 7: the post step reads each saved entry on its own', () => {
  it('empty state: no SageMaker call, never a job created', async () => {
    emulator = await startTestEmulator();
    const post = await prepareRun(emulator, targetsYaml(3)).run({ post: true });
    expect(post.code).toBe(0);
    expect(emulator.calls.filter((call) => call.service === 'sagemaker')).toHaveLength(0);
    expect(emulator.sagemaker.jobs()).toHaveLength(0);
  });

  it('null, garbage and a huge job-count are warnings; the valid own entry is still stopped, quickly', async () => {
    emulator = await startTestEmulator({
      sagemaker: { timing: { startingMs: 50, inProgressMs: 60_000, stoppingMs: 50 } },
    });
    const prepared = prepareRun(emulator, targetsYaml(2));
    // A main step that created t0 and t1 and was then killed...
    const main = await prepared.run({ inputs: { wait: 'false' } });
    expect(main.code).toBe(0);
    const [t0, t1] = emulator.sagemaker.jobs();
    const runStart = Date.now() - 60_000;
    // ...and whose state was then garbled: the post-mode reset, entries broken, the count absurd.
    const state = [
      ['post-mode', 'stop'],
      ['job-count', '99999999999'],
      ['job-0', 'null'],
      ['job-1', '{"kind":"compilation"'],
      [
        'job-2',
        JSON.stringify({
          kind: 'compilation',
          region: 'us-west-2',
          name: t0?.name,
          lifecycle: 'created',
          runStart,
        }),
      ],
      [
        'job-3',
        JSON.stringify({
          kind: 'compilation',
          region: 'us-west-2',
          name: t1?.name,
          lifecycle: 'released',
          runStart,
        }),
      ],
      [
        'job-4',
        JSON.stringify({
          kind: 'shell',
          region: 'us-west-2; rm -rf /',
          name: '../x',
          lifecycle: 'created',
          runStart,
        }),
      ],
    ];
    for (const [key, value] of state)
      appendFileSync(prepared.workspace.stateFile, outputBlock(key as string, value as string));
    const post = await prepared.run({ post: true });
    expect(post.code).toBe(0);
    expect(post.wallMs).toBeLessThan(10_000);
    expect(post.stdout).toMatch(/::warning::Saved state: job-count is '99999999999'/);
    expect(post.stdout).toMatch(/::warning::Saved state: job-0 is unusable \(not an object\)/);
    expect(post.stdout).toMatch(/::warning::Saved state: job-1 is unusable \(not JSON\)/);
    expect(post.stdout).toMatch(/::warning::Saved state: job-4 is unusable/);
    // Only the own entry is stopped; the released one (adopted, another run's) is left alone.
    const stops = sagemakerCalls(emulator, 'StopCompilationJob');
    expect(stops.map((call) => (call.body as { CompilationJobName: string }).CompilationJobName)).toEqual([
      t0?.name,
    ]);
    expect(emulator.sagemaker.jobs()).toHaveLength(2);
  });
});

describe('row 8: many failing targets', () => {
  it('each output is written once; jobs stays below 1,000,000 bytes with a truncation marker and a full list file', async () => {
    const reason = `ClientError: ${'the model could not be loaded; '.repeat(32)}`.slice(0, 1000);
    emulator = await startTestEmulator({
      sagemaker: {
        quota: 1000,
        timing: { startingMs: 20, inProgressMs: 50, stoppingMs: 20 },
        failureFor: () => reason,
      },
    });
    const targets = 800;
    const prepared = prepareRun(emulator, targetsYaml(targets));
    const result = await prepared.run({
      inputs: { 'max-concurrency': '1000', comment: 'false', 'poll-interval': '0.2' },
    });
    expect(result.code).toBe(1);
    const full = JSON.parse(readFileSync(result.outputs['jobs-file'] ?? '', 'utf8')) as { status: string }[];
    expect(full).toHaveLength(targets);
    expect(full.every((job) => job.status === 'FAILED')).toBe(true);
    const jobs = result.outputs.jobs ?? '';
    expect(Buffer.byteLength(jobs)).toBeLessThan(1_000_000);
    const list = JSON.parse(jobs) as Record<string, unknown>[];
    const marker = list.at(-1) as Record<string, unknown>;
    expect(marker).toMatchObject({ truncated: true, total: targets, shown: list.length - 1 });
    expect(String(marker['full-list'])).toContain(result.outputs['jobs-file']);
    // Each output once in the runner's output file.
    const file = readFileSync(prepared.workspace.outputFile, 'utf8');
    for (const name of ['status', 'artifacts', 'jobs', 'jobs-file']) {
      expect(file.match(new RegExp(`^${name}<<`, 'gm'))).toHaveLength(1);
    }
  });
});

describe('issue 12: a successful dry run after an invalid config', () => {
  it('updates the old "neo.yml is invalid" comment instead of leaving it', async () => {
    emulator = await startTestEmulator();
    const invalid = await prepareRun(emulator, targetsYaml(2).replace('PYTORCH', 'PYTORCHH')).run();
    expect(invalid.code).toBe(1);
    expect(emulator.github.comments).toHaveLength(1);
    expect(emulator.github.comments[0]?.body).toMatch(/is invalid/);
    const dry = await prepareRun(emulator, targetsYaml(2)).run({ inputs: { 'dry-run': 'true' } });
    expect(dry.code).toBe(0);
    expect(emulator.github.comments).toHaveLength(1);
    expect(emulator.github.comments[0]?.body).not.toMatch(/is invalid/);
    expect(emulator.github.comments[0]?.body).toMatch(/dry run: 2 jobs planned/);
    expect(dry.outputs['comment-id']).toBe(String(emulator.github.comments[0]?.id));
  });
});
