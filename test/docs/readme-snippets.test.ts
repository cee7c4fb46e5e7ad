// Every YAML snippet in README.md is checked, so the docs cannot rot:
// - a neo.yml must validate and plan without errors (the planner finds artifact collisions), or fail when
//   marked `<!-- invalid -->` on the line before its fence. A snippet without `version:` is a fragment: its
//   top-level keys replace those of the README's first full neo.yml, as a reader would paste it there;
// - a workflow must parse, and the action's `with:` keys and `steps.<id>.outputs.<name>` must exist in
//   action.yml; a pre-commit config must name a hook of .pre-commit-hooks.yaml;
// - diagnostics shown as `file:line:col: error: … [title]` after an invalid snippet are the ones it gets;
// - JSON snippets parse, and inline code that writes a YAML flow map (`key: {…}`) parses.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders and workflow expressions.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { modelInputs, readNeoConfig } from '../../src/config/index.ts';
import { findArtifactCollisions, localModelKey, planJobs } from '../../src/plan/plan.ts';
import type { ConfigError, RunContext } from '../../src/types.ts';

const ROOT = new URL('../../', import.meta.url);
const read = (file: string) => readFileSync(fileURLToPath(new URL(file, ROOT)), 'utf8');
const README = read('README.md');

interface Snippet {
  language: string;
  text: string;
  /** 1-based line of the opening fence in README.md, for failure messages. */
  line: number;
  invalid: boolean;
}

function fencedBlocks(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const blocks: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i] ?? '');
    blocks.push({
      language: open[1] ?? '',
      text: `${body.join('\n')}\n`,
      line: start + 1,
      invalid: (lines[start - 1] ?? '').trim() === '<!-- invalid -->',
    });
  }
  return blocks;
}

const blocks = fencedBlocks(README);
const yamlBlocks = blocks.filter((block) => block.language === 'yaml' || block.language === 'yml');
type Kind = 'workflow' | 'pre-commit' | 'neo.yml';
const kindOf = (data: Record<string, unknown>): Kind =>
  'jobs' in data ? 'workflow' : 'repos' in data ? 'pre-commit' : 'neo.yml';
const label = (block: Snippet) => `README.md:${block.line}`;
/** The snippet's data, or {} when it is not valid YAML (the neo.yml check then reports why). */
function dataOf(block: Snippet): Record<string, unknown> {
  try {
    const data = parse(block.text) as unknown;
    return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
const isFullConfig = (block: Snippet) => /^version:/m.test(block.text);

const ctx: RunContext = {
  sha: '3f2c9d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e',
  refName: 'v1.2.0',
  runId: '1',
  runAttempt: '1',
  repository: 'acme/vision-models',
  region: 'us-west-2',
  env: {},
};

/** readNeoConfig, then the plan with every local model "uploaded", then the artifact-collision check. */
function problemsOf(text: string): ConfigError[] {
  // ${env.NAME} in a snippet reads the runner's environment: give each a plausible value.
  const env = Object.fromEntries(
    [...text.matchAll(/\$\{env\.(\w+)\}/g)].map(([, name]) => [name, `value-of-${name?.toLowerCase()}`]),
  );
  const context = { ...ctx, env };
  const { config, errors } = readNeoConfig(text, 'neo.yml', context);
  if (!config || errors.length > 0) return errors;
  const inputUris = Object.fromEntries(
    modelInputs(config).flatMap((input) =>
      input.kind === 'path'
        ? [[localModelKey(input.path, input.uploadTo), `${input.uploadTo}${'0'.repeat(64)}/model.tar.gz`]]
        : [],
    ),
  );
  const planned = planJobs(config, context, { inputUris });
  return [...planned.errors, ...findArtifactCollisions(planned.jobs, 'neo.yml', config)];
}

const fullConfigs = yamlBlocks.filter((block) => kindOf(dataOf(block)) === 'neo.yml' && isFullConfig(block));
const BASE = fullConfigs.find((block) => !block.invalid);

/**
 * A fragment in place: the base file without the keys the fragment sets, then the fragment as written (so a
 * syntax error in it is reported, not thrown here).
 */
function inBase(fragment: string): string {
  const base = parseDocument(BASE?.text ?? '');
  for (const [, key] of fragment.matchAll(/^([\w-]+):/gm)) base.delete(key);
  return `${base.toString()}${fragment}`;
}

describe('README.md snippets', () => {
  it('has the snippets this test is about', () => {
    const kinds = yamlBlocks.map((block) => kindOf(dataOf(block)));
    expect(kinds.filter((kind) => kind === 'workflow').length).toBeGreaterThanOrEqual(3);
    expect(kinds).toContain('pre-commit');
    expect(BASE, 'a full, valid neo.yml').toBeDefined();
    expect(yamlBlocks.some((block) => block.invalid)).toBe(true);
  });

  describe('neo.yml', () => {
    const snippets = yamlBlocks.filter((block) => kindOf(dataOf(block)) === 'neo.yml');
    it.each(snippets.map((block) => [label(block), block] as const))('%s', (_, block) => {
      const full = isFullConfig(block) ? block.text : inBase(block.text);
      const problems = problemsOf(full);
      if (block.invalid) {
        expect(problems.length, 'marked <!-- invalid -->, but it validates').toBeGreaterThan(0);
      } else {
        expect(problems.map((problem) => `${problem.line}:${problem.col} ${problem.message}`)).toEqual([]);
      }
    });

    it('the diagnostics shown after the invalid example are the ones it gets', () => {
      const invalid = yamlBlocks.find((block) => block.invalid);
      const shown = blocks
        .filter((block) => block.language === 'text' && block.line > (invalid?.line ?? 0))
        .map((block) => block.text.match(/^neo\.yml:\d+:\d+: error: .*$/gm) ?? [])
        .find((lines) => lines.length > 0);
      expect(shown, 'a text block of file:line:col diagnostics').toBeDefined();
      const problems = problemsOf(invalid?.text ?? '');
      // Positions and titles: the wording of messages may improve without the README going stale.
      const positionAndTitle = (line: string) => {
        const match = /^neo\.yml:(\d+):(\d+): error: .* \[(.+)\]$/.exec(line);
        return match ? `${match[1]}:${match[2]} ${match[3]}` : line;
      };
      expect(shown?.map(positionAndTitle)).toEqual(
        problems.map((problem) => `${problem.line}:${problem.col} ${problem.title}`),
      );
      // The annotation form shown above it has the same positions.
      const annotations = README.match(/^::error file=neo\.yml,line=(\d+),col=(\d+),title=([^:]+)::/gm) ?? [];
      expect(
        annotations.map((line) =>
          line.replace(/^::error file=neo\.yml,line=(\d+),col=(\d+),title=(.+)::$/, '$1:$2 $3'),
        ),
      ).toEqual(problems.map((problem) => `${problem.line}:${problem.col} ${problem.title}`));
    });
  });

  describe('workflows', () => {
    const action = parse(read('action.yml')) as { inputs: object; outputs: object };
    const inputs = Object.keys(action.inputs);
    const outputs = Object.keys(action.outputs);
    const snippets = yamlBlocks.filter((block) => kindOf(dataOf(block)) === 'workflow');
    it.each(snippets.map((block) => [label(block), block] as const))('%s', (_, block) => {
      const workflow = parse(block.text) as {
        jobs: Record<string, { steps: { id?: string; uses?: string; with?: object }[] }>;
      };
      const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
      const ours = steps.filter((step) =>
        /^neo-compile-action\/neo-compile-action@|^\.\/$/.test(step.uses ?? ''),
      );
      expect(ours.length, 'a step that uses the action').toBeGreaterThan(0);
      for (const step of ours) {
        for (const key of Object.keys(step.with ?? {})) expect(inputs, `with: ${key}`).toContain(key);
      }
      const ids = new Set(ours.map((step) => step.id).filter(Boolean));
      for (const [, id, output] of block.text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        if (!ids.has(id)) continue;
        expect(outputs.includes(output ?? '') || /^artifact-[\w-]+$/.test(output ?? ''), output).toBe(true);
      }
    });
  });

  it('pre-commit configs name the hook this repository defines', () => {
    const hooks = (parse(read('.pre-commit-hooks.yaml')) as { id: string }[]).map((hook) => hook.id);
    for (const block of yamlBlocks) {
      const data = dataOf(block) as { repos?: { hooks: { id: string }[] }[] };
      if (!data.repos) continue;
      for (const hook of data.repos.flatMap((repo) => repo.hooks))
        expect(hooks, label(block)).toContain(hook.id);
    }
  });

  it('the editor problem matcher reads the CLI’s diagnostic lines', () => {
    const tasks = blocks
      .filter((block) => block.language === 'json' && block.text.includes('problemMatcher'))
      .map(
        (block) => JSON.parse(block.text) as { tasks: { problemMatcher: { pattern: { regexp: string } } }[] },
      );
    expect(tasks).toHaveLength(1);
    const matcher = new RegExp(tasks[0]?.tasks[0]?.problemMatcher.pattern.regexp ?? '^$');
    const diagnostics = README.match(/^neo\.yml:\d+:\d+: error: .*$/gm) ?? [];
    expect(diagnostics.length).toBeGreaterThan(0);
    for (const line of diagnostics) {
      const match = matcher.exec(line);
      expect(match?.slice(1, 5), line).toEqual([
        'neo.yml',
        expect.stringMatching(/^\d+$/),
        expect.stringMatching(/^\d+$/),
        'error',
      ]);
    }
  });

  it('JSON snippets parse', () => {
    for (const block of blocks.filter((candidate) => candidate.language === 'json')) {
      expect(() => JSON.parse(block.text), label(block)).not.toThrow();
    }
  });

  it('inline code that writes a YAML flow map parses', () => {
    const outsideFences = README.replace(/^```[\s\S]*?^```$/gm, '');
    const spans = [...outsideFences.matchAll(/`([^`\n]+)`/g)].map(([, code]) => code ?? '');
    const flowMaps = spans.filter((code) => /^[\w-]+: \{.*\}$/.test(code));
    expect(flowMaps.length).toBeGreaterThan(0);
    for (const code of flowMaps) expect(parseDocument(code).errors, code).toEqual([]);
  });
});

describe('the snippet checks catch what they are for', () => {
  it('the release snippet as it was (unquoted ${…} in a flow map) is an error', () => {
    expect(
      problemsOf(inBase('output: {s3-location: s3://artifacts/resnet50/${ref-name}/}\n')).length,
    ).toBeGreaterThan(0);
  });

  it('the matrix snippet without ${target} in its output collides', () => {
    const fragment = `targets:
  - name: edge
    matrix:
      device: [jetson_nano]
      framework-version: ["1.13", "2.0"]
`;
    const titles = problemsOf(inBase(fragment)).map((problem) => problem.title);
    expect(titles).toContain('Targets overwrite each other’s artifact');
  });
});
