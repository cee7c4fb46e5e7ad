// The post step's work: stop the jobs a killed main step created and left running. Only entries the main step
// saved as its own (created, or creating with a job created after its run started) are stopped; every call is
// bounded by `signal`, and expired credentials end the work at once.

import { classifyAwsError, type JobApi } from '../aws/sagemaker.ts';
import { CLOCK_SLACK_MS } from './adopt.ts';
import { errorText, forEachLimited } from './context.ts';
import { isTerminal, type SavedJob } from './ledger.ts';

export interface CleanupReport {
  stopped: SavedJob[];
  /** Already ended, never created, or not this run's. */
  skipped: number;
  /** Could not be checked or stopped (errors, credentials, time). */
  failed: SavedJob[];
  credentialsFailed?: string;
}

/** A few calls at a time: hundreds of parallel Describe/Stop calls would only be throttled. */
const CLEANUP_PARALLELISM = 8;

export async function stopLeftoverJobs(
  api: JobApi,
  saved: SavedJob[],
  signal: AbortSignal,
  log: { info(line: string): void; warning(line: string): void },
): Promise<CleanupReport> {
  const report: CleanupReport = { stopped: [], skipped: 0, failed: [] };
  const seen = new Set<string>();
  const unique = saved.filter((job) => {
    const key = `${job.region}/${job.kind}/${job.name}`;
    if (job.lifecycle === 'released' || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  report.skipped += saved.length - unique.length;
  await forEachLimited(unique, CLEANUP_PARALLELISM, async (job) => {
    if (signal.aborted || report.credentialsFailed) {
      report.failed.push(job);
      return;
    }
    try {
      const snapshot = await api.describe(job.kind, job.region, job.name, signal);
      const notOurs = job.lifecycle === 'creating' && snapshot.creationTime < job.runStart - CLOCK_SLACK_MS;
      if (notOurs || isTerminal(snapshot.status) || snapshot.status === 'STOPPING') {
        report.skipped++;
        return;
      }
      await api.stop(job.kind, job.region, job.name, signal);
      report.stopped.push(job);
      log.info(`Stopped ${job.kind} job ${job.name} (${job.region}), left running by the main step.`);
    } catch (error) {
      const kind = classifyAwsError(error);
      // Saved just before its create: a job whose create never reached SageMaker does not exist.
      if (kind === 'not-found') {
        report.skipped++;
        return;
      }
      report.failed.push(job);
      if (kind === 'credentials' || kind === 'denied') {
        report.credentialsFailed ??= errorText(error);
        return;
      }
      if (!signal.aborted) log.warning(`Could not stop ${job.name} in ${job.region}: ${errorText(error)}`);
    }
  });
  return report;
}
