// What the scheduler's parts share: the ports (SageMaker, clock), the ledger, the run's signal, and the one
// policy for errors that end the run (credentials expired or invalid, access denied).
import pLimit from 'p-limit';
import { awsErrorMessage, awsErrorName, classifyAwsError, type JobApi } from '../aws/sagemaker.ts';
import type { JobKind } from '../types.ts';
import type { Clock } from './clock.ts';
import type { Ledger, LedgerEntry } from './ledger.ts';

/** An error that ends the run at once: every later call would fail the same way. */
export interface FatalAwsError {
  kind: 'credentials' | 'denied';
  /** The SageMaker operation that failed, e.g. ListCompilationJobs. */
  operation: string;
  /** The service's error code, e.g. ExpiredTokenException. */
  code: string;
  message: string;
}

export interface SchedulerContext {
  api: JobApi;
  clock: Clock;
  ledger: Ledger;
  /** Aborted on cancel, at the deadline and on a fatal error: every call of the run takes it. */
  signal: AbortSignal;
  force: boolean;
  parallelism: number;
  log(line: string): void;
  warn(line: string): void;
  debug(line: string): void;
  /** Records a fatal error (first one wins) and aborts the run's signal. */
  fail(error: FatalAwsError): void;
  readonly fatal: FatalAwsError | undefined;
}

export function operationName(verb: 'Create' | 'Describe' | 'List' | 'Stop', kind: JobKind): string {
  const noun = kind === 'compilation' ? 'Compilation' : 'Optimization';
  return verb === 'List' ? `List${noun}Jobs` : `${verb}${noun}Job`;
}

/**
 * Ends the run when `error` is fatal: expired or invalid credentials on any call, access denied on any call
 * but List (a policy without List falls back to Describe). Returns true when it was.
 */
export function failIfFatal(ctx: SchedulerContext, error: unknown, operation: string): boolean {
  const kind = classifyAwsError(error);
  if (kind !== 'credentials' && kind !== 'denied') return false;
  if (kind === 'denied' && operation.startsWith('List')) return false;
  ctx.fail({ kind, operation, code: awsErrorName(error), message: awsErrorMessage(error) });
  return true;
}

/** Runs `fn` over `items` with at most `limit` calls at once. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const run = pLimit(Math.max(1, limit));
  await Promise.all(items.map((item) => run(() => fn(item))));
}

export const groupKey = (kind: JobKind, region: string) => `${region}\u0000${kind}`;

/** Entries grouped by region and kind: each group is one client and one List filter. */
export function groupByRegionAndKind(entries: LedgerEntry[]): LedgerEntry[][] {
  const groups = new Map<string, LedgerEntry[]>();
  for (const entry of entries) {
    const key = groupKey(entry.planned.kind, entry.planned.region);
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  }
  return [...groups.values()];
}

/** The error's message (service text: the shell prints it through inertText / annotationMessage). */
export const errorText = (error: unknown): string => awsErrorMessage(error);
