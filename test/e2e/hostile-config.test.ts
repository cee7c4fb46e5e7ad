// Rows 7, 8 and 9 of issue 11 and the flow-placeholder item of issue 12, end to end: a `config` input that
// leaves the workspace, and neo.yml files that are binary, wrongly encoded, huge, absurdly nested or use
// YAML features neo.yml does not. Each fails the step with a clear located message and creates no job.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { foreignCommands, processedCommands } from '../action/runner-model.ts';
import { prepareRun, sagemakerCalls, startTestEmulator, targetsYaml } from './helpers.ts';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});

/** Runs with neo.yml holding `bytes`; the step must fail before any job, with sane annotations. */
async function runWith(
  bytes: string | Uint8Array,
  inputs: Record<string, string> = {},
  prepare: (dir: string) => void = () => {},
) {
  emulator.calls.length = 0;
  const run = prepareRun(emulator, '');
  writeFileSync(path.join(run.workspace.dir, 'neo.yml'), bytes);
  prepare(run.workspace.dir);
  const result = await run.run({ inputs });
  expect(result.code).toBe(1);
  expect(result.outputs.status).toBe('failed');
  expect(sagemakerCalls(emulator, 'CreateCompilationJob')).toHaveLength(0);
  expect(result.stderr).toBe('');
  expect(foreignCommands(result.stdout)).toEqual([]);
  for (const line of result.stdout.split('\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
  const errors = processedCommands(result.stdout).filter((command) => command.name === 'error');
  // Located errors first (file, line, col, title), then the step's own failure message.
  const annotations = errors.filter((command) => command.properties.file !== undefined);
  const failure = errors.filter((command) => command.properties.file === undefined).map((c) => c.data);
  return { result, run, annotations, failure };
}

describe("the 'config' input stays inside the workspace", () => {
  it.each(['/etc/passwd', '../../../../etc/passwd'])('%s is refused and never read', async (config) => {
    const { result, failure } = await runWith(targetsYaml(1), { config });
    expect(failure).toEqual([
      expect.stringMatching(
        /^Config file '.*etc\/passwd' is outside the workspace\. The 'config' input must name a file inside the workspace/,
      ),
    ]);
    expect(result.stdout).not.toContain('root:');
    expect(result.summary).not.toContain('root:');
  });

  it('a symlink in the workspace pointing outside is refused', async () => {
    const { result, failure } = await runWith(targetsYaml(1), { config: 'ml/neo.yml' }, (dir) => {
      mkdirSync(path.join(dir, 'ml'));
      symlinkSync('/etc/passwd', path.join(dir, 'ml', 'neo.yml'));
    });
    expect(failure).toEqual([
      expect.stringMatching(
        /^Config file 'ml\/neo.yml' is a symbolic link to a file outside the workspace\./,
      ),
    ]);
    expect(result.stdout).not.toContain('root:');
  });

  it('a file inside the workspace, named by an absolute path, is read', async () => {
    emulator.calls.length = 0;
    const run = prepareRun(emulator, targetsYaml(1));
    const result = await run.run({
      inputs: { config: path.join(run.workspace.dir, 'neo.yml'), 'dry-run': 'true' },
    });
    expect(result.code).toBe(0);
  });
});

describe('neo.yml that is not YAML text', () => {
  it('PNG bytes: refused as a PNG image', async () => {
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
    ]);
    const { annotations } = await runWith(png);
    expect(annotations[0]?.properties).toMatchObject({
      file: 'neo.yml',
      line: '1',
      title: 'Not a YAML text file',
    });
    expect(annotations[0]?.data).toContain('PNG image');
  });

  it('invalid UTF-8: reported as such at its line', async () => {
    const latin1 = Buffer.concat([
      Buffer.from(targetsYaml(1).replace('t0', 'caf')),
      Buffer.from([0xe9, 0x0a]),
    ]);
    const { annotations, result } = await runWith(latin1);
    expect(annotations[0]?.properties).toMatchObject({ line: '14', title: 'Invalid UTF-8' });
    expect(result.stdout).not.toContain('\uFFFD');
  });

  it('a NUL byte: reported at its line, never printed raw', async () => {
    const { annotations, result } = await runWith(targetsYaml(1).replace('name: t0', 'name: t\u00000'));
    expect(annotations[0]?.properties).toMatchObject({
      line: '12',
      col: '12',
      title: 'Not a YAML text file',
    });
    expect(result.stdout).not.toContain('\u0000');
  });

  it('a 5 MB single-line scalar: echoed cut to 120 characters, every line under 4 KB', async () => {
    const { annotations, result } = await runWith(
      targetsYaml(1).replace('device: jetson_nano', `device: ${'X'.repeat(5_000_000)}`),
    );
    expect(annotations[0]?.properties).toMatchObject({ line: '13' });
    expect(annotations[0]?.data).toMatch(/X{100,119}…/);
    expect(result.stdout.length).toBeLessThan(20_000);
    expect(result.summary.length).toBeLessThan(20_000);
  });
});

describe('YAML structure', () => {
  it('50,000 levels of nesting: a located "nested too deeply" error', async () => {
    const { annotations } = await runWith(`version: 1\nx: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
    expect(annotations[0]?.properties).toMatchObject({ line: '2', title: 'YAML nested too deeply' });
    expect(annotations[0]?.data).toContain('deeper than 100 levels');
  });

  it('a complex key: a located error, and no library warning on stderr (checked in runWith)', async () => {
    const { annotations } = await runWith(`${targetsYaml(1)}? [a, b]\n: 1\n`);
    expect(annotations[0]?.properties).toMatchObject({ line: '14', title: 'Key is not a name' });
  });

  it('${…} inside a flow map: "quote this value" once, follow-on syntax errors capped', async () => {
    const config = targetsYaml(2).replace(
      'output:\n  s3-location: s3://artifacts/resnet50/${target}/',
      'output: {s3-location: s3://releases/${ref-name}/${target}/}',
    );
    const { annotations } = await runWith(config);
    const quote = annotations.filter((a) => a.properties.title === 'Quote this value');
    expect(quote).toHaveLength(1);
    expect(quote[0]?.data).toContain('write "s3://releases/${ref-name}/${target}/"');
    expect(annotations.length).toBeLessThanOrEqual(7);
    if (annotations.length === 7)
      expect(annotations.at(-1)?.data).toMatch(/^…and \d+ more YAML syntax errors/);
  });
});
