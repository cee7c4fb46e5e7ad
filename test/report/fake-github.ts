// A small in-memory stand-in for the octokit methods the comment publisher uses:
// rest.issues.listComments / createComment / updateComment and request() for Link-header next pages.
// Rate limits reach the publisher through `watchRateLimits`, as the throttling plugin reports them.
import type { GitHubClient, RateLimitNotice, RateLimitWatcher } from '../../src/github/rate-limits.ts';

export interface FakeComment {
  id: number;
  body: string;
  html_url: string;
  user: { login: string; type: 'Bot' | 'User' };
}

export type Operation = 'list' | 'create' | 'update';

interface Failure {
  operation: Operation;
  status: number;
  message: string;
  headers?: Record<string, string>;
  /** The server performs the operation but the answer is an error (lost response). */
  applyAnyway?: boolean;
  /** A rate limit, reported as @octokit/plugin-throttling reports it before the error is thrown. */
  rateLimit?: Omit<RateLimitNotice, 'request'>;
}

interface RequestParams {
  owner: string;
  repo: string;
  issue_number?: number;
  comment_id?: number;
  body?: string;
  page?: number;
  per_page?: number;
  request?: { signal?: AbortSignal };
}

export class FakeGitHub {
  comments: FakeComment[] = [];
  /** Every request made, in order: `list`, `create`, `update`. */
  calls: Operation[] = [];
  /** Bodies of create/update requests, in order. */
  writes: string[] = [];
  /** Identity that create requests are attributed to. */
  author: FakeComment['user'] = { login: 'github-actions[bot]', type: 'Bot' };
  /** What GET /user answers; undefined: 403, as for a GITHUB_TOKEN. */
  tokenUser: { login: string; type: 'User' } | undefined;
  /** Answer the next GET /user with a secondary rate limit (60 s). */
  failNextUser = false;
  /** Milliseconds each request takes; `Infinity` never answers (until aborted). */
  latencyMs = 0;
  /** Times (Date.now()) of every request, in order, parallel to `calls`. */
  callTimes: number[] = [];
  private failures: Failure[] = [];
  private nextId = 1000;
  private onLimited: ((notice: RateLimitNotice) => void) | undefined;

  /** Pass as the publisher's `watchRateLimits`. */
  readonly watchRateLimits: RateLimitWatcher = (_octokit, onLimited) => {
    this.onLimited = onLimited;
  };

  /** Makes the next `count` requests of `operation` fail with GitHub's secondary rate limit. */
  rateLimitNext(operation: Operation, retryAfterSeconds: number, count = 1): void {
    for (let i = 0; i < count; i++) {
      this.failNext({
        operation,
        status: 403,
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        headers: { 'retry-after': String(retryAfterSeconds) },
        rateLimit: { kind: 'secondary', retryAfterSeconds },
      });
    }
  }

  /** Makes the next request of `operation` fail with an HTTP error. */
  failNext(failure: Failure): void {
    this.failures.push(failure);
  }

  addComment(body: string, user: FakeComment['user']): FakeComment {
    const comment = { id: this.nextId++, body, html_url: '', user };
    comment.html_url = `https://github.com/o/r/pull/1#issuecomment-${comment.id}`;
    this.comments.push(comment);
    return comment;
  }

  private async answer<T>(
    operation: Operation,
    params: RequestParams,
    perform: () => T,
  ): Promise<{ data: T }> {
    this.calls.push(operation);
    this.callTimes.push(Date.now());
    if (params.body !== undefined) this.writes.push(params.body);
    await this.wait(params.request?.signal);
    const index = this.failures.findIndex((failure) => failure.operation === operation);
    const failure = index >= 0 ? this.failures.splice(index, 1)[0] : undefined;
    if (failure) {
      if (failure.applyAnyway) perform();
      if (failure.rateLimit) this.onLimited?.({ ...failure.rateLimit, request: operation });
      throw Object.assign(new Error(failure.message), {
        name: 'HttpError',
        status: failure.status,
        response: {
          status: failure.status,
          headers: failure.headers ?? {},
          data: { message: failure.message },
        },
      });
    }
    return { data: structuredClone(perform()) };
  }

  private wait(signal: AbortSignal | undefined): Promise<void> {
    if (this.latencyMs === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = Number.isFinite(this.latencyMs) ? setTimeout(resolve, this.latencyMs) : undefined;
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        // What octokit does with an aborted fetch: rethrows it with status 500.
        reject(Object.assign(new Error('This operation was aborted'), { name: 'AbortError', status: 500 }));
      });
    });
  }

  readonly octokit: GitHubClient = (() => {
    const api = 'https://api.github.test/repos/o/r/issues/1/comments';
    const listComments = async (params: RequestParams) => {
      const perPage = params.per_page ?? 30;
      const page = params.page ?? 1;
      const response = await this.answer('list', params, () =>
        this.comments.slice((page - 1) * perPage, page * perPage),
      );
      const more = page * perPage < this.comments.length;
      const link = more ? `<${api}?per_page=${perPage}&page=${page + 1}>; rel="next"` : undefined;
      return { ...response, url: `${api}?per_page=${perPage}&page=${page}`, headers: link ? { link } : {} };
    };
    const createComment = (params: RequestParams) =>
      this.answer('create', params, () => this.addComment(params.body ?? '', this.author));
    const updateComment = (params: RequestParams) =>
      this.answer('update', params, () => {
        const comment = this.comments.find((c) => c.id === params.comment_id);
        if (!comment) throw Object.assign(new Error('Not Found'), { status: 404 });
        comment.body = params.body ?? '';
        return comment;
      });
    // Only what the publisher requests by URL: the next page of comments.
    const request = (route: string, params: RequestParams) => {
      const url = new URL(route.replace(/^GET /, ''));
      if (`${url.origin}${url.pathname}` !== api) throw new Error(`unexpected request ${route}`);
      return listComments({
        ...params,
        owner: 'o',
        repo: 'r',
        per_page: Number(url.searchParams.get('per_page')),
        page: Number(url.searchParams.get('page')),
      });
    };
    // As for a GITHUB_TOKEN: GET /user is refused (a personal token would answer with its user).
    const getAuthenticated = async () => {
      if (this.failNextUser) {
        this.failNextUser = false;
        this.onLimited?.({ kind: 'secondary', retryAfterSeconds: 60, request: 'GET /user' });
        throw Object.assign(new Error('You have exceeded a secondary rate limit.'), {
          status: 403,
          response: { status: 403, headers: { 'retry-after': '60' } },
        });
      }
      if (this.tokenUser) return { data: this.tokenUser, status: 200, headers: {} };
      throw Object.assign(new Error('Resource not accessible by integration'), { status: 403 });
    };
    const fake = {
      rest: { issues: { listComments, createComment, updateComment }, users: { getAuthenticated } },
      request,
    };
    return fake as unknown as GitHubClient;
  })();
}

/** Collects what the publisher logs. */
export function recordingLog() {
  const warnings: string[] = [];
  const debugs: string[] = [];
  return {
    warnings,
    debugs,
    log: {
      warning: (message: string) => warnings.push(message),
      debug: (message: string) => debugs.push(message),
    },
  };
}
