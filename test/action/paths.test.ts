import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInside, readConfigFile } from '../../src/action/paths.ts';

function workspace() {
  const root = mkdtempSync(path.join(tmpdir(), 'neo-paths-'));
  const dir = path.join(root, 'ws');
  mkdirSync(path.join(dir, 'ml'), { recursive: true });
  writeFileSync(path.join(dir, 'ml', 'neo.yml'), 'version: 1\n');
  writeFileSync(path.join(root, 'outside.yml'), 'secret: 1\n');
  return { root, dir };
}

describe('readConfigFile', () => {
  it('reads a file inside the workspace, relative or absolute, also through an inner symlink', async () => {
    const { dir } = workspace();
    symlinkSync(path.join(dir, 'ml', 'neo.yml'), path.join(dir, 'alias.yml'));
    for (const name of ['ml/neo.yml', './ml/../ml/neo.yml', path.join(dir, 'ml', 'neo.yml'), 'alias.yml']) {
      const file = await readConfigFile(dir, name);
      expect('bytes' in file && Buffer.from(file.bytes).toString()).toBe('version: 1\n');
    }
  });

  it.each([
    ['/etc/passwd', /is outside the workspace/],
    ['../outside.yml', /is outside the workspace/],
    ['ml/../../outside.yml', /is outside the workspace/],
    ['link.yml', /is a symbolic link to a file outside the workspace/],
    ['linkdir/outside.yml', /is a symbolic link to a file outside the workspace/],
    ['ml', /is not a regular file/],
    ['missing.yml', /does not exist in the workspace/],
    ['a\u0000b', /is not a valid path/],
  ])('%s: a clear error, nothing read', async (name, message) => {
    const { root, dir } = workspace();
    symlinkSync(path.join(root, 'outside.yml'), path.join(dir, 'link.yml'));
    symlinkSync(root, path.join(dir, 'linkdir'));
    const file = await readConfigFile(dir, name);
    expect(file).toEqual({ error: expect.stringMatching(message) });
    expect(JSON.stringify(file)).not.toContain('secret: 1');
  });
});

describe('isInside', () => {
  it('compares whole path segments', () => {
    expect(isInside('/w/ws', '/w/ws')).toBe(true);
    expect(isInside('/w/ws', '/w/ws/a/b')).toBe(true);
    expect(isInside('/w/ws', '/w/ws2/a')).toBe(false);
    expect(isInside('/w/ws', '/w')).toBe(false);
    expect(isInside('/w/ws', '/w/ws/..a')).toBe(true);
  });
});
