// Issue 14 end to end on dist/: a push records size history; a PR compares its artifacts with its base commit,
// fails a growth budget naming the targets, and without history shows sizes with a quiet note.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { createWorkspace, pullRequestEvent, runAction } from '../../emulator/run-action.ts';
import { REPOSITORY, startTestEmulator } from './helpers.ts';

const COMMIT_A = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const COMMIT_B = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';

const config = (budget: string) => `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
job-prefix: resnet50
history: s3://neo-history/resnet50/
${budget}input:
  s3-uri: s3://models/resnet50/model.tar.gz
  framework: PYTORCH
  framework-version: "2.0"
  data-input-config: {input0: [1, 3, 224, 224]}
output:
  s3-location: s3://artifacts/\${sha}/\${target}/
targets:
  - name: jetson
    device: jetson_nano
  - name: pi
    device: rasp4b
`;

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function run(
  em: Emulator,
  neoYml: string,
  event: 'push' | 'pull_request',
  sha: string,
  base?: { sha: string; ref: string },
) {
  const payload =
    event === 'push'
      ? { ref: 'refs/heads/main', after: sha }
      : (() => {
          const pr = pullRequestEvent(REPOSITORY, 7) as { pull_request: Record<string, unknown> };
          pr.pull_request.base = base;
          return pr;
        })();
  const workspace = createWorkspace({ 'neo.yml': neoYml }, payload);
  return runAction(workspace, {
    inputs: { 'github-token': 'ghs_test', 'poll-interval': '0.05', 'comment-interval': '0' },
    env: {
      ...em.env,
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_EVENT_NAME: event,
      GITHUB_SHA: sha,
      GITHUB_REF_NAME: event === 'push' ? 'main' : '7/merge',
    },
  });
}

const manifestKeys = (em: Emulator) =>
  em.calls
    .filter((call) => call.service === 's3' && call.operation === 'PutObject')
    .map((call) => call.detail);

describe('artifact sizes against the base branch', () => {
  it('records history on push; a PR shows the growth, and max-growth: 10% fails it naming the targets', async () => {
    const em = await startTestEmulator({
      sagemaker: { artifactBytesFor: (device) => (device === 'jetson_nano' ? 20_000 : 8_000) },
    });
    emulator = em;
    em.s3.store.createBucket('neo-history');

    const push = await run(em, config(''), 'push', COMMIT_A);
    expect(push.code).toBe(0);
    expect(manifestKeys(em)).toEqual(
      expect.arrayContaining([`resnet50/commits/${COMMIT_A}.json`, 'resnet50/refs/main.json']),
    );
    const recorded = JSON.parse(
      em.s3.store.getObject('neo-history', `resnet50/commits/${COMMIT_A}.json`)?.body.toString() ?? '{}',
    );
    expect(recorded).toMatchObject({
      format: 'neo-compile-action/run-manifest',
      version: 1,
      commit: COMMIT_A,
    });
    const jetsonBefore = recorded.targets.find((t: { target: string }) => t.target === 'jetson')
      .size as number;
    expect(jetsonBefore).toBeGreaterThan(20_000);
    expect(JSON.parse(push.outputs.jobs ?? '[]')[0]['artifact-size']).toBe(jetsonBefore);

    // The PR doubles the Jetson build; the Pi build stays the same.
    em.sagemaker.options.artifactBytesFor = (device) => (device === 'jetson_nano' ? 40_000 : 8_000);
    const pr = await run(em, config('budget: {max-growth: 10%}\n'), 'pull_request', COMMIT_B, {
      sha: COMMIT_A,
      ref: 'main',
    });
    expect(pr.code).toBe(1);
    expect(pr.outputs.status).toBe('failed');
    expect(JSON.parse(pr.outputs['over-budget'] ?? 'null')).toEqual(['jetson']);
    expect(pr.outputs.baseline).toBe(COMMIT_A);
    // `%` is escaped as %25 on the wire; the runner shows it as `%`.
    expect(pr.stdout).toMatch(/::error::.*Over the size budget: jetson \(grew \d+%25 > max-growth 10%25\)/);
    const comment = em.github.comments[0]?.body ?? '';
    for (const text of [pr.summary, comment]) {
      expect(text).toMatch(/Sizes vs main @\u200d? a1a1a1a/);
      expect(text).toMatch(/⚠️ [\d.]+ kB → [\d.]+ kB<br>\+[\d.]+ kB \(\+\d+%\)<br>over budget: grew/);
      // The Pi build stays within a few bytes (its job name inside the artifact changed), within budget.
      expect(text).toMatch(/\| [\d.]+ kB → [\d.]+ kB<br>(±0 B|[+-][\d.]+ B \([+-]?[\d.]+%\)) \|/);
    }
    // Only a push records the branch's latest; every run records its commit.
    expect(manifestKeys(em).filter((key) => key === 'resnet50/refs/main.json')).toHaveLength(1);
    expect(manifestKeys(em)).toContain(`resnet50/commits/${COMMIT_B}.json`);
  });

  it('a PR without history shows sizes and a quiet note, and succeeds', async () => {
    const em = await startTestEmulator();
    emulator = em;
    em.s3.store.createBucket('neo-history');
    const pr = await run(em, config('budget: {max-growth: 10%}\n'), 'pull_request', COMMIT_B, {
      sha: COMMIT_A,
      ref: 'main',
    });
    expect(pr.code).toBe(0);
    expect(pr.outputs.status).toBe('succeeded');
    expect(pr.outputs['over-budget']).toBe('[]');
    expect(pr.outputs.baseline).toBe('');
    expect(pr.summary).toContain('<sub>Sizes: no size history for main yet');
    expect(pr.summary).toMatch(/\| Size \|/);
    expect(pr.stdout).not.toMatch(/::(error|warning)/);
  });
});
