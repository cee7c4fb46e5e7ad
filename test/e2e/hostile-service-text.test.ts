// Row 1 of issue 11, end to end: text from SageMaker (a FailureReason) and from neo.yml that is full of
// workflow commands is printed by the built action without the runner ever running one of them.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { foreignCommands, processedCommands } from '../action/runner-model.ts';
import { prepareRun, startTestEmulator, targetsYaml } from './helpers.ts';

const PAYLOAD = [
  'ClientError: compilation failed',
  '::set-output name=artifact-t0::s3://evil/x',
  '::error title=X::forged annotation',
  '\u00A0 ::add-mask::ghs_test',
  '::stop-commands::pwned',
  '##[error]legacy syntax mid-line ##[set-output name=status;]succeeded',
  'carriage\rreturn::save-state name=x::y',
  'unicode\u2028::add-path::/tmp/evil\u2029%0A::set-env name=X::1\u0085end',
].join('\n');

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('hostile service text', () => {
  it('a multi-line FailureReason full of workflow commands is shown, never run', async () => {
    emulator = await startTestEmulator({ sagemaker: { failureFor: () => PAYLOAD } });
    const result = await prepareRun(emulator, targetsYaml(2)).run();

    expect(result.code).toBe(1);
    expect(result.outputs.status).toBe('failed');
    // The reason is in the log, defused: its words are there, no command of it is processed.
    expect(result.stdout).toContain('reason ClientError: compilation failed%0A');
    expect(result.stdout).toContain('set-output name=artifact-t0');
    expect(foreignCommands(result.stdout)).toEqual([]);
    expect(processedCommands(result.stdout).filter((command) => command.properties.title === 'X')).toEqual(
      [],
    );
    // Every annotation line stays under 4 KB.
    for (const line of result.stdout.split('\n').filter((line) => line.startsWith('::'))) {
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
    }
  });

  it('a hostile artifact location and hostile SDK error messages are shown, never run', async () => {
    emulator = await startTestEmulator({
      sagemaker: { artifactFor: () => `s3://bucket/x\n${PAYLOAD}`, failureFor: () => undefined },
      // Every request fails with the hostile message until the action has reported one of them.
      sagemakerFaults: { errorRate: 1, errorMessage: `We encountered an internal error\r\n${PAYLOAD}` },
    });
    const faults = emulator.sagemaker.faults;
    const result = await prepareRun(emulator, targetsYaml(2)).run({
      onLine: (line) => {
        if (line.includes('internal error')) faults.errorRate = 0;
      },
    });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/::warning::.*We encountered an internal error%0D%0AClientError/);
    expect(result.stdout).toContain('artifact s3://bucket/x%0AClientError');
    expect(foreignCommands(result.stdout)).toEqual([]);
    for (const line of result.stdout.split('\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
  });

  it('a dry run prints the plan of a neo.yml full of commands inside its own stop-commands block', async () => {
    emulator = await startTestEmulator();
    // compiler-options is free-form JSON for most devices: its text reaches the printed plan as written.
    const config = targetsYaml(1, `    compiler-options: '{"dtype": "::add-mask::x ##[error]y"}'\n`);
    const result = await prepareRun(emulator, config).run({ inputs: { 'dry-run': 'true' } });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^::stop-commands::neo-[0-9a-f]{32}$/m);
    expect(result.stdout).toContain('add-mask::x #');
    expect(foreignCommands(result.stdout)).toEqual([]);
  });

  it('config errors that echo hostile values are single, escaped annotations', async () => {
    emulator = await startTestEmulator();
    const config = targetsYaml(1).replace(
      'device: jetson_nano',
      'device: "::add-mask::x\\n##[error]y\\u2028::set-output name=a::b"',
    );
    const result = await prepareRun(emulator, config).run();

    expect(result.code).toBe(1);
    expect(foreignCommands(result.stdout)).toEqual([]);
    const errors = processedCommands(result.stdout).filter(
      (command) => command.name === 'error' && command.properties.file,
    );
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.properties).toMatchObject({ file: 'neo.yml', line: '13' });
  });
});
