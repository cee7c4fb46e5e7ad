// `npm run emulator -- …` as a developer types it: help, usage errors without stack traces, the hint when
// npm swallowed the options; and the option helpers the CLI, the emulator and the demo share.
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readEmulatorOptions } from '../../emulator/cli-options.ts';
import { numberOption, strayArgumentError, UsageError } from '../../src/cli/args.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STACK_TRACE = /\n\s+at .+:\d+:\d+/;

function script(file: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return spawnSync(process.execPath, [path.join(ROOT, file), ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    timeout: 60_000,
  });
}

describe('emulator CLI', () => {
  it('--help prints the options and how to pass them through npm', () => {
    const result = script('emulator/cli.ts', ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/--quota N/);
    expect(result.stdout).toContain('npm run emulator -- --quota 2');
  });

  it.each([
    [['--quota', 'abc'], "--quota must be a whole number >= 1, not 'abc'"],
    [['--quota', '0'], "--quota must be a whole number >= 1, not '0'"],
    [['--job-seconds=-1'], "--job-seconds must be a number >= 0, not '-1'"],
    [['--job-seconds', '-1'], "Option '--job-seconds' argument is ambiguous. Did you forget"],
    [['--throttle', '2'], "--throttle must be a number from 0 to 1, not '2'"],
    [['--port', '70000'], '--port must be a whole number from 0 to 65533'],
    [['--qouta', '2'], "Unknown option '--qouta'"],
    [['2'], "unexpected argument '2'"],
  ])('%j is a usage error', (args, message) => {
    expect(() => readEmulatorOptions(args, {})).toThrow(message);
  });

  it('reads the options it is given, and defaults', () => {
    expect(readEmulatorOptions(['--quota', '2', '--job-seconds', '0.5', '--errors', '0.05'], {})).toEqual({
      help: false,
      port: 0,
      quota: 2,
      jobMs: 500,
      throttle: 0,
      errors: 0.05,
    });
  });

  it('a usage error ends the process with exit 2 and one line, no stack trace', () => {
    const result = script('emulator/cli.ts', ['--quota', 'abc']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("emulator: --quota must be a whole number >= 1, not 'abc'");
    expect(result.stderr).not.toMatch(STACK_TRACE);
  });

  it('says to add -- when `npm run emulator --quota 2` let npm take --quota', () => {
    // What npm hands the script then: the value as an argument, the flag as its own setting.
    const result = script('emulator/cli.ts', ['2'], {
      env: { npm_lifecycle_event: 'emulator', npm_config_quota: 'true' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('npm run emulator -- --quota 2');
  });

  it('starts with --quota 2 and prints the variables that point clients at it', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'emulator/cli.ts'), '--quota', '2'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('export AWS_REGION=')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}: ${stdout}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/^export AWS_ENDPOINT_URL_SAGEMAKER=http:\/\/127\.0\.0\.1:\d+$/m);
    expect(stdout).toContain('Quota 2 job(s) at once');
  });
});

describe('option parsing helpers', () => {
  it('numberOption keeps numbers in range and names the option otherwise', () => {
    expect(numberOption('throttle', '0.3', { min: 0, max: 1 })).toBe(0.3);
    expect(() => numberOption('quota', '2.5', { min: 1, integer: true })).toThrow(UsageError);
    expect(() => numberOption('quota', ' ', { min: 1 })).toThrow("--quota must be a number >= 1, not ' '");
  });

  it('strayArgumentError suggests -- only when npm took the flags', () => {
    expect(strayArgumentError(['x.yml'], ['config'], {}).message).toBe("unexpected argument 'x.yml'");
    const swallowed = strayArgumentError(['x.yml'], ['config', 'targets'], {
      npm_lifecycle_event: 'demo',
      npm_config_config: 'true',
    });
    expect(swallowed.message).toBe(
      "npm took --config as its own option; put -- before the script's options: npm run demo -- --config x.yml",
    );
  });
});
