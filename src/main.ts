// Wires the stages: read config -> validate -> plan -> submit & watch -> report. No logic of its own.
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { annotationMessage, errorAnnotation, inertText, writeUntrustedBlock } from './action/commands.ts';
import { readWorkflowContext, type WorkflowContext } from './action/context.ts';
import { type ActionInputs, InputError, readActionInputs } from './action/inputs.ts';
import { readConfigFile } from './action/paths.ts';
import { encodeSavedJob, JOB_COUNT_KEY, jobStateKey, POST_MODE_KEY } from './action/state.ts';
import { createObjectStorage } from './aws/s3.ts';
import { createSageMakerJobApi } from './aws/sagemaker.ts';
import { modelInputs, readNeoConfig } from './config/index.ts';
import { findArtifactCollisions, planJobs, selectTargets } from './plan/plan.ts';
import { type CommentPublisher, createCommentPublisher } from './report/comment.ts';
import { buildOutputs, failureSummary, planOutputs } from './report/outputs.ts';
import {
  commentMarker,
  type ReportContext,
  renderCommentBody,
  renderLogTable,
  renderPlanSummary,
  renderSummary,
  renderValidationErrorsBody,
} from './report/render.ts';
import { createArtifactDownloader, prepareDownloadDir } from './run/download.ts';
import { prepareModelInputs } from './run/model-inputs.ts';
import { type ScheduleOutcome, scheduleJobs } from './run/schedule.ts';
import type { ConfigError, JobState } from './types.ts';

export async function runMain(signal: AbortSignal): Promise<void> {
  let inputs: ActionInputs;
  try {
    inputs = readActionInputs((name) => core.getInput(name));
  } catch (error) {
    if (error instanceof InputError) return failBeforeAnyJob(error.message);
    throw error;
  }
  const ctx = readWorkflowContext(process.env);
  const report: ReportContext = {
    repository: ctx.repository,
    sha: ctx.sha,
    serverUrl: ctx.serverUrl,
    runId: ctx.runId,
    workflow: ctx.workflow,
    configPath: inputs.config,
    now: Date.now(),
  };
  let downloadDir: string | undefined;
  if (inputs.download) {
    const resolved = await prepareDownloadDir(ctx.workspace, inputs.download);
    if ('error' in resolved) return failBeforeAnyJob(resolved.error);
    downloadDir = resolved.dir;
  }
  const publisher = openCommentPublisher(inputs, ctx);

  const configFile = await readConfigFile(ctx.workspace, inputs.config);
  if ('error' in configFile) return failBeforeAnyJob(configFile.error);
  const { config, errors } = readNeoConfig(configFile.bytes, inputs.config, ctx);
  if (!config || errors.length > 0) return failOnConfigErrors(errors, report, publisher);

  const selection = selectTargets(config, inputs.targets);
  if (selection.errors.length > 0) return failOnConfigErrors(selection.errors, report, publisher);
  // Inputs of the selected targets only: upload local models, check S3 models exist and are gzip archives.
  const selected = new Set(selection.selected.map((target) => target.name));
  const storage = inputs.dryRun ? undefined : createObjectStorage(ctx.region);
  const prepared = await prepareModelInputs(
    modelInputs(config).filter((input) => input.targets.some((target) => selected.has(target))),
    storage,
    { workspace: ctx.workspace, configFile: inputs.config, offline: inputs.dryRun, signal },
  );
  if (signal.aborted)
    return failBeforeAnyJob('Cancelled before any job was created; uploads in progress were aborted.');
  if (prepared.errors.length > 0) return failOnConfigErrors(prepared.errors, report, publisher);
  for (const upload of prepared.uploads) {
    core.info(
      `${upload.skipped ? 'Already in S3' : 'Uploaded'}: ${inertText(upload.path)} -> ${inertText(upload.uri)} (${upload.size} bytes)`,
    );
  }
  const planned = planJobs(config, ctx, {
    targets: inputs.targets,
    inputIdentity: prepared.identity,
    inputUris: prepared.inputUris,
  });
  const collisions = findArtifactCollisions(planned.jobs, inputs.config);
  const planErrors = [...planned.errors, ...collisions];
  if (planErrors.length > 0) return failOnConfigErrors(planErrors, report, publisher);
  const plan = planned.jobs;

  if (inputs.dryRun) {
    core.info(`Dry run: ${plan.length} job(s) planned, nothing submitted.`);
    writeUntrustedBlock(
      (line) => core.info(line),
      JSON.stringify(Object.fromEntries(plan.map((job) => [job.target, job])), null, 2),
    );
    setOutputs(planOutputs(plan));
    await writeSummary(renderPlanSummary(plan, report));
    return;
  }

  const downloader = downloadDir
    ? createArtifactDownloader(storage ?? createObjectStorage(ctx.region), ctx.workspace, downloadDir, {
        signal,
      })
    : undefined;

  core.info(`Submitting ${plan.length} job(s), at most ${inputs.maxConcurrency} at once.`);
  let saved = 0;
  const runStart = Date.now();
  // Each target's status changes, for its log group at the end.
  const history = new Map<string, string[]>();
  const savedNames = new Set<string>();
  const saveJobForPost = (job: JobState) => {
    const key = `${job.region}/${job.kind}/${job.jobName}`;
    if (savedNames.has(key)) return;
    savedNames.add(key);
    core.saveState(jobStateKey(saved), encodeSavedJob(job));
    core.saveState(JOB_COUNT_KEY, ++saved);
  };
  const { jobs, outcome } = await scheduleJobs(
    createSageMakerJobApi(),
    plan,
    {
      maxConcurrency: inputs.maxConcurrency,
      pollIntervalMs: inputs.pollIntervalMs,
      timeoutMs: inputs.timeoutMs,
      wait: inputs.wait,
      force: inputs.force,
      signal,
    },
    {
      // Saved before each create (and again when a job is adopted under another name): a main step killed
      // while a create is in flight still leaves the name to the post step.
      beforeCreate: saveJobForPost,
      onCreated: saveJobForPost,
      onChange(job, previous, all) {
        if (!signal.aborted) downloader?.start(job);
        const elapsed = ((Date.now() - runStart) / 1000).toFixed(1);
        history.set(job.target, [
          ...(history.get(job.target) ?? []),
          `+${elapsed}s ${previous} -> ${job.status}`,
        ]);
        publisher?.update(() => renderCommentBody(all, { ...report, now: Date.now() }));
      },
      log: (line) => core.info(inertText(line)),
      warn: (line) => core.warning(annotationMessage(line)),
      debug: (line) => core.debug(line),
    },
  );
  // Jobs left running on purpose (`wait: false`) must survive the post step.
  if (outcome === 'submitted' || outcome === 'finished') core.saveState(POST_MODE_KEY, 'leave');
  // Outputs at once, before downloads or the comment can take time; written again with the files below.
  setOutputs(buildOutputs(jobs, outcome, Date.now()));
  const downloadErrors: string[] = [];
  // On cancel there is no time for downloads: the runner kills the process ~10 s after SIGINT.
  if (downloader && inputs.download && outcome !== 'cancelled') {
    for (const [target, file] of await downloader.finish()) {
      const job = jobs.find((candidate) => candidate.target === target);
      if ('skipped' in file) core.info(`${target}: not downloaded: ${file.skipped}`);
      else if ('error' in file) {
        downloadErrors.push(`${target}: ${file.error}`);
        if (job) job.failureReason = `Artifact download failed: ${file.error}`;
      } else if (job) job.artifactFile = file.file;
    }
    core.setOutput('download-dir', inputs.download);
  }
  await reportResults(jobs, outcome, { ...report, now: Date.now() }, publisher, history);
  if (downloadErrors.length > 0) {
    core.setOutput('status', 'failed');
    core.setFailed(annotationMessage(`Artifact download failed: ${downloadErrors.join('; ')}`));
  }
  core.debug(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
}

function openCommentPublisher(inputs: ActionInputs, ctx: WorkflowContext): CommentPublisher | undefined {
  if (!inputs.comment || ctx.pullRequest === undefined || !inputs.githubToken) return undefined;
  const [owner = '', repo = ''] = ctx.repository.split('/');
  const octokit = getOctokit(inputs.githubToken, {
    baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
  });
  return createCommentPublisher({
    octokit,
    owner,
    repo,
    issueNumber: ctx.pullRequest,
    marker: commentMarker(ctx.workflow, inputs.config),
    minIntervalMs: inputs.commentIntervalMs,
    log: { warning: (m) => core.warning(m), debug: (m) => core.debug(m) },
  });
}

async function failOnConfigErrors(
  errors: ConfigError[],
  report: ReportContext,
  publisher: CommentPublisher | undefined,
): Promise<void> {
  for (const error of errors) process.stdout.write(`${errorAnnotation(error)}\n`);
  setOutputs(NO_JOB_OUTPUTS);
  const body = renderValidationErrorsBody(errors, report);
  await writeSummary(body);
  if (publisher) setCommentOutputs(await publisher.flush(body));
  const file = errors[0]?.file ?? report.configPath;
  core.setFailed(`${file} has ${errors.length} error${errors.length === 1 ? '' : 's'}; no job was created.`);
}

async function reportResults(
  jobs: JobState[],
  outcome: ScheduleOutcome,
  report: ReportContext,
  publisher: CommentPublisher | undefined,
  history: Map<string, string[]>,
): Promise<void> {
  // Outputs first: they must exist even if the summary or the comment fails.
  setOutputs(buildOutputs(jobs, outcome, report.now));
  for (const job of jobs) {
    core.startGroup(`${job.target}: ${job.status}${job.reused ? ' (reused)' : ''}`);
    for (const line of history.get(job.target) ?? []) core.info(inertText(line));
    core.info(`job ${inertText(job.jobName)}${job.jobArn ? ` (${inertText(job.jobArn)})` : ''}`);
    if (job.artifact) core.info(`artifact ${inertText(job.artifact)}`);
    if (job.failureReason) core.info(`reason ${inertText(job.failureReason)}`);
    core.endGroup();
  }
  core.info(renderLogTable(jobs, report.now));
  await writeSummary(renderSummary(jobs, report));
  if (publisher) {
    const final = publisher.flush(renderCommentBody(jobs, report, { final: true }));
    // On cancel the runner kills the process ~10 s after SIGINT: the comment gets what time is left.
    const bounded =
      outcome === 'cancelled'
        ? Promise.race([
            final,
            new Promise<{ id?: number; url?: string }>((r) => setTimeout(() => r({}), 3000).unref()),
          ])
        : final;
    setCommentOutputs(await bounded);
  }
  const failure = failureSummary(jobs, outcome);
  if (failure) core.setFailed(annotationMessage(failure));
}

const NO_JOB_OUTPUTS = { status: 'failed', artifacts: '{}', jobs: '[]' };

/** A failure before any job exists: the outputs still say so, for `if:` conditions in later steps. */
function failBeforeAnyJob(message: string): void {
  setOutputs(NO_JOB_OUTPUTS);
  core.setFailed(annotationMessage(message));
}

/** The job summary is a convenience: a runner without one (or a full disk) must not fail the step. */
async function writeSummary(markdown: string): Promise<void> {
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.warning(
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function setOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}

function setCommentOutputs(comment: { id?: number; url?: string }): void {
  if (comment.id !== undefined) core.setOutput('comment-id', String(comment.id));
  if (comment.url) core.setOutput('comment-url', comment.url);
}
