// Parses the action's inputs (action.yml) into plain data. Pure: takes a getter so tests need no environment.
import { parseByteSize } from '../report/sizes.ts';

export interface ActionInputs {
  config: string;
  githubToken: string;
  comment: boolean;
  wait: boolean;
  /** Milliseconds between status sweeps. */
  pollIntervalMs: number;
  /** Milliseconds to wait for all jobs before stopping them; 0 = no limit. */
  timeoutMs: number;
  maxConcurrency: number;
  targets: string;
  dryRun: boolean;
  force: boolean;
  /** Open each model archive before any job (layout, model format, inputs vs data-input-config). */
  preflight: boolean;
  /** S3 models larger than this are not opened by the preflight (a warning says so). */
  preflightMaxBytes: number;
  /** Minimum milliseconds between two PR comment updates while jobs run. */
  commentIntervalMs: number;
  /** Workspace-relative directory for the compiled artifacts; empty = no download. */
  download: string;
}

export class InputError extends Error {
  override name = 'InputError';
}

const DURATION_PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/gy;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `45m`, `1h30m`, `90s`, `0.2` (seconds) into milliseconds; undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  if (value === '') return undefined;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  let consumed = 0;
  for (let match = DURATION_PART.exec(value); match; match = DURATION_PART.exec(value)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] ?? 0);
    consumed = DURATION_PART.lastIndex;
  }
  return consumed === value.length ? Math.round(total) : undefined;
}

function parseBoolean(name: string, raw: string, fallback: boolean): boolean {
  const value = raw.trim().toLowerCase();
  if (value === '') return fallback;
  if (['true', 'yes', 'on', '1'].includes(value)) return true;
  if (['false', 'no', 'off', '0'].includes(value)) return false;
  throw new InputError(`Input '${name}' must be true or false, got '${raw}'.`);
}

export function readActionInputs(get: (name: string) => string): ActionInputs {
  const duration = (name: string, fallback: string, { allowZero }: { allowZero: boolean }): number => {
    const raw = get(name).trim() || fallback;
    const ms = parseDurationMs(raw);
    if (ms === undefined || ms < 0 || (!allowZero && ms === 0)) {
      throw new InputError(
        `Input '${name}' must be a duration such as 15, 0.5, 90s, 45m or 1h30m (seconds when no unit), got '${raw}'.`,
      );
    }
    return ms;
  };
  const rawConcurrency = get('max-concurrency').trim() || '10';
  const maxConcurrency = Number(rawConcurrency);
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) {
    throw new InputError(
      `Input 'max-concurrency' must be a whole number of at least 1, got '${rawConcurrency}'.`,
    );
  }
  const rawMaxSize = get('preflight-max-size').trim() || '2GiB';
  const preflightMaxBytes = parseByteSize(rawMaxSize);
  if (preflightMaxBytes === undefined) {
    throw new InputError(
      `Input 'preflight-max-size' must be a size such as 500MB or 2GiB (B, KB, MB, GB, KiB, MiB, GiB), got '${rawMaxSize}'.`,
    );
  }
  return {
    config: get('config').trim() || 'neo.yml',
    githubToken: get('github-token').trim(),
    comment: parseBoolean('comment', get('comment'), true),
    wait: parseBoolean('wait', get('wait'), true),
    pollIntervalMs: duration('poll-interval', '15', { allowZero: false }),
    timeoutMs: duration('timeout', '1h', { allowZero: true }),
    maxConcurrency,
    targets: get('targets'),
    dryRun: parseBoolean('dry-run', get('dry-run'), false),
    force: parseBoolean('force', get('force'), false),
    preflight: parseBoolean('preflight', get('preflight'), true),
    preflightMaxBytes,
    commentIntervalMs: duration('comment-interval', '10', { allowZero: true }),
    download: get('download').trim(),
  };
}
