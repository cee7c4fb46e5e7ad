// Row 2 of issue 11, end to end: `${env.NAME}` never publishes a secret. Refused names are errors at their
// line that state the rule; a permitted name whose value is a secret the action can see is an error too.
// The secrets appear nowhere: not in the log, the outputs, the job summary or the PR comment.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { processedCommands } from '../action/runner-model.ts';
import { prepareRun, sagemakerCalls, startTestEmulator, targetsYaml } from './helpers.ts';

const TOKEN = 'ghs_0123456789abcdefABCDEF0123456789ab';
const API_KEY = 'sk_live_51HxYzAbCdEfGhIjKl';
const PAT = 'github_pat_11AAAAAAA0123456789';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('${env.NAME} and secrets', () => {
  it('refuses secret-looking names and secret values, at their lines, and publishes none of them', async () => {
    emulator = await startTestEmulator();
    const config = `${targetsYaml(1).replace('job-prefix: resnet50', 'job-prefix: "${env.MY_PAT}"')}tags:
  owner: "\${env.API_KEY}"
  deploy: "\${env.DEPLOY_KEY}"
  build: "b-\${env.BUILD_LABEL}"
  team: "\${env.TEAM}"
`;
    const result = await prepareRun(emulator, config).run({
      inputs: { 'github-token': TOKEN },
      env: { MY_PAT: PAT, API_KEY, DEPLOY_KEY: 'ssh-ed25519 AAAAC3Nz', BUILD_LABEL: TOKEN, TEAM: 'vision' },
    });

    expect(result.code).toBe(1);
    expect(sagemakerCalls(emulator, 'CreateCompilationJob')).toHaveLength(0);
    const errors = processedCommands(result.stdout)
      .filter((command) => command.name === 'error' && command.properties.file)
      .map((command) => [command.properties.line, command.properties.title, command.data]);
    expect(errors).toEqual([
      [
        '3',
        'Environment variable not allowed',
        expect.stringContaining('${env.MY_PAT} is refused: its name contains PAT'),
      ],
      [
        '15',
        'Environment variable not allowed',
        expect.stringContaining('${env.API_KEY} is refused: its name contains KEY'),
      ],
      ['16', 'Environment variable not allowed', expect.stringContaining('${env.DEPLOY_KEY} is refused')],
      [
        '17',
        'Secret in a placeholder value',
        expect.stringContaining('contains the value of INPUT_GITHUB-TOKEN'),
      ],
    ]);
    expect(errors[0]?.[2]).toContain('AWS_*, GITHUB_*, ACTIONS_*, RUNNER_*');

    const comment = emulator.github.comments.map((c) => c.body).join('\n');
    expect(comment).toContain('Secret in a placeholder value');
    const published = [
      result.stdout,
      result.stderr,
      result.summary,
      JSON.stringify(result.outputs),
      comment,
    ].join('\n');
    for (const secret of [TOKEN, API_KEY, PAT, 'AAAAC3Nz']) expect(published).not.toContain(secret);
  });

  it('refuses AWS_* variables, which hold the credentials the action runs with', async () => {
    emulator = await startTestEmulator();
    const config = `${targetsYaml(1)}tags:\n  who: "\${env.AWS_ACCESS_KEY_ID}"\n`;
    const result = await prepareRun(emulator, config).run();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /line=15,col=\d+,title=Environment variable not allowed::\$\{env.AWS_ACCESS_KEY_ID\} is refused/,
    );
    expect(result.stdout).not.toContain(emulator.env.AWS_ACCESS_KEY_ID);
  });
});
