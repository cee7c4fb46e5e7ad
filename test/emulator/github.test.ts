import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getOctokit } from '@actions/github';
import { Octokit } from '@octokit/core';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGitHubEmulator, type GitHubEmulator } from '../../emulator/github.ts';
import type { RecordedCall } from '../../emulator/types.ts';

const owner = 'acme';
const repo = 'models';
const issue_number = 7;

describe('GitHub emulator with the real Octokit', () => {
  let server: Server;
  let baseUrl: string;
  let gh: GitHubEmulator;
  const calls: RecordedCall[] = [];
  let octokit: ReturnType<typeof getOctokit>;

  beforeAll(async () => {
    gh = createGitHubEmulator({ record: (c) => calls.push(c) });
    server = createServer((req, res) => gh.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    octokit = getOctokit('ghs_emulatedtoken', { baseUrl });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    gh.reset();
    calls.length = 0;
  });

  it('creates a comment authored by github-actions[bot] (201)', async () => {
    const res = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number,
      body: 'Neo: 2 jobs started',
    });
    expect(res.status).toBe(201);
    expect(res.data.body).toBe('Neo: 2 jobs started');
    expect(res.data.user).toMatchObject({ login: 'github-actions[bot]', id: 41898282, type: 'Bot' });
    expect(res.data.html_url).toBe(
      `https://github.com/${owner}/${repo}/pull/${issue_number}#issuecomment-${res.data.id}`,
    );
    expect(res.data.url).toBe(`${baseUrl}/repos/${owner}/${repo}/issues/comments/${res.data.id}`);
    expect(res.data.issue_url).toBe(`${baseUrl}/repos/${owner}/${repo}/issues/${issue_number}`);
    expect(res.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(res.data.author_association).toBe('NONE');
    expect(res.headers['x-github-request-id']).toBeTruthy();
    expect(res.headers['x-ratelimit-remaining']).toBe('4999');
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]).toMatchObject({
      repo: `${owner}/${repo}`,
      issue_number,
      body: 'Neo: 2 jobs started',
    });
  });

  it('lists with Link pagination; octokit.paginate collects all 75', async () => {
    for (let i = 0; i < 75; i++) gh.addComment(`${owner}/${repo}`, issue_number, `comment ${i}`);
    gh.addComment(`${owner}/${repo}`, issue_number + 1, 'another PR');

    const first = await octokit.rest.issues.listComments({ owner, repo, issue_number, per_page: 30 });
    expect(first.data).toHaveLength(30);
    expect(first.headers.link).toMatch(/page=2>; rel="next"/);
    expect(first.headers.link).toMatch(/page=3>; rel="last"/);

    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number,
      per_page: 30,
    });
    expect(all).toHaveLength(75);
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 75 }, (_, i) => `comment ${i}`));
    const ids = all.map((c) => c.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(calls.filter((c) => c.operation.endsWith('/comments') && c.status === 200).length).toBe(4);
    // As on github.com, the Link header points at /repositories/{id}/...: paginate followed it.
    expect(calls.filter((c) => c.operation.startsWith('GET /repositories/')).length).toBe(2);

    const defaults = await octokit.rest.issues.listComments({ owner, repo, issue_number });
    expect(defaults.data).toHaveLength(30);
    const capped = await octokit.rest.issues.listComments({ owner, repo, issue_number, per_page: 500 });
    expect(capped.data).toHaveLength(75);
    expect(capped.headers.link).toBeUndefined();
    const beyond = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number,
      per_page: 50,
      page: 9,
    });
    expect(beyond.data).toEqual([]);
  });

  it('updates its own comment and gets / deletes it', async () => {
    const created = await octokit.rest.issues.createComment({ owner, repo, issue_number, body: 'v1' });
    const updated = await octokit.rest.issues.updateComment({
      owner,
      repo,
      comment_id: created.data.id,
      body: 'v2',
    });
    expect(updated.status).toBe(200);
    expect(updated.data.body).toBe('v2');
    const got = await octokit.rest.issues.getComment({ owner, repo, comment_id: created.data.id });
    expect(got.data.body).toBe('v2');
    const deleted = await octokit.rest.issues.deleteComment({ owner, repo, comment_id: created.data.id });
    expect(deleted.status).toBe(204);
    await expect(
      octokit.rest.issues.getComment({ owner, repo, comment_id: created.data.id }),
    ).rejects.toMatchObject({
      status: 404,
      response: { data: { message: 'Not Found' } },
    });
  });

  it("answers 403 to updating a person's comment", async () => {
    const human = gh.addComment(`${owner}/${repo}`, issue_number, 'LGTM', { login: 'alice' });
    expect(human.user).toMatchObject({ login: 'alice', type: 'User' });
    await expect(
      octokit.rest.issues.updateComment({ owner, repo, comment_id: human.id, body: 'hijacked' }),
    ).rejects.toMatchObject({
      status: 403,
      response: { data: { message: 'Resource not accessible by integration', status: '403' } },
    });
    expect(gh.comments[0]?.body).toBe('LGTM');
  });

  it('answers 403 to writes when forbidWrites (fork PR token), reads still work', async () => {
    const mine = await octokit.rest.issues.createComment({ owner, repo, issue_number, body: 'before' });
    gh.options.forbidWrites = true;
    await expect(
      octokit.rest.issues.createComment({ owner, repo, issue_number, body: 'blocked' }),
    ).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining('Resource not accessible by integration'),
    });
    await expect(
      octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.data.id, body: 'blocked' }),
    ).rejects.toMatchObject({ status: 403 });
    const list = await octokit.rest.issues.listComments({ owner, repo, issue_number });
    expect(list.data.map((c) => c.body)).toEqual(['before']);
  });

  it('answers 403 to GET /user for an integration token', async () => {
    await expect(octokit.rest.users.getAuthenticated()).rejects.toMatchObject({
      status: 403,
      response: { data: { message: 'Resource not accessible by integration' } },
    });
  });

  it('answers 422 with a validation error for a body over 65536 characters', async () => {
    const err = await octokit.rest.issues
      .createComment({ owner, repo, issue_number, body: 'x'.repeat(65_537) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 422,
      response: {
        data: {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'IssueComment',
              code: 'custom',
              field: 'body',
              message: 'body is too long (maximum is 65536 characters)',
            },
          ],
        },
      },
    });
    const atLimit = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number,
      body: 'y'.repeat(65_536),
    });
    expect(atLimit.status).toBe(201);
  });

  it('answers 401 without a token and 404 for unknown routes', async () => {
    const anonymous = new Octokit({ baseUrl });
    await expect(
      anonymous.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner,
        repo,
        issue_number,
      }),
    ).rejects.toMatchObject({ status: 401, response: { data: { message: 'Requires authentication' } } });
    await expect(octokit.request('GET /repos/{owner}/{repo}/pulls', { owner, repo })).rejects.toMatchObject({
      status: 404,
      response: { data: { message: 'Not Found' } },
    });
  });

  it('injects seeded server errors and latency', async () => {
    gh.options.failRate = 1;
    await expect(octokit.rest.issues.listComments({ owner, repo, issue_number })).rejects.toMatchObject({
      status: expect.toSatisfy((s: number) => s === 500 || s === 502),
    });
    gh.options.failRate = 0;
    gh.options.latencyMs = 60;
    const t0 = Date.now();
    await octokit.rest.issues.listComments({ owner, repo, issue_number });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
  });

  it('records every call with operation, status, body and authorization', async () => {
    const created = await octokit.rest.issues.createComment({ owner, repo, issue_number, body: 'hello' });
    await octokit.rest.issues.updateComment({
      owner,
      repo,
      comment_id: created.data.id,
      body: 'hello again',
    });
    await octokit.rest.users.getAuthenticated().catch(() => undefined);
    expect(
      calls.map(({ service, operation, status, body, detail }) => ({
        service,
        operation,
        status,
        body,
        detail,
      })),
    ).toEqual([
      {
        service: 'github',
        operation: `POST /repos/${owner}/${repo}/issues/${issue_number}/comments`,
        status: 201,
        body: { body: 'hello' },
        detail: 'token ghs_emulatedtoken',
      },
      {
        service: 'github',
        operation: `PATCH /repos/${owner}/${repo}/issues/comments/${created.data.id}`,
        status: 200,
        body: { body: 'hello again' },
        detail: 'token ghs_emulatedtoken',
      },
      {
        service: 'github',
        operation: 'GET /user',
        status: 403,
        body: undefined,
        detail: 'token ghs_emulatedtoken',
      },
    ]);
  });

  describe('rate limits on writes (writeRateLimit)', () => {
    const create = (body = 'x') => octokit.rest.issues.createComment({ owner, repo, issue_number, body });

    it('secondary: refuses the next N writes with 403, retry-after and GitHub’s message; reads go on', async () => {
      gh.options.writeRateLimit = { kind: 'secondary', count: 2, retryAfterSeconds: 30 };
      for (let i = 0; i < 2; i++) {
        const refused = await create().catch((error: unknown) => error);
        expect(refused).toMatchObject({
          status: 403,
          response: {
            headers: { 'retry-after': '30' },
            data: {
              message: expect.stringMatching(
                /^You have exceeded a secondary rate limit\. Please wait a few minutes before you try again\. If you reach out to GitHub Support for help, please include the request ID [0-9A-F:]+\.$/,
              ),
              documentation_url: expect.stringContaining('#about-secondary-rate-limits'),
            },
          },
        });
        // Not the primary limit: the bucket still has requests left.
        expect(
          Number(
            (refused as { response: { headers: Record<string, string> } }).response.headers[
              'x-ratelimit-remaining'
            ],
          ),
        ).toBeGreaterThan(0);
      }
      expect((await octokit.rest.issues.listComments({ owner, repo, issue_number })).status).toBe(200);
      expect((await create('third')).status).toBe(201);
      expect(gh.comments.map((comment) => comment.body)).toEqual(['third']);
      expect(calls.map((call) => `${call.operation.split(' ')[0]} ${call.status}`)).toEqual([
        'POST 403',
        'POST 403',
        'GET 200',
        'POST 201',
      ]);
    });

    it('secondary: 429 without retry-after when asked; a new object re-arms the count', async () => {
      gh.options.writeRateLimit = { kind: 'secondary', count: 1, status: 429 };
      const refused = await create().catch((error: unknown) => error);
      expect(refused).toMatchObject({ status: 429 });
      expect(
        (refused as { response: { headers: Record<string, string> } }).response.headers['retry-after'],
      ).toBeUndefined();
      expect((await create()).status).toBe(201);
      gh.options.writeRateLimit = { kind: 'secondary', count: 1, status: 429 };
      await expect(create()).rejects.toMatchObject({ status: 429 });
    });

    it('secondary: a seeded fraction of writes', async () => {
      gh.options.writeRateLimit = { kind: 'secondary', rate: 0.5 };
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++)
        statuses.push(
          await create().then(
            (r) => r.status,
            (e: { status: number }) => e.status,
          ),
        );
      const refused = statuses.filter((status) => status === 403).length;
      expect(refused).toBeGreaterThan(3);
      expect(refused).toBeLessThan(17);
      gh.reset();
      gh.options.writeRateLimit = { kind: 'secondary', rate: 0.5 };
      const again: number[] = [];
      for (let i = 0; i < 20; i++)
        again.push(
          await create().then(
            (r) => r.status,
            (e: { status: number }) => e.status,
          ),
        );
      expect(again).toEqual(statuses);
    });

    it('primary: a write empties the bucket; every request gets 429 with remaining 0 until x-ratelimit-reset', async () => {
      const before = Math.floor(Date.now() / 1000);
      gh.options.writeRateLimit = { kind: 'primary', count: 1, status: 429, resetInSeconds: 1 };
      const refused = (await create().catch((error: unknown) => error)) as {
        status: number;
        message: string;
        response: { headers: Record<string, string> };
      };
      expect(refused.status).toBe(429);
      expect(refused.message).toMatch(
        /^API rate limit exceeded for installation ID \d+\. If you reach out to GitHub Support/,
      );
      expect(refused.response.headers).toMatchObject({
        'x-ratelimit-remaining': '0',
        'x-ratelimit-resource': 'core',
      });
      const reset = Number(refused.response.headers['x-ratelimit-reset']);
      expect(reset).toBeGreaterThanOrEqual(before + 1);
      expect(reset).toBeLessThanOrEqual(before + 3);
      await expect(octokit.rest.issues.listComments({ owner, repo, issue_number })).rejects.toMatchObject({
        status: 429,
        response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } },
      });
      expect(gh.comments).toHaveLength(0);
      await new Promise((resolve) => setTimeout(resolve, reset * 1000 - Date.now() + 50));
      const after = await create('after the reset');
      expect(after.status).toBe(201);
      expect(Number(after.headers['x-ratelimit-remaining'])).toBe(4999);
      expect(Number(after.headers['x-ratelimit-reset'])).toBeGreaterThan(reset + 3000);
    });

    it('is recognized by @octokit/plugin-throttling as GitHub’s own limits', async () => {
      const secondary = vi.fn(() => false);
      const primary = vi.fn(() => false);
      const throttled = getOctokit(
        'ghs_emulatedtoken',
        {
          baseUrl,
          throttle: {
            onSecondaryRateLimit: secondary,
            onRateLimit: primary,
            // Without the plugin's spacing of writes (1 s, 3 s for new comments): it only slows the test.
            write: new Bottleneck.Group(),
            notifications: new Bottleneck.Group(),
          },
        },
        throttling,
      );
      gh.options.writeRateLimit = { kind: 'secondary', count: 1, retryAfterSeconds: 7 };
      await expect(
        throttled.rest.issues.createComment({ owner, repo, issue_number, body: 'x' }),
      ).rejects.toMatchObject({ status: 403 });
      expect(secondary).toHaveBeenCalledWith(7, expect.anything(), expect.anything(), 0);
      gh.options.writeRateLimit = { kind: 'primary', count: 1, resetInSeconds: 120 };
      await expect(
        throttled.rest.issues.createComment({ owner, repo, issue_number, body: 'x' }),
      ).rejects.toMatchObject({ status: 403 });
      expect(primary).toHaveBeenCalledWith(
        expect.toSatisfy((s: number) => s >= 119 && s <= 122),
        expect.anything(),
        expect.anything(),
        0,
      );
      expect(secondary).toHaveBeenCalledTimes(1);
    });
  });
});
