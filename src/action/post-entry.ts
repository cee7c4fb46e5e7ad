// Entry point of the post step (action.yml `runs.post`: dist/post/index.js, post-if: always()): stops every job this
// run created that is still running, so a main step that was killed (cancel, runner timeout, kill -9) leaves no
// orphan burning money. Its own bundle, so it can never run the main step.
import * as core from '@actions/core';
import { awsErrorMessage, awsErrorName, createSageMakerJobApi } from '../aws/sagemaker.ts';
import { forEachLimited, isTerminal } from '../run/schedule.ts';
import { annotationMessage, inertText } from './commands.ts';
import { decodeSavedJobs, POST_MODE_KEY } from './state.ts';

export async function runPost(): Promise<void> {
  if (core.getState(POST_MODE_KEY) === 'leave') {
    core.info('Main step finished; nothing to clean up.');
    return;
  }
  const saved = decodeSavedJobs((key) => core.getState(key));
  if (saved.length === 0) return;
  const api = createSageMakerJobApi({ maxAttempts: 5 });
  const seen = new Set<string>();
  let stopped = 0;
  const unique = saved.filter((job) => {
    const key = `${job.region}/${job.kind}/${job.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // A few calls at a time: hundreds of parallel Describe/Stop calls would only be throttled.
  await forEachLimited(unique, 8, async (job) => {
    try {
      const snapshot = await api.describe(job.kind, job.region, job.name);
      if (isTerminal(snapshot.status) || snapshot.status === 'STOPPING') return;
      await api.stop(job.kind, job.region, job.name);
      stopped++;
      core.info(
        `Stopped ${job.kind} job ${inertText(job.name)} (${inertText(job.region)}), left running by the main step.`,
      );
    } catch (error) {
      // Saved just before its create: a job whose create never reached SageMaker does not exist.
      if (awsErrorName(error) === 'ResourceNotFound') return;
      core.warning(
        annotationMessage(`Could not stop ${job.name} in ${job.region}: ${awsErrorMessage(error)}`),
      );
    }
  });
  core.info(`Post step: ${stopped} orphaned job(s) stopped, ${seen.size - stopped} already ended.`);
}

runPost().catch((error: unknown) => {
  // The post step must never fail the job for a cleanup problem: warn and exit 0.
  core.warning(annotationMessage(`Post step: ${error instanceof Error ? error.message : String(error)}`));
});
