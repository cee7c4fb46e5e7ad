// End-to-end (dist/ on the emulator): GitHub rate-limits the PR comment's writes. Comment requests pause for
// as long as GitHub asks, SageMaker work goes on meanwhile, the final comment lands when the pause ends in
// time, and a pause longer than the step ends in one warning instead of a hanging step.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import type { RecordedCall } from '../../emulator/types.ts';
import { prepareRun, startTestEmulator, targetsYaml } from './helpers.ts';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const github = (emu: Emulator) => emu.calls.filter((call) => call.service === 'github');
const sagemaker = (emu: Emulator) => emu.calls.filter((call) => call.service === 'sagemaker');
const isWrite = (call: RecordedCall) => !call.operation.startsWith('GET ');
const bodyOf = (call: RecordedCall | undefined) => (call?.body as { body?: string } | undefined)?.body ?? '';
const warnings = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::warning'));

/** The one rate-limited answer, and every GitHub request after it. */
function refusalAndAfter(emu: Emulator, status = 403): { refused: RecordedCall; after: RecordedCall[] } {
  const calls = github(emu);
  const index = calls.findIndex((call) => isWrite(call) && call.status === status);
  expect(index).toBeGreaterThanOrEqual(0);
  return { refused: calls[index] as RecordedCall, after: calls.slice(index + 1) };
}

describe('GitHub rate-limits the PR comment', () => {
  it('secondary limit (403, retry-after 2 s): comment requests pause, SageMaker does not, the newest body lands', async () => {
    emulator = await startTestEmulator({
      github: { writeRateLimit: { kind: 'secondary', count: 1, retryAfterSeconds: 2 } },
      // Jobs run past the pause, so updates pile up during it.
      sagemaker: { timing: { startingMs: 40, inProgressMs: 3_000, stoppingMs: 40 } },
    });
    const started = Date.now();
    const result = await prepareRun(emulator, targetsYaml(3)).run();
    expect(result.code).toBe(0);

    const { refused, after } = refusalAndAfter(emulator);
    expect(refused.operation).toMatch(/^POST .*\/issues\/7\/comments$/);
    // Nothing at all went to GitHub within retry-after; then one in-progress write and the final one.
    expect(after.length).toBeGreaterThan(0);
    for (const call of after) expect(call.time).toBeGreaterThanOrEqual(refused.time + 2_000);
    const writesAfter = after.filter(isWrite);
    for (const call of writesAfter) expect(call.status).toBeLessThan(300);
    // The first write after the pause carries the state at that time, not the refused body.
    expect(writesAfter[0]?.operation).toMatch(/^POST /);
    expect(bodyOf(writesAfter[0])).not.toBe(bodyOf(refused));
    expect(bodyOf(writesAfter[0])).toMatch(/of 3 targets done/);
    expect(bodyOf(writesAfter.at(-1))).toContain('SageMaker Neo: 3 targets ready');

    // SageMaker went on during the pause: all jobs created at once, and polled while GitHub was paused.
    for (const call of sagemaker(emulator).filter((c) => c.operation === 'CreateCompilationJob'))
      expect(call.time - started).toBeLessThan(refused.time + 2_000 - started);
    const polledDuringPause = sagemaker(emulator).filter(
      (call) => call.time > refused.time && call.time < refused.time + 2_000,
    );
    expect(polledDuringPause.length).toBeGreaterThan(2);

    const comments = emulator.github.comments;
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('SageMaker Neo: 3 targets ready');
    expect(result.outputs['comment-id']).toBe(String(comments[0]?.id));
    expect(warnings(result.stdout)).toEqual([]);
  });

  it('secondary limit longer than the run (retry-after 120 s): one warning, no write, the step ends at once', async () => {
    emulator = await startTestEmulator({
      github: { writeRateLimit: { kind: 'secondary', count: 1, retryAfterSeconds: 120 } },
    });
    const result = await prepareRun(emulator, targetsYaml(3)).run();
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('succeeded');
    // The run itself takes about a second; the final flush does not wait for the 120 s.
    expect(result.wallMs).toBeLessThan(10_000);

    const { after } = refusalAndAfter(emulator);
    expect(after).toEqual([]);
    expect(emulator.github.comments).toHaveLength(0);
    expect(result.outputs['comment-id']).toBeUndefined();
    const warned = warnings(result.stdout);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/out of date: GitHub rate-limited .*secondary rate limit: retry after 120 s/);
    // Not mistaken for the read-only token's 403.
    expect(warned[0]).not.toContain('pull-requests: write');
    expect(result.summary).toContain('t2');
  });

  it('primary limit (429, x-ratelimit-remaining 0): no request before x-ratelimit-reset, then the final comment', async () => {
    emulator = await startTestEmulator({
      github: { writeRateLimit: { kind: 'primary', count: 1, status: 429, resetInSeconds: 1 } },
    });
    const result = await prepareRun(emulator, targetsYaml(2)).run();
    expect(result.code).toBe(0);

    const { refused, after } = refusalAndAfter(emulator, 429);
    expect(refused.operation).toMatch(/^POST /);
    // x-ratelimit-reset is whole seconds: the reset is at the second after next, at the latest.
    const reset = (Math.ceil(refused.time / 1000) + 1) * 1000;
    expect(after.length).toBeGreaterThan(0);
    for (const call of after) {
      expect(call.time).toBeGreaterThanOrEqual(reset);
      expect(call.status).toBeLessThan(400);
    }
    expect(emulator.github.comments).toHaveLength(1);
    expect(emulator.github.comments[0]?.body).toContain('SageMaker Neo: 2 targets ready');
    expect(warnings(result.stdout)).toEqual([]);
  });
});
