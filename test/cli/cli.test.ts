// `neo-compile-action validate|plan`, run in-process: what a developer sees in the terminal and the exit status.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import type { GitFacts } from '../../src/cli/context.ts';
import { formatDiagnostic, problemCount } from '../../src/cli/format.ts';
import { runCli } from '../../src/cli/run.ts';
import type { PlannedJob } from '../../src/types.ts';
import { HEADER, pos } from '../config/helpers.ts';

const VALID = `${HEADER}region: us-west-2
targets:
  - name: jetson-nano
    device: jetson_nano
  - name: pixel
    platform: {os: ANDROID, arch: ARM64}
    compiler-options: {ANDROID_PLATFORM: 29}
`;
const TYPO = VALID.replace('device: jetson_nano', 'device: jetson_nan0');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'neo-cli-'));
});

function write(name: string, text: string | Buffer): string {
  mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  writeFileSync(path.join(dir, name), text);
  return name;
}

async function cli(
  argv: string[],
  options: { env?: Record<string, string>; git?: GitFacts } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: options.env ?? {},
    cwd: dir,
    git: () => options.git ?? {},
  });
  return { code, stdout, stderr };
}

const DIAGNOSTIC = /^(.+):(\d+):(\d+): (error|warning): (.+) \[(.+)\]$/;

describe('validate', () => {
  it('accepts a valid file (neo.yml by default) with exit status 0', async () => {
    write('neo.yml', VALID);
    const result = await cli(['validate']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe('neo.yml: valid, 2 job(s) in 1 region(s)\n');
  });

  it('prints each error as file:line:col: error: message [title] at the mistake, and exits 1', async () => {
    const file = write('config/neo.yml', TYPO);
    const result = await cli(['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const [first, summary] = result.stderr.trimEnd().split('\n');
    const match = DIAGNOSTIC.exec(first ?? '');
    expect(match, first).not.toBeNull();
    const { line, col } = pos(TYPO, 'jetson_nan0');
    expect(match?.slice(1, 5)).toEqual(['config/neo.yml', String(line), String(col), 'error']);
    expect(match?.[5]).toMatch(/did you mean jetson_nano/);
    expect(summary).toBe('config/neo.yml: 1 error; no job would be created');
  });

  it('checks every file it is given (as pre-commit passes them) and fails if any is invalid', async () => {
    write('a/neo.yml', VALID);
    write('b/neo.yml', TYPO);
    const result = await cli(['validate', 'a/neo.yml', 'b/neo.yml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('a/neo.yml: valid');
    expect(result.stderr).toMatch(/^b\/neo\.yml:\d+:\d+: error: /m);
    expect(result.stderr).not.toContain('a/neo.yml:');
  });

  it('reports YAML syntax errors at their line, one diagnostic per line', async () => {
    const text = VALID.replace(
      'output:\n  s3-location: s3://artifacts/out/',
      'output: {s3-location: s3://a/${sha}/}',
    );
    write('neo.yml', text);
    const result = await cli(['validate']);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    for (const line of lines.slice(0, -1)) expect(line).toMatch(DIAGNOSTIC);
    expect(lines[0]).toMatch(new RegExp(`^neo\\.yml:${pos(text, 'output: {').line}:`));
  });

  it('finds what the action finds only when planning: targets overwriting each other’s artifact', async () => {
    write('neo.yml', `${VALID}  - name: nano-again\n    device: jetson_nano\n`);
    const result = await cli(['validate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: targets 'jetson-nano' and 'nano-again' would both write/);
  });

  it('says how to give the default region a runner takes from AWS_REGION', async () => {
    write('neo.yml', VALID.replace('region: us-west-2\n', ''));
    const missing = await cli(['validate']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\[No region\]/);
    expect(missing.stderr).toMatch(/pass --region REGION \(or set AWS_REGION\)/);
    expect((await cli(['validate', '--region', 'eu-west-1'])).code).toBe(0);
    expect((await cli(['validate'], { env: { AWS_REGION: 'eu-west-1' } })).code).toBe(0);
  });

  it('fills ${env.NAME} from the environment or --env NAME=VALUE', async () => {
    write('neo.yml', VALID.replace('s3://artifacts/out/', 's3://${env.OUT_BUCKET}/out/'));
    const unset = await cli(['validate']);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('OUT_BUCKET');
    expect((await cli(['validate', '--env', 'OUT_BUCKET=team-artifacts'])).code).toBe(0);
    expect((await cli(['validate'], { env: { OUT_BUCKET: 'team-artifacts' } })).code).toBe(0);
  });

  it('applies --targets like the action input, and names an unknown target', async () => {
    write('neo.yml', VALID);
    expect((await cli(['validate', '--targets', 'pixel'])).stdout).toContain('1 job(s)');
    const unknown = await cli(['validate', '--targets', 'jetson-nan']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/error: .*'jetson-nan'.*did you mean jetson-nano/);
  });

  it('finds local models relative to the checkout root, and reports a missing one at its line', async () => {
    const text = VALID.replace(
      's3-uri: s3://models/resnet/model.tar.gz',
      'path: models/resnet.tar.gz\n  upload-to: s3://models/uploads/',
    );
    write('sub/neo.yml', text);
    const missing = await cli(['validate', 'sub/neo.yml'], { git: { root: dir } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`sub/neo.yml:${pos(text, 'path:').line}:`);
    expect(missing.stderr).toMatch(/models\/resnet\.tar\.gz' does not exist/);
    write('models/resnet.tar.gz', gzipSync(Buffer.from('weights')));
    expect((await cli(['validate', 'sub/neo.yml'], { git: { root: dir } })).code).toBe(0);
    // --workspace overrides the checkout root.
    expect((await cli(['validate', 'sub/neo.yml', '--workspace', 'sub'], { git: { root: dir } })).code).toBe(
      1,
    );
  });
});

describe('plan', () => {
  it('prints one row per job with device, region, job name and output, and exits 0', async () => {
    write('neo.yml', VALID.replace('s3://artifacts/out/', 's3://artifacts/${short-sha}/${target}/'));
    const git = { sha: 'abcdef0123456789abcdef0123456789abcdef01', repository: 'acme/vision-models' };
    const result = await cli(['plan'], { git });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^TARGET\s+KIND\s+DEVICE\s+REGION\s+JOB NAME\s+OUTPUT$/);
    expect(lines[1]).toMatch(
      /^jetson-nano\s+compilation\s+jetson_nano\s+us-west-2\s+vision-models-jetson-nano-[0-9a-f]{12} \*\s+s3:\/\/artifacts\/abcdef0\/jetson-nano\/$/,
    );
    expect(lines[2]).toMatch(/^pixel\s+compilation\s+ANDROID\/ARM64\s+us-west-2\s/);
    expect(lines[3]).toMatch(/^\* provisional: the model is in S3/);
    expect(result.stdout).toContain('neo.yml: 2 jobs planned in 1 region; nothing was submitted.');
  });

  it('marks job names provisional only for models in S3: a local model is hashed, its name is final', async () => {
    const text = `${VALID}  - name: local
    device: rasp4b
    input: {path: model.tar.gz, upload-to: "s3://models/uploads/"}
`;
    write('neo.yml', text);
    write('model.tar.gz', gzipSync(Buffer.from('weights')));
    const result = await cli(['plan'], { git: { root: dir } });
    expect(result.code).toBe(0);
    const row = (target: string) => result.stdout.split('\n').find((line) => line.startsWith(`${target} `));
    expect(row('jetson-nano')).toMatch(/-[0-9a-f]{12} \*/);
    expect(row('local')).toMatch(/-[0-9a-f]{12}\s+s3:/);
    expect(row('local')).not.toContain('*');
  });

  it('--json prints the exact requests the action would send', async () => {
    write('neo.yml', VALID);
    const result = await cli(['plan', '--json'], { env: { GITHUB_REPOSITORY: 'acme/models' } });
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as PlannedJob[];
    expect(plan.map((job) => job.target)).toEqual(['jetson-nano', 'pixel']);
    const [nano] = plan;
    expect(nano?.jobName).toMatch(/^models-jetson-nano-[0-9a-f]{12}$/);
    expect(nano?.kind === 'compilation' && nano.request.OutputConfig).toEqual({
      S3OutputLocation: 's3://artifacts/out/',
      TargetDevice: 'jetson_nano',
    });
  });

  it('prints no plan for an invalid file, only the diagnostics, and exits 1', async () => {
    write('neo.yml', TYPO);
    const result = await cli(['plan', '--json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^neo\.yml:\d+:\d+: error: /);
  });
});

describe('usage errors exit 2 with the usage line; --help exits 0', () => {
  it.each([
    [[], /no command given/],
    [['compile'], /unknown command 'compile'/],
    [['validate', '--verbose'], /Unknown option '--verbose'/],
    [['validate', 'missing.yml'], /missing\.yml: no such file/],
    [['plan', 'a.yml', 'b.yml'], /plan takes one file/],
    [['validate', '--json'], /--json is an option of plan/],
    [['validate', '--env', 'NOVALUE'], /--env takes NAME=VALUE/],
  ])('%j', async (argv, message) => {
    write('a.yml', VALID);
    write('b.yml', VALID);
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('Usage: neo-compile-action validate');
  });

  it('--help prints the commands, options and exit statuses', async () => {
    for (const argv of [['--help'], ['validate', '-h']]) {
      const result = await cli(argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/validate .*\n.*plan/s);
      expect(result.stdout).toMatch(/--region REGION/);
      expect(result.stdout).toMatch(/Exit status: 0 valid/);
    }
  });
});

describe('diagnostic lines', () => {
  const problem = {
    file: 'a/neo.yml',
    line: 3,
    col: 7,
    title: 'Some title',
    message: 'first line\nsecond line',
  };

  it('keep one problem on one line, warnings marked as such', () => {
    expect(formatDiagnostic(problem, 'warning')).toBe(
      'a/neo.yml:3:7: warning: first line second line [Some title]',
    );
    expect(formatDiagnostic(problem, 'error')).toMatch(/^a\/neo\.yml:3:7: error: /);
  });

  it('count errors and warnings in the closing line', () => {
    expect(problemCount('neo.yml', 2, 1)).toBe('neo.yml: 2 errors, 1 warning; no job would be created');
    expect(problemCount('neo.yml', 0, 2)).toBe('neo.yml: 2 warnings');
  });
});
