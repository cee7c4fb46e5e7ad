// The step's outputs, kept in memory and written as a whole: each commit replaces the GITHUB_OUTPUT file, so
// an output written early (on cancel, before the stops) and again at the end appears once, with its last value.
import { randomUUID } from 'node:crypto';
import { lstatSync, renameSync, writeFileSync } from 'node:fs';
import * as core from '@actions/core';

export interface StepOutputs {
  set(values: Record<string, string>): void;
  /** Writes every output set so far, replacing what an earlier commit wrote. Never throws. */
  commit(): void;
}

/** The runner's file-command format for one value (what @actions/core writes, one block per output). */
export function outputBlock(name: string, value: string): string {
  let delimiter = `ghadelimiter_${randomUUID()}`;
  while (value.includes(delimiter) || name.includes(delimiter)) delimiter = `ghadelimiter_${randomUUID()}`;
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

export function createStepOutputs(outputFile: string | undefined): StepOutputs {
  const values = new Map<string, string>();
  return {
    set(record) {
      for (const [name, value] of Object.entries(record)) values.set(name, value);
    },
    commit() {
      if (!outputFile) {
        // Outside a runner (local runs): the toolkit's own fallback.
        for (const [name, value] of values) core.setOutput(name, value);
        return;
      }
      const text = [...values].map(([name, value]) => outputBlock(name, value)).join('');
      // Write aside, then rename over: a kill mid-write never leaves a torn output file. Only over a regular
      // file: a rename would replace a device, pipe or link that a local runner passes (GITHUB_OUTPUT=/dev/null).
      // Anything else, or a failed rename, gets a direct write.
      if (isRegularFileOrMissing(outputFile)) {
        try {
          const temp = `${outputFile}.${process.pid}.tmp`;
          writeFileSync(temp, text);
          renameSync(temp, outputFile);
          return;
        } catch {
          // written directly below
        }
      }
      try {
        writeFileSync(outputFile, text);
      } catch (error) {
        core.warning(
          `Could not write the step outputs: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    },
  };
}

function isRegularFileOrMissing(file: string): boolean {
  try {
    return lstatSync(file).isFile();
  } catch {
    return true;
  }
}
