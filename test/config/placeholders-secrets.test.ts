import { describe, expect, it } from 'vitest';
import { readNeoConfig } from '../../src/config/index.ts';

const ctx = {
  sha: 'a'.repeat(40),
  refName: 'main',
  runId: '1',
  runAttempt: '1',
  repository: 'o/r',
  region: 'us-west-2',
  env: { AWS_SECRET_ACCESS_KEY: 'hunter2', TEAM: 'vision' },
};

const config = (tagValue: string) => `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
input: {s3-uri: s3://models/m.tar.gz, framework: XGBOOST}
output: {s3-location: s3://out/x/}
tags: {owner: "${tagValue}"}
targets:
  - name: c5
    device: ml_c5
`;

describe('${env.NAME} placeholders', () => {
  it('refuse credentials, at the line where they are used', () => {
    const { errors } = readNeoConfig(config('${env.AWS_SECRET_ACCESS_KEY}'), 'neo.yml', ctx);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 5, title: 'Secret environment variable' });
    expect(errors[0]?.message).not.toContain('hunter2');
  });

  it('accept ordinary variables', () => {
    const { errors, config: parsed } = readNeoConfig(config('${env.TEAM}'), 'neo.yml', ctx);
    expect(errors).toEqual([]);
    expect(parsed?.targets[0]?.tags).toEqual([{ key: 'owner', value: 'vision' }]);
  });
});
