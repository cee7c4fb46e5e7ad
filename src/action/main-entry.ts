// Entry point of the main step (action.yml `runs.main`: dist/index.js). The post step has its own bundle.
import * as core from '@actions/core';
import { runMain } from '../main.ts';
import { readBudgets } from './budgets.ts';
import { annotationMessage } from './commands.ts';

async function run(): Promise<void> {
  // On cancel the runner sends SIGINT, SIGTERM 7.5 s later, then kills: outputs first, then stop this run's
  // jobs and report in that window.
  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (cancel.signal.aborted) return;
    core.warning(`Received ${signal}: writing outputs, stopping this run's jobs, reporting.`);
    cancel.abort();
    // Whatever still runs when the window closes (a call that ignores its signal) must not meet the kill.
    setTimeout(
      () => process.exit(process.exitCode ?? 1),
      readBudgets(process.env).cancelWindowMs + 500,
    ).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await runMain(cancel.signal);
}

run()
  .catch((error: unknown) => {
    // Only bugs reach here; user mistakes are reported with their own messages.
    core.setFailed(
      annotationMessage(
        `neo-compile-action failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
    if (error instanceof Error && error.stack) core.debug(error.stack);
  })
  .finally(() => {
    // The work is done: sockets of abandoned calls (a hung connection) must not keep the step alive.
    setTimeout(() => process.exit(), 2_000).unref();
  });
