import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCommentPublisher, nextPageUrl } from '../../src/github/comment-publisher.ts';
import { commentMarker } from '../../src/report/render.ts';
import { FakeGitHub, recordingLog } from './fake-github.ts';

const MARKER = commentMarker('CI', 'neo.yml');
const body = (text: string) => `${MARKER}\n${text}`;

function setup(
  options: {
    minIntervalMs?: number;
    botLogin?: string;
    requestTimeoutMs?: number;
    flushTimeoutMs?: number;
  } = {},
) {
  const github = new FakeGitHub();
  const recorded = recordingLog();
  const publisher = createCommentPublisher({
    octokit: github.octokit,
    owner: 'o',
    repo: 'r',
    issueNumber: 1,
    marker: MARKER,
    minIntervalMs: options.minIntervalMs ?? 10_000,
    botLogin: options.botLogin,
    requestTimeoutMs: options.requestTimeoutMs,
    flushTimeoutMs: options.flushTimeoutMs,
    log: recorded.log,
    watchRateLimits: github.watchRateLimits,
  });
  return { github, publisher, ...recorded };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createCommentPublisher throttling', () => {
  it('writes the first update at once, later ones at most every minIntervalMs, and always the final flush', async () => {
    vi.useFakeTimers();
    const { github, publisher } = setup({ minIntervalMs: 10_000 });

    publisher.update(body('1'));
    await vi.advanceTimersByTimeAsync(0);
    expect(github.calls).toEqual(['list', 'create']);

    await vi.advanceTimersByTimeAsync(1_000);
    publisher.update(body('2'));
    await vi.advanceTimersByTimeAsync(1_000);
    publisher.update(body('3'));
    await vi.advanceTimersByTimeAsync(7_999); // 9,999 ms after the first write
    expect(github.calls).toEqual(['list', 'create']);

    await vi.advanceTimersByTimeAsync(1);
    expect(github.calls).toEqual(['list', 'create', 'update']);
    expect(github.writes.at(-1)).toBe(body('3')); // the newest body wins; '2' is never sent

    publisher.update(body('4'));
    await vi.advanceTimersByTimeAsync(100);
    const result = await publisher.flush(body('final'));
    expect(github.calls).toEqual(['list', 'create', 'update', 'update']);
    expect(github.writes).toEqual([body('1'), body('3'), body('final')]);
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.body).toBe(body('final'));
    expect(result).toEqual({ id: github.comments[0]?.id, url: github.comments[0]?.html_url });

    // Nothing is left scheduled after the flush.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(github.calls).toHaveLength(4);
  });

  it('creates the comment once and edits it afterwards', async () => {
    const { github, publisher } = setup({ minIntervalMs: 0 });
    for (const text of ['a', 'b', 'c']) {
      publisher.update(body(text));
      await vi.waitFor(() => expect(github.writes.at(-1)).toBe(body(text)));
    }
    await publisher.flush(body('d'));
    expect(github.calls.filter((call) => call === 'create')).toHaveLength(1);
    expect(github.calls.filter((call) => call === 'list')).toHaveLength(1);
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.body).toBe(body('d'));
  });

  it('skips writes that would not change the body', async () => {
    const { github, publisher } = setup({ minIntervalMs: 0 });
    publisher.update(body('same'));
    await vi.waitFor(() => expect(github.calls).toEqual(['list', 'create']));
    publisher.update(body('same'));
    await publisher.flush(body('same'));
    expect(github.calls).toEqual(['list', 'create']);
  });

  it('ignores update() after flush()', async () => {
    const { github, publisher } = setup({ minIntervalMs: 0 });
    await publisher.flush(body('final'));
    publisher.update(body('late'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(github.writes).toEqual([body('final')]);
  });
});

describe('createCommentPublisher finding its comment', () => {
  it("edits this action's comment from an earlier run instead of creating one", async () => {
    const { github, publisher } = setup();
    github.addComment('unrelated', { login: 'octocat', type: 'User' });
    const earlier = github.addComment(body('old'), { login: 'github-actions[bot]', type: 'Bot' });
    const result = await publisher.flush(body('new'));
    expect(github.calls).toEqual(['list', 'update']);
    expect(earlier.body).toBe(body('new'));
    expect(result.id).toBe(earlier.id);
    expect(result.url).toBe(earlier.html_url);
  });

  it('does not edit a comment from an earlier run whose body is already current', async () => {
    const { github, publisher } = setup();
    github.addComment(body('same'), { login: 'github-actions[bot]', type: 'Bot' });
    await publisher.flush(body('same'));
    expect(github.calls).toEqual(['list']);
  });

  it("ignores a person's comment that contains the marker", async () => {
    const { github, publisher } = setup();
    const quoted = github.addComment(`> ${body('quoted by a person')}`, { login: 'octocat', type: 'User' });
    await publisher.flush(body('ours'));
    expect(github.calls).toEqual(['list', 'create']);
    expect(quoted.body).toBe(`> ${body('quoted by a person')}`);
    expect(github.comments).toHaveLength(2);
  });

  it("with a personal access token, edits that user's own earlier comment and no one else's", async () => {
    const { github, publisher } = setup();
    github.tokenUser = { login: 'release-bot-user', type: 'User' };
    github.author = { login: 'release-bot-user', type: 'User' };
    const someoneElse = github.addComment(body('quoted'), { login: 'octocat', type: 'User' });
    const earlier = github.addComment(body('earlier run'), { login: 'release-bot-user', type: 'User' });
    await publisher.flush(body('new'));
    expect(github.calls).toEqual(['list', 'update']);
    expect(earlier.body).toBe(body('new'));
    expect(someoneElse.body).toBe(body('quoted'));
  });

  it('ignores comments of other bots when a bot login is configured', async () => {
    const { github, publisher } = setup({ botLogin: 'github-actions' });
    const other = github.addComment(body('other bot'), { login: 'renovate[bot]', type: 'Bot' });
    const ours = github.addComment(body('ours'), { login: 'github-actions[bot]', type: 'Bot' });
    await publisher.flush(body('new'));
    expect(github.calls).toEqual(['list', 'update']);
    expect(other.body).toBe(body('other bot'));
    expect(ours.body).toBe(body('new'));
  });

  it("ignores comments for another config's marker", async () => {
    const { github, publisher } = setup();
    github.addComment(`${commentMarker('CI', 'other/neo.yml')}\nx`, {
      login: 'github-actions[bot]',
      type: 'Bot',
    });
    await publisher.flush(body('new'));
    expect(github.calls).toEqual(['list', 'create']);
  });

  it('pages through all comments of the PR', async () => {
    const { github, publisher } = setup();
    for (let i = 0; i < 250; i++) github.addComment(`comment ${i}`, { login: 'octocat', type: 'User' });
    const ours = github.addComment(body('old'), { login: 'github-actions[bot]', type: 'Bot' });
    await publisher.flush(body('new'));
    expect(github.calls).toEqual(['list', 'list', 'list', 'update']);
    expect(ours.body).toBe(body('new'));
  });

  it('lists again right before a create, so a comment whose create answer was lost is edited, not duplicated', async () => {
    const { github, publisher, warnings } = setup({ minIntervalMs: 0 });
    github.failNext({ operation: 'create', status: 502, message: 'Bad Gateway', applyAnyway: true });
    publisher.update(body('1'));
    await vi.waitFor(() => expect(warnings).toHaveLength(1));
    expect(warnings[0]).toMatch(/Could not update the PR comment.*Bad Gateway/);
    expect(github.comments).toHaveLength(1);

    await publisher.flush(body('2'));
    expect(github.calls).toEqual(['list', 'create', 'list', 'update']);
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.body).toBe(body('2'));
  });

  it('adopts a comment another run created since the last look instead of creating a second one', async () => {
    const { github, publisher } = setup({ minIntervalMs: 0 });
    github.failNext({ operation: 'list', status: 500, message: 'Internal Server Error' });
    publisher.update(body('1'));
    await vi.waitFor(() => expect(github.calls).toEqual(['list']));
    // Meanwhile an overlapping run of the same workflow wrote the comment.
    const other = github.addComment(body('from the other run'), {
      login: 'github-actions[bot]',
      type: 'Bot',
    });
    await publisher.flush(body('2'));
    expect(github.calls).toEqual(['list', 'list', 'update']);
    expect(github.comments).toEqual([other]);
    expect(other.body).toBe(body('2'));
  });

  it('creates a new comment when its comment was deleted', async () => {
    const { github, publisher } = setup({ minIntervalMs: 0 });
    publisher.update(body('1'));
    await vi.waitFor(() => expect(github.comments).toHaveLength(1));
    github.comments.length = 0;
    const result = await publisher.flush(body('2'));
    expect(github.calls).toEqual(['list', 'create', 'update', 'list', 'create']);
    expect(github.comments).toHaveLength(1);
    expect(result.id).toBe(github.comments[0]?.id);
  });
});

describe('createCommentPublisher failures', () => {
  it('turns a 403 into one warning about the missing permission and stops trying', async () => {
    const { github, publisher, warnings } = setup({ minIntervalMs: 0 });
    github.failNext({ operation: 'create', status: 403, message: 'Resource not accessible by integration' });
    publisher.update(body('1'));
    await vi.waitFor(() => expect(warnings).toHaveLength(1));
    expect(warnings[0]).toContain('pull-requests: write');
    expect(warnings[0]).toContain('fork');

    publisher.update(body('2'));
    const result = await publisher.flush(body('3'));
    expect(github.calls).toEqual(['list', 'create']);
    expect(warnings).toHaveLength(1);
    expect(result).toEqual({ id: undefined, url: undefined });
  });

  it('stops trying after a 403 on an edit', async () => {
    const { github, publisher, warnings } = setup({ minIntervalMs: 0 });
    github.addComment(body('old'), { login: 'github-actions[bot]', type: 'Bot' });
    github.failNext({ operation: 'update', status: 403, message: 'Resource not accessible by integration' });
    publisher.update(body('1'));
    await vi.waitFor(() => expect(warnings).toHaveLength(1));
    await publisher.flush(body('2'));
    expect(github.calls).toEqual(['list', 'update']);
    expect(warnings).toHaveLength(1);
  });

  it('warns once per streak of server errors and keeps going', async () => {
    const { github, publisher, warnings, debugs } = setup({ minIntervalMs: 0 });
    publisher.update(body('1'));
    await vi.waitFor(() => expect(github.comments).toHaveLength(1));
    github.failNext({ operation: 'update', status: 500, message: 'boom 1' });
    github.failNext({ operation: 'update', status: 503, message: 'boom 2' });
    publisher.update(body('2'));
    await vi.waitFor(() => expect(github.calls).toHaveLength(3));
    publisher.update(body('3'));
    await vi.waitFor(() => expect(github.calls).toHaveLength(4));
    await vi.waitFor(() => expect(debugs.some((m) => m.includes('boom 2'))).toBe(true));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('boom 1');

    await publisher.flush(body('4'));
    expect(github.comments[0]?.body).toBe(body('4'));
  });

  it('never holds the caller longer than the request timeout when GitHub does not answer', async () => {
    const { github, publisher, warnings } = setup({ minIntervalMs: 0, requestTimeoutMs: 100 });
    github.latencyMs = Number.POSITIVE_INFINITY;
    publisher.update(body('1'));
    const started = Date.now();
    const result = await publisher.flush(body('2'));
    // The in-flight first write (a possible create) and the final write each get one deadline.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result).toEqual({ id: undefined, url: undefined });
    expect(warnings.at(-1)).toMatch(/final state.*no answer within 0\.1 s/);
  });

  it('waits for a create in flight before the final write, so there is only one comment', async () => {
    const { github, publisher } = setup({ minIntervalMs: 0 });
    github.latencyMs = 30;
    publisher.update(body('1'));
    await publisher.flush(body('2'));
    expect(github.calls).toEqual(['list', 'create', 'update']);
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.body).toBe(body('2'));
  });

  it('abandons an edit in flight when the final write comes', async () => {
    const { github, publisher, warnings } = setup({ minIntervalMs: 0 });
    publisher.update(body('1'));
    await vi.waitFor(() => expect(github.comments).toHaveLength(1));
    github.latencyMs = 5_000;
    publisher.update(body('2'));
    await vi.waitFor(() => expect(github.calls).toHaveLength(3));
    github.latencyMs = 0;
    const started = Date.now();
    await publisher.flush(body('3'));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(github.comments[0]?.body).toBe(body('3'));
    expect(warnings).toEqual([]);
  });
});

describe('createCommentPublisher under GitHub rate limits', () => {
  const ours = { login: 'github-actions[bot]', type: 'Bot' } as const;

  it('pauses every request for retry-after, then writes only the newest body', async () => {
    vi.useFakeTimers();
    const { github, publisher, warnings } = setup({ minIntervalMs: 0 });
    github.rateLimitNext('create', 60);
    publisher.update(body('1'));
    await vi.advanceTimersByTimeAsync(0);
    expect(github.calls).toEqual(['list', 'create']);

    for (const text of ['2', '3', '4']) {
      await vi.advanceTimersByTimeAsync(10_000);
      publisher.update(body(text));
    }
    await vi.advanceTimersByTimeAsync(29_999); // 59,999 ms after the refused create
    expect(github.calls).toEqual(['list', 'create']);

    await vi.advanceTimersByTimeAsync(1);
    expect(github.calls).toEqual(['list', 'create', 'list', 'create']);
    expect(github.writes).toEqual([body('1'), body('4')]);
    expect(github.comments.map((comment) => comment.body)).toEqual([body('4')]);
    // A pause is not a failure the user has to act on.
    expect(warnings).toEqual([]);
  });

  it('writes a refused body when the pause ends, though nothing newer came', async () => {
    vi.useFakeTimers();
    const { github, publisher } = setup({ minIntervalMs: 0 });
    github.addComment(body('old'), ours);
    github.rateLimitNext('update', 5);
    publisher.update(body('1'));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(github.calls).toEqual(['list', 'update']);
    await vi.advanceTimersByTimeAsync(1);
    expect(github.calls).toEqual(['list', 'update', 'update']);
    expect(github.comments[0]?.body).toBe(body('1'));
  });

  it('holds the next update for the longer of the pause and the update interval', async () => {
    vi.useFakeTimers();
    const { github, publisher } = setup({ minIntervalMs: 10_000 });
    github.addComment(body('old'), ours);
    publisher.update(body('1'));
    await vi.advanceTimersByTimeAsync(0);
    github.rateLimitNext('update', 2);
    await vi.advanceTimersByTimeAsync(10_000);
    publisher.update(body('2'));
    await vi.advanceTimersByTimeAsync(0);
    expect(github.calls).toEqual(['list', 'update', 'update']);
    // Paused for 2 s, but the interval since that refused write is 10 s.
    await vi.advanceTimersByTimeAsync(9_999);
    expect(github.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(github.calls).toHaveLength(4);
    expect(github.comments[0]?.body).toBe(body('2'));
  });

  it('the final flush waits out a pause that ends in time and writes the final body', async () => {
    vi.useFakeTimers();
    const { github, publisher, warnings } = setup({ minIntervalMs: 0 });
    github.rateLimitNext('create', 5);
    publisher.update(body('1'));
    await vi.advanceTimersByTimeAsync(1_000);
    let result: { id?: number } | undefined;
    void publisher.flush(body('final'), { timeoutMs: 10_000 }).then((r) => {
      result = r;
    });
    await vi.advanceTimersByTimeAsync(3_999);
    expect(github.calls).toEqual(['list', 'create']);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(github.calls).toEqual(['list', 'create', 'list', 'create']);
    expect((github.callTimes[2] ?? 0) - (github.callTimes[1] ?? 0)).toBe(5_000);
    expect(result?.id).toBe(github.comments[0]?.id);
    expect(github.comments.map((comment) => comment.body)).toEqual([body('final')]);
    expect(warnings).toEqual([]);
  });

  it('the final flush gives up at once with one warning when the pause outlasts its time', async () => {
    vi.useFakeTimers();
    const { github, publisher, warnings } = setup({ minIntervalMs: 0, flushTimeoutMs: 30_000 });
    github.addComment(body('old'), ours);
    github.rateLimitNext('update', 120);
    publisher.update(body('1'));
    await vi.advanceTimersByTimeAsync(0);
    publisher.update(body('2'));
    const started = Date.now();
    const result = await publisher.flush(body('final'));
    expect(Date.now() - started).toBe(0);
    expect(result).toEqual({ id: github.comments[0]?.id, url: github.comments[0]?.html_url });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/out of date: GitHub rate-limited .*secondary rate limit: retry after 120 s/);
    expect(warnings[0]).toContain('at most 30 s');
    expect(warnings[0]).not.toContain('pull-requests: write');
    // Nothing is written later either: the step is over.
    await vi.advanceTimersByTimeAsync(300_000);
    expect(github.calls).toEqual(['list', 'update']);
    expect(github.comments[0]?.body).toBe(body('old'));
  });

  it('a final write refused by a rate limit is sent again after the pause, if time allows', async () => {
    vi.useFakeTimers();
    const { github, publisher, warnings } = setup({ minIntervalMs: 0 });
    github.addComment(body('old'), ours);
    github.rateLimitNext('update', 2);
    const flushing = publisher.flush(body('final'), { timeoutMs: 10_000 });
    await vi.advanceTimersByTimeAsync(2_000);
    await flushing;
    expect(github.calls).toEqual(['list', 'update', 'update']);
    expect((github.callTimes[2] ?? 0) - (github.callTimes[1] ?? 0)).toBe(2_000);
    expect(github.comments[0]?.body).toBe(body('final'));
    expect(warnings).toEqual([]);
  });

  it('gives up after a few refused final writes, with one warning', async () => {
    vi.useFakeTimers();
    const { github, publisher, warnings } = setup({ minIntervalMs: 0 });
    github.addComment(body('old'), ours);
    github.rateLimitNext('update', 1, 5);
    const flushing = publisher.flush(body('final'), { timeoutMs: 60_000 });
    await vi.advanceTimersByTimeAsync(10_000);
    await flushing;
    expect(github.calls).toEqual(['list', 'update', 'update', 'update']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/out of date: GitHub rate-limited/);
  });

  it('a 403 that says "rate limit" without a notice is a one-minute pause, not a missing permission', async () => {
    vi.useFakeTimers();
    const { github, publisher, warnings } = setup({ minIntervalMs: 0 });
    github.failNext({
      operation: 'create',
      status: 403,
      message: 'API rate limit exceeded for installation ID 1.',
      headers: { 'x-ratelimit-remaining': '0' },
    });
    publisher.update(body('1'));
    await vi.advanceTimersByTimeAsync(59_999);
    expect(github.calls).toEqual(['list', 'create']);
    await vi.advanceTimersByTimeAsync(1);
    expect(github.calls).toEqual(['list', 'create', 'list', 'create']);
    await publisher.flush(body('2'));
    expect(github.comments.map((comment) => comment.body)).toEqual([body('2')]);
    expect(warnings).toEqual([]);
  });

  it('asks GET /user again after a rate limit instead of taking the refusal as the answer', async () => {
    vi.useFakeTimers();
    const { github, publisher } = setup({ minIntervalMs: 0 });
    github.tokenUser = { login: 'release-bot-user', type: 'User' };
    github.author = { login: 'release-bot-user', type: 'User' };
    const earlier = github.addComment(body('earlier run'), { login: 'release-bot-user', type: 'User' });
    github.failNextUser = true;
    publisher.update(body('1'));
    await vi.advanceTimersByTimeAsync(60_000);
    await publisher.flush(body('2'));
    // Had the login been forgotten, the person-typed earlier comment would not count as ours.
    expect(github.comments).toEqual([earlier]);
    expect(earlier.body).toBe(body('2'));
  });
});

describe('createCommentPublisher marker check', () => {
  it('warns once when a body lacks the marker it is found by', async () => {
    const { publisher, warnings } = setup({ minIntervalMs: 0 });
    publisher.update('no marker');
    await publisher.flush(`${commentMarker('CI', 'other.yml')}\nwrong marker`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('lacks its marker');
  });
});

describe('nextPageUrl', () => {
  const current = 'https://api.github.com/repos/o/r/issues/1/comments?per_page=100';
  it('follows rel="next" on the same origin only', () => {
    const next = 'https://api.github.com/repositories/1/issues/1/comments?per_page=100&page=2';
    expect(nextPageUrl(`<${next}>; rel="next", <${next}9>; rel="last"`, current)).toBe(next);
    expect(nextPageUrl('<https://evil.example/x?page=2>; rel="next"', current)).toBeUndefined();
    expect(nextPageUrl('<https://api.github.com/x?page=1>; rel="prev"', current)).toBeUndefined();
    expect(nextPageUrl(undefined, current)).toBeUndefined();
  });
});
