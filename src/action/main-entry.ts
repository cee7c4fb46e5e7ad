// Entry point of the main step (action.yml `runs.main`: dist/index.js). The post step has its own bundle.
import * as core from '@actions/core';
import { runMain } from '../main.ts';
import { annotationMessage } from './commands.ts';

async function run(): Promise<void> {
  // On cancel the runner sends SIGINT, SIGTERM 7.5 s later, then kills: stop jobs and report in that window.
  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!cancel.signal.aborted) core.warning(`Received ${signal}: stopping in-flight jobs and reporting.`);
    cancel.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await runMain(cancel.signal);
}

run().catch((error: unknown) => {
  // Only bugs reach here; user mistakes are reported with their own messages.
  core.setFailed(
    annotationMessage(
      `neo-compile-action failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
    ),
  );
  if (error instanceof Error && error.stack) core.debug(error.stack);
});
