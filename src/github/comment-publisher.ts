// Keeps one PR comment current: finds the comment this action wrote before (by its marker and a bot
// author), creates it once if there is none, then edits it in place, throttled. Publishing is best
// effort: failures become warnings, nothing here throws, and every request has a deadline.
//
// When GitHub rate-limits the token, every request of the publisher pauses for as long as GitHub asks;
// updates made meanwhile replace each other and only the newest is written when the pause ends. The final
// flush waits out a pause only if it ends within the flush's time; otherwise it gives up with one warning.
import * as core from '@actions/core';
import {
  type GitHubClient,
  type RateLimitNotice,
  type RateLimitWatcher,
  watchRateLimits,
} from './rate-limits.ts';

export type { GitHubClient } from './rate-limits.ts';

export interface PublishedComment {
  id?: number;
  url?: string;
}

export interface FlushOptions {
  /** Longest the flush may take, waiting out a rate-limit pause included (default: `flushTimeoutMs`). */
  timeoutMs?: number;
}

export interface CommentPublisher {
  /**
   * Publishes `body` soon: the first call writes at once, later ones at most every `minIntervalMs` and
   * never while GitHub rate-limits us (the newest body wins). Returns immediately and never throws.
   */
  update(body: string | (() => string)): void;
  /**
   * Final write: drops any pending update, writes `body` (after a rate-limit pause, if that ends in time),
   * resolves with the comment within `timeoutMs` (never rejects).
   */
  flush(body: string, options?: FlushOptions): Promise<PublishedComment>;
}

export interface CommentPublisherOptions {
  /** A client without the throttling plugin (e.g. from `getOctokit`); the publisher installs it. */
  octokit: GitHubClient;
  owner: string;
  repo: string;
  issueNumber: number;
  /** Hidden marker (see commentMarker) that the body contains and the comment is found by. */
  marker: string;
  minIntervalMs: number;
  /** Login of the token's bot (`github-actions[bot]`, `my-app[bot]`); without it any bot author counts. */
  botLogin?: string;
  /** Deadline for one write, including listing comments (default 10 s). */
  requestTimeoutMs?: number;
  /** Bound on flush() when its caller gives none (default 30 s). */
  flushTimeoutMs?: number;
  log?: { warning(message: string): void; debug(message: string): void };
  /** How GitHub's rate limits reach the publisher (default: @octokit/plugin-throttling on `octokit`). */
  watchRateLimits?: RateLimitWatcher;
}

interface ListedComment {
  id: number;
  body?: string | null;
  html_url: string;
  user?: { login: string; type?: string } | null;
}

interface Write {
  done: Promise<void>;
  controller: AbortController;
  /** The write may create the comment; aborting it could leave a comment we never learn about. */
  mayCreate: boolean;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_FLUSH_TIMEOUT_MS = 30_000;
/** GitHub: a secondary limit without `retry-after` or an empty bucket means "wait at least one minute". */
const FALLBACK_RATE_LIMIT_SECONDS = 60;
/** Final writes refused by a rate limit, each waited out, before the flush gives up. */
const MAX_FINAL_ATTEMPTS = 3;
/** Least time the final write needs after a pause; a pause ending later than this before the deadline is not waited out. */
const WRITE_MARGIN_MS = 1_000;
/** 10,000 comments; past that a PR is not worth paging further for one comment. */
const MAX_COMMENT_PAGES = 100;

/** The `rel="next"` URL of a Link header, only if it stays on the API origin (the token goes with it). */
export function nextPageUrl(link: string | undefined, currentUrl: string): string | undefined {
  const next = link === undefined ? undefined : /<([^<>]+)>;\s*rel="next"/.exec(link)?.[1];
  if (next === undefined) return undefined;
  try {
    return new URL(next).origin === new URL(currentUrl).origin ? next : undefined;
  } catch {
    return undefined;
  }
}

/** Rejects when the signal aborts, for racing calls that might not honour it. */
function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(signal.reason);
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/** A signal that aborts after `ms` on the timers a fake clock controls; `clear` when done with it. */
function deadlineSignal(ms: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')),
    Math.max(0, ms),
  );
  // Like AbortSignal.timeout: a deadline alone does not keep the process alive.
  timer.unref?.();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** Resolves after `ms`, or at once when `ms` is not positive. Keeps the process alive meanwhile. */
function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** `promise`, or undefined once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** A rate limit the throttling plugin did not report (e.g. an unusual message); never a permission 403. */
function looksRateLimited(error: unknown): boolean {
  const status = httpStatus(error);
  if (status !== 403 && status !== 429) return false;
  const headers = (error as { response?: { headers?: Record<string, unknown> } } | null)?.response?.headers;
  return (
    status === 429 || headers?.['x-ratelimit-remaining'] === '0' || /rate limit/i.test(errorMessage(error))
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

export function createCommentPublisher(opts: CommentPublisherOptions): CommentPublisher {
  const { octokit, owner, repo, issueNumber, marker } = opts;
  const requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const log = opts.log ?? { warning: (m: string) => core.warning(m), debug: (m: string) => core.debug(m) };
  const where = `${owner}/${repo}#${issueNumber}`;

  let commentId: number | undefined;
  let commentUrl: string | undefined;
  /** Body the comment has now, as far as we know; equal bodies are not written again. */
  let currentBody: string | undefined;
  /** Id of a comment this run created, ours whoever the author appears to be. */
  let createdId: number | undefined;
  /** Set after a 403/404 that retrying will not fix. */
  let disabled = false;
  let flushed = false;
  /** The next body, or a function that renders it: rendering waits until a write is actually due. */
  let pendingBody: string | (() => string) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inflight: Write | undefined;
  let lastWriteStartedAt = Number.NEGATIVE_INFINITY;
  /** One warning per streak of transient failures; the rest go to debug. */
  let warnedSinceSuccess = false;
  let warnedNoMarker = false;

  /** No request before this time (epoch ms): GitHub rate-limited the token. */
  let pausedUntil = 0;
  let lastLimit: RateLimitNotice | undefined;
  /** Counts rate-limit notices, so a write can tell whether its own failure was one. */
  let limitCount = 0;

  function pauseFor(notice: RateLimitNotice): void {
    limitCount++;
    lastLimit = notice;
    pausedUntil = Math.max(pausedUntil, Date.now() + notice.retryAfterSeconds * 1000);
    log.debug(
      `GitHub answered ${notice.request} with its ${notice.kind} rate limit: ` +
        `no PR comment write for ${notice.retryAfterSeconds} s`,
    );
  }
  (opts.watchRateLimits ?? watchRateLimits)(octokit, pauseFor);

  /** A body without the marker would be written but never found again: one comment per run. */
  function checkMarker(body: string): void {
    if (warnedNoMarker || body.includes(marker)) return;
    warnedNoMarker = true;
    log.warning(
      `The PR comment body lacks its marker ${marker}; later runs will not find this comment to edit it.`,
    );
  }

  const botLogin = opts.botLogin?.toLowerCase().replace(/\[bot\]$/, '');
  /**
   * The token's own login when GitHub tells it (a personal access token); GET /user is refused for a
   * GITHUB_TOKEN or an app token, whose comments are recognized as a bot's instead. Asked until GitHub
   * answers or refuses: a rate limit or an outage is not an answer.
   */
  let ownLogin: Promise<string | undefined> | undefined;
  function tokenLogin(signal: AbortSignal): Promise<string | undefined> {
    ownLogin ??= octokit.rest.users.getAuthenticated({ request: { signal } }).then(
      ({ data }) => (data.type === 'User' ? data.login.toLowerCase() : undefined),
      (error: unknown) => {
        const status = httpStatus(error);
        if ((status === 401 || status === 403 || status === 404) && !looksRateLimited(error))
          return undefined;
        ownLogin = undefined;
        throw error;
      },
    );
    return ownLogin;
  }
  let userLogin: string | undefined;

  function isOurs(comment: ListedComment): boolean {
    if (typeof comment.body !== 'string' || !comment.body.includes(marker)) return false;
    if (comment.id === createdId) return true;
    if (userLogin !== undefined) return comment.user?.login.toLowerCase() === userLogin;
    // A person's comment may quote the marker; only a bot (the token's identity) wrote ours.
    if (comment.user?.type !== 'Bot') return false;
    return botLogin === undefined || comment.user.login.toLowerCase().replace(/\[bot\]$/, '') === botLogin;
  }

  function adopt(comment: ListedComment, body: string | undefined): void {
    commentId = comment.id;
    commentUrl = comment.html_url;
    currentBody = body;
  }

  /**
   * Oldest comment of ours on the PR, paging through all comments (listed oldest first) by their
   * `Link: rel="next"` headers. Paged by hand because octokit.paginate drops `request.signal`.
   */
  async function findComment(signal: AbortSignal): Promise<ListedComment | undefined> {
    userLogin = await tokenLogin(signal);
    let response: { data: unknown; headers: { link?: string }; url: string } =
      await octokit.rest.issues.listComments({
        owner,
        repo,
        issue_number: issueNumber,
        per_page: 100,
        request: { signal },
      });
    for (let page = 1; ; page++) {
      signal.throwIfAborted();
      const found = (response.data as ListedComment[]).find(isOurs);
      if (found) return found;
      const next = nextPageUrl(response.headers.link, response.url);
      if (next === undefined || page >= MAX_COMMENT_PAGES) return undefined;
      response = await octokit.request(`GET ${next}`, { request: { signal } });
    }
  }

  async function write(body: string, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      // Listed right before any create, so a comment written meanwhile (another run, or a create of
      // ours whose answer was lost) is edited instead of duplicated.
      if (commentId === undefined) {
        const found = await findComment(signal);
        signal.throwIfAborted();
        if (found) adopt(found, found.body ?? undefined);
      }
      if (commentId === undefined) {
        const { data } = await octokit.rest.issues.createComment({
          owner,
          repo,
          issue_number: issueNumber,
          body,
          request: { signal },
        });
        // Even a create that lands after the deadline is found by the next write's listing.
        signal.throwIfAborted();
        createdId = data.id;
        adopt(data, body);
        log.debug(`Created PR comment ${data.id} on ${where}`);
        return;
      }
      if (body === currentBody) {
        log.debug(`PR comment ${commentId} unchanged; not edited`);
        return;
      }
      try {
        const { data } = await octokit.rest.issues.updateComment({
          owner,
          repo,
          comment_id: commentId,
          body,
          request: { signal },
        });
        signal.throwIfAborted();
        adopt(data, body);
        log.debug(`Updated PR comment ${data.id} on ${where}`);
        return;
      } catch (error) {
        // Someone deleted the comment: look again (and create) once.
        if (httpStatus(error) !== 404 || attempt > 0) throw error;
        log.debug(`PR comment ${commentId} is gone; looking for or creating another`);
        commentId = undefined;
        commentUrl = undefined;
        currentBody = undefined;
      }
    }
  }

  interface Attempt {
    body: string;
    final: boolean;
    signal: AbortSignal;
    timeoutMs: number;
    timedOut(): boolean;
    /** limitCount when the write started. */
    limitsBefore: number;
  }

  function report(error: unknown, attempt: Attempt): void {
    const { signal, final } = attempt;
    const status = httpStatus(error);
    if (limitCount > attempt.limitsBefore || looksRateLimited(error)) {
      if (limitCount === attempt.limitsBefore) {
        pauseFor({
          kind: 'secondary',
          retryAfterSeconds: FALLBACK_RATE_LIMIT_SECONDS,
          request: `a write (${errorMessage(error)})`,
        });
      }
      // Written when the pause ends, unless a newer body comes first; flush() handles the final one.
      if (!final) pendingBody ??= attempt.body;
      return;
    }
    if (status === 403) {
      disabled = true;
      log.warning(
        `Cannot write the pull request comment on ${where}: GitHub answered 403 (${errorMessage(error)}). ` +
          'The token needs `pull-requests: write`; add it under `permissions:` in the workflow. ' +
          'Pull requests from forks get a read-only GITHUB_TOKEN, so they get no comment; ' +
          'the job summary has the same report. Continuing without a PR comment.',
      );
      return;
    }
    if (status === 404) {
      disabled = true;
      log.warning(
        `Cannot write the pull request comment: ${where} was not found or is not visible to the token (404). ` +
          'Continuing without a PR comment.',
      );
      return;
    }
    if (signal.aborted && !attempt.timedOut()) {
      log.debug('PR comment write superseded by the final update');
      return;
    }
    const reason = attempt.timedOut()
      ? `no answer within ${seconds(attempt.timeoutMs)}`
      : errorMessage(error);
    const message = final
      ? `Could not write the final state of the PR comment on ${where} (${reason}); it may be out of date.`
      : `Could not update the PR comment on ${where} (${reason}); will try again with the next change.`;
    if (final || !warnedSinceSuccess) log.warning(message);
    else log.debug(message);
    warnedSinceSuccess = true;
  }

  function startWrite(body: string, final: boolean, timeoutMs = requestTimeoutMs): Write {
    const controller = new AbortController();
    const deadline = deadlineSignal(timeoutMs);
    const signal = AbortSignal.any([controller.signal, deadline.signal]);
    const attempt: Attempt = {
      body,
      final,
      signal,
      timeoutMs,
      timedOut: () => deadline.signal.aborted,
      limitsBefore: limitCount,
    };
    lastWriteStartedAt = Date.now();
    const entry: Write = {
      controller,
      mayCreate: commentId === undefined,
      // The race bounds the wait even if a request ignored the signal; the write cannot change any
      // state after the abort (it checks the signal after every await).
      done: Promise.race([write(body, signal), whenAborted(signal)])
        .then(
          () => {
            warnedSinceSuccess = false;
          },
          (error: unknown) => report(error, attempt),
        )
        .finally(deadline.clear),
    };
    inflight = entry;
    void entry.done.finally(() => {
      if (inflight === entry) inflight = undefined;
      pump();
    });
    return entry;
  }

  /** Starts the pending write when the interval and any rate-limit pause allow and nothing is in flight. */
  function pump(): void {
    if (disabled || flushed || timer !== undefined || inflight !== undefined || pendingBody === undefined)
      return;
    const wait = Math.max(lastWriteStartedAt + opts.minIntervalMs, pausedUntil) - Date.now();
    if (wait > 0) {
      timer = setTimeout(() => {
        timer = undefined;
        pump();
      }, wait);
      // A pending update must not keep the process alive; flush() is the write that has to happen.
      timer.unref?.();
      return;
    }
    const body = typeof pendingBody === 'function' ? pendingBody() : pendingBody;
    pendingBody = undefined;
    checkMarker(body);
    if (commentId !== undefined && body === currentBody) return;
    startWrite(body, false);
  }

  /** The one warning of a final write that a rate limit kept from GitHub. */
  function warnStale(timeoutMs: number): void {
    const kind = lastLimit?.kind ?? 'secondary';
    const asked = lastLimit ? `retry after ${lastLimit.retryAfterSeconds} s` : 'retry later';
    log.warning(
      `The PR comment on ${where} is out of date: GitHub rate-limited writes to it (${kind} rate limit: ` +
        `${asked}, ${seconds(Math.max(0, pausedUntil - Date.now()))} from now), and this step waits at most ` +
        `${seconds(timeoutMs)} for the comment. It shows an earlier state of the run; ` +
        'the job summary has the final report.',
    );
  }

  return {
    update(body) {
      if (disabled || flushed) return;
      pendingBody = body;
      pump();
    },

    async flush(body, options = {}) {
      const timeoutMs = options.timeoutMs ?? opts.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
      const deadline = Date.now() + timeoutMs;
      flushed = true;
      checkMarker(body);
      pendingBody = undefined;
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      const running = inflight;
      if (running) {
        // An edit in flight is superseded by this one; a possible create is awaited (it has its own
        // deadline) so the final write edits that comment instead of creating a second one.
        if (!running.mayCreate) running.controller.abort();
        await within(running.done, deadline - Date.now());
      }
      for (let attempt = 1; !disabled; attempt++) {
        const wait = pausedUntil - Date.now();
        if (wait > 0 && Date.now() + wait + WRITE_MARGIN_MS > deadline) {
          warnStale(timeoutMs);
          break;
        }
        await sleep(wait);
        const left = deadline - Date.now();
        if (left <= 0) {
          log.warning(
            `Could not write the final state of the PR comment on ${where} within ${seconds(timeoutMs)}; it may be out of date.`,
          );
          break;
        }
        const limitsBefore = limitCount;
        await startWrite(body, true, Math.min(requestTimeoutMs, left)).done;
        // Refused by a rate limit: wait that out too if time allows; anything else is final.
        if (limitCount === limitsBefore) break;
        if (attempt === MAX_FINAL_ATTEMPTS) {
          warnStale(timeoutMs);
          break;
        }
      }
      return { id: commentId, url: commentUrl };
    },
  };
}
