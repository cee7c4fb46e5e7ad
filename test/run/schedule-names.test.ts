import { describe, expect, it } from 'vitest';
import { attemptName, attemptOf, commonPrefix, nextPollInterval } from '../../src/run/schedule.ts';

describe('attempt names', () => {
  it('keeps the first attempt under its planned name and suffixes later ones', () => {
    expect(attemptName('resnet-jetson-1a2b3c4d', 1)).toBe('resnet-jetson-1a2b3c4d');
    expect(attemptName('resnet-jetson-1a2b3c4d', 2)).toBe('resnet-jetson-1a2b3c4d-r2');
    expect(attemptOf('resnet-jetson-1a2b3c4d', 'resnet-jetson-1a2b3c4d-r2')).toBe(2);
    expect(attemptOf('resnet-jetson-1a2b3c4d', 'resnet-jetson-1a2b3c4d')).toBe(1);
    expect(attemptOf('resnet-jetson-1a2b3c4d', 'resnet-jetson-9999-r2')).toBe(0);
  });

  it('stays within 63 characters and keeps the hash when the name is long', () => {
    const base = `${'a'.repeat(47)}-target-0123abcd`;
    expect(base.length).toBe(63);
    const second = attemptName(base, 12);
    expect(second.length).toBeLessThanOrEqual(63);
    expect(second).toMatch(/-0123abcd-r12$/);
    expect(second).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
    expect(attemptOf(base, second)).toBe(12);
  });
});

describe('commonPrefix', () => {
  it('finds the NameContains filter that matches every job of a group', () => {
    expect(commonPrefix(['resnet-a-1', 'resnet-b-2', 'resnet-a-3'])).toBe('resnet-');
    expect(commonPrefix(['only-one'])).toBe('only-one');
  });
});

describe('nextPollInterval', () => {
  it('widens under throttling up to 8x and narrows back to the base when calm', () => {
    let interval = 1000;
    for (let i = 0; i < 5; i++) interval = nextPollInterval(interval, 1000, true);
    expect(interval).toBe(8000);
    interval = nextPollInterval(interval, 1000, false);
    expect(interval).toBe(4000);
    for (let i = 0; i < 5; i++) interval = nextPollInterval(interval, 1000, false);
    expect(interval).toBe(1000);
  });
});
