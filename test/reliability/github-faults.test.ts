import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { prepareRun, sagemakerCalls, startTestEmulator, targetsYaml } from '../e2e/helpers.ts';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const _TERMINAL = ['COMPLETED', 'FAILED', 'STOPPED'];
const _createdNames = (emu: Emulator) => emu.sagemaker.jobs().map((job) => job.name);

describe('faults on the GitHub side never lose or delay the SageMaker side', () => {
  it('a failing GitHub API: outputs are still right and the run succeeds', async () => {
    emulator = await startTestEmulator({ github: { failRate: 1 } });
    const result = await prepareRun(emulator, targetsYaml(3)).run();
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('succeeded');
    expect(Object.keys(JSON.parse(result.outputs.artifacts ?? '{}'))).toHaveLength(3);
    expect(result.stdout).toMatch(/::warning::/);
  });

  it('a slow GitHub API does not hold up job submission or detection', async () => {
    emulator = await startTestEmulator({ github: { latencyMs: 3000 } });
    const started = Date.now();
    const result = await prepareRun(emulator, targetsYaml(3)).run();
    expect(result.code).toBe(0);
    const creates = sagemakerCalls(emulator, 'CreateCompilationJob');
    // Jobs were created without waiting for the 3 s comment calls.
    for (const call of creates) expect(call.time - started).toBeLessThan(2500);
    expect(result.outputs.status).toBe('succeeded');
  });
});
