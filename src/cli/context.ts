// The run facts placeholders need (${sha}, ${ref-name}, ${env.NAME}, the default region, the repository the
// default job prefix comes from) when neo.yml is checked on a developer's machine instead of a runner: the
// runner's GITHUB_* variables when set, else what git says about the checkout, else neutral values.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { RunContext } from '../types.ts';

export interface GitFacts {
  root?: string;
  sha?: string;
  branch?: string;
  /** owner/name from the `origin` remote's URL. */
  repository?: string;
}

function git(args: string[], cwd: string): string | undefined {
  try {
    const out = execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim() || undefined;
  } catch {
    return undefined; // not a checkout, or git is not installed: fall back to neutral values
  }
}

/** What git knows about the checkout that holds `dir` (each fact undefined when git cannot tell). */
export function readGitFacts(dir: string): GitFacts {
  const root = git(['rev-parse', '--show-toplevel'], dir);
  if (!root) return {};
  const branch = git(['rev-parse', '--abbrev-ref', 'HEAD'], dir);
  return {
    root,
    sha: git(['rev-parse', 'HEAD'], dir),
    branch: branch === 'HEAD' ? undefined : branch,
    repository: repositoryFromRemote(git(['remote', 'get-url', 'origin'], dir)),
  };
}

/** owner/name from git@github.com:owner/name.git, https://github.com/owner/name(.git), ssh://…/owner/name. */
export function repositoryFromRemote(url: string | undefined): string | undefined {
  const match = url ? /[/:]([^/:]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url) : null;
  return match ? `${match[1]}/${match[2]}` : undefined;
}

export interface LocalContextOptions {
  env: Record<string, string | undefined>;
  git: GitFacts;
  /** --region: the default region, as AWS_REGION is on a runner. */
  region?: string;
  /** --env NAME=VALUE pairs, on top of the environment. */
  extraEnv?: Record<string, string>;
  /** Used for the repository name when neither GITHUB_REPOSITORY nor a git remote names one. */
  workspace: string;
}

export function localRunContext(options: LocalContextOptions): RunContext {
  const { env, git: facts } = options;
  return {
    sha: env.GITHUB_SHA ?? facts.sha ?? '0'.repeat(40),
    refName: env.GITHUB_REF_NAME ?? facts.branch ?? '',
    runId: env.GITHUB_RUN_ID ?? '0',
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    repository:
      env.GITHUB_REPOSITORY ??
      facts.repository ??
      `local/${path.basename(options.workspace) || 'repository'}`,
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '',
    env: { ...env, ...options.extraEnv },
  };
}
