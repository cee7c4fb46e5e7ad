// Entry point of the post step (action.yml `runs.post`: dist/post/index.js, post-if: always()): stops every job
// the main step created that is still running, so a main step that was killed (cancel, runner timeout, kill -9)
// leaves no orphan burning money. Its own bundle, so it can never run the main step or create a job. Bounded:
// it ends within its budget even if every call hangs, and never fails the job for a cleanup problem.
import * as core from '@actions/core';
import { createSageMakerJobApi } from '../aws/sagemaker.ts';
import { stopLeftoverJobs } from '../run/cleanup.ts';
import { readBudgets } from './budgets.ts';
import { annotationMessage, inertText } from './commands.ts';
import { decodeSavedJobs, POST_MODE_KEY, stateFromEnv } from './state.ts';

export async function runPost(env: Record<string, string | undefined>): Promise<void> {
  const state = stateFromEnv(env);
  if (state[POST_MODE_KEY] === 'leave') {
    core.info('Main step finished; nothing to clean up.');
    return;
  }
  const { jobs, warnings } = decodeSavedJobs(state);
  for (const warning of warnings) core.warning(annotationMessage(warning));
  if (jobs.length === 0) return;
  const budgets = readBudgets(env);
  const api = createSageMakerJobApi({
    maxAttempts: 3,
    connectionTimeoutMs: budgets.connectionTimeoutMs,
    requestTimeoutMs: budgets.requestTimeoutMs,
  });
  const signal = AbortSignal.timeout(budgets.postStepMs);
  const report = await stopLeftoverJobs(api, jobs, signal, {
    // Job names, regions and error messages come from saved state and the service: never a workflow command.
    info: (line) => core.info(inertText(line)),
    warning: (line) => core.warning(annotationMessage(line)),
  });
  // In the order they were saved, whatever order the calls ended in.
  const failed = new Set(report.failed);
  const names = jobs
    .filter((job) => failed.has(job))
    .map((job) => job.name)
    .join(', ');
  if (report.credentialsFailed) {
    core.warning(
      annotationMessage(
        `Post step: AWS refused the credentials (${report.credentialsFailed}); these jobs may still be running and were NOT stopped: ${names}. Stop them in the SageMaker console.`,
      ),
    );
  } else if (signal.aborted && report.failed.length > 0) {
    core.warning(
      annotationMessage(
        `Post step: out of time after ${Math.round(budgets.postStepMs / 1000)} s; these jobs may still be running and were NOT stopped: ${names}.`,
      ),
    );
  }
  core.info(
    `Post step: ${report.stopped.length} orphaned job(s) stopped, ${report.skipped} already ended or not this run's${report.failed.length ? `, ${report.failed.length} not stopped` : ''}.`,
  );
}

const hardStop = setTimeout(() => {
  // A call that ignores its signal must not hold the job: the post step never fails it, so exit 0.
  core.warning('Post step: out of time; exiting.');
  process.exit(0);
}, readBudgets(process.env).postStepMs + 10_000);
hardStop.unref();

runPost(process.env)
  .catch((error: unknown) => {
    // The post step must never fail the job for a cleanup problem: warn and exit 0.
    core.warning(annotationMessage(`Post step: ${error instanceof Error ? error.message : String(error)}`));
  })
  .finally(() => {
    // Sockets of abandoned calls must not keep the process alive past the work.
    setTimeout(() => process.exit(0), 1_000).unref();
  });
