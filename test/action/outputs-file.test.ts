// The step outputs are written whole and atomically over a regular GITHUB_OUTPUT, and never replace anything else.
import { lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFileCommands } from '../../emulator/run-action.ts';
import { createStepOutputs } from '../../src/action/outputs-file.ts';

describe('createStepOutputs', () => {
  it('replaces an earlier commit in a regular file: each output once, with its last value', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'outputs-'));
    const file = path.join(dir, 'output');
    writeFileSync(file, '');
    const outputs = createStepOutputs(file);
    outputs.set({ status: 'running', jobs: '[]' });
    outputs.commit();
    outputs.set({ status: 'succeeded' });
    outputs.commit();
    expect(parseFileCommands(readFileSync(file, 'utf8'))).toEqual({ status: 'succeeded', jobs: '[]' });
  });

  // A rename over GITHUB_OUTPUT=/dev/null (local runners) would replace the device with a file; a link stands in
  // for it here, so a regression cannot damage the machine the tests run on.
  it('writes through anything but a regular file (here a symbolic link) without replacing it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'outputs-'));
    const target = path.join(dir, 'real-output');
    const link = path.join(dir, 'output');
    writeFileSync(target, '');
    symlinkSync(target, link);
    const outputs = createStepOutputs(link);
    outputs.set({ status: 'succeeded' });
    outputs.commit();
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(parseFileCommands(readFileSync(target, 'utf8'))).toEqual({ status: 'succeeded' });
  });
});
