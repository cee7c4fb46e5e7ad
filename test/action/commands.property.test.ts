// Property: random service or repository text, full of workflow-command syntax, line breaks of every kind and
// escapes, through every place the action prints it, never gives the runner a command it did not intend.
import * as core from '@actions/core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  ANNOTATION_MAX_BYTES,
  annotationMessage,
  errorAnnotation,
  inertText,
  writeUntrustedBlock,
} from '../../src/action/commands.ts';
import { renderLogTable } from '../../src/report/render.ts';
import type { JobState } from '../../src/types.ts';
import { job } from '../report/helpers.ts';
import { parseCommand, processedCommands, runnerLines } from './runner-model.ts';

const PIECES = [
  '::',
  ':',
  '##[',
  '#',
  '[',
  ']',
  'set-output name=artifact-t0::s3://evil/x',
  'error title=X::',
  'add-mask::',
  'stop-commands::',
  'save-state name=x::y',
  'endgroup',
  '\r',
  '\n',
  '\r\n',
  '\n\r',
  '%0A',
  '%0D',
  '%25',
  '%',
  '\u2028',
  '\u2029',
  '\u0085',
  '\u00A0',
  '\uFEFF',
  '\u3000',
  ' ',
  '\t',
  '\v',
  '\f',
  '\u0000',
  '\u001b[31m',
  // Skipped by the runner's culture-sensitive search for `::` and `##[`.
  '\u200D',
  '\u200B',
  '\u00AD',
  '\u2060',
  'x',
  'é',
  '😀',
  ',',
  '=',
];
/** Text made of command syntax and separators, with a little plain text. */
const hostile = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })), { maxLength: 24 })
  .map((parts) => parts.join(''));

const RUNS = { numRuns: 400 };

/** The runner would process no command in `stdout`. */
function expectNoCommand(stdout: string): void {
  expect(processedCommands(stdout)).toEqual([]);
}

describe('hostile text never becomes a workflow command', () => {
  it('inertText: one line, alone, at the start of a line, after blanks, and next to another', () => {
    fc.assert(
      fc.property(hostile, hostile, fc.integer({ min: 1, max: 60 }), (a, b, max) => {
        const one = inertText(a);
        expect(one).not.toMatch(/[\r\n]/);
        expectNoCommand(`${one}\n`);
        expectNoCommand(`   ${inertText(a, max)}\n`);
        expectNoCommand(`${inertText(a)}${inertText(b)}\n`);
        expectNoCommand(`reason ${inertText(a)} (${inertText(b)})\n`);
      }),
      RUNS,
    );
  });

  it('errorAnnotation: exactly one error command, its properties as given, under 4 KB', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, (file, title, message) => {
        const line = errorAnnotation({ file, line: 3, col: 7, title, message });
        expect(runnerLines(`${line}\n`)).toHaveLength(1);
        expect(Buffer.byteLength(line)).toBeLessThanOrEqual(ANNOTATION_MAX_BYTES);
        const commands = processedCommands(`${line}\n`);
        expect(commands).toHaveLength(1);
        expect(commands[0]?.name).toBe('error');
        expect(Object.keys(commands[0]?.properties ?? {})).toEqual(['file', 'line', 'col', 'title']);
        expect(commands[0]?.properties.line).toBe('3');
        expect(commands[0]?.properties.col).toBe('7');
      }),
      RUNS,
    );
  });

  it('annotationMessage as the toolkit writes it: one warning command, under 4 KB', () => {
    // @actions/core's issueCommand: `::warning::` + data with %, CR and LF escaped.
    const toolkitLine = (message: string) =>
      `::warning::${message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}`;
    fc.assert(
      fc.property(fc.array(hostile, { maxLength: 400 }), (parts) => {
        const line = toolkitLine(annotationMessage(parts.join('')));
        expect(Buffer.byteLength(line)).toBeLessThanOrEqual(ANNOTATION_MAX_BYTES);
        const commands = processedCommands(`${line}\n`);
        expect(commands.map((command) => command.name)).toEqual(['warning']);
      }),
      { numRuns: 100 },
    );
  });

  it('writeUntrustedBlock: only its own stop and resume, and commands work again after it', () => {
    fc.assert(
      fc.property(fc.array(hostile, { maxLength: 6 }), (lines) => {
        const out: string[] = [];
        writeUntrustedBlock((line) => out.push(line), lines);
        out.push('::debug::after');
        const names = processedCommands(`${out.join('\n')}\n`).map((command) => command.name);
        expect(names).toHaveLength(3);
        expect(names[0]).toBe('stop-commands');
        expect(names[1]).toMatch(/^neo-[0-9a-f]{32}$/);
        expect(names[2]).toBe('debug');
        // Defused line by line too, for runners without stop-commands.
        for (const line of runnerLines(`${out.slice(1, -2).join('\n')}\n`))
          expect(parseCommand(line)).toBe(undefined);
      }),
      RUNS,
    );
  });

  it('through @actions/core as the entries call it: info lines, warnings, failures, groups', () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        let written = '';
        const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
          written += String(chunk);
          return true;
        });
        try {
          core.info(`reason ${inertText(a)}`);
          core.info(`job ${inertText(a)} (${inertText(b)})`);
          core.info(inertText(`[${a}] could not look up x: ${b}`));
          core.warning(annotationMessage(`could not describe: ${a}`));
          core.setFailed(annotationMessage(`failed: ${a}${b}`));
          core.startGroup(`${a}: FAILED`);
          core.endGroup();
          writeUntrustedBlock((line) => core.info(line), `${a}\n${b}`);
        } finally {
          spy.mockRestore();
          process.exitCode = undefined;
        }
        const names = processedCommands(written).map((command) => command.name);
        expect(names.filter((name) => !/^neo-[0-9a-f]{32}$/.test(name))).toEqual([
          'warning',
          'error',
          'group',
          'endgroup',
          'stop-commands',
        ]);
      }),
      { numRuns: 200 },
    );
  });

  it('renderLogTable: no row reads as a command, whatever the service or neo.yml put in its cells', () => {
    const hostileJob = fc
      .record({
        target: hostile,
        device: hostile,
        jobName: hostile,
        failureReason: hostile,
        artifact: hostile,
      })
      .map((fields): JobState => job(fields));
    fc.assert(
      fc.property(fc.array(hostileJob, { minLength: 1, maxLength: 4 }), (jobs) => {
        expectNoCommand(`${renderLogTable(jobs, Date.now())}\n`);
      }),
      RUNS,
    );
  });
});
