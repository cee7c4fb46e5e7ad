// Reads the workflow run's facts from the runner's environment (adapter; the rest of the code gets plain data).
import { readFileSync } from 'node:fs';
import type { RunContext } from '../types.ts';

export interface WorkflowContext extends RunContext {
  workflow: string;
  serverUrl: string;
  eventName: string;
  /** Pull request number when the event is about a PR; undefined for push, tag, dispatch. */
  pullRequest?: number;
  workspace: string;
}

export function readWorkflowContext(env: NodeJS.ProcessEnv): WorkflowContext {
  let pullRequest: number | undefined;
  const eventPath = env.GITHUB_EVENT_PATH;
  if (eventPath) {
    try {
      const event = JSON.parse(readFileSync(eventPath, 'utf8')) as {
        pull_request?: { number?: number };
        issue?: { number?: number; pull_request?: unknown };
      };
      pullRequest =
        event.pull_request?.number ?? (event.issue?.pull_request ? event.issue.number : undefined);
    } catch {
      // No readable event payload: behave as for a push (no comment).
    }
  }
  return {
    sha: env.GITHUB_SHA ?? '0000000000000000000000000000000000000000',
    refName: env.GITHUB_REF_NAME ?? '',
    runId: env.GITHUB_RUN_ID ?? '0',
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    repository: env.GITHUB_REPOSITORY ?? 'local/repository',
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '',
    env: { ...env },
    workflow: env.GITHUB_WORKFLOW ?? 'workflow',
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    eventName: env.GITHUB_EVENT_NAME ?? '',
    pullRequest,
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
  };
}
