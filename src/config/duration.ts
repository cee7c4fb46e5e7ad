// Durations in neo.yml: a number of seconds (900, "900") or units, largest first: 90s, 15m, 2h, 1d, 1h30m.
import { DURATION_PATTERN } from './schema.ts';

const UNIT_SECONDS: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };

/** Seconds, or undefined when the value is not a duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!DURATION_PATTERN.test(text)) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([dhms])/g)) {
    seconds += Number(amount) * (UNIT_SECONDS[unit ?? 's'] ?? 1);
  }
  return Number.isSafeInteger(seconds) ? seconds : undefined;
}

/** 900 -> "15m", 5400 -> "1h30m": for messages. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return `${seconds}s`;
  let rest = seconds;
  let text = '';
  for (const [unit, size] of Object.entries(UNIT_SECONDS)) {
    const amount = Math.floor(rest / size);
    if (amount > 0) text += `${amount}${unit}`;
    rest -= amount * size;
  }
  return text;
}
