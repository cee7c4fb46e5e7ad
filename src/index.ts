// Entry point for both the main and the post step (action.yml runs dist/index.js for each).
import * as core from '@actions/core';
import { runMain } from './main.ts';
import { runPost } from './post.ts';
import { IS_POST_KEY } from './state.ts';

async function run(): Promise<void> {
  if (core.getState(IS_POST_KEY) === 'true') return runPost();
  core.saveState(IS_POST_KEY, 'true');
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
    `neo-compile-action failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
  );
  if (error instanceof Error && error.stack) core.debug(error.stack);
});
