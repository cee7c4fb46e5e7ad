import { describe, expect, it } from 'vitest';
import { InputError, parseDurationMs, readActionInputs } from '../../src/action/inputs.ts';

const reader = (values: Record<string, string>) => (name: string) => values[name] ?? '';

describe('parseDurationMs', () => {
  it.each([
    ['15', 15_000],
    ['0.2', 200],
    ['90s', 90_000],
    ['45m', 2_700_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['250ms', 250],
  ])('%s -> %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', 'soon', '10 minutes', '5x', '-3', 'm5'])('rejects %j', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });
});

describe('readActionInputs', () => {
  it('applies the documented defaults', () => {
    const inputs = readActionInputs(reader({}));
    expect(inputs).toMatchObject({
      config: 'neo.yml',
      comment: true,
      wait: true,
      pollIntervalMs: 15_000,
      maxConcurrency: 10,
      dryRun: false,
      timeoutMs: 3_600_000,
    });
  });

  it('reads fractional poll intervals and durations', () => {
    const inputs = readActionInputs(
      reader({ 'poll-interval': '0.2', timeout: '90s', 'max-concurrency': '3' }),
    );
    expect(inputs.pollIntervalMs).toBe(200);
    expect(inputs.timeoutMs).toBe(90_000);
    expect(inputs.maxConcurrency).toBe(3);
  });

  it.each([
    [{ wait: 'maybe' }, /'wait' must be true or false/],
    [{ 'poll-interval': '0' }, /'poll-interval' must be a duration/],
    [{ 'max-concurrency': '0' }, /'max-concurrency' must be a whole number/],
    [{ timeout: 'forever' }, /'timeout' must be a duration/],
  ])('rejects %j with a message naming the input', (values, message) => {
    expect(() => readActionInputs(reader(values))).toThrow(InputError);
    expect(() => readActionInputs(reader(values))).toThrow(message);
  });
});

describe('preflight-max-size', () => {
  it('reads sizes with units and refuses anything else', () => {
    const read = (value: string) => readActionInputs((name) => (name === 'preflight-max-size' ? value : ''));
    expect(read('').preflightMaxBytes).toBe(2 * 1024 ** 3);
    expect(read('500MB').preflightMaxBytes).toBe(500_000_000);
    expect(() => read('lots')).toThrow(/preflight-max-size/);
  });
});
