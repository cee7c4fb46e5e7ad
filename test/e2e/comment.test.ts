// End-to-end: the PR comment and the job summary, with dist/ against the GitHub API emulator.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { pullRequestEvent } from '../../emulator/run-action.ts';
import { prepareRun, REPOSITORY, startTestEmulator, targetsYaml } from './helpers.ts';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const githubCalls = (emu: Emulator, method: string) =>
  emu.calls.filter((call) => call.service === 'github' && call.operation.startsWith(`${method} `));

/** Rows of the first markdown table in `body` that has `header` in its header row. */
function tableRows(body: string): string[] {
  return body.split('\n').filter((line) => line.startsWith('|'));
}

describe('the pull-request comment', () => {
  it('is created once, then only updated, across two runs', async () => {
    emulator = await startTestEmulator();
    const prepared = prepareRun(emulator, targetsYaml(3));
    const first = await prepared.run();
    expect(first.code).toBe(0);
    expect(githubCalls(emulator, 'POST')).toHaveLength(1);
    const second = await prepared.run();
    expect(second.code).toBe(0);
    expect(githubCalls(emulator, 'POST')).toHaveLength(1);
    expect(githubCalls(emulator, 'PATCH').length).toBeGreaterThanOrEqual(1);
    const ours = emulator.github.comments.filter((comment) => comment.repo === REPOSITORY);
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).toContain('t0');
    expect(second.outputs['comment-id']).toBe(String(ours[0]?.id));
    expect(second.outputs['comment-url']).toBe(ours[0]?.html_url);
    // Every GitHub call carried the token.
    for (const call of emulator.calls.filter((c) => c.service === 'github'))
      expect(call.detail).toMatch(/ghs_test/);
  });

  it('leaves a person’s comment that contains the marker alone', async () => {
    emulator = await startTestEmulator();
    const prepared = prepareRun(emulator, targetsYaml(1));
    await prepared.run();
    const ours = emulator.github.comments[0];
    const marker = /<!--[^>]*-->/.exec(ours?.body ?? '')?.[0] ?? '';
    expect(marker).not.toBe('');
    emulator.github.reset();
    const person = emulator.github.addComment(REPOSITORY, 7, `quoting the bot: ${marker}`, {
      login: 'octocat',
      type: 'User',
    });
    emulator.calls.length = 0;
    const result = await prepared.run();
    expect(result.code).toBe(0);
    expect(emulator.github.comments.find((c) => c.id === person.id)?.body).toBe(`quoting the bot: ${marker}`);
    expect(
      githubCalls(emulator, 'PATCH').filter((call) => call.operation.endsWith(`/${person.id}`)),
    ).toHaveLength(0);
    expect(githubCalls(emulator, 'POST')).toHaveLength(1);
    expect(emulator.github.comments).toHaveLength(2);
  });

  it('turns a 403 from a read-only token into a warning and finishes the run', async () => {
    emulator = await startTestEmulator({ github: { forbidWrites: true } });
    const result = await prepareRun(emulator, targetsYaml(2)).run();
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('succeeded');
    expect(result.stdout).toMatch(/::warning::.*pull-requests: write/);
    expect(githubCalls(emulator, 'POST')).toHaveLength(1);
    expect(result.outputs['comment-id']).toBeUndefined();
  });

  it('keeps hostile failure reasons and target names inert and the table intact', async () => {
    const hostile = 'boom | `x` <img src=x onerror=alert(1)> @octocat ```\nsecond line';
    emulator = await startTestEmulator({ sagemaker: { failureFor: () => hostile } });
    const result = await prepareRun(emulator, targetsYaml(2)).run();
    expect(result.code).toBe(1);
    const body = emulator.github.comments[0]?.body ?? '';
    expect(body).not.toContain('<img');
    expect(body).not.toMatch(/(^|[^\u200d])@octocat/);
    const rows = tableRows(body);
    const pipes = (row: string) => row.replace(/\\\|/g, '').split('|').length;
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const row of rows.slice(0, 4)) expect(pipes(row)).toBe(pipes(rows[0] as string));
    expect(result.summary).not.toContain('<img');
  });

  it('stays under GitHub’s size limit for 300 targets', async () => {
    emulator = await startTestEmulator({
      sagemaker: {
        quota: 300,
        failureFor: (name) => `ClientError: ${'very long failure reason '.repeat(40)} ${name}`,
      },
    });
    const result = await prepareRun(emulator, targetsYaml(300)).run({ inputs: { 'max-concurrency': '300' } });
    expect(result.code).toBe(1);
    const comments = emulator.github.comments;
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body.length).toBeLessThanOrEqual(65_536);
    expect(githubCalls(emulator, 'POST').every((call) => call.status === 201)).toBe(true);
    expect(githubCalls(emulator, 'PATCH').every((call) => call.status === 200)).toBe(true);
    expect(JSON.parse(result.outputs.jobs ?? '[]')).toHaveLength(300);
  });

  it('posts nothing for a push event, and the summary still has the table', async () => {
    emulator = await startTestEmulator();
    const result = await prepareRun(emulator, targetsYaml(2), {
      ref: 'refs/heads/main',
      after: 'a'.repeat(40),
    }).run({
      env: { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main', GITHUB_REF_NAME: 'main' },
    });
    expect(result.code).toBe(0);
    expect(emulator.calls.filter((call) => call.service === 'github')).toHaveLength(0);
    expect(result.summary).toContain('t0');
    expect(result.summary).toContain('gantt');
  });

  it('posts nothing with comment: false', async () => {
    emulator = await startTestEmulator();
    await prepareRun(emulator, targetsYaml(1)).run({ inputs: { comment: 'false' } });
    expect(emulator.calls.filter((call) => call.service === 'github')).toHaveLength(0);
  });

  it('shows validation errors with their lines in the comment', async () => {
    emulator = await startTestEmulator();
    const config = targetsYaml(1).replace('device: jetson_nano', 'device: jetson_nan0');
    const result = await prepareRun(emulator, config, pullRequestEvent(REPOSITORY, 7)).run();
    expect(result.code).toBe(1);
    const body = emulator.github.comments[0]?.body ?? '';
    expect(body).toContain('jetson_nan0');
    expect(body).toMatch(/neo\.yml:13:\d+/);
  });
});
