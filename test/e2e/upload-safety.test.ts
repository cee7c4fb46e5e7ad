// End-to-end (dist/ on the emulator): uploads of models from the workspace are cancelled cleanly, go to each
// region's bucket once, and a missing bucket is a located error.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { prepareRun, sagemakerCalls, startTestEmulator } from './helpers.ts';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const s3Calls = (emu: Emulator, operation: string) =>
  emu.calls.filter((call) => call.service === 's3' && call.operation === operation);

/** A config whose targets read `models/resnet50.tar.gz` from the workspace, uploaded under `uploadTo`. */
const localModelConfig = (uploadTo: string, targets: string) => `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
job-prefix: resnet50
input:
  path: models/resnet50.tar.gz
  upload-to: ${uploadTo}
  framework: PYTORCH
  framework-version: "2.0"
  data-input-config: {input0: [1, 3, 224, 224]}
output:
  s3-location: s3://artifacts-\${region}/resnet50/\${target}/
targets:
${targets}`;

function withModel(run: ReturnType<typeof prepareRun>, model: Buffer) {
  mkdirSync(path.join(run.workspace.dir, 'models'));
  writeFileSync(path.join(run.workspace.dir, 'models/resnet50.tar.gz'), model);
  return run;
}

describe('a cancel during a multipart upload', () => {
  it('aborts the upload in S3 (AbortMultipartUpload) and creates no job', async () => {
    emulator = await startTestEmulator();
    // Parts are held for a minute: the cancel must interrupt them, not wait for them.
    emulator.s3.delay('UploadPart', 60_000);
    const model = Buffer.concat([gzipSync(Buffer.from('header')), randomBytes(18 * 1024 * 1024)]);
    const config = localModelConfig('s3://models/uploads/', '  - {name: t0, device: jetson_nano}\n');
    const prepared = withModel(prepareRun(emulator, config), model);
    const emu = emulator;
    const result = await prepared.run({
      onSpawn(child) {
        const poll = setInterval(() => {
          if (s3Calls(emu, 'CreateMultipartUpload').some((call) => call.status === 200)) {
            clearInterval(poll);
            setTimeout(() => child.kill('SIGINT'), 300);
          }
        }, 25);
        child.on('exit', () => clearInterval(poll));
      },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('::error::Cancelled before any job was created');
    expect(result.outputs.status).toBe('failed');
    expect(s3Calls(emulator, 'AbortMultipartUpload').map((call) => call.status)).toContain(204);
    expect(emulator.s3.pendingMultipartUploads()).toEqual([]);
    const sha256 = createHash('sha256').update(model).digest('hex');
    expect(emulator.s3.store.getObject('models', `uploads/${sha256}/resnet50.tar.gz`)).toBeUndefined();
    expect(emulator.calls.filter((call) => call.service === 'sagemaker')).toEqual([]);
    // Well before the parts' 60 s: the parts in flight were interrupted.
    expect(result.wallMs).toBeLessThan(30_000);
  });
});

describe('one local model used in several regions', () => {
  it('is uploaded once per region, and each target reads it from its own region', async () => {
    emulator = await startTestEmulator();
    for (const bucket of ['models-us-west-2', 'models-eu-west-1']) emulator.s3.store.createBucket(bucket);
    const model = gzipSync(Buffer.from('weights from the repository'));
    const sha256 = createHash('sha256').update(model).digest('hex');
    const config = localModelConfig(
      's3://models-${region}/uploads/',
      '  - {name: west, device: jetson_nano}\n  - {name: west-pi, device: rasp4b}\n  - {name: eu, device: ml_c5, region: eu-west-1}\n',
    );
    const prepared = withModel(prepareRun(emulator, config), model);

    const first = await prepared.run();
    expect(first.stdout).not.toContain('::error');
    expect(first.code).toBe(0);
    const west = `s3://models-us-west-2/uploads/${sha256}/resnet50.tar.gz`;
    const eu = `s3://models-eu-west-1/uploads/${sha256}/resnet50.tar.gz`;
    expect(s3Calls(emulator, 'PutObject').map((call) => call.detail)).toHaveLength(2);
    for (const [bucket] of [['models-us-west-2'], ['models-eu-west-1']]) {
      const stored = emulator.s3.store.getObject(bucket as string, `uploads/${sha256}/resnet50.tar.gz`);
      expect(stored?.body.equals(model)).toBe(true);
    }
    const inputs = Object.fromEntries(
      sagemakerCalls(emulator, 'CreateCompilationJob').map((call) => {
        const body = call.body as { CompilationJobName: string; InputConfig: { S3Uri: string } };
        return [
          body.CompilationJobName.split('-').slice(1, -1).join('-'),
          [call.region, body.InputConfig.S3Uri],
        ];
      }),
    );
    expect(inputs).toEqual({
      west: ['us-west-2', west],
      'west-pi': ['us-west-2', west],
      eu: ['eu-west-1', eu],
    });

    const second = await prepared.run();
    expect(second.code).toBe(0);
    expect(s3Calls(emulator, 'PutObject')).toHaveLength(2);
    expect(second.stdout).toContain(`Already in S3: models/resnet50.tar.gz -> ${west}`);
    expect(second.stdout).toContain(`Already in S3: models/resnet50.tar.gz -> ${eu}`);
  });

  it('reports an upload-to bucket that does not exist at its line, creating no job', async () => {
    emulator = await startTestEmulator();
    emulator.s3.store.createBucket('models-us-west-2');
    const config = localModelConfig(
      's3://models-${region}/uploads/',
      '  - {name: west, device: jetson_nano}\n  - {name: eu, device: ml_c5, region: eu-west-1}\n',
    );
    const prepared = withModel(prepareRun(emulator, config), gzipSync(Buffer.from('weights')));
    const result = await prepared.run();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error file=neo\.yml,line=5,col=\d+,title=Upload failed::could not upload 'models\/resnet50\.tar\.gz' to s3:\/\/models-eu-west-1\/uploads\/[0-9a-f]{64}\/resnet50\.tar\.gz: the bucket models-eu-west-1 does not exist; create it \(in the region of the targets that use it\), or fix upload-to \(used by eu\)/,
    );
    expect(
      s3Calls(emulator, 'PutObject')
        .map((call) => call.status)
        .sort(),
    ).toEqual([200, 404]);
    expect(emulator.s3.store.listBuckets()).not.toContain('models-eu-west-1');
    expect(sagemakerCalls(emulator, 'CreateCompilationJob')).toHaveLength(0);
  });
});
