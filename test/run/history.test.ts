import { describe, expect, it } from 'vitest';
import {
  buildRunManifest,
  commitManifestKey,
  parseRunManifest,
  recordsRefManifest,
  refManifestKey,
} from '../../src/run/history.ts';
import type { JobState } from '../../src/types.ts';

const job = (target: string, status: JobState['status']): JobState => ({
  target,
  kind: 'compilation',
  region: 'us-west-2',
  device: 'jetson_nano',
  jobName: `resnet-${target}-abc123`,
  status,
  artifact: `s3://artifacts/${target}/model-jetson_nano.tar.gz`,
  createdAt: 1_000,
  endedAt: 62_400,
});

describe('run manifest', () => {
  it('round-trips through JSON with sizes, digests and compile seconds', () => {
    const manifest = buildRunManifest(
      [{ job: job('t0', 'COMPLETED'), size: 1234, digest: 'sha256:ab' }, { job: job('t1', 'FAILED') }],
      { sha: 'a'.repeat(40), refName: 'main', eventName: 'push', now: Date.UTC(2026, 11, 1) },
    );
    expect(manifest.targets[0]).toMatchObject({ size: 1234, digest: 'sha256:ab', 'compile-seconds': 61.4 });
    expect(manifest.targets[1]).toMatchObject({ artifact: null, size: null, status: 'FAILED' });
    expect(parseRunManifest(JSON.stringify(manifest))).toEqual(manifest);
  });

  it('refuses text that is not a manifest of this version, saying why', () => {
    expect(parseRunManifest('{')).toEqual({ error: 'not JSON' });
    expect(parseRunManifest('{"format":"x"}')).toMatchObject({ error: expect.stringContaining('not a') });
    const manifest = buildRunManifest([{ job: job('t0', 'COMPLETED'), size: 1 }], {
      sha: 'b',
      refName: 'main',
      eventName: 'push',
      now: 0,
    });
    expect(parseRunManifest(JSON.stringify({ ...manifest, version: 2 }))).toMatchObject({
      error: expect.stringContaining('version 2'),
    });
    const hostile = { ...manifest, targets: [{ ...manifest.targets[0], size: -5 }] };
    expect(parseRunManifest(JSON.stringify(hostile))).toMatchObject({
      error: expect.stringContaining('targets[0]'),
    });
    expect(parseRunManifest(' '.repeat(5_000_001))).toMatchObject({
      error: expect.stringContaining('larger'),
    });
  });

  it('keys manifests by commit and by ref, keeping branch folders', () => {
    expect(commitManifestKey('neo/history/', 'abc')).toBe('neo/history/commits/abc.json');
    expect(refManifestKey('h/', 'feature/x y')).toBe('h/refs/feature/x%20y.json');
    expect(recordsRefManifest('push')).toBe(true);
    expect(recordsRefManifest('pull_request')).toBe(false);
  });
});
