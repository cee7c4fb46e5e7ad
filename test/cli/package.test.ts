// The CLI as users get it: the built bundle behind package.json's `bin`, what `npx github:<owner>/<repo>` and
// pre-commit install (the packed files, no build step), and the pre-commit hook definition.
// Needs `npm run build` first (npm test does it), like the end-to-end tests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  files: string[];
  scripts: Record<string, string>;
};
const BIN = path.join(ROOT, pkg.bin['neo-compile-action'] ?? 'missing');

function runBin(args: string[], cwd: string) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
}

describe('the neo-compile-action bin', () => {
  it('is the committed ncc bundle, runnable as an executable script', () => {
    expect(pkg.bin['neo-compile-action']).toBe('dist/cli/index.js');
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(pkg.scripts.build).toContain('ncc build src/cli/main.ts -o dist/cli');
    // The action's own bundles are still built.
    expect(pkg.scripts.build).toContain('ncc build src/action/main-entry.ts -o dist ');
    expect(pkg.scripts.build).toContain('ncc build src/action/post-entry.ts -o dist/post ');
  });

  it('validates a file with diagnostics and exit 1, without a stack trace, from any directory', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'neo-bin-'));
    writeFileSync(
      path.join(dir, 'neo.yml'),
      'version: 1\nregion: us-west-2\nrole-arn: arn:aws:iam::123456789012:role/R\ntargets:\n  - name: a\n    device: jetson_nan0\n',
    );
    const result = runBin(['validate'], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^neo\.yml:6:13: error: .*jetson_nan0.*did you mean jetson_nano/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const example = runBin(['plan', path.join(ROOT, 'examples/neo.yml')], dir);
    expect(example.stderr).toBe('');
    expect(example.status).toBe(0);
    expect(example.stdout).toMatch(/5 jobs planned in 1 region/);
  });

  it('installs from the repository without a build step: no install-time scripts, dist/ packed', () => {
    // npm runs prepare/prepack (with devDependencies) when installing from git: none may be needed.
    for (const script of ['prepare', 'prepack', 'preinstall', 'install', 'postinstall']) {
      expect(pkg.scripts[script], script).toBeUndefined();
    }
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(packed.status, packed.stderr).toBe(0);
    const [{ files }] = JSON.parse(packed.stdout) as [{ files: { path: string }[] }];
    const paths = files.map((file) => file.path);
    for (const needed of [
      'dist/cli/index.js',
      'dist/cli/package.json',
      'dist/index.js',
      'dist/post/index.js',
      'action.yml',
      'LICENSE',
      'package.json',
    ]) {
      expect(paths, needed).toContain(needed);
    }
    expect(paths.filter((file) => file.startsWith('src/') || file.startsWith('test/'))).toEqual([]);
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parse(readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as {
    id: string;
    entry: string;
    language: string;
    files: string;
  }[];
  const hook = hooks.find((candidate) => candidate.id === 'neo-compile-action-validate');

  it('runs the bin’s validate command with node', () => {
    expect(hook?.language).toBe('node');
    const [command, subcommand] = (hook?.entry ?? '').split(' ');
    expect(Object.keys(pkg.bin)).toContain(command);
    expect(subcommand).toBe('validate');
  });

  it('matches neo.yml files anywhere, and nothing else', () => {
    // pre-commit matches `files` with Python's re.search; this pattern means the same in JavaScript.
    const files = new RegExp(hook?.files ?? '^$');
    for (const name of ['neo.yml', 'neo.yaml', 'models/vision/neo.yml'])
      expect(files.test(name), name).toBe(true);
    for (const name of ['neo.yml.bak', 'myneo.yml', 'neo.json', 'action.yml']) {
      expect(files.test(name), name).toBe(false);
    }
  });
});

describe('LICENSE and CHANGELOG.md', () => {
  it('the license file is the MIT license package.json declares', () => {
    expect((pkg as { license?: string }).license).toBe('MIT');
    const license = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
  });

  it('the changelog follows Keep a Changelog: versions newest first, each with a link', () => {
    const changelog = readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
    const versions = [...changelog.matchAll(/^## \[([^\]]+)\]/gm)].map(([, version]) => version ?? '');
    expect(versions[0]).toMatch(/^(Unreleased|\d+\.\d+\.\d+)$/);
    for (const version of versions.slice(1)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const version of versions) expect(changelog).toMatch(new RegExp(`^\\[${version}\\]: https://`, 'm'));
  });
});
