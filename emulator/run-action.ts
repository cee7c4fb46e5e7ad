// Runs the built action (dist/index.js) exactly as the GitHub runner does: INPUT_* variables, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY, GITHUB_STATE, GITHUB_EVENT_PATH, then the post step with STATE_* from the main step.
// Shared by the end-to-end tests, the demo and the benchmark.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ACTION_ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));
export const POST_ENTRY = fileURLToPath(new URL('../dist/post/index.js', import.meta.url));

export interface Workspace {
  dir: string;
  outputFile: string;
  summaryFile: string;
  stateFile: string;
  eventFile: string;
}

export interface ActionRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  state: Record<string, string>;
  /** Milliseconds from spawn to exit. */
  wallMs: number;
}

export interface RunOptions {
  inputs?: Record<string, string>;
  env?: Record<string, string | undefined>;
  /** Called with the child right after spawn (to send signals mid-run). */
  onSpawn?: (child: ChildProcess) => void;
  /** Called for each stdout line as it arrives. */
  onLine?: (line: string) => void;
  /** true: run as the post step (STATE_* from the workspace's state file). */
  post?: boolean;
}

/** A temporary workspace with the runner's files; `event` is written as the GITHUB_EVENT_PATH payload. */
export function createWorkspace(files: Record<string, string>, event: unknown = {}): Workspace {
  const dir = mkdtempSync(path.join(tmpdir(), 'neo-action-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  const runner = path.join(dir, '.runner');
  mkdirSync(runner);
  const workspace = {
    dir,
    outputFile: path.join(runner, 'output'),
    summaryFile: path.join(runner, 'summary'),
    stateFile: path.join(runner, 'state'),
    eventFile: path.join(runner, 'event.json'),
  };
  for (const file of [workspace.outputFile, workspace.summaryFile, workspace.stateFile])
    writeFileSync(file, '');
  writeFileSync(workspace.eventFile, JSON.stringify(event));
  return workspace;
}

/** A pull_request event payload for PR `number` of `repository`. */
export function pullRequestEvent(repository: string, number: number): unknown {
  const [owner, name] = repository.split('/');
  return {
    action: 'synchronize',
    number,
    pull_request: { number, head: { sha: 'a'.repeat(40) }, base: { ref: 'main' } },
    repository: { full_name: repository, name, owner: { login: owner } },
  };
}

/** Parses the runner's file-command format: `name<<DELIM\nvalue\nDELIM` blocks (and plain name=value lines). */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i] as string);
      values[name] = body.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      values[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return values;
}

export function runAction(workspace: Workspace, options: RunOptions = {}): Promise<ActionRun> {
  const started = Date.now();
  const state = parseFileCommands(readFileSync(workspace.stateFile, 'utf8'));
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace.dir,
    GITHUB_OUTPUT: workspace.outputFile,
    GITHUB_STEP_SUMMARY: workspace.summaryFile,
    GITHUB_STATE: workspace.stateFile,
    GITHUB_EVENT_PATH: workspace.eventFile,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_REPOSITORY: 'octo-org/vision-models',
    GITHUB_SHA: '3f2c9d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e',
    GITHUB_REF: 'refs/pull/7/merge',
    GITHUB_REF_NAME: '7/merge',
    GITHUB_RUN_ID: '987654321',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'neo',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: path.join(workspace.dir, '.runner'),
    ...(options.post ? Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])) : {}),
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  if (!options.post) writeFileSync(workspace.outputFile, '');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.post ? POST_ENTRY : ACTION_ENTRY], {
      cwd: workspace.dir,
      env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stdout += text;
      if (options.onLine) {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) options.onLine(line);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({
        code,
        signal,
        stdout,
        stderr,
        outputs: parseFileCommands(readFileSync(workspace.outputFile, 'utf8')),
        summary: readFileSync(workspace.summaryFile, 'utf8'),
        state: parseFileCommands(readFileSync(workspace.stateFile, 'utf8')),
        wallMs: Date.now() - started,
      });
    });
    options.onSpawn?.(child);
  });
}
