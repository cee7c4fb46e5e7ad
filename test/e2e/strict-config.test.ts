// End-to-end (dist/index.js on the emulator): values SageMaker would reject are refused at their line in
// neo.yml before any AWS call; a block-scalar compiler-options is sent as one line.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { pos } from '../config/helpers.ts';
import { prepareRun, sagemakerCalls, startTestEmulator, targetsYaml } from './helpers.ts';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

// The valid start of a file (targets come after `targets:`), as the other e2e tests write it.
const HEADER = targetsYaml(0);

const refused = `${HEADER}  - name: c5
    device: ml_c5
    compiler-options: |
      --opt-level 2
      --fast-math
  - name: west3
    device: ml_m5
    region: us-west-3
  - name: nano
    device: jetson_nano
    input: {data-input-config: '{input0: [1, 3, 224, 224]'}
  - name: pasted
    device: rasp4b
    output: {s3-location: "s3://artifacts/resnet50/\\u200Bpasted/"}
  - name: shape
    device: ml_p3
    input: {data-input-config: {input0: [1, 3, 224, 9007199254740993]}}
  - name: llama
    kind: optimization
    instance-type: ml.g5.12xlarge
    model: {s3-uri: s3://models/llama/}
    max-instance-count: 2147483648
    environment: {OPTION_X: ${'x'.repeat(300)}}
    optimizations: [{quantization: {}}]
`;

/** The `::error` annotation at `needle`'s line and column, with a message containing `fragment`. */
function annotationAt(needle: string, title: string, fragment: string): RegExp {
  const { line, col } = pos(refused, needle);
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `::error file=neo\\.yml,line=${line},col=${col},title=${literal(title)}::.*${literal(fragment)}`,
  );
}

describe('values SageMaker would reject', () => {
  it('are refused at their lines before any AWS call', async () => {
    emulator = await startTestEmulator();
    const result = await prepareRun(emulator, refused).run();
    expect(result.code).toBe(1);
    const out = result.stdout;
    expect(out).toMatch(annotationAt('|\n      --opt', 'Line break in compiler-options', 'has a line break'));
    expect(out).toMatch(
      annotationAt('us-west-3', 'Unknown AWS Region', 'did you mean us-west-1 or us-west-2?'),
    );
    expect(out).toMatch(annotationAt("'{input0", 'data-input-config is not JSON', 'must be JSON'));
    expect(out).toMatch(
      annotationAt(
        '"s3://artifacts/resnet50/\\u200B',
        'Invisible character in S3 URI',
        'contains a zero-width space (U+200B)',
      ),
    );
    expect(out).toMatch(
      annotationAt('9007199254740993', 'Invalid input shape', 'Dimension 9007199254740993 of'),
    );
    expect(out).toMatch(annotationAt('2147483648', 'Max-instance-count out of range', 'at most 2147483647'));
    expect(out).toMatch(annotationAt('xxxx', 'Environment value too long', 'at most 256'));
    expect(out).toMatch(/::error::neo\.yml has 7 errors; no job was created\./);
    // Only the PR comment is posted: no SageMaker or S3 call.
    expect(emulator.calls.filter((call) => call.service !== 'github')).toHaveLength(0);
    expect(result.outputs.status).toBe('failed');
  });

  it('a block-scalar compiler-options and an undocumented framework version still run, sent as written', async () => {
    emulator = await startTestEmulator();
    const config = `${HEADER.replace('"2.0"', '"2.3"')}  - name: c5
    device: ml_c5
    compiler-options: |
      {"mcpu": "skylake-avx512"}
`;
    const result = await prepareRun(emulator, config).run();
    expect(result.code).toBe(0);
    const [create] = sagemakerCalls(emulator, 'CreateCompilationJob');
    expect(create?.body).toMatchObject({
      OutputConfig: { CompilerOptions: '{"mcpu": "skylake-avx512"}' },
      InputConfig: { FrameworkVersion: '2.3' },
    });
  });
});
