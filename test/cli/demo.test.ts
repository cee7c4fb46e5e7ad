// `npm run demo -- --config …` as a developer types it: help, usage errors without stack traces, and the demo
// on a user's own neo.yml. The demo runs dist/ (`npm run build` first, as for the end-to-end tests).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { torchScriptModelFile } from '../../emulator/model-archives.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STACK_TRACE = /\n\s+at .+:\d+:\d+/;

function demo(args: string[], initCwd?: string) {
  return spawnSync(process.execPath, [path.join(ROOT, 'scripts/demo.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...(initCwd && { INIT_CWD: initCwd }) },
    timeout: 60_000,
  });
}

describe('demo', () => {
  it('--help, and usage errors for unknown options and a missing --config file', () => {
    expect(demo(['--help']).stdout).toMatch(/--config FILE/);
    const unknown = demo(['--conifg', 'neo.yml']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--conifg'");
    const missing = demo(['--config', 'nope.yml'], tmpdir());
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope.yml: no such file');
    for (const result of [unknown, missing]) expect(result.stderr).not.toMatch(STACK_TRACE);
  });

  it('runs your own neo.yml, relative to where npm was run, with its S3 and local models', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'neo-demo-'));
    mkdirSync(path.join(dir, 'configs'));
    mkdirSync(path.join(dir, 'models/tiny'), { recursive: true });
    // A traced model, so the model preflight passes it.
    writeFileSync(path.join(dir, 'models/tiny/model.pth'), torchScriptModelFile());
    writeFileSync(
      path.join(dir, 'configs/neo.yml'),
      `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
region: eu-west-1
output: {s3-location: "s3://team-artifacts/\${target}/"}
input: {framework: PYTORCH, framework-version: "2.0", data-input-config: "[[1, 3, 8, 8]]"}
targets:
  - name: from-s3
    device: ml_c5
    input: {s3-uri: s3://team-models/tiny/model.tar.gz}
  - name: from-repo
    device: jetson_nano
    input: {path: models/tiny, upload-to: "s3://team-uploads-\${region}/tiny/"}
`,
    );
    // npm runs scripts in the package directory and says where the user was in INIT_CWD.
    const result = demo(['--config', 'configs/neo.yml'], dir);
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(result.stdout).toMatch(
      /Uploaded: models\/tiny -> s3:\/\/team-uploads-eu-west-1\/tiny\/[0-9a-f]{64}\//,
    );
    expect(result.stdout).toMatch(/^status: succeeded$/m);
    expect(result.stdout).toContain('s3://team-artifacts/from-s3/model-ml_c5.tar.gz');
    expect(result.status).toBe(0);
  });

  it('shows the action’s annotations for an invalid file and fails as the step would', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'neo-demo-'));
    writeFileSync(path.join(dir, 'neo.yml'), 'version: 1\ntargets:\n  - name: a\n    device: jetson_nan0\n');
    const result = demo(['--config', 'neo.yml'], dir);
    expect(result.stdout).toMatch(/::error file=neo\.yml,line=4,col=13,title=Unknown TargetDevice::/);
    expect(result.status).toBe(1);
  });
});
