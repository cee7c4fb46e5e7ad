// Values SageMaker would reject (issue 12), unit by unit: region list, framework-version table, invisible
// characters, exact big integers, one-line compiler options, target cap and validation scale.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { awsRegionsText, installedRegions } from '../../scripts/aws-regions.ts';
import { timeValidation, validationConfig } from '../../scripts/validation-timing.ts';
import { TARGETS_MAX } from '../../src/config/constraints.ts';
import { NEO_FRAMEWORK_VERSIONS, undocumentedVersion } from '../../src/config/framework-versions.ts';
import { modelInputs } from '../../src/config/index.ts';
import { escapeInvisible, invisibleProblem } from '../../src/config/invisible.ts';
import { isKnownRegion, nearestRegions, partitionOf } from '../../src/config/regions.ts';
import { configOf, ctx, errorsOf, errorTitled, HEADER, pos, read } from './helpers.ts';

describe('regions', () => {
  it('has its region list generated from the installed SDK (run `node scripts/gen-schema.ts`)', () => {
    const committed = readFileSync(
      new URL('../../src/config/aws-regions.generated.ts', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(awsRegionsText());
    expect(installedRegions().aws).toContain('us-east-1');
  });

  it('knows real regions of every partition and no pseudo-region', () => {
    for (const region of ['us-east-1', 'eu-west-3', 'cn-north-1', 'us-gov-west-1', 'us-iso-east-1']) {
      expect(isKnownRegion(region), region).toBe(true);
    }
    for (const region of ['us-west-3', 'eu-west-0', 'aws-global', 'aws-cn-global']) {
      expect(isKnownRegion(region), region).toBe(false);
    }
    expect(partitionOf('cn-northwest-1')).toBe('aws-cn');
    expect(partitionOf('eusc-de-east-1')).toBe('aws-eusc');
  });

  it('suggests the nearest regions, and none for a far-off name', () => {
    expect(nearestRegions('us-west-3')).toEqual(['us-west-1', 'us-west-2']);
    expect(nearestRegions('eu-centrl-1')).toEqual(['eu-central-1']);
    expect(nearestRegions('mars-north-9')).toEqual([]);
  });

  it("refuses an unknown region, also when it is the job's AWS_REGION", () => {
    const text = `${HEADER}targets:\n  - name: nano\n    device: jetson_nano\n`;
    const error = errorTitled(errorsOf(text, { ...ctx, region: 'us-west-3' }), 'Unknown AWS Region');
    expect(error.message).toBe(
      "'us-west-3' (the job's AWS_REGION) is not an AWS Region; did you mean us-west-1 or us-west-2?",
    );
  });
});

describe('framework versions', () => {
  it('accepts every documented version, a patch release of one, and trailing zeros', () => {
    for (const [framework, versions] of Object.entries(NEO_FRAMEWORK_VERSIONS)) {
      for (const version of versions) expect(undocumentedVersion(framework, version)).toBeUndefined();
    }
    expect(undocumentedVersion('TENSORFLOW', '1.15.3')).toBeUndefined();
    expect(undocumentedVersion('PYTORCH', '2.00')).toBeUndefined();
  });

  it('flags well-formed versions Neo does not document, and leaves other frameworks alone', () => {
    expect(undocumentedVersion('PYTORCH', '9.9')).toEqual(NEO_FRAMEWORK_VERSIONS.PYTORCH);
    expect(undocumentedVersion('TFLITE', '2.9')).toEqual(['1.15']);
    expect(undocumentedVersion('ONNX', '9.9')).toBeUndefined();
    expect(undocumentedVersion('PYTORCH', '1.13x')).toBeUndefined();
  });

  it('warns without refusing: the target is planned with the version as written', () => {
    const text = `${HEADER.replace('"2.0"', '"2.3"')}targets:\n  - name: nano\n    device: jetson_nano\n`;
    const result = read(text);
    expect(result.errors).toEqual([]);
    expect(result.config?.targets[0]).toMatchObject({ input: { frameworkVersion: '2.3' } });
    expect(result.warnings).toEqual([
      expect.objectContaining({
        ...pos(text, '"2.3"'),
        severity: 'warning',
        title: 'Framework version not documented for Neo',
      }),
    ]);
  });
});

describe('invisible characters', () => {
  it('escapes what cannot be seen and keeps the rest', () => {
    expect(escapeInvisible('s3://b/\u200Bm\u0000 x\t')).toBe('s3://b/\\u200Bm\\u0000 x\\t');
    expect(invisibleProblem('s3://bucket/my model.tar.gz')).toBeUndefined();
    expect(invisibleProblem('s3://bucket/x\u00A0')).toBe(
      "'s3://bucket/x\\u00A0' ends with a no-break space (U+00A0); remove the surrounding whitespace",
    );
    expect(invisibleProblem('s3://b/\u2028x')).toMatch(
      /contains a line separator \(U\+2028\) at character 8/,
    );
  });
});

describe('big integers', () => {
  it('shows the digits written, never the rounded double', () => {
    const text = `${HEADER.replace('[1, 3, 224, 224]', '[1, 3, 224, 9007199254740993]')}targets:\n  - name: nano\n    device: jetson_nano\n`;
    const error = errorTitled(errorsOf(text), 'Invalid input shape');
    expect(error.message).toContain('9007199254740993');
    expect(error.message).not.toContain('9007199254740992');
    expect(error).toMatchObject(pos(text, '9007199254740993'));
  });

  it('accepts the largest int32 dimension', () => {
    const text = `${HEADER.replace('[1, 3, 224, 224]', '[1, 3, 224, 2147483647]')}targets:\n  - name: nano\n    device: jetson_nano\n`;
    expect(configOf(text).targets).toHaveLength(1);
  });
});

describe('compiler-options as a block scalar', () => {
  const target = (options: string) =>
    `${HEADER}targets:\n  - name: c5\n    device: ml_c5\n    compiler-options: ${options}\n`;

  it('sends the one line without the trailing line break, whatever the chomping', () => {
    for (const options of [
      '|\n      {"mcpu": "skylake-avx512"}',
      '|-\n      {"mcpu": "skylake-avx512"}',
      '>\n      {"mcpu":\n      "skylake-avx512"}',
    ]) {
      const sent = configOf(target(options)).targets[0];
      expect(sent?.kind === 'compilation' && sent.compilerOptions, options).toMatch(
        /^\{"mcpu": ?"skylake-avx512"\}$/,
      );
    }
  });

  it('refuses a line break written inside a quoted string too', () => {
    const error = errorTitled(errorsOf(target('"--opt 1\\n--opt 2"')), 'Line break in compiler-options');
    expect(error.message).toContain("'--opt 1\\n--opt 2' has a line break at character 8");
  });
});

describe('scale', () => {
  it(`refuses more than ${TARGETS_MAX} targets at the targets key, checking every one`, () => {
    const text = validationConfig(TARGETS_MAX + 1);
    const errors = errorsOf(text);
    expect(errors).toEqual([
      expect.objectContaining({ ...pos(text, 'targets:'), title: 'Too many targets' }),
    ]);
    expect(errors[0]?.message).toContain(`makes ${TARGETS_MAX + 1} targets`);
    expect(configOf(validationConfig(TARGETS_MAX)).targets).toHaveLength(TARGETS_MAX);
  });

  it('lists the targets of one shared model input once each, in file order, in linear time', () => {
    const [input] = modelInputs(configOf(validationConfig(3)));
    expect(input).toMatchObject({ kind: 's3', targets: ['t0', 't1', 't2'] });
    expect(input?.positions).toHaveLength(1);
    // 40,000 targets sharing one model (past the cap, built directly): the old pairwise check took seconds.
    const config = configOf(validationConfig(2));
    const [first] = config.targets;
    if (!first) throw new Error('no target');
    const many = {
      ...config,
      targets: Array.from({ length: 40_000 }, (_, i) => ({ ...first, name: `t${i}` })),
    };
    const start = performance.now();
    const [shared] = modelInputs(many);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(shared?.targets).toHaveLength(40_000);
  });

  it('validates in time linear in the number of targets', () => {
    timeValidation(500, 1); // warm-up
    const small = timeValidation(2500);
    const large = timeValidation(10_000);
    expect(large.errors).toBe(1);
    // 4x the targets: linear is ~4x; the quadratic modelInputs was ~16x. Generous for a loaded machine.
    expect(large.validateMs).toBeLessThan(10 * (small.validateMs + small.planMs));
  }, 60_000);
});
