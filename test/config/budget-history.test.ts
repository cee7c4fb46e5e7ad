// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}.
import { describe, expect, it } from 'vitest';
import { configOf, errorsOf, HEADER, pos } from './helpers.ts';

describe('budget and history', () => {
  it('reads sizes and growth, the target budget over the top-level one, and history per region', () => {
    const config = configOf(`${HEADER}history: s3://neo-history-\${region}/runs/
budget: {max-size: 25MB, max-growth: 10%}
targets:
  - name: jetson
    device: jetson_nano
    budget: {max-size: 40MiB}
  - name: pi
    device: rasp4b
    region: us-east-1
`);
    const [jetson, pi] = config.targets;
    expect(jetson?.budget).toEqual({ maxSize: 40 * 1024 ** 2, maxGrowthPercent: 10 });
    expect(pi?.budget).toEqual({ maxSize: 25_000_000, maxGrowthPercent: 10 });
    expect(jetson?.history).toBe('s3://neo-history-us-west-2/runs/');
    expect(pi?.history).toBe('s3://neo-history-us-east-1/runs/');
  });

  it('refuses a size without a known unit, a growth without %, and a history that is not an S3 prefix', () => {
    const text = `${HEADER}history: s3://bucket/no-slash
budget: {max-size: 25 TB, max-growth: '10'}
targets:
  - name: jetson
    device: jetson_nano
`;
    const errors = errorsOf(text);
    const at = (needle: string) => errors.find((error) => error.line === pos(text, needle).line);
    expect(at('max-size')).toBeDefined();
    expect(at('max-growth')).toBeDefined();
    expect(at('history:')).toBeDefined();
  });
});
