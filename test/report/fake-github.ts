// A small in-memory stand-in for the octokit methods the comment publisher uses:
// rest.issues.listComments / createComment / updateComment and request() for Link-header next pages.
import type { GitHubClient } from '../../src/report/comment.ts';

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
  /** Milliseconds each request takes; `Infinity` never answers (until aborted). */
  latencyMs = 0;
  private failures: Failure[] = [];
  private nextId = 1000;

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
    if (params.body !== undefined) this.writes.push(params.body);
    await this.wait(params.request?.signal);
    const index = this.failures.findIndex((failure) => failure.operation === operation);
    const failure = index >= 0 ? this.failures.splice(index, 1)[0] : undefined;
    if (failure) {
      if (failure.applyAnyway) perform();
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
