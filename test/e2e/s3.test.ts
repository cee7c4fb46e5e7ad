// End-to-end: models from the workspace, S3 input checks before any job, and artifact download.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { prepareRun, sagemakerCalls, startTestEmulator, targetsYaml } from './helpers.ts';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const s3Calls = (emu: Emulator, operation: string) =>
  emu.calls.filter((call) => call.service === 's3' && call.operation === operation);

const localInputConfig = (localPath: string) =>
  targetsYaml(2).replace(
    's3-uri: s3://models/resnet50/model.tar.gz',
    `path: ${localPath}\n  upload-to: s3://models/uploads/`,
  );

describe('a model in the workspace', () => {
  it('is uploaded once under a content-addressed key, and skipped the second time', async () => {
    emulator = await startTestEmulator();
    const model = gzipSync(Buffer.from('weights from the repository'));
    const sha256 = createHash('sha256').update(model).digest('hex');
    const prepared = prepareRun(emulator, localInputConfig('models/resnet50.tar.gz'));
    mkdirSync(path.join(prepared.workspace.dir, 'models'));
    writeFileSync(path.join(prepared.workspace.dir, 'models/resnet50.tar.gz'), model);

    const first = await prepared.run();
    expect(first.code).toBe(0);
    const key = `uploads/${sha256}/resnet50.tar.gz`;
    expect(emulator.s3.store.getObject('models', key)?.body.equals(model)).toBe(true);
    const creates = sagemakerCalls(emulator, 'CreateCompilationJob');
    for (const call of creates) {
      expect((call.body as { InputConfig: { S3Uri: string } }).InputConfig.S3Uri).toBe(`s3://models/${key}`);
    }
    expect(s3Calls(emulator, 'PutObject')).toHaveLength(1);

    const second = await prepared.run();
    expect(second.code).toBe(0);
    expect(s3Calls(emulator, 'PutObject')).toHaveLength(1);
    expect(second.stdout).toContain(`Already in S3: models/resnet50.tar.gz -> s3://models/${key}`);
  });

  it('packs a directory into a deterministic .tar.gz and uploads it', async () => {
    emulator = await startTestEmulator();
    const prepared = prepareRun(emulator, localInputConfig('models/resnet50'));
    const dir = path.join(prepared.workspace.dir, 'models/resnet50');
    mkdirSync(path.join(dir, 'code'), { recursive: true });
    writeFileSync(path.join(dir, 'model.pth'), 'weights');
    writeFileSync(path.join(dir, 'code/inference.py'), 'print(1)');
    const result = await prepared.run();
    expect(result.code).toBe(0);
    const keys = (emulator.s3.store as unknown as { keys(bucket: string): string[] }).keys('models');
    const uploaded = keys.filter((key) => key.startsWith('uploads/'));
    expect(uploaded).toHaveLength(1);
    expect(uploaded[0]).toMatch(/^uploads\/[0-9a-f]{64}\/resnet50\.tar\.gz$/);
  });

  it('uses a multipart upload for a large model', async () => {
    emulator = await startTestEmulator();
    const big = Buffer.concat([gzipSync(Buffer.from('header')), randomBytes(18 * 1024 * 1024)]);
    const prepared = prepareRun(emulator, localInputConfig('big.tar.gz'));
    writeFileSync(path.join(prepared.workspace.dir, 'big.tar.gz'), big);
    const result = await prepared.run();
    expect(result.code).toBe(0);
    expect(s3Calls(emulator, 'CreateMultipartUpload')).toHaveLength(1);
    expect(s3Calls(emulator, 'UploadPart').length).toBeGreaterThanOrEqual(3);
    const sha256 = createHash('sha256').update(big).digest('hex');
    expect(emulator.s3.store.getObject('models', `uploads/${sha256}/big.tar.gz`)?.body.equals(big)).toBe(
      true,
    );
  });

  it('refuses a path that leaves the workspace through a symlink, creating no job', async () => {
    emulator = await startTestEmulator();
    const outside = path.join(tmpdir(), `outside-${Date.now()}.tar.gz`);
    writeFileSync(outside, gzipSync(Buffer.from('secret')));
    const prepared = prepareRun(emulator, localInputConfig('link.tar.gz'));
    symlinkSync(outside, path.join(prepared.workspace.dir, 'link.tar.gz'));
    const result = await prepared.run();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error file=neo\.yml,line=5,col=\d+,title=Model path outside the workspace::/,
    );
    expect(emulator.calls.filter((call) => call.service === 'sagemaker')).toHaveLength(0);
    expect(emulator.calls.filter((call) => call.service === 's3')).toHaveLength(0);
  });

  it('refuses a path with .. before any upload', async () => {
    emulator = await startTestEmulator();
    const result = await prepareRun(emulator, localInputConfig('../elsewhere/model.tar.gz')).run();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error file=neo\.yml,line=5,col=\d+/);
    expect(emulator.calls.filter((call) => call.service !== 'github')).toHaveLength(0);
  });
});

describe('S3 inputs are checked before any job', () => {
  it('reports a missing model at the line of its s3-uri and creates no job', async () => {
    emulator = await startTestEmulator();
    const config = targetsYaml(3).replace('resnet50/model.tar.gz', 'resnet50/missing.tar.gz');
    const result = await prepareRun(emulator, config).run();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error file=neo\.yml,line=5,col=11,title=Model not found in S3::s3:\/\/models\/resnet50\/missing\.tar\.gz does not exist/,
    );
    expect(sagemakerCalls(emulator, 'CreateCompilationJob')).toHaveLength(0);
    // One HeadObject for the input all three targets share.
    expect(s3Calls(emulator, 'HeadObject')).toHaveLength(1);
  });

  it('reports an object that is not gzip-compressed', async () => {
    emulator = await startTestEmulator();
    emulator.s3.store.putObject('models', 'resnet50/plain.tar.gz', Buffer.from('not a gzip file'));
    const config = targetsYaml(1).replace('resnet50/model.tar.gz', 'resnet50/plain.tar.gz');
    const result = await prepareRun(emulator, config).run();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /title=Model is not a \.tar\.gz::s3:\/\/models\/resnet50\/plain\.tar\.gz is not gzip-compressed/,
    );
    expect(sagemakerCalls(emulator, 'CreateCompilationJob')).toHaveLength(0);
  });

  it('gives a new job name when the model object changes, and the same name when it does not', async () => {
    emulator = await startTestEmulator();
    const prepared = prepareRun(emulator, targetsYaml(1));
    await prepared.run();
    await prepared.run();
    emulator.s3.store.putObject(
      'models',
      'resnet50/model.tar.gz',
      gzipSync(Buffer.from('retrained weights')),
    );
    await prepared.run();
    const names = sagemakerCalls(emulator, 'CreateCompilationJob').map(
      (call) => (call.body as { CompilationJobName: string }).CompilationJobName,
    );
    expect(names).toHaveLength(2);
    expect(names[0]).not.toBe(names[1]);
  });
});

describe('artifact download', () => {
  it('streams each completed artifact into the workspace with its sha256 and size', async () => {
    emulator = await startTestEmulator();
    const prepared = prepareRun(emulator, targetsYaml(2));
    const result = await prepared.run({ inputs: { download: 'compiled' } });
    expect(result.code).toBe(0);
    expect(result.outputs['download-dir']).toBe('compiled');
    const jobs = JSON.parse(result.outputs.jobs ?? '[]') as Record<string, unknown>[];
    for (const job of jobs) {
      const file = path.join(prepared.workspace.dir, 'compiled', `${job.target}.tar.gz`);
      const bytes = readFileSync(file);
      const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(job.artifact as string) ?? [];
      const stored = emulator.s3.store.getObject(bucket as string, key as string)?.body;
      expect(stored && bytes.equals(stored)).toBe(true);
      expect(job['artifact-file']).toBe(`compiled/${job.target}.tar.gz`);
      expect(job['artifact-sha256']).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(job['artifact-size']).toBe(bytes.length);
    }
    expect(result.summary).toContain('sha256');
  });

  it('refuses a download directory outside the workspace', async () => {
    emulator = await startTestEmulator();
    const result = await prepareRun(emulator, targetsYaml(1)).run({ inputs: { download: '../out' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::Input 'download' must stay inside the workspace/);
    expect(sagemakerCalls(emulator, 'CreateCompilationJob')).toHaveLength(0);
  });
});
