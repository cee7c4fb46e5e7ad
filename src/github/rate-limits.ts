// GitHub's rate limits as @octokit/plugin-throttling recognizes them: a secondary limit (403/429 with
// "secondary rate limit" in the message; wait `retry-after` seconds, else 60) and the primary one (403/429
// with `x-ratelimit-remaining: 0`; wait until `x-ratelimit-reset`). The plugin only reports them here and
// never retries the request itself: a retried comment write would send a body that is stale by then, so
// the caller decides what to send once the pause is over.
import type { getOctokit } from '@actions/github';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface RateLimitNotice {
  kind: 'secondary' | 'primary';
  /** Seconds GitHub asks us to wait before the next request. */
  retryAfterSeconds: number;
  /** The refused request, e.g. `POST /repos/{owner}/{repo}/issues/{issue_number}/comments`. */
  request: string;
}

export type RateLimitWatcher = (octokit: GitHubClient, onLimited: (notice: RateLimitNotice) => void) => void;

/**
 * The plugin's own spacing of writes (1 s apart, 3 s between new comments) is left out: the publisher
 * already spaces its updates (`comment-interval`, 10 s by default), and the final write should not wait.
 */
const unspaced = () => new Bottleneck.Group({ maxConcurrent: 1 });

/**
 * Installs the throttling plugin on an existing client (a plugin is a function of the instance and its
 * options; `getOctokit(token, options, throttling)` would call it the same way).
 */
export const watchRateLimits: RateLimitWatcher = (octokit, onLimited) => {
  const report =
    (kind: RateLimitNotice['kind']) =>
    (retryAfterSeconds: number, options: { method: string; url: string }): boolean => {
      onLimited({ kind, retryAfterSeconds, request: `${options.method} ${options.url}` });
      return false;
    };
  throttling(octokit as unknown as Parameters<typeof throttling>[0], {
    throttle: {
      onSecondaryRateLimit: report('secondary'),
      onRateLimit: report('primary'),
      write: unspaced(),
      notifications: unspaced(),
    },
  });
};
