// The publisher with a real octokit (getOctokit) against a tiny local stand-in for the GitHub REST
// API: Link-header pagination, request bodies, HTTP errors and aborted requests go over real HTTP.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getOctokit } from '@actions/github';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCommentPublisher } from '../../src/github/comment-publisher.ts';
import { commentMarker } from '../../src/report/render.ts';
import { recordingLog } from './fake-github.ts';

interface StoredComment {
  id: number;
  body: string;
  html_url: string;
  user: { login: string; type: string };
}

interface MiniGitHub {
  baseUrl: string;
  comments: StoredComment[];
  requests: string[];
  /** Date.now() of each request, parallel to `requests`. */
  times: number[];
  /** Answers for the next POST/PATCH requests, one each, instead of doing them. */
  refuseNext: { status: number; message: string; headers?: Record<string, string> }[];
  /** Status to answer the next POST/PATCH with, instead of doing it. */
  refuseWrites?: number;
  /** Never answer any request. */
  hang: boolean;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<{ body?: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

async function startMiniGitHub(): Promise<MiniGitHub> {
  let nextId = 1;
  const state = {
    comments: [] as StoredComment[],
    requests: [] as string[],
    times: [] as number[],
    refuseNext: [] as MiniGitHub['refuseNext'],
    hang: false,
  } as MiniGitHub;
  const send = (
    response: ServerResponse,
    status: number,
    data: unknown,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    response.end(JSON.stringify(data));
  };
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', state.baseUrl);
    state.requests.push(`${request.method} ${url.pathname}${url.search}`);
    state.times.push(Date.now());
    if (state.hang) return;
    const payload = await readBody(request);
    const refusal = request.method !== 'GET' ? state.refuseNext.shift() : undefined;
    if (refusal) return send(response, refusal.status, { message: refusal.message }, refusal.headers);
    if (request.method !== 'GET' && state.refuseWrites) {
      return send(response, state.refuseWrites, { message: 'Resource not accessible by integration' });
    }
    if (request.method === 'GET' && url.pathname === '/repos/o/r/issues/1/comments') {
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const pageCount = Math.max(1, Math.ceil(state.comments.length / perPage));
      const headers: Record<string, string> = {};
      if (page < pageCount) {
        const next = new URL(url);
        next.searchParams.set('page', String(page + 1));
        headers.link = `<${next.href}>; rel="next"`;
      }
      return send(response, 200, state.comments.slice((page - 1) * perPage, page * perPage), headers);
    }
    if (request.method === 'POST' && url.pathname === '/repos/o/r/issues/1/comments') {
      const id = nextId++;
      const comment = {
        id,
        body: payload.body ?? '',
        html_url: `https://github.test/o/r/pull/1#issuecomment-${id}`,
        user: { login: 'github-actions[bot]', type: 'Bot' },
      };
      state.comments.push(comment);
      return send(response, 201, comment);
    }
    const edit = /^\/repos\/o\/r\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (request.method === 'PATCH' && edit) {
      const comment = state.comments.find((c) => c.id === Number(edit[1]));
      if (!comment) return send(response, 404, { message: 'Not Found' });
      comment.body = payload.body ?? '';
      return send(response, 200, comment);
    }
    send(response, 404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  // Ids stay unique when tests add comments directly.
  state.comments = new Proxy(state.comments, {
    set(target, key, value) {
      if (typeof value === 'object' && value !== null && 'id' in value)
        nextId = Math.max(nextId, value.id + 1);
      return Reflect.set(target, key, value);
    },
  });
  return state;
}

const MARKER = commentMarker('CI', 'neo.yml');
let github: MiniGitHub | undefined;

afterEach(async () => {
  await github?.close();
  github = undefined;
});

function publisherFor(server: MiniGitHub, requestTimeoutMs = 5_000, flushTimeoutMs?: number) {
  const recorded = recordingLog();
  const publisher = createCommentPublisher({
    octokit: getOctokit('test-token', { baseUrl: server.baseUrl }),
    owner: 'o',
    repo: 'r',
    issueNumber: 1,
    marker: MARKER,
    minIntervalMs: 0,
    requestTimeoutMs,
    flushTimeoutMs,
    log: recorded.log,
  });
  return { publisher, ...recorded };
}

describe('createCommentPublisher over HTTP', () => {
  it('follows Link pagination to find its comment and edits it', async () => {
    github = await startMiniGitHub();
    for (let id = 1; id <= 150; id++) {
      github.comments.push({ id, body: `hi ${id}`, html_url: '', user: { login: 'octocat', type: 'User' } });
    }
    github.comments.push({
      id: 151,
      body: `${MARKER}\nold`,
      html_url: 'https://github.test/o/r/pull/1#issuecomment-151',
      user: { login: 'github-actions[bot]', type: 'Bot' },
    });
    const { publisher, warnings } = publisherFor(github);
    const result = await publisher.flush(`${MARKER}\nnew`);
    expect(warnings).toEqual([]);
    expect(result).toEqual({ id: 151, url: 'https://github.test/o/r/pull/1#issuecomment-151' });
    expect(github.comments.at(-1)?.body).toBe(`${MARKER}\nnew`);
    expect(github.requests).toEqual([
      'GET /user',
      'GET /repos/o/r/issues/1/comments?per_page=100',
      'GET /repos/o/r/issues/1/comments?per_page=100&page=2',
      'PATCH /repos/o/r/issues/comments/151',
    ]);
  });

  it('creates the comment once and then edits it', async () => {
    github = await startMiniGitHub();
    const { publisher } = publisherFor(github);
    publisher.update(`${MARKER}\n1`);
    const result = await publisher.flush(`${MARKER}\n2`);
    expect(github.comments).toHaveLength(1);
    expect(result.id).toBe(github.comments[0]?.id);
    expect(github.comments[0]?.body).toBe(`${MARKER}\n2`);
    // GET /user (once: refused for a GITHUB_TOKEN), list, create, edit.
    expect(github.requests.map((r) => r.split(' ')[0])).toEqual(['GET', 'GET', 'POST', 'PATCH']);
  });

  it('warns about the missing permission on a 403 and stops', async () => {
    github = await startMiniGitHub();
    github.refuseWrites = 403;
    const { publisher, warnings } = publisherFor(github);
    publisher.update(`${MARKER}\n1`);
    await publisher.flush(`${MARKER}\n2`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('`pull-requests: write`');
    expect(github.requests).toHaveLength(3);
  });

  it('gives up on a request that gets no answer within the timeout', async () => {
    github = await startMiniGitHub();
    github.hang = true;
    const { publisher, warnings } = publisherFor(github, 200);
    const started = Date.now();
    const result = await publisher.flush(`${MARKER}\n1`);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toEqual({ id: undefined, url: undefined });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('no answer within 0.2 s');
  });
});

describe('createCommentPublisher over HTTP under GitHub rate limits (@octokit/plugin-throttling)', () => {
  const writes = (server: MiniGitHub) =>
    server.requests.flatMap((request, i) => (request.startsWith('GET') ? [] : [server.times[i] ?? 0]));

  it('a secondary rate limit (403, retry-after) holds every write for that long; the final body lands', async () => {
    github = await startMiniGitHub();
    github.refuseNext.push({
      status: 403,
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      headers: { 'retry-after': '1' },
    });
    const { publisher, warnings } = publisherFor(github);
    publisher.update(`${MARKER}\n1`);
    await vi.waitFor(() => expect(writes(github as MiniGitHub)).toHaveLength(1));
    publisher.update(`${MARKER}\n2`);
    const result = await publisher.flush(`${MARKER}\nfinal`, { timeoutMs: 5_000 });
    const [refused, next, ...rest] = writes(github);
    expect(rest).toEqual([]);
    expect((next ?? 0) - (refused ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(github.comments.map((comment) => comment.body)).toEqual([`${MARKER}\nfinal`]);
    expect(result.id).toBe(github.comments[0]?.id);
    expect(warnings).toEqual([]);
  });

  it('a primary rate limit (429, x-ratelimit-remaining 0) past the flush time: one warning, no wait, no write', async () => {
    github = await startMiniGitHub();
    github.comments.push({
      id: 1,
      body: `${MARKER}\nold`,
      html_url: 'https://github.test/o/r/pull/1#issuecomment-1',
      user: { login: 'github-actions[bot]', type: 'Bot' },
    });
    github.refuseNext.push({
      status: 429,
      message: 'API rate limit exceeded for installation ID 1.',
      headers: {
        'x-ratelimit-limit': '1000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 600),
      },
    });
    const { publisher, warnings } = publisherFor(github, 5_000, 10_000);
    publisher.update(`${MARKER}\n1`);
    await vi.waitFor(() => expect(writes(github as MiniGitHub)).toHaveLength(1));
    const started = Date.now();
    await publisher.flush(`${MARKER}\nfinal`);
    // Gives up at once rather than sitting out the 10 s it was allowed.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(writes(github)).toHaveLength(1);
    expect(github.comments[0]?.body).toBe(`${MARKER}\nold`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/out of date: GitHub rate-limited .*primary rate limit: retry after 60\d s/);
    expect(warnings[0]).not.toContain('pull-requests: write');
  });
});
