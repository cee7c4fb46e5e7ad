// Keeps one PR comment current: finds the comment this action wrote before (by its marker and a bot
// author), creates it once if there is none, then edits it in place, throttled. Publishing is best
// effort: failures become warnings, nothing here throws, and every request has a deadline.
import * as core from '@actions/core';
import type { getOctokit } from '@actions/github';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface PublishedComment {
  id?: number;
  url?: string;
}

export interface CommentPublisher {
  /**
   * Publishes `body` soon: the first call writes at once, later ones at most every `minIntervalMs`
   * (the newest body wins). Returns immediately and never throws.
   */
  update(body: string | (() => string)): void;
  /** Final write: drops any pending update, writes `body` now, resolves with the comment (never rejects). */
  flush(body: string): Promise<PublishedComment>;
}

export interface CommentPublisherOptions {
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
  log?: { warning(message: string): void; debug(message: string): void };
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

function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** Secondary rate limits also answer 403; those are worth retrying, a missing permission is not. */
function isRateLimited(error: unknown): boolean {
  const headers = (error as { response?: { headers?: Record<string, unknown> } } | null)?.response?.headers;
  return headers?.['x-ratelimit-remaining'] === '0' || /rate limit/i.test(errorMessage(error));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createCommentPublisher(opts: CommentPublisherOptions): CommentPublisher {
  const { octokit, owner, repo, issueNumber, marker } = opts;
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
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
   * GITHUB_TOKEN or an app token, whose comments are recognized as a bot's instead. Asked once.
   */
  let ownLogin: Promise<string | undefined> | undefined;
  function tokenLogin(signal: AbortSignal): Promise<string | undefined> {
    ownLogin ??= octokit.rest.users
      .getAuthenticated({ request: { signal } })
      .then(({ data }) => (data.type === 'User' ? data.login.toLowerCase() : undefined))
      .catch(() => undefined);
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

  function report(error: unknown, signal: AbortSignal, timedOut: () => boolean, final: boolean): void {
    const status = httpStatus(error);
    if (status === 403 && !isRateLimited(error)) {
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
    if (signal.aborted && !timedOut()) {
      log.debug('PR comment write superseded by the final update');
      return;
    }
    const reason = timedOut()
      ? `no answer within ${Math.round(timeoutMs / 100) / 10} s`
      : errorMessage(error);
    const message = final
      ? `Could not write the final state of the PR comment on ${where} (${reason}); it may be out of date.`
      : `Could not update the PR comment on ${where} (${reason}); will try again with the next change.`;
    if (final || !warnedSinceSuccess) log.warning(message);
    else log.debug(message);
    warnedSinceSuccess = true;
  }

  function startWrite(body: string, final: boolean): Write {
    const controller = new AbortController();
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([controller.signal, deadline]);
    lastWriteStartedAt = Date.now();
    const entry: Write = {
      controller,
      mayCreate: commentId === undefined,
      // The race bounds the wait even if a request ignored the signal; the write cannot change any
      // state after the abort (it checks the signal after every await).
      done: Promise.race([write(body, signal), whenAborted(signal)]).then(
        () => {
          warnedSinceSuccess = false;
        },
        (error: unknown) => report(error, signal, () => deadline.aborted, final),
      ),
    };
    inflight = entry;
    void entry.done.finally(() => {
      if (inflight === entry) inflight = undefined;
      pump();
    });
    return entry;
  }

  /** Starts the pending write when the interval allows and nothing is in flight, else waits. */
  function pump(): void {
    if (disabled || flushed || timer !== undefined || inflight !== undefined || pendingBody === undefined)
      return;
    const wait = lastWriteStartedAt + opts.minIntervalMs - Date.now();
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

  return {
    update(body) {
      if (disabled || flushed) return;
      pendingBody = body;
      pump();
    },

    async flush(body) {
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
        await running.done;
      }
      if (!disabled) await startWrite(body, true).done;
      return { id: commentId, url: commentUrl };
    },
  };
}
