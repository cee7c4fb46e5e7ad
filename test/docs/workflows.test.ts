// The repository's own workflows: the self-test runs the action as users do and its output check really
// tells a good dry run from a bad one; the release workflow moves the major tag only when it should.
// The dry run uses dist/ (`npm run build` first, as for the end-to-end tests).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createWorkspace, runAction } from '../../emulator/run-action.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKFLOWS = path.join(ROOT, '.github/workflows');

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<
    string,
    { steps?: Step[]; uses?: string; needs?: string[]; if?: string; permissions?: Record<string, string> }
  >;
}

const workflow = (name: string) => parse(readFileSync(path.join(WORKFLOWS, name), 'utf8')) as Workflow;
const actionInputs = Object.keys(
  (parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> }).inputs,
);

describe('every workflow', () => {
  const files = readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file));

  it.each(files)(
    '%s uses only local, actions/* or SHA-pinned actions and a read-only default token',
    (file) => {
      const parsed = workflow(file);
      expect(parsed.permissions, 'top-level permissions').toBeDefined();
      expect(Object.values(parsed.permissions ?? {}).filter((level) => level === 'write')).toEqual([]);
      for (const job of Object.values(parsed.jobs)) {
        const uses = [job.uses, ...(job.steps ?? []).map((step) => step.uses)].filter(
          (value): value is string => value !== undefined,
        );
        for (const use of uses) {
          expect(use, file).toMatch(/^(\.\/.*|actions\/[\w.-]+@v\d+|[\w.-]+\/[\w./-]+@[0-9a-f]{40})$/);
        }
      }
    },
  );
});

describe('self-test', () => {
  const selfTest = workflow('self-test.yml');
  const steps = selfTest.jobs['dry-run']?.steps ?? [];
  const action = steps.find((step) => step.uses === './');
  const check = steps.find((step) => step.name === 'Check the outputs');

  it('runs the action from the checkout in dry-run on examples/neo.yml, without credentials', () => {
    expect(action?.with).toMatchObject({ config: 'examples/neo.yml', 'dry-run': true });
    for (const key of Object.keys(action?.with ?? {})) expect(actionInputs, key).toContain(key);
    expect(readFileSync(path.join(WORKFLOWS, 'self-test.yml'), 'utf8')).not.toMatch(/secrets\.|aws-actions/);
    expect(Object.keys(selfTest.on)).toEqual(
      expect.arrayContaining(['pull_request', 'push', 'workflow_call']),
    );
  });

  it('its output check passes on the real dry-run outputs and fails on wrong ones', async () => {
    const workspace = createWorkspace({
      'examples/neo.yml': readFileSync(path.join(ROOT, 'examples/neo.yml'), 'utf8'),
    });
    const inputs = Object.fromEntries(Object.entries(action?.with ?? {}).map(([k, v]) => [k, String(v)]));
    const run = await runAction(workspace, { inputs });
    expect(run.code, run.stdout).toBe(0);
    // The post step runs too (post-if: always()); after a dry run it has nothing to stop.
    expect((await runAction(workspace, { post: true })).code).toBe(0);
    const outputs = { STATUS: run.outputs.status, JOBS: run.outputs.jobs, ARTIFACTS: run.outputs.artifacts };
    const checkWith = (env: Record<string, string | undefined>) =>
      spawnSync('bash', ['-c', check?.run ?? 'exit 9'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ...env },
      });
    const good = checkWith(outputs);
    expect(good.status, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toContain('The dry run planned 5 job(s).');
    expect(checkWith({ ...outputs, STATUS: 'failed' }).stdout).toContain("::error::status is 'failed'");
    expect(checkWith({ ...outputs, JOBS: '[]' }).status).toBe(1);
    expect(checkWith({ ...outputs, JOBS: '' }).status).not.toBe(0);
    expect(checkWith({ ...outputs, ARTIFACTS: '{"a":"s3://x/y"}' }).status).toBe(1);
  });
});

describe('release', () => {
  const release = workflow('release.yml');

  it('on a published release, moves the major tag after CI and the self-test pass', () => {
    expect(release.on).toEqual({ release: { types: ['published'] } });
    const move = release.jobs['move-major-tag'];
    expect(move?.needs).toEqual(['ci', 'self-test']);
    expect(move?.permissions).toEqual({ contents: 'write' });
    expect(release.jobs['self-test']?.uses).toBe('./.github/workflows/self-test.yml');
    expect(move?.steps?.at(-1)?.run).toBe('bash .github/scripts/move-major-tag.sh "$TAG"');
  });

  /** A remote with a clone, as the release job sees them: the clone's origin takes the push. */
  function repositories() {
    const dir = mkdtempSync(path.join(tmpdir(), 'neo-release-'));
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', args, {
        cwd,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@example.com',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@example.com',
        },
      }).trim();
    const origin = path.join(dir, 'origin.git');
    const clone = path.join(dir, 'clone');
    git(dir, 'init', '--quiet', '--bare', origin);
    git(dir, 'clone', '--quiet', origin, clone);
    let count = 0;
    /** A new commit tagged `tag` in the remote (as a published release creates it); returns the commit. */
    const publish = (tag: string) => {
      writeFileSync(path.join(clone, 'file'), String(++count));
      git(clone, 'add', 'file');
      git(clone, 'commit', '--quiet', '-m', tag);
      git(clone, 'tag', tag);
      git(clone, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main', `refs/tags/${tag}`);
      return git(clone, 'rev-parse', 'HEAD');
    };
    const release = (tag: string) => {
      const result = spawnSync('bash', [path.join(ROOT, '.github/scripts/move-major-tag.sh'), tag], {
        cwd: clone,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: dir },
      });
      expect(result.status, result.stderr).toBe(0);
      return result.stdout;
    };
    const remoteTag = (tag: string) => {
      const line = git(origin, 'ls-remote', origin, `refs/tags/${tag}`);
      return line === '' ? undefined : line.split('\t')[0];
    };
    return { publish, release, remoteTag };
  }

  it('points vN at the newest vN.x.y, never back at an older line, and ignores pre-releases', () => {
    const { publish, release, remoteTag } = repositories();
    const v120 = publish('v1.2.0');
    expect(release('v1.2.0')).toContain('v1 now points at v1.2.0');
    expect(remoteTag('v1')).toBe(v120);

    const v130 = publish('v1.3.0');
    release('v1.3.0');
    expect(remoteTag('v1')).toBe(v130);

    publish('v1.2.1'); // a fix for the older minor line, published later
    expect(release('v1.2.1')).toContain('v1.2.1 is not the newest v1 release (v1.3.0 is)');
    expect(remoteTag('v1')).toBe(v130);

    publish('v2.0.0-rc.1');
    expect(release('v2.0.0-rc.1')).toContain('not vX.Y.Z');
    expect(remoteTag('v2')).toBeUndefined();

    const v200 = publish('v2.0.0');
    release('v2.0.0');
    expect(remoteTag('v2')).toBe(v200);
    expect(remoteTag('v1')).toBe(v130);
  });
});
