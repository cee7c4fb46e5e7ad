// Fake GitHub REST API (the issue-comment endpoints a PR-commenting action uses), answering as api.github.com
// does for a GITHUB_TOKEN: JSON bodies, GitHub's error shapes and status codes, Link-header pagination,
// rate-limit and request-id headers.
//
// Routes: GET/POST /repos/{owner}/{repo}/issues/{n}/comments, GET /repositories/{id}/issues/{n}/comments
// (the form GitHub puts in Link headers), GET/PATCH/DELETE /repos/{owner}/{repo}/issues/comments/{id},
// GET /user (403 for an integration token). Anything else: 404. A path prefix before `/repos/...` is
// tolerated and kept in the URLs the emulator hands out (for a server that mounts it under e.g. /github).
//
// Rate limits as GitHub documents them (docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api):
// the primary limit is a bucket of `rateLimit` requests per hour; once it is empty every request gets 403
// (or 429) with `x-ratelimit-remaining: 0` until `x-ratelimit-reset` (UTC epoch seconds), then it refills.
// A secondary limit answers 403 (or 429) with "You have exceeded a secondary rate limit" and, usually,
// `retry-after` in seconds. `writeRateLimit` makes chosen content writes meet either one.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mulberry32 } from './random.ts';
import type { GitHubComment, RecordedCall } from './types.ts';

export interface GitHubEmulatorOptions {
  /** Login of the token's identity; comments written through the API are authored by it. */
  botLogin: string;
  /** Answer writes with 403 "Resource not accessible by integration" (a fork PR's read-only token). */
  forbidWrites: boolean;
  latencyMs: number;
  /** Fraction 0..1 of requests answered 500/502 "Server Error". */
  failRate: number;
  seed: number;
  /** Requests per token-hour before 403 "API rate limit exceeded" (x-ratelimit-limit). */
  rateLimit: number;
  /** Content writes (POST/PATCH/PUT/DELETE) refused by a rate limit; replace the object to re-arm `count`. */
  writeRateLimit?: WriteRateLimit;
}

export interface WriteRateLimit {
  /** `secondary`: the write alone is refused. `primary`: the bucket is emptied, refusing every request. */
  kind: 'secondary' | 'primary';
  /** Refuse the next `count` writes (default: every write, or `rate` of them). */
  count?: number;
  /** Fraction 0..1 of writes refused, drawn from `seed`. */
  rate?: number;
  /** 403 (default, what GitHub mostly answers) or 429. */
  status?: 403 | 429;
  /** Secondary: the `retry-after` header, in seconds; without it the header is left out, as GitHub sometimes does. */
  retryAfterSeconds?: number;
  /** Primary: seconds until `x-ratelimit-reset`, when the bucket refills (default 60). */
  resetInSeconds?: number;
}

export interface GitHubEmulator {
  /** All comments, ascending by id; tests may mutate (e.g. push a human's comment). */
  comments: GitHubComment[];
  /** Mutable at runtime. */
  options: GitHubEmulatorOptions;
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Adds a comment as a person would (through the web UI); default author octocat. */
  addComment(
    repo: string,
    issueNumber: number,
    body: string,
    user?: Partial<GitHubComment['user']>,
  ): GitHubComment;
  /** Forgets comments, counters and fault state; options return to their initial values. */
  reset(): void;
}

export interface GitHubEmulatorDeps {
  record: (c: RecordedCall) => void;
  options?: Partial<GitHubEmulatorOptions>;
}

const DEFAULT_OPTIONS: GitHubEmulatorOptions = {
  botLogin: 'github-actions[bot]',
  forbidWrites: false,
  latencyMs: 0,
  failRate: 0,
  seed: 1,
  rateLimit: 5000,
};

const ACTIONS_BOT = { login: 'github-actions[bot]', id: 41898282, nodeId: 'MDM6Qm90NDE4OTgyODI=' };
const ACTIONS_APP = {
  id: 15368,
  client_id: 'Iv1.05c79e9ad1f6bdfa',
  slug: 'github-actions',
  node_id: 'MDM6QXBwMTUzNjg=',
  owner: {
    login: 'github',
    id: 9919,
    node_id: 'MDEyOk9yZ2FuaXphdGlvbjk5MTk=',
    avatar_url: 'https://avatars.githubusercontent.com/u/9919?v=4',
    gravatar_id: '',
    url: 'https://api.github.com/users/github',
    html_url: 'https://github.com/github',
    type: 'Organization',
    user_view_type: 'public',
    site_admin: false,
  },
  name: 'GitHub Actions',
  description: 'Automate your workflow from idea to production',
  external_url: 'https://help.github.com/en/actions',
  html_url: 'https://github.com/apps/github-actions',
  created_at: '2018-07-30T09:30:17Z',
  updated_at: '2025-03-07T16:35:00Z',
  permissions: { issues: 'write', metadata: 'read', pull_requests: 'write' },
  events: [],
};

const MAX_BODY = 65536;
/** The installation whose token the emulator pretends to serve (named in primary rate-limit messages). */
const INSTALLATION_ID = 41_234_567;
const DOCS = 'https://docs.github.com/rest';
const DOC_URLS = {
  list: `${DOCS}/issues/comments#list-issue-comments`,
  create: `${DOCS}/issues/comments#create-an-issue-comment`,
  get: `${DOCS}/issues/comments#get-an-issue-comment`,
  update: `${DOCS}/issues/comments#update-an-issue-comment`,
  delete: `${DOCS}/issues/comments#delete-an-issue-comment`,
  user: `${DOCS}/users/users#get-the-authenticated-user`,
};

/** A stable positive id derived from a name (repository ids, ids of invented users). */
function stableId(name: string, base = 100_000_000): number {
  return base + (createHash('sha1').update(name.toLowerCase()).digest().readUInt32BE(0) % 800_000_000);
}

const timestamp = (ms = Date.now()): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function userFor(login: string, id?: number, type?: 'Bot' | 'User'): GitHubComment['user'] {
  if (login === ACTIONS_BOT.login) return { login, id: id ?? ACTIONS_BOT.id, type: type ?? 'Bot' };
  return {
    login,
    id: id ?? stableId(login, 1_000_000),
    type: type ?? (login.endsWith('[bot]') ? 'Bot' : 'User'),
  };
}

function userJson(user: GitHubComment['user']): Record<string, unknown> {
  const api = `https://api.github.com/users/${encodeURIComponent(user.login)}`;
  const isActions = user.login === ACTIONS_BOT.login;
  return {
    login: user.login,
    id: user.id,
    node_id: isActions
      ? ACTIONS_BOT.nodeId
      : Buffer.from(`${user.type === 'Bot' ? '03:Bot' : '04:User'}${user.id}`).toString('base64'),
    avatar_url: isActions
      ? 'https://avatars.githubusercontent.com/in/15368?v=4'
      : `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: isActions ? 'https://github.com/apps/github-actions' : `https://github.com/${user.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const error = (
  status: number,
  message: string,
  documentationUrl = DOCS,
  extra: Record<string, unknown> = {},
): Reply => ({
  status,
  body: { message, ...extra, documentation_url: documentationUrl, status: String(status) },
});

const notAccessible = (doc: string): Reply => ({
  ...error(403, 'Resource not accessible by integration', doc),
  headers: { 'x-accepted-github-permissions': 'issues=write; pull_requests=write' },
});

export function createGitHubEmulator(deps: GitHubEmulatorDeps): GitHubEmulator {
  const initialOptions: GitHubEmulatorOptions = { ...DEFAULT_OPTIONS, ...deps.options };
  const repositories = new Map<number, string>();
  let nextId = 2_400_000_001;
  let rateUsed = 0;
  let rateReset = Math.floor(Date.now() / 1000) + 3600;
  /** Status of refusals while the primary bucket is empty (a `writeRateLimit` may ask for 429). */
  let primaryStatus: 403 | 429 = 403;
  let seededWith = initialOptions.seed;
  let random = mulberry32(initialOptions.seed);
  /** The `writeRateLimit` object that `limitedWrites` counts for. */
  let limitArmed: WriteRateLimit | undefined;
  let limitedWrites = 0;

  /** Next seeded draw in 0..1, reseeded when `options.seed` changes. */
  const draw = (): number => {
    if (emulator.options.seed !== seededWith) {
      seededWith = emulator.options.seed;
      random = mulberry32(emulator.options.seed);
    }
    return random();
  };

  /** Whether `writeRateLimit` refuses this write; counts it if so. */
  const writeLimited = (limit: WriteRateLimit | undefined): limit is WriteRateLimit => {
    if (!limit) return false;
    if (limit !== limitArmed) {
      limitArmed = limit;
      limitedWrites = 0;
    }
    if (limit.count !== undefined && limitedWrites >= limit.count) return false;
    if (limit.rate !== undefined && draw() >= limit.rate) return false;
    limitedWrites++;
    return true;
  };

  const repoId = (repo: string): number => {
    const id = stableId(repo);
    repositories.set(id, repo);
    return id;
  };

  const newId = (): number => {
    for (const c of emulator.comments) if (c.id >= nextId) nextId = c.id + 1;
    return nextId++;
  };

  const sameRepo = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

  const association = (c: GitHubComment): string => {
    if (c.user.type === 'Bot') return 'NONE';
    if (sameRepo(c.repo.split('/')[0] ?? '', c.user.login)) return 'OWNER';
    return 'CONTRIBUTOR';
  };

  const commentJson = (c: GitHubComment, base: string): Record<string, unknown> => ({
    url: `${base}/repos/${c.repo}/issues/comments/${c.id}`,
    html_url: c.html_url,
    issue_url: `${base}/repos/${c.repo}/issues/${c.issue_number}`,
    id: c.id,
    node_id: `IC_kwDO${Buffer.from(`${repoId(c.repo)}:${c.id}`).toString('base64url')}`,
    user: userJson(c.user),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: association(c),
    body: c.body,
    reactions: {
      url: `${base}/repos/${c.repo}/issues/comments/${c.id}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0,
    },
    performed_via_github_app: c.user.login === ACTIONS_BOT.login ? ACTIONS_APP : null,
  });

  const create = (
    repo: string,
    issueNumber: number,
    body: string,
    user: GitHubComment['user'],
  ): GitHubComment => {
    const id = newId();
    const now = timestamp();
    const comment: GitHubComment = {
      id,
      body,
      user,
      created_at: now,
      updated_at: now,
      html_url: `https://github.com/${repo}/pull/${issueNumber}#issuecomment-${id}`,
      issue_number: issueNumber,
      repo,
    };
    repoId(repo);
    emulator.comments.push(comment);
    return comment;
  };

  /** GitHub's checks on a comment body: 400 for bad JSON, 422 for a missing, non-string or too long body. */
  const validateBody = (raw: string, parsed: unknown, doc: string): Reply | string => {
    if (raw.trim() === '' || parsed === undefined)
      return error(422, 'Invalid request.\n\n"body" wasn\'t supplied.', doc);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return error(
        422,
        `Invalid request.\n\nFor 'links/0/schema', ${JSON.stringify(parsed)} is not an object.`,
        doc,
      );
    }
    const body = (parsed as { body?: unknown }).body;
    if (body === undefined) return error(422, 'Invalid request.\n\n"body" wasn\'t supplied.', doc);
    if (typeof body !== 'string') {
      return error(
        422,
        `Invalid request.\n\nFor 'properties/body', ${JSON.stringify(body)} is not a string.`,
        doc,
      );
    }
    if ([...body].length > MAX_BODY) {
      return error(422, 'Validation Failed', doc, {
        errors: [
          {
            resource: 'IssueComment',
            code: 'custom',
            field: 'body',
            message: `body is too long (maximum is ${MAX_BODY} characters)`,
          },
        ],
      });
    }
    return body;
  };

  const botUser = (): GitHubComment['user'] => userFor(emulator.options.botLogin);

  const findComment = (repo: string, id: number): GitHubComment | undefined =>
    emulator.comments.find((c) => c.id === id && sameRepo(c.repo, repo));

  const listComments = (
    repo: string,
    issueNumber: number,
    query: URLSearchParams,
    base: string,
    linkPath: string,
  ): Reply => {
    const perPageParam = Number.parseInt(query.get('per_page') ?? '', 10);
    const perPage = Number.isNaN(perPageParam) || perPageParam < 1 ? 30 : Math.min(100, perPageParam);
    const pageParam = Number.parseInt(query.get('page') ?? '', 10);
    const page = Number.isNaN(pageParam) || pageParam < 1 ? 1 : pageParam;
    const since = query.get('since');
    const sinceMs = since ? Date.parse(since) : Number.NaN;
    if (since && Number.isNaN(sinceMs)) {
      return error(422, 'Validation Failed', DOC_URLS.list, {
        errors: [{ resource: 'IssueComment', code: 'invalid', field: 'since' }],
      });
    }
    const all = emulator.comments
      .filter((c) => c.issue_number === issueNumber && sameRepo(c.repo, repo))
      .filter((c) => Number.isNaN(sinceMs) || Date.parse(c.updated_at) >= sinceMs)
      .sort((a, b) => a.id - b.id);
    const lastPage = Math.max(1, Math.ceil(all.length / perPage));
    const items = all.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (lastPage > 1) {
      const link = (p: number, rel: string) => {
        const q = new URLSearchParams(query);
        q.set('page', String(p));
        return `<${base}${linkPath}?${q.toString()}>; rel="${rel}"`;
      };
      const rels: string[] = [];
      if (page > 1) rels.push(link(Math.min(page - 1, lastPage), 'prev'));
      if (page < lastPage) rels.push(link(page + 1, 'next'), link(lastPage, 'last'));
      if (page > 1) rels.push(link(1, 'first'));
      headers.link = rels.join(', ');
    }
    return { status: 200, body: items.map((c) => commentJson(c, base)), headers };
  };

  const route = (method: string, url: URL, raw: string, parsed: unknown, base: string): Reply => {
    const path = url.pathname;
    let m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments\/?$/.exec(path);
    if (m) {
      const repo = `${decodeURIComponent(m[1] ?? '')}/${decodeURIComponent(m[2] ?? '')}`;
      const issueNumber = Number(m[3]);
      repoId(repo);
      if (method === 'GET') {
        return listComments(
          repo,
          issueNumber,
          url.searchParams,
          base,
          `/repositories/${repoId(repo)}/issues/${issueNumber}/comments`,
        );
      }
      if (method === 'POST') {
        if (emulator.options.forbidWrites) return notAccessible(DOC_URLS.create);
        const body = validateBody(raw, parsed, DOC_URLS.create);
        if (typeof body !== 'string') return body;
        const comment = create(repo, issueNumber, body, botUser());
        const json = commentJson(comment, base);
        return { status: 201, body: json, headers: { location: String(json.url) } };
      }
      return error(404, 'Not Found');
    }
    m = /^\/repositories\/(\d+)\/issues\/(\d+)\/comments\/?$/.exec(path);
    if (m && method === 'GET') {
      const repo = repositories.get(Number(m[1]));
      if (!repo) return error(404, 'Not Found');
      const issueNumber = Number(m[2]);
      return listComments(
        repo,
        issueNumber,
        url.searchParams,
        base,
        `/repositories/${m[1]}/issues/${issueNumber}/comments`,
      );
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)\/?$/.exec(path);
    if (m) {
      const repo = `${decodeURIComponent(m[1] ?? '')}/${decodeURIComponent(m[2] ?? '')}`;
      const id = Number(m[3]);
      if (method === 'GET') {
        const comment = findComment(repo, id);
        return comment
          ? { status: 200, body: commentJson(comment, base) }
          : error(404, 'Not Found', DOC_URLS.get);
      }
      if (method === 'PATCH' || method === 'DELETE') {
        const doc = method === 'PATCH' ? DOC_URLS.update : DOC_URLS.delete;
        if (emulator.options.forbidWrites) return notAccessible(doc);
        const comment = findComment(repo, id);
        if (!comment) return error(404, 'Not Found', doc);
        // A GITHUB_TOKEN may only change what its own identity wrote.
        if (comment.user.login !== emulator.options.botLogin) return notAccessible(doc);
        if (method === 'DELETE') {
          emulator.comments.splice(emulator.comments.indexOf(comment), 1);
          return { status: 204 };
        }
        const body = validateBody(raw, parsed, doc);
        if (typeof body !== 'string') return body;
        comment.body = body;
        comment.updated_at = timestamp();
        return { status: 200, body: commentJson(comment, base) };
      }
      return error(404, 'Not Found');
    }
    if (/^\/user\/?$/.test(path) && method === 'GET') return notAccessible(DOC_URLS.user);
    return error(404, 'Not Found');
  };

  const isKnownRoute = (path: string) =>
    /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+\/comments|comments\/\d+)\/?$/.test(path) ||
    /^\/repositories\/\d+\/issues\/\d+\/comments\/?$/.test(path) ||
    /^\/user\/?$/.test(path);

  async function process(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const requestId = [2, 3, 4, 4]
      .map((bytes) => randomBytes(bytes).toString('hex').toUpperCase())
      .concat(
        Math.floor(started / 1000)
          .toString(16)
          .toUpperCase(),
      )
      .join(':');
    const method = (req.method ?? 'GET').toUpperCase();
    const fullUrl = new URL(req.url ?? '/', 'http://github.local');
    // Tolerate a mount prefix: /github/repos/... is routed as /repos/... and links keep the prefix.
    const prefixMatch = /^(.*?)(\/repos\/|\/repositories\/|\/user\/?$)/.exec(fullUrl.pathname);
    const prefix = prefixMatch?.[1] ?? '';
    const url = new URL(fullUrl.pathname.slice(prefix.length) + fullUrl.search, 'http://github.local');
    const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    const base = `${scheme}://${req.headers.host ?? 'api.github.com'}${prefix}`;
    const authorization = req.headers.authorization;
    const raw = await readBody(req);
    let parsed: unknown;
    let parseError = false;
    if (raw.trim() !== '') {
      try {
        parsed = JSON.parse(raw);
      } catch {
        parseError = true;
      }
    }

    const send = (reply: Reply) => {
      const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
      const headers: Record<string, string> = {
        'x-github-request-id': requestId,
        'x-github-media-type': 'github.v3; format=json',
        'x-github-api-version-selected': '2022-11-28',
        server: 'github.com',
        'access-control-expose-headers':
          'ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset',
        'x-content-type-options': 'nosniff',
        ...reply.headers,
      };
      if (authorization) {
        headers['x-ratelimit-limit'] = String(emulator.options.rateLimit);
        headers['x-ratelimit-remaining'] = String(Math.max(0, emulator.options.rateLimit - rateUsed));
        headers['x-ratelimit-reset'] = String(rateReset);
        headers['x-ratelimit-used'] = String(rateUsed);
        headers['x-ratelimit-resource'] = 'core';
      }
      if (payload) {
        headers['content-type'] = 'application/json; charset=utf-8';
        headers['content-length'] = String(Buffer.byteLength(payload));
        if (method === 'GET' && reply.status === 200) {
          headers.etag = `W/"${createHash('sha256').update(payload).digest('hex')}"`;
          headers['cache-control'] = 'private, max-age=60, s-maxage=60';
          headers.vary =
            'Accept, Authorization, Cookie, X-GitHub-OTP,Accept-Encoding, Accept, X-Requested-With';
        }
      }
      res.writeHead(reply.status, headers);
      res.end(reply.status === 204 || method === 'HEAD' ? undefined : payload);
      deps.record({
        service: 'github',
        operation: `${method} ${fullUrl.pathname}`,
        time: started,
        status: reply.status,
        body: parsed,
        detail: authorization,
      });
    };

    if (emulator.options.latencyMs > 0)
      await new Promise((resolve) => setTimeout(resolve, emulator.options.latencyMs));

    if (emulator.options.failRate > 0) {
      if (draw() < emulator.options.failRate) {
        send(
          draw() < 0.5
            ? { status: 500, body: { message: 'Server Error' } }
            : { status: 502, body: { message: 'Server Error' } },
        );
        return;
      }
    }

    if (!isKnownRoute(url.pathname)) {
      send(error(404, 'Not Found'));
      return;
    }
    if (!authorization || !/^(token|bearer)\s+\S+/i.test(authorization)) {
      send(authorization ? error(401, 'Bad credentials') : error(401, 'Requires authentication'));
      return;
    }
    if (started >= rateReset * 1000) {
      rateUsed = 0;
      rateReset = Math.floor(started / 1000) + 3600;
      primaryStatus = 403;
    }
    const isWrite = method !== 'GET' && method !== 'HEAD';
    const writeLimit = emulator.options.writeRateLimit;
    const limited =
      isWrite && rateUsed < emulator.options.rateLimit && writeLimited(writeLimit) ? writeLimit : undefined;
    if (limited?.kind === 'primary') {
      // The bucket runs dry on this write: every request is refused until the reset.
      rateUsed = emulator.options.rateLimit;
      rateReset = Math.ceil(started / 1000) + (limited.resetInSeconds ?? 60);
      primaryStatus = limited.status ?? 403;
    }
    if (rateUsed >= emulator.options.rateLimit) {
      rateUsed = emulator.options.rateLimit;
      send(
        error(
          primaryStatus,
          `API rate limit exceeded for installation ID ${INSTALLATION_ID}. If you reach out to GitHub Support for help, please include the request ID ${requestId} and timestamp ${timestamp(started).replace('T', ' ').replace('Z', ' UTC')}.`,
          `${DOCS}/overview/rate-limits-for-the-rest-api`,
        ),
      );
      return;
    }
    rateUsed++;
    if (limited?.kind === 'secondary') {
      send({
        ...error(
          limited.status ?? 403,
          `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
          'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        ),
        headers:
          limited.retryAfterSeconds === undefined ? {} : { 'retry-after': String(limited.retryAfterSeconds) },
      });
      return;
    }
    if (parseError) {
      send(error(400, 'Problems parsing JSON'));
      return;
    }
    send(route(method, url, raw, parsed, base));
  }

  const emulator: GitHubEmulator = {
    comments: [],
    options: { ...initialOptions },
    handle(req, res) {
      process(req, res).catch((err: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ message: err instanceof Error ? err.message : String(err) }));
      });
    },
    addComment(repo, issueNumber, body, user) {
      const login = user?.login ?? 'octocat';
      const person = userFor(
        login,
        user?.id ?? (login === 'octocat' ? 583231 : undefined),
        user?.type ?? 'User',
      );
      return create(repo, issueNumber, body, person);
    },
    reset() {
      emulator.comments.length = 0;
      Object.assign(emulator.options, initialOptions);
      repositories.clear();
      nextId = 2_400_000_001;
      rateUsed = 0;
      rateReset = Math.floor(Date.now() / 1000) + 3600;
      primaryStatus = 403;
      limitArmed = undefined;
      limitedWrites = 0;
      seededWith = emulator.options.seed;
      random = mulberry32(emulator.options.seed);
    },
  };
  return emulator;
}
