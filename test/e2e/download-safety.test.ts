// End-to-end (dist/ on the emulator): the `download` input never writes outside the workspace, is checked
// before any job, verifies the bytes, and a failed download fails its target cleanly with nothing left behind.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { prepareRun, sagemakerCalls, startTestEmulator, targetsYaml } from './helpers.ts';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** Where the emulator's Neo writes target `t<i>`'s artifact for targetsYaml. */
const artifactKey = (target: string, device: string) => `resnet50/${target}/model-${device}.tar.gz`;

describe('the download folder is checked before any job', () => {
  it('refuses a download input that is an existing file, with status failed', async () => {
    emulator = await startTestEmulator();
    const prepared = prepareRun(emulator, targetsYaml(1));
    writeFileSync(path.join(prepared.workspace.dir, 'compiled'), 'a file, not a folder');
    const result = await prepared.run({ inputs: { download: 'compiled' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "::error::Input 'download' is 'compiled', but 'compiled' is an existing file, not a folder; name a folder for the artifacts (it is created when missing), e.g. download: compiled.",
    );
    expect(result.outputs.status).toBe('failed');
    expect(sagemakerCalls(emulator, 'CreateCompilationJob')).toHaveLength(0);
    expect(readFileSync(path.join(prepared.workspace.dir, 'compiled'), 'utf8')).toBe('a file, not a folder');
  });

  it('refuses a download folder that is a symlink to a folder outside the workspace', async () => {
    emulator = await startTestEmulator();
    const outside = mkdtempSync(path.join(tmpdir(), 'outside-'));
    const prepared = prepareRun(emulator, targetsYaml(1));
    symlinkSync(outside, path.join(prepared.workspace.dir, 'compiled'));
    const result = await prepared.run({ inputs: { download: 'compiled' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error::Input 'download' is 'compiled', but 'compiled' is a symlink that leads outside the workspace/,
    );
    expect(result.outputs.status).toBe('failed');
    expect(sagemakerCalls(emulator, 'CreateCompilationJob')).toHaveLength(0);
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe('downloaded artifacts', () => {
  it('replaces a symlink at <dir>/<target>.tar.gz instead of overwriting the file it points to', async () => {
    emulator = await startTestEmulator();
    const victim = path.join(mkdtempSync(path.join(tmpdir(), 'outside-')), 'authorized_keys');
    writeFileSync(victim, 'ssh-ed25519 AAAA precious');
    const prepared = prepareRun(emulator, targetsYaml(1));
    mkdirSync(path.join(prepared.workspace.dir, 'compiled'));
    symlinkSync(victim, path.join(prepared.workspace.dir, 'compiled/t0.tar.gz'));
    const result = await prepared.run({ inputs: { download: 'compiled' } });
    expect(result.code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('ssh-ed25519 AAAA precious');
    const stored = emulator.s3.store.getObject('artifacts', artifactKey('t0', 'jetson_nano'))?.body;
    expect(
      stored && readFileSync(path.join(prepared.workspace.dir, 'compiled/t0.tar.gz')).equals(stored),
    ).toBe(true);
  });

  it('fails a target whose bytes are corrupted or cut in transit, removing the file and reporting it', async () => {
    emulator = await startTestEmulator();
    emulator.s3.tamper('artifacts', artifactKey('t0', 'jetson_nano'), 'flip');
    emulator.s3.tamper('artifacts', artifactKey('t1', 'rasp4b'), 'truncate');
    const prepared = prepareRun(emulator, targetsYaml(3));
    const result = await prepared.run({ inputs: { download: 'compiled' } });
    expect(result.code).toBe(1);
    expect(result.outputs.status).toBe('failed');
    expect(result.stdout).not.toContain('failed unexpectedly');
    expect(readdirSync(path.join(prepared.workspace.dir, 'compiled'))).toEqual(['t2.tar.gz']);
    const failure = result.stdout
      .split('\n')
      .find((line) => line.startsWith('::error::Artifact download failed'));
    expect(failure).toMatch(
      /t0: could not download s3:\/\/artifacts\/resnet50\/t0\/model-jetson_nano\.tar\.gz: the bytes received do not match the object's S3 checksum/,
    );
    expect(failure).toMatch(
      /t1: could not download s3:\/\/artifacts\/resnet50\/t1\/model-rasp4b\.tar\.gz: the transfer broke off after \d+ of \d+ bytes/,
    );
    // Each target's download error is in the table, and the jobs output has no file for them.
    expect(result.summary).toMatch(/\| t0 \|.*Artifact download failed: could not download/);
    expect(result.summary).toMatch(/\| t1 \|.*Artifact download failed: could not download/);
    const jobs = JSON.parse(result.outputs.jobs ?? '[]') as Record<string, unknown>[];
    expect(jobs.map((job) => job['artifact-file'] ?? null)).toEqual([null, null, 'compiled/t2.tar.gz']);
  });

  it('says in the log that an optimization target is not downloaded, and where its output stays', async () => {
    emulator = await startTestEmulator();
    emulator.s3.store.putObject('models', 'llama/config.json', Buffer.from('{}'));
    const config = `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
job-prefix: llm
output:
  s3-location: s3://artifacts/llm/\${target}/
targets:
  - name: nano
    device: jetson_nano
    input: {s3-uri: s3://models/resnet50/model.tar.gz, framework: PYTORCH, framework-version: "2.0", data-input-config: {input0: [1, 3, 224, 224]}}
  - name: llama-g5
    kind: optimization
    instance-type: ml.g5.12xlarge
    model: {s3-uri: s3://models/llama/}
    optimizations: [{compilation: {}}]
`;
    const prepared = prepareRun(emulator, config);
    const result = await prepared.run({ inputs: { download: 'compiled' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'llama-g5: not downloaded: an optimization job writes a folder of files, not one archive: its output stays in S3 at s3://artifacts/llm/llama-g5/',
    );
    expect(readdirSync(path.join(prepared.workspace.dir, 'compiled'))).toEqual(['nano.tar.gz']);
  });
});

/** A 64 KiB tmpfs at `dir` when this process may mount one (root on Linux), else undefined. */
function tinyDisk(dir: string): (() => void) | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined;
  try {
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    return () => execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
}

describe('a full disk', () => {
  const probe = tinyDisk(mkdtempSync(path.join(tmpdir(), 'probe-')));
  probe?.();

  // Without root the same path is covered by an injected failing write stream (test/run/download.test.ts).
  it.runIf(probe !== undefined)(
    'fails each target cleanly: errors in the table, no partial file, outputs and summary written',
    async () => {
      emulator = await startTestEmulator();
      const prepared = prepareRun(emulator, targetsYaml(2));
      const dir = path.join(prepared.workspace.dir, 'compiled');
      const unmount = tinyDisk(dir);
      try {
        // Fill the disk to the last byte: any artifact write then fails.
        try {
          writeFileSync(path.join(dir, 'filler'), Buffer.alloc(128 * 1024));
        } catch {}
        const result = await prepared.run({ inputs: { download: 'compiled' } });
        expect(result.code).toBe(1);
        expect(result.stdout).not.toContain('failed unexpectedly');
        expect(result.outputs.status).toBe('failed');
        expect(result.stdout).toMatch(/t0: could not download s3:\/\/\S+: the disk is full \(ENOSPC\)/);
        expect(result.stdout).toMatch(/t1: could not download s3:\/\/\S+: the disk is full \(ENOSPC\)/);
        expect(result.summary).toMatch(/\| t0 \|.*Artifact download failed/);
        expect(result.summary).toContain(
          'Artifact download failed: could not download s3://artifacts/resnet50/t1/model-rasp4b.tar.gz: the disk is full (ENOSPC)',
        );
        expect(readdirSync(dir)).toEqual(['filler']);
      } finally {
        unmount?.();
      }
    },
  );
});
