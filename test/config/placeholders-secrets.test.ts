import { describe, expect, it } from 'vitest';
import { readNeoConfig } from '../../src/config/index.ts';
import { refusedEnvName } from '../../src/config/placeholders.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const env = {
  AWS_SECRET_ACCESS_KEY: SECRET,
  'INPUT_GITHUB-TOKEN': 'ghs_16C7e42F292c6912E7710c838347Ae178B4a',
  ACTIONS_RUNTIME_TOKEN: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9',
  TEAM: 'vision',
  // Innocent names that carry a secret's value: the value check catches them.
  COPIED_VALUE: 'ghs_16C7e42F292c6912E7710c838347Ae178B4a',
  BUILD_LABEL: `label-${SECRET}`,
  PART: SECRET.slice(0, 12),
  SHORT: 'abc',
};
const ctx = {
  sha: 'a'.repeat(40),
  refName: 'main',
  runId: '1',
  runAttempt: '1',
  repository: 'o/r',
  region: 'us-west-2',
  env,
};

const config = (tagValue: string, jobPrefix = 'resnet') => `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
job-prefix: "${jobPrefix}"
input: {s3-uri: s3://models/m.tar.gz, framework: XGBOOST}
output: {s3-location: s3://out/x/}
tags: {owner: "${tagValue}"}
targets:
  - name: c5
    device: ml_c5
`;

describe('${env.NAME}: names', () => {
  it.each([
    'API_KEY',
    'DEPLOY_KEY',
    'MY_PAT',
    'DB_PASS',
    'npm_auth',
    'SESSION_ID',
    'COOKIE_JAR',
    'PRIVATE_THING',
    'CREDENTIALS_FILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_REGION',
    'GITHUB_SHA',
    'ACTIONS_CACHE_URL',
    'RUNNER_NAME',
    'INPUT_CONFIG',
  ])('%s is refused, at its line, with the rule', (name) => {
    const { errors } = readNeoConfig(config(`\${env.${name}}`), 'neo.yml', ctx);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 6, title: 'Environment variable not allowed' });
    expect(errors[0]?.message).toContain(`\${env.${name}} is refused`);
    expect(errors[0]?.message).toContain('KEY, SECRET, TOKEN, PASSWORD, PASS, PAT');
    expect(errors[0]?.message).toContain('AWS_*, GITHUB_*, ACTIONS_*, RUNNER_*');
  });

  it('the rule is by substring, case-insensitive', () => {
    expect(refusedEnvName('apikey')).toBe('its name contains KEY');
    expect(refusedEnvName('GITHUB_REF_NAME')).toContain('GITHUB_*');
    expect(refusedEnvName('TEAM')).toBeUndefined();
    expect(refusedEnvName('MODEL_VERSION')).toBeUndefined();
  });

  it('accepts ordinary variables', () => {
    const { errors, config: parsed } = readNeoConfig(config('${env.TEAM}'), 'neo.yml', ctx);
    expect(errors).toEqual([]);
    expect(parsed?.targets[0]?.tags).toEqual([{ key: 'owner', value: 'vision' }]);
  });
});

describe('${env.NAME}: values', () => {
  it.each([
    ['a copy of the github-token input', 'COPIED_VALUE', 'INPUT_GITHUB-TOKEN'],
    ['a value that contains an AWS secret', 'BUILD_LABEL', 'AWS_SECRET_ACCESS_KEY'],
    ['a long part of an AWS secret', 'PART', 'AWS_SECRET_ACCESS_KEY'],
  ])('%s is an error at its line that names the secret, never shows it', (_, name, secretName) => {
    const { errors } = readNeoConfig(config(`\${env.${name}}`), 'neo.yml', ctx);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 6, col: 16, title: 'Secret in a placeholder value' });
    expect(errors[0]?.message).toContain(secretName);
    const shown = JSON.stringify(errors);
    for (const value of Object.values(env).filter((value) => value.length >= 8))
      expect(shown).not.toContain(value);
  });

  it('checks job-prefix too', () => {
    const { errors } = readNeoConfig(config('x', '${env.COPIED_VALUE}'), 'neo.yml', ctx);
    expect(errors.map((error) => [error.line, error.title])).toContainEqual([
      3,
      'Secret in a placeholder value',
    ]);
  });

  it('short values are not compared (they would match by chance)', () => {
    const { errors } = readNeoConfig(config('${env.SHORT}-${env.TEAM}'), 'neo.yml', {
      ...ctx,
      env: { ...env, API_KEY: 'abc' },
    });
    expect(errors).toEqual([]);
  });
});

describe('${env.NAME}: values of PATH-like variables', () => {
  it('are not taken for secrets (a directory inside PATH is an ordinary value)', () => {
    const { errors } = readNeoConfig(config('${env.TEAM}'), 'neo.yml', {
      ...ctx,
      env: { ...env, TEAM: '/usr/local/bin', PATH: '/usr/local/sbin:/usr/local/bin:/usr/bin' },
    });
    expect(errors).toEqual([]);
  });
});
