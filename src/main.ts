// Wires the stages: read config -> validate -> plan -> submit & watch -> report. No logic of its own.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as core from '@actions/core';
import { readBudgets } from './action/budgets.ts';
import {
  annotationMessage,
  errorAnnotation,
  inertText,
  warningAnnotation,
  writeUntrustedBlock,
} from './action/commands.ts';
import { readWorkflowContext, type WorkflowContext } from './action/context.ts';
import { stopYoungGenerationGrowth, youngGenerationCollector } from './action/heap.ts';
import { type ActionInputs, InputError, readActionInputs } from './action/inputs.ts';
import { createStepOutputs, type StepOutputs } from './action/outputs-file.ts';
import { readConfigFile } from './action/paths.ts';
import { encodeSavedJob, JOB_COUNT_KEY, jobStateKey, POST_MODE_KEY } from './action/state.ts';
import { createObjectStorage } from './aws/s3.ts';
import { createSageMakerJobApi } from './aws/sagemaker.ts';
import { modelInputs, readNeoConfig } from './config/index.ts';
import type { CommentPublisher, PublishedComment } from './github/comment-publisher.ts';
import { deferredCommentPublisher } from './github/deferred-publisher.ts';
import { findArtifactCollisions, planJobs, provisionalJobNames, selectTargets } from './plan/plan.ts';
import {
  buildOutputs,
  type FailureDetails,
  failureSummary,
  jobOutputs,
  planOutputs,
} from './report/outputs.ts';
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
import { type LedgerEntry, ownerOf, savedJobOf } from './run/ledger.ts';
import { prepareModelInputs } from './run/model-inputs.ts';
import { createModelPreflight, type PreflightReport } from './run/preflight-stage.ts';
import { type ScheduleOutcome, scheduleJobs } from './run/schedule.ts';
import { measureAndCompareSizes, type SizeStageResult } from './run/sizes-stage.ts';
import type { ConfigError, JobState } from './types.ts';

export async function runMain(signal: AbortSignal): Promise<void> {
  // On cancel the runner kills the process ~10 s after SIGINT: what is written after that is lost.
  let cancelledAt: number | undefined;
  signal.addEventListener('abort', () => {
    cancelledAt = Date.now();
  });
  const budgets = readBudgets(process.env);
  const outputs = createStepOutputs(process.env.GITHUB_OUTPUT);
  let inputs: ActionInputs;
  try {
    inputs = readActionInputs((name) => core.getInput(name));
  } catch (error) {
    if (error instanceof InputError) return failBeforeAnyJob(outputs, error.message);
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
    if ('error' in resolved) return failBeforeAnyJob(outputs, resolved.error);
    downloadDir = resolved.dir;
  }
  const publisher = openCommentPublisher(inputs, ctx);

  const configFile = await readConfigFile(ctx.workspace, inputs.config);
  if ('error' in configFile) return failBeforeAnyJob(outputs, configFile.error);
  const { config, errors, warnings } = readNeoConfig(configFile.bytes, inputs.config, ctx);
  // Warnings (e.g. a framework version Neo does not list yet) never stop the run.
  for (const warning of warnings) process.stdout.write(`${warningAnnotation(warning)}\n`);
  if (!config || errors.length > 0) return failOnConfigErrors(outputs, errors, report, publisher);

  // The config is read and checked: from here on (streamed models, status sweeps) garbage is churn, not growth.
  stopYoungGenerationGrowth();
  const selection = selectTargets(config, inputs.targets);
  if (selection.errors.length > 0) return failOnConfigErrors(outputs, selection.errors, report, publisher);
  // Inputs of the selected targets only: upload local models, check S3 models exist and are gzip archives.
  const selected = new Set(selection.selected.map((target) => target.name));
  const s3Timeouts = {
    connectionTimeoutMs: budgets.connectionTimeoutMs,
    requestTimeoutMs: budgets.requestTimeoutMs,
  };
  const storage = inputs.dryRun ? undefined : createObjectStorage(ctx.region, s3Timeouts);
  const selectedInputs = modelInputs(config).filter((input) =>
    input.targets.some((target) => selected.has(target)),
  );
  // Stopped when the scheduler ends before the preflight passed (timeout, credentials): no model left streaming.
  const preflightStop = new AbortController();
  const preflight = inputs.preflight
    ? createModelPreflight({
        targets: selection.selected,
        file: inputs.config,
        signal: AbortSignal.any([signal, preflightStop.signal]),
        maxBytes: inputs.preflightMaxBytes,
        reclaim: youngGenerationCollector(),
      })
    : undefined;
  const prepared = await prepareModelInputs(selectedInputs, storage, {
    workspace: ctx.workspace,
    configFile: inputs.config,
    offline: inputs.dryRun,
    signal,
    onLocalArchive: preflight?.onLocalArchive,
  });
  if (signal.aborted) {
    return failBeforeAnyJob(
      outputs,
      'Cancelled before any job was created; uploads in progress were aborted.',
    );
  }
  if (prepared.errors.length > 0) return failOnConfigErrors(outputs, prepared.errors, report, publisher);
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
  const collisions = findArtifactCollisions(planned.jobs, inputs.config, config);
  const planErrors = [...planned.errors, ...collisions];
  if (planErrors.length > 0) return failOnConfigErrors(outputs, planErrors, report, publisher);
  const plan = planned.jobs;
  // The model preflight: local archives were read while packed, S3 ones are streamed now (a dry run reads local
  // ones only). A real run looks up existing jobs meanwhile and creates none before it passes.
  const runPreflight = async () => preflight?.finish(selectedInputs, prepared.identity, storage);
  const reportPreflight = (checked: PreflightReport): void => {
    for (const warning of checked.warnings) process.stdout.write(`${warningAnnotation(warning)}\n`);
    for (const notice of checked.notices) core.info(`Model preflight: ${inertText(notice)}`);
    for (const line of checked.lines) core.info(`Model preflight: ${inertText(line)}`);
    report.preflight = checked.lines;
  };

  if (inputs.dryRun) {
    const checked = await runPreflight();
    if (checked) {
      reportPreflight(checked);
      if (signal.aborted) return failBeforeAnyJob(outputs, 'Cancelled before any job was created.');
      if (checked.errors.length > 0) return failOnConfigErrors(outputs, checked.errors, report, publisher);
    }
    core.info(`Dry run: ${plan.length} job(s) planned, nothing submitted.`);
    writeUntrustedBlock(
      (line) => core.info(line),
      JSON.stringify(Object.fromEntries(plan.map((job) => [job.target, job])), null, 2),
    );
    outputs.set(planOutputs(plan));
    outputs.commit();
    const body = renderPlanSummary(plan, report, provisionalJobNames(plan, prepared.identity));
    await writeSummary(body);
    // Replaces an earlier "neo.yml is invalid" comment of this workflow: the config is valid now.
    if (publisher) setCommentOutputs(outputs, await publisher.flush(withMarker(body, ctx, inputs)));
    outputs.commit();
    return;
  }

  const downloader = downloadDir
    ? createArtifactDownloader(
        storage ?? createObjectStorage(ctx.region, s3Timeouts),
        ctx.workspace,
        downloadDir,
        {
          signal,
        },
      )
    : undefined;

  const runStart = Date.now();
  // Each target's status changes, for its log group at the end.
  const history = new Map<string, string[]>();
  const jobsFile = await fullListFile(ctx);
  const saveForPost = savedJobWriter(runStart);
  let openGate: (open: boolean) => void = () => {};
  const passed = new Promise<boolean>((resolve) => {
    openGate = resolve;
  });
  // Downloads and the comment wait for the preflight: until it passes, existing jobs are only looked at.
  let submitting = false;
  let latest: JobState[] = [];
  const publishTable = () =>
    publisher?.update(() => renderCommentBody(latest, { ...report, now: Date.now() }));
  void passed.then((open) => {
    submitting = open;
    // Too late when the scheduler already ended (timeout, credentials) or the workflow was cancelled.
    if (!open || signal.aborted || preflightStop.signal.aborted) return;
    core.info(`Submitting ${plan.length} job(s), at most ${inputs.maxConcurrency} at once.`);
    if (latest.length === 0) return;
    for (const job of latest) downloader?.start(job);
    publishTable();
  });
  const scheduling = scheduleJobs(
    {
      api: createSageMakerJobApi({
        connectionTimeoutMs: budgets.connectionTimeoutMs,
        requestTimeoutMs: budgets.requestTimeoutMs,
      }),
    },
    plan,
    {
      maxConcurrency: inputs.maxConcurrency,
      pollIntervalMs: inputs.pollIntervalMs,
      timeoutMs: inputs.timeoutMs,
      wait: inputs.wait,
      force: inputs.force,
      signal,
      stopBudgetMs: { timeout: budgets.stopAfterTimeoutMs, cancel: budgets.stopAfterCancelMs },
      submitWhen: passed,
    },
    {
      // Saved before each create and at each change of owner: a main step killed while a create is in
      // flight still leaves the name to the post step, which stops only this run's own jobs.
      onLifecycle: saveForPost,
      onChange(job, previous, all) {
        latest = all;
        const elapsed = ((Date.now() - runStart) / 1000).toFixed(1);
        history.set(job.target, [
          ...(history.get(job.target) ?? []),
          `+${elapsed}s ${previous} -> ${job.status}`,
        ]);
        if (!submitting) return;
        if (!signal.aborted) downloader?.start(job);
        publishTable();
      },
      onEnding(jobs, outcome) {
        // Outputs and summary first: the stops that follow may take the rest of the runner's window.
        outputs.set(buildOutputs(jobs, outcome, Date.now(), jobsFile));
        outputs.commit();
        void writeSummary(renderSummary(jobs, { ...report, now: Date.now() }));
      },
      // Scheduler lines carry service text (failure reasons, error messages): never a workflow command.
      log: (line) => core.info(inertText(line)),
      warn: (line) => core.warning(annotationMessage(line)),
      debug: (line) => core.debug(line),
    },
  );
  // Started after the scheduler's first look-ups: the model streams while their answers come back.
  const checking = runPreflight();
  checking.then(
    (checked) => openGate(checked === undefined || checked.errors.length === 0),
    () => openGate(false),
  );
  // A scheduler that ended before the preflight passed (timeout, credentials) leaves no model streaming.
  const preflightEnded = scheduling.then(
    () => preflightStop.abort(),
    () => preflightStop.abort(),
  );
  const checked = await checking;
  // On a cancel (or a scheduler that ended first) the read was cut short: its findings mean nothing.
  const preflightCut = preflightStop.signal.aborted || signal.aborted;
  if (checked && !preflightCut) reportPreflight(checked);
  const result = await scheduling;
  await preflightEnded;
  if (!result.submitting) {
    // Nothing of this run was created: the preflight said no, or the run was cancelled before it said yes.
    if (checked && !preflightCut && checked.errors.length > 0) {
      return failOnConfigErrors(outputs, checked.errors, report, publisher);
    }
    // A cancel that found other runs' jobs running still says so (the report below names them, left running).
    if (result.outcome === 'held' || (result.outcome === 'cancelled' && result.leftToOthers.length === 0)) {
      return failBeforeAnyJob(outputs, 'Cancelled before any job was created.');
    }
    if (result.outcome === 'timeout') {
      core.warning(
        annotationMessage(
          `The timeout (${inputs.timeoutMs / 1000} s) was reached before any job was submitted, while the model preflight or the look-up of existing jobs was still running. The timeout counts both: raise it, or lower preflight-max-size to skip reading large models.`,
        ),
      );
    }
  }
  const { jobs, outcome } = result;
  // Outputs now, on every path: downloads and sizes below talk to S3, which may be slow.
  outputs.set(buildOutputs(jobs, outcome, Date.now(), jobsFile));
  outputs.commit();
  // Jobs left running on purpose (`wait: false`) must survive the post step.
  if (outcome === 'submitted' || outcome === 'finished') core.saveState(POST_MODE_KEY, 'leave');
  const extraFailures: string[] = [];
  const downloadErrors: string[] = [];
  // On cancel there is no time for downloads: the runner kills the process ~10 s after SIGINT.
  if (downloader && inputs.download && outcome !== 'cancelled') {
    for (const [target, file] of await downloader.finish()) {
      const job = jobs.find((candidate) => candidate.target === target);
      if ('skipped' in file) {
        core.info(`${target}: not downloaded: ${inertText(file.skipped)}`);
        if (job) job.downloadSkipped = file.skipped;
      } else if ('error' in file) {
        downloadErrors.push(`${target}: ${file.error}`);
        if (job) job.failureReason = `Artifact download failed: ${file.error}`;
      } else if (job) job.artifactFile = file.file;
    }
    outputs.set({ 'download-dir': inputs.download });
  }
  if (downloadErrors.length > 0) extraFailures.push(`Artifact download failed: ${downloadErrors.join('; ')}`);
  // Sizes, the PR's baseline, budgets and this run's manifest: only when every job ended (not after a timeout,
  // a cancel or lost credentials), within their own time limit.
  let sizes: SizeStageResult | undefined;
  if (outcome === 'finished' && result.fatal === undefined && !signal.aborted) {
    const sizesSignal = AbortSignal.any([signal, AbortSignal.timeout(budgets.sizesMs)]);
    sizes = await measureAndCompareSizes(
      jobs,
      config.targets,
      storage ?? createObjectStorage(ctx.region, s3Timeouts),
      {
        sha: ctx.sha,
        refName: ctx.refName,
        eventName: ctx.eventName,
        base: ctx.pullRequest === undefined ? undefined : (ctx.base ?? {}),
        now: Date.now(),
        signal: sizesSignal,
        record: true,
      },
    );
    for (const warning of sizes.warnings) core.warning(annotationMessage(warning));
    for (const job of jobs) job.artifactSize = sizes.sizes.get(job.target) ?? job.artifactSize;
    if (sizes.overBudget.length > 0) {
      const reasons = sizes.overBudget.map(
        (target) => `${target} (${sizes?.report.rows.get(target)?.overBudget})`,
      );
      extraFailures.push(`Over the size budget: ${reasons.join(', ')}`);
    }
  }
  const showSizes =
    sizes !== undefined &&
    (sizes.sizes.size > 0 || sizes.report.baselineLabel !== undefined || sizes.report.note !== undefined);
  const finalCommentBy =
    cancelledAt !== undefined ? cancelledAt + budgets.cancelWindowMs : Date.now() + budgets.finalCommentMs;
  await reportResults(
    outputs,
    result.jobs,
    outcome,
    { ...report, now: Date.now(), sizes: showSizes ? sizes?.report : undefined },
    {
      publisher,
      extraFailures,
      extraOutputs: sizes
        ? { 'over-budget': JSON.stringify(sizes.overBudget), baseline: sizes.baseline }
        : {},
      history,
      jobsFile,
      finalCommentBy,
      failure: {
        fatal: result.fatal,
        notStopped: result.notStopped,
        leftToOthers: result.leftToOthers,
        timeoutMs: inputs.timeoutMs,
      },
    },
  );
  core.debug(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
}

/** Saves each target's ledger entry for the post step once it is (or was) this run's own, at every change. */
function savedJobWriter(runStart: number): (entry: LedgerEntry) => void {
  const index = new Map<string, number>();
  return (entry) => {
    let at = index.get(entry.state.target);
    if (at === undefined) {
      if (ownerOf(entry) !== 'this-run') return;
      at = index.size;
      index.set(entry.state.target, at);
      core.saveState(JOB_COUNT_KEY, index.size);
    }
    core.saveState(jobStateKey(at), encodeSavedJob(savedJobOf(entry, runStart)));
  };
}

/** The full `jobs` list as a file in RUNNER_TEMP, for runs whose `jobs` output must be truncated. */
async function fullListFile(ctx: WorkflowContext): Promise<string | undefined> {
  try {
    const dir = await mkdtemp(path.join(process.env.RUNNER_TEMP || tmpdir(), 'neo-compile-'));
    return path.join(dir, `jobs-${ctx.runId}.json`);
  } catch {
    return undefined;
  }
}

function withMarker(body: string, ctx: WorkflowContext, inputs: ActionInputs): string {
  const marker = commentMarker(ctx.workflow, inputs.config);
  return body.includes(marker) ? body : `${body}\n\n${marker}`;
}

function openCommentPublisher(inputs: ActionInputs, ctx: WorkflowContext): CommentPublisher | undefined {
  const token = inputs.githubToken;
  const issueNumber = ctx.pullRequest;
  if (!inputs.comment || issueNumber === undefined || !token) return undefined;
  const [owner = '', repo = ''] = ctx.repository.split('/');
  const warn = (m: string) => core.warning(m);
  return deferredCommentPublisher(warn, async () =>
    (await import('./github/open-publisher.ts')).openCommentPublisher({
      token,
      baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
      owner,
      repo,
      issueNumber,
      marker: commentMarker(ctx.workflow, inputs.config),
      minIntervalMs: inputs.commentIntervalMs,
      log: { warning: warn, debug: (m) => core.debug(m) },
    }),
  );
}

async function failOnConfigErrors(
  outputs: StepOutputs,
  errors: ConfigError[],
  report: ReportContext,
  publisher: CommentPublisher | undefined,
): Promise<void> {
  for (const error of errors) process.stdout.write(`${errorAnnotation(error)}\n`);
  outputs.set(NO_JOB_OUTPUTS);
  outputs.commit();
  const body = renderValidationErrorsBody(errors, report);
  await writeSummary(body);
  if (publisher) {
    setCommentOutputs(outputs, await publisher.flush(body));
    outputs.commit();
  }
  const file = errors[0]?.file ?? report.configPath;
  core.setFailed(
    annotationMessage(
      `${file} has ${errors.length} error${errors.length === 1 ? '' : 's'}; no job was created.`,
    ),
  );
}

interface ReportOptions {
  publisher: CommentPublisher | undefined;
  history: Map<string, string[]>;
  jobsFile: string | undefined;
  /** Epoch ms by which the final comment must be written (the runner's kill after a cancel). */
  finalCommentBy: number;
  failure: FailureDetails;
  /** Why the step fails although every job completed (downloads, budgets): `status` is `failed` then. */
  extraFailures: string[];
  extraOutputs: Record<string, string>;
}

async function reportResults(
  outputs: StepOutputs,
  jobs: JobState[],
  outcome: ScheduleOutcome,
  report: ReportContext,
  options: ReportOptions,
): Promise<void> {
  // Outputs first: they must exist even if the summary or the comment fails.
  outputs.set(buildOutputs(jobs, outcome, report.now, options.jobsFile));
  outputs.set(options.extraOutputs);
  if (options.extraFailures.length > 0) outputs.set({ status: 'failed' });
  outputs.commit();
  const failure = [failureSummary(jobs, outcome, options.failure), ...options.extraFailures]
    .filter(Boolean)
    .join('; ');
  // The step's verdict before the slow parts: a kill during the comment still leaves the reason.
  if (failure) core.setFailed(annotationMessage(failure));
  if (options.jobsFile) {
    await writeFile(options.jobsFile, JSON.stringify(jobOutputs(jobs, report.now), null, 1)).catch(
      (error: unknown) => core.warning(`Could not write ${options.jobsFile}: ${String(error)}`),
    );
  }
  for (const job of jobs) {
    core.startGroup(`${job.target}: ${job.status}${job.reused ? ' (reused)' : ''}`);
    for (const line of options.history.get(job.target) ?? []) core.info(inertText(line));
    core.info(`job ${inertText(job.jobName)}${job.jobArn ? ` (${inertText(job.jobArn)})` : ''}`);
    if (job.artifact) core.info(`artifact ${inertText(job.artifact)}`);
    if (job.failureReason) core.info(`reason ${inertText(job.failureReason)}`);
    core.endGroup();
  }
  core.info(renderLogTable(jobs, report.now, report.sizes));
  await writeSummary(renderSummary(jobs, report), true);
  if (options.publisher) {
    const left = Math.max(0, options.finalCommentBy - Date.now());
    const comment = await Promise.race([
      options.publisher.flush(renderCommentBody(jobs, report, { final: true }), { timeoutMs: left }),
      new Promise<PublishedComment>((resolve) => setTimeout(() => resolve({}), left).unref()),
    ]);
    setCommentOutputs(outputs, comment);
    outputs.commit();
  }
}

const NO_JOB_OUTPUTS = { status: 'failed', artifacts: '{}', jobs: '[]', 'over-budget': '[]', baseline: '' };

/** A failure before any job exists: the outputs still say so, for `if:` conditions in later steps. */
function failBeforeAnyJob(outputs: StepOutputs, message: string): void {
  outputs.set(NO_JOB_OUTPUTS);
  outputs.commit();
  core.setFailed(annotationMessage(message));
}

/** Summary writes in order: the toolkit's summary is one shared buffer, two writes at once would mix. */
let summaryWrites: Promise<void> = Promise.resolve();

/** The job summary is a convenience: a runner without one (or a full disk) must not fail the step. */
function writeSummary(markdown: string, overwrite = false): Promise<void> {
  summaryWrites = summaryWrites.then(async () => {
    try {
      await core.summary.emptyBuffer().addRaw(markdown).write({ overwrite });
    } catch (error) {
      core.warning(
        `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  });
  return summaryWrites;
}

function setCommentOutputs(outputs: StepOutputs, comment: PublishedComment): void {
  if (comment.id !== undefined) outputs.set({ 'comment-id': String(comment.id) });
  if (comment.url) outputs.set({ 'comment-url': comment.url });
}
