// Issue 13 end to end on dist/: the model preflight stops a state_dict archive at the line of its s3-uri before any
// job, lets a traced model compile, reads a shared model once, runs in a dry run for local models, and can be off.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { stateDictArchive, torchScriptModelFile } from '../../emulator/model-archives.ts';
import { createWorkspace, pullRequestEvent, runAction } from '../../emulator/run-action.ts';
import { prepareRun, REPOSITORY, sagemakerCalls, startTestEmulator, targetsYaml } from './helpers.ts';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const withModel = (key: string) =>
  targetsYaml(3).replace('s3://models/resnet50/model.tar.gz', `s3://models/resnet50/${key}`);
const getObjects = (em: Emulator, key: string) =>
  em.calls.filter((call) => call.service === 's3' && call.operation === 'GetObject' && call.detail === key);

describe('model preflight', () => {
  it('stops a state_dict archive at the line of its s3-uri, with the fix, and creates no job', async () => {
    const em = await startTestEmulator();
    emulator = em;
    em.s3.store.putObject('models', 'resnet50/state-dict.tar.gz', stateDictArchive(), 'application/gzip');
    const result = await prepareRun(em, withModel('state-dict.tar.gz')).run();
    expect(result.code).toBe(1);
    expect(result.outputs.status).toBe('failed');
    // s3-uri is on line 5 of targetsYaml, its value at column 11.
    expect(result.stdout).toMatch(
      /::error file=neo\.yml,line=5,col=11,title=Model preflight failed::.*state_dict.*torch\.jit\.trace/,
    );
    expect(sagemakerCalls(em, 'CreateCompilationJob')).toHaveLength(0);
    const comment = em.github.comments[0]?.body ?? '';
    expect(comment).toContain('is invalid');
    expect(comment).toContain('Model preflight');
  });

  it('lets a traced model compile, reading it once for all targets, and shows one line per model', async () => {
    const em = await startTestEmulator();
    emulator = em;
    const result = await prepareRun(em, targetsYaml(3)).run();
    expect(result.code).toBe(0);
    expect(sagemakerCalls(em, 'CreateCompilationJob')).toHaveLength(3);
    // The 2-byte gzip check, then one preflight read for all three targets.
    expect(getObjects(em, 'resnet50/model.tar.gz')).toHaveLength(2);
    expect(result.summary).toMatch(/Model preflight: model\.pth: TorchScript/);
    expect(result.stdout).not.toMatch(/::(error|warning)/);
  });

  it('with history: a re-run reuses what the first run learned and reads no model', async () => {
    const em = await startTestEmulator();
    emulator = em;
    em.s3.store.createBucket('neo-history');
    const config = targetsYaml(2).replace(
      'job-prefix: resnet50',
      'job-prefix: resnet50\nhistory: s3://neo-history/runs/',
    );
    const first = await prepareRun(em, config).run();
    expect(first.code).toBe(0);
    expect(getObjects(em, 'resnet50/model.tar.gz')).toHaveLength(2);
    const again = await prepareRun(em, config).run();
    expect(again.code).toBe(0);
    // Only the 2-byte gzip check of the second run: the archive itself is not read again.
    expect(getObjects(em, 'resnet50/model.tar.gz')).toHaveLength(3);
    expect(again.stdout).toContain('not read again');
    expect(again.summary).toMatch(/Model preflight: model\.pth: TorchScript/);
  });

  it('preflight: false skips the check (the job is created, and fails in SageMaker as it would)', async () => {
    const em = await startTestEmulator();
    emulator = em;
    em.s3.store.putObject('models', 'resnet50/state-dict.tar.gz', stateDictArchive(), 'application/gzip');
    const result = await prepareRun(em, withModel('state-dict.tar.gz')).run({
      inputs: { preflight: 'false' },
    });
    expect(sagemakerCalls(em, 'CreateCompilationJob')).toHaveLength(3);
    // Only the 2-byte gzip check; the archive is never read.
    expect(getObjects(em, 'resnet50/state-dict.tar.gz')).toHaveLength(1);
    expect(result.stdout).not.toContain('Model preflight');
  });

  it('a dry run checks a local model with no credentials and no AWS call', async () => {
    const em = await startTestEmulator();
    emulator = em;
    const config = targetsYaml(1).replace(
      '  s3-uri: s3://models/resnet50/model.tar.gz',
      '  path: models/resnet\n  upload-to: s3://models/uploads/',
    );
    const workspace = createWorkspace({ 'neo.yml': config }, pullRequestEvent(REPOSITORY, 7));
    mkdirSync(path.join(workspace.dir, 'models/resnet'), { recursive: true });
    writeFileSync(path.join(workspace.dir, 'models/resnet/model.pth'), torchScriptModelFile());
    const result = await runAction(workspace, {
      inputs: { 'dry-run': 'true', comment: 'false' },
      env: { GITHUB_REPOSITORY: REPOSITORY, AWS_REGION: 'us-west-2' },
    });
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('planned');
    expect(result.summary).toMatch(/Model preflight: model\.pth: TorchScript/);
    expect(em.calls).toHaveLength(0);
  });

  it('streams the model while existing jobs are looked up, and creates no job before it has passed', async () => {
    const em = await startTestEmulator();
    emulator = em;
    // Every GetObject (the 2-byte check, then the preflight read) answers 1.5 s late.
    em.s3.delay('GetObject', 1500);
    const result = await prepareRun(em, targetsYaml(3)).run();
    expect(result.code).toBe(0);
    const [check, read] = getObjects(em, 'resnet50/model.tar.gz');
    const lookups = em.calls.filter(
      (call) => call.service === 'sagemaker' && call.operation !== 'CreateCompilationJob',
    );
    const creates = em.calls.filter((call) => call.operation === 'CreateCompilationJob');
    expect(check && read && lookups.length > 0 && creates.length === 3).toBe(true);
    if (!read || !lookups[0]) return;
    // The look-ups went out while the preflight read was still held; the creates came after it was answered.
    expect(lookups[0].time).toBeLessThan(read.time + 1500);
    for (const create of creates) expect(create.time).toBeGreaterThanOrEqual(read.time + 1500);
  });

  it("reads the model without S3's checksum (gzip checks the bytes) and downloads artifacts with it", async () => {
    const em = await startTestEmulator();
    emulator = em;
    const result = await prepareRun(em, targetsYaml(1)).run({ inputs: { download: 'compiled' } });
    expect(result.code).toBe(0);
    const [, read] = getObjects(em, 'resnet50/model.tar.gz');
    expect(read).toBeDefined();
    expect(read?.checksumMode).toBeUndefined();
    const downloads = em.calls.filter(
      (call) =>
        call.service === 's3' && call.operation === 'GetObject' && call.detail !== 'resnet50/model.tar.gz',
    );
    expect(downloads.length).toBeGreaterThan(0);
    expect(downloads.every((call) => call.checksumMode === true)).toBe(true);
  });

  it('a cancel while the model still streams: nothing created, no comment, "Cancelled before any job was created."', async () => {
    const em = await startTestEmulator();
    emulator = em;
    em.s3.delay('GetObject', 3000);
    let child: ChildProcess | undefined;
    const watch = setInterval(() => {
      if (em.calls.some((call) => call.service === 'sagemaker')) {
        clearInterval(watch);
        child?.kill('SIGINT');
      }
    }, 10);
    const result = await prepareRun(em, targetsYaml(2))
      .run({
        onSpawn: (spawned) => {
          child = spawned;
        },
      })
      .finally(() => clearInterval(watch));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Cancelled before any job was created.');
    expect(result.stdout).not.toContain('Submitting');
    expect(result.outputs.jobs).toBe('[]');
    expect(result.outputs.status).toBe('failed');
    expect(sagemakerCalls(em, 'CreateCompilationJob')).toHaveLength(0);
    expect(em.github.comments).toHaveLength(0);
  });

  it('the timeout reached while the model still streams: nothing created, and the log says the preflight counts', async () => {
    const em = await startTestEmulator();
    emulator = em;
    em.s3.delay('GetObject', 2500);
    const result = await prepareRun(em, targetsYaml(2)).run({ inputs: { timeout: '1s' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::warning::The timeout \(1 s\) was reached before any job was submitted, while the model preflight/,
    );
    expect(sagemakerCalls(em, 'CreateCompilationJob')).toHaveLength(0);
    expect(result.stdout).not.toContain('Submitting');
    const jobs = JSON.parse(result.outputs.jobs ?? '[]') as { 'failure-reason'?: string }[];
    expect(jobs.map((job) => job['failure-reason'])).toEqual([
      'Not submitted: timeout reached before submitting could start',
      'Not submitted: timeout reached before submitting could start',
    ]);
  });

  it('a bad model stops the run at once, even while the look-ups of existing jobs are slow', async () => {
    const em = await startTestEmulator();
    emulator = em;
    em.s3.store.putObject('models', 'resnet50/state-dict.tar.gz', stateDictArchive(), 'application/gzip');
    em.sagemaker.faults.latencyMs = 8000;
    const result = await prepareRun(em, withModel('state-dict.tar.gz')).run();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error file=neo\.yml,line=5,col=11,title=Model preflight failed::/);
    expect(result.wallMs).toBeLessThan(7000);
    expect(sagemakerCalls(em, 'CreateCompilationJob')).toHaveLength(0);
    // One summary: the invalid-config report only, not a status table of targets "not submitted".
    expect(result.summary).not.toContain('Not submitted');
  });
});
