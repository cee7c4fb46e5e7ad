// Reads the workflow run's facts from the runner's environment (adapter; the rest of the code gets plain data).
import { readFileSync } from 'node:fs';
import type { RunContext } from '../types.ts';

export interface WorkflowContext extends RunContext {
  workflow: string;
  serverUrl: string;
  eventName: string;
  /** Pull request number when the event is about a PR; undefined for push, tag, dispatch. */
  pullRequest?: number;
  /** The PR's base commit and branch (`pull_request.base`), what its artifact sizes are compared with. */
  base?: { sha?: string; ref?: string };
  workspace: string;
}

export function readWorkflowContext(env: NodeJS.ProcessEnv): WorkflowContext {
  let pullRequest: number | undefined;
  let base: WorkflowContext['base'];
  const eventPath = env.GITHUB_EVENT_PATH;
  if (eventPath) {
    try {
      const event = JSON.parse(readFileSync(eventPath, 'utf8')) as {
        pull_request?: { number?: number; base?: { sha?: unknown; ref?: unknown } };
        issue?: { number?: number; pull_request?: unknown };
      };
      pullRequest =
        event.pull_request?.number ?? (event.issue?.pull_request ? event.issue.number : undefined);
      const prBase = event.pull_request?.base;
      if (prBase) {
        base = {
          sha:
            typeof prBase.sha === 'string' && /^[0-9a-f]{7,64}$/i.test(prBase.sha) ? prBase.sha : undefined,
          ref: typeof prBase.ref === 'string' && prBase.ref !== '' ? prBase.ref : undefined,
        };
      }
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
    base,
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
  };
}
