// Fixtures and markdown structure checks shared by the rendering tests.
import type { ReportContext } from '../../src/report/render.ts';
import type { JobState } from '../../src/types.ts';

export const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

export const ctx: ReportContext = {
  repository: 'acme/models',
  sha: 'abc1234def5678abc1234def5678abc1234def56',
  serverUrl: 'https://github.com',
  runId: '4242',
  workflow: 'CI',
  configPath: 'neo.yml',
  now: NOW,
};

export function job(overrides: Partial<JobState> = {}): JobState {
  return {
    target: 'jetson_nano',
    kind: 'compilation',
    region: 'us-east-1',
    device: 'jetson_nano',
    jobName: 'neo-abc1234-jetson-nano',
    status: 'COMPLETED',
    artifact: 's3://acme-models/out/jetson_nano/model.tar.gz',
    createdAt: NOW - 150_000,
    startedAt: NOW - 120_000,
    endedAt: NOW - 67_000,
    ...overrides,
  };
}

export const HOSTILE =
  'x | y || `tick` ```fence``` ````\n| a | b |\n<img src=x onerror=alert(1)> @octocat @acme/admins ' +
  '&amp; [click](https://evil.example) *bold* _em_ ~~del~~ \\| </details></summary> --> \u202Eevil\r\nend';

/** Markdown with fenced code blocks removed (their content is literal text, not structure). */
export function withoutCodeBlocks(markdown: string): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    if (fence === undefined) {
      const open = /^(`{3,}|~{3,})/.exec(line);
      if (open?.[1]) fence = open[1];
      else out.push(line);
    } else if (new RegExp(`^${fence[0]}{${fence.length},}\\s*$`).test(line)) {
      fence = undefined;
    }
  }
  return out.join('\n');
}

/** Markdown without the contents of `<pre>` blocks, which GitHub shows as literal (already escaped) text. */
export function withoutPreContents(markdown: string): string {
  return markdown.replace(/<pre>[\s\S]*?<\/pre>/g, '<pre></pre>');
}

/** Every GFM table in the text: its lines, header first. */
export function tables(markdown: string): string[][] {
  const found: string[][] = [];
  let current: string[] = [];
  for (const line of withoutCodeBlocks(markdown).split('\n')) {
    if (line.startsWith('|')) current.push(line);
    else if (current.length > 0) {
      found.push(current);
      current = [];
    }
  }
  if (current.length > 0) found.push(current);
  return found;
}

export const pipeCount = (line: string): number => line.split('|').length - 1;
