// Every DataInputConfig, TargetPlatform and CompilerOptions example of the create-compilation-job reference
// (/work/shared/seeds/create-compilation-job.cli.md) validates and plans to exactly what the page shows.
// The examples are pasted as written: YAML flow maps accept both the page's JSON and its Python-style quotes.
import { describe, expect, it } from 'vitest';
import type { PlannedJob } from '../../src/types.ts';
import { errorsOf, plan, pos, ROLE } from './helpers.ts';

/** The page's text as the JSON the API receives: Python-style quotes become JSON quotes. */
function asJson(pageText: string): string {
  return JSON.stringify(JSON.parse(pageText.replace(/'/g, '"')));
}

function compile(fields: string, framework = 'PYTORCH'): Extract<PlannedJob, { kind: 'compilation' }> {
  const text = `version: 1
role-arn: ${ROLE}
output: {s3-location: s3://artifacts/out/}
targets:
  - name: example
    input:
      s3-uri: s3://models/m/model.tar.gz
      framework: ${framework}
${fields}
`;
  const [job] = plan(text);
  if (job?.kind !== 'compilation') throw new Error('expected one compilation job');
  return job;
}

const dataInputExamples: { framework: string; page: string }[] = [
  { framework: 'TENSORFLOW', page: '{"input":[1,1024,1024,3]}' },
  { framework: 'TENSORFLOW', page: '{"data1": [1,28,28,1], "data2":[1,28,28,1]}' },
  { framework: 'KERAS', page: '{"input_1":[1,3,224,224]}' },
  { framework: 'KERAS', page: '{"input_1": [1,3,224,224], "input_2":[1,3,224,224]}' },
  { framework: 'MXNET', page: '{"data":[1,3,1024,1024]}' },
  { framework: 'ONNX', page: '{"data":[1,3,1024,1024]}' },
  { framework: 'DARKNET', page: '{"data":[1,3,1024,1024]}' },
  { framework: 'MXNET', page: '{"var1": [1,1,28,28], "var2":[1,1,28,28]}' },
  { framework: 'ONNX', page: '{"var1": [1,1,28,28], "var2":[1,1,28,28]}' },
  { framework: 'DARKNET', page: '{"var1": [1,1,28,28], "var2":[1,1,28,28]}' },
  { framework: 'PYTORCH', page: '{"input0":[1,3,224,224]}' },
  { framework: 'PYTORCH', page: '[[1,3,224,224]]' },
  { framework: 'PYTORCH', page: '{"input0":[1,3,224,224], "input1":[1,3,224,224]}' },
  { framework: 'PYTORCH', page: '[[1,3,224,224], [1,3,224,224]]' },
  // ml_eia2 TensorFlow examples (SavedModel and frozen graph).
  { framework: 'TENSORFLOW', page: '{"inputs": [1, 224, 224, 3]}' },
  { framework: 'TENSORFLOW', page: '{"input_tensor:0": [1, 224, 224, 3]}' },
];

describe('DataInputConfig examples of the reference page', () => {
  for (const { framework, page } of dataInputExamples) {
    it(`${framework} ${page}`, () => {
      const job = compile(`      data-input-config: ${page}\n    device: ml_c5`, framework);
      expect(job.request.InputConfig?.DataInputConfig).toBe(asJson(page));
      expect(JSON.parse(job.request.InputConfig?.DataInputConfig ?? '')).toEqual(JSON.parse(page));
    });
  }

  it('XGBOOST needs no data-input-config', () => {
    const job = compile('    device: ml_c5', 'XGBOOST');
    expect(job.request.InputConfig).toEqual({ S3Uri: 's3://models/m/model.tar.gz', Framework: 'XGBOOST' });
  });

  it('passes a DataInputConfig string as is (the CLI form)', () => {
    const job = compile(
      `      data-input-config: '{"input":[1,1024,1024,3]}'\n    device: ml_c5`,
      'TENSORFLOW',
    );
    expect(job.request.InputConfig?.DataInputConfig).toBe('{"input":[1,1024,1024,3]}');
  });
});

const coremlExamples: { framework: string; page: string; compilerOptions?: string }[] = [
  { framework: 'TENSORFLOW', page: '{"input_1": {"shape": [1,224,224,3]}}' },
  { framework: 'TENSORFLOW', page: '{"input_1": {"shape": ["1..10", 224, 224, 3]}}' },
  { framework: 'TENSORFLOW', page: '{"input_1": {"shape": [[1, 224, 224, 3], [1, 160, 160, 3]]}}' },
  {
    framework: 'TENSORFLOW',
    page: '{"input_1": {"shape": ["1..10", 224, 224, 3], "default_shape": [1, 224, 224, 3]}}',
  },
  {
    framework: 'TENSORFLOW',
    page: '{"input_1": {"shape": [[1,224,224,3], [1,160,160,3]], "default_shape": [1,224,224,3]}}',
  },
  {
    framework: 'PYTORCH',
    page: '[{"shape": [[1,3,224,224], [1,3,160,160]], "default_shape": [1,3,224,224]}]',
  },
  {
    framework: 'TENSORFLOW',
    page: '{"input_1": {"shape": [[1,224,224,3], [1,160,160,3]], "default_shape": [1,224,224,3], "type": "Image", "bias": [-1,-1,-1], "scale": 0.007843137255}}',
    compilerOptions: '{"class_labels": "imagenet_labels_1000.txt"}',
  },
  {
    framework: 'PYTORCH',
    page: '[{"shape": [[1,3,224,224], [1,3,160,160]], "default_shape": [1,3,224,224], "type": "Image", "bias": [-1,-1,-1], "scale": 0.007843137255}]',
    compilerOptions: '{"class_labels": "imagenet_labels_1000.txt"}',
  },
];

describe('CoreML DataInputConfig examples of the reference page', () => {
  for (const { framework, page, compilerOptions } of coremlExamples) {
    it(`${framework} ${page}`, () => {
      const options = compilerOptions ? `\n    compiler-options: ${compilerOptions}` : '';
      const job = compile(`      data-input-config: ${page}\n    device: coreml${options}`, framework);
      expect(job.request.InputConfig?.DataInputConfig).toBe(asJson(page));
      expect(job.request.OutputConfig?.TargetDevice).toBe('coreml');
      if (compilerOptions) expect(job.request.OutputConfig?.CompilerOptions).toBe(asJson(compilerOptions));
    });
  }
});

/** TargetPlatform / CompilerOptions examples, as the page writes them. */
const platformExamples: { name: string; platform: Record<string, string>; options?: string }[] = [
  {
    name: 'Raspberry Pi 3 Model B+',
    platform: { Os: 'LINUX', Arch: 'ARM_EABIHF' },
    options: "{'mattr': ['+neon']}",
  },
  {
    name: 'Jetson TX2',
    platform: { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' },
    options: "{'gpu-code': 'sm_62', 'trt-ver': '6.0.1', 'cuda-ver': '10.0'}",
  },
  { name: 'RK3399', platform: { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'MALI' } },
  {
    name: 'ARMv7 phone (CPU)',
    platform: { Os: 'ANDROID', Arch: 'ARM_EABI' },
    options: "{'ANDROID_PLATFORM': 25, 'mattr': ['+neon']}",
  },
  {
    name: 'ARMv8 phone (CPU)',
    platform: { Os: 'ANDROID', Arch: 'ARM64' },
    options: "{'ANDROID_PLATFORM': 29}",
  },
  // From the Os, NVIDIA and CPU option descriptions.
  {
    name: 'Android API level 28',
    platform: { Os: 'ANDROID', Arch: 'ARM64' },
    options: "{'ANDROID_PLATFORM': 28}",
  },
  {
    name: 'NVIDIA sm_72',
    platform: { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' },
    options: "{'gpu-code': 'sm_72', 'trt-ver': '6.0.1', 'cuda-ver': '10.1'}",
  },
  { name: 'CPU mcpu', platform: { Os: 'LINUX', Arch: 'X86_64' }, options: "{'mcpu': 'skylake-avx512'}" },
  {
    name: 'CPU mattr',
    platform: { Os: 'LINUX', Arch: 'ARM_EABIHF' },
    options: "{'mattr': ['+neon', '+vfpv4']}",
  },
];

function platformYaml(platform: Record<string, string>): string {
  const fields = Object.entries(platform).map(([key, value]) => `${key.toLowerCase()}: ${value}`);
  return `{${fields.join(', ')}}`;
}

describe('TargetPlatform and CompilerOptions examples of the reference page', () => {
  for (const { name, platform, options } of platformExamples) {
    it(name, () => {
      const fields = `      data-input-config: {input0: [1, 3, 224, 224]}\n    platform: ${platformYaml(platform)}${
        options ? `\n    compiler-options: ${options}` : ''
      }`;
      const job = compile(fields);
      expect(job.request.OutputConfig?.TargetPlatform).toEqual(platform);
      expect(job.request.OutputConfig?.TargetDevice).toBeUndefined();
      expect(job.request.OutputConfig?.CompilerOptions).toBe(options ? asJson(options) : undefined);
    });
  }

  it('DTYPE for ml_* PyTorch targets: {"dtype" : "float32"}', () => {
    const job = compile(
      '      data-input-config: {input0: [1, 3, 224, 224]}\n    device: ml_c5\n    compiler-options: {"dtype" : "float32"}',
    );
    expect(job.request.OutputConfig?.CompilerOptions).toBe('{"dtype":"float32"}');
  });

  it('ml_eia2 TensorFlow options (signature_def_key, output_names)', () => {
    for (const options of [
      '{"signature_def_key": "serving_custom"}',
      '{"output_names": ["output_tensor:0"]}',
    ]) {
      const job = compile(
        `      data-input-config: {"inputs": [1, 224, 224, 3]}\n    device: ml_eia2\n    compiler-options: ${options}`,
        'TENSORFLOW',
      );
      expect(job.request.OutputConfig?.CompilerOptions).toBe(asJson(options));
    }
  });

  it('ml_inf1 Neuron options pass as the JSON string the page shows', () => {
    const job = compile(
      `      data-input-config: {input0: [1, 3, 224, 224]}\n    device: ml_inf1\n    compiler-options: '"--verbose 1 --num-neuroncores 2 -O2"'`,
    );
    expect(job.request.OutputConfig?.CompilerOptions).toBe('"--verbose 1 --num-neuroncores 2 -O2"');
  });

  it('the EC2 m5.2xlarge example contradicts the NVIDIA rule of the same page and is rejected', () => {
    // The page lists {"Os": "LINUX", "Arch": "X86_64", "Accelerator": "NVIDIA"} with only {'mcpu': ...}, while
    // it also states NVIDIA "requires gpu-code, trt-ver, cuda-ver" (and an m5 has no NVIDIA GPU).
    const fields = `      data-input-config: {input0: [1, 3, 224, 224]}\n    platform: {os: LINUX, arch: X86_64, accelerator: NVIDIA}\n    compiler-options: {'mcpu': 'skylake-avx512'}`;
    const text = `version: 1\nrole-arn: ${ROLE}\noutput: {s3-location: s3://artifacts/out/}\ntargets:\n  - name: example\n    input:\n      s3-uri: s3://models/m/model.tar.gz\n      framework: PYTORCH\n${fields}\n`;
    const errors = errorsOf(text);
    expect(errors).toEqual([
      expect.objectContaining({ title: 'NVIDIA compiler options missing', ...pos(text, "{'mcpu'") }),
    ]);
    // Without the accelerator (an m5 is a CPU instance) the example's CPU options plan as shown.
    const job = compile(fields.replace(', accelerator: NVIDIA', ''));
    expect(job.request.OutputConfig?.TargetPlatform).toEqual({ Os: 'LINUX', Arch: 'X86_64' });
    expect(job.request.OutputConfig?.CompilerOptions).toBe('{"mcpu":"skylake-avx512"}');
  });
});

describe('KmsKeyId forms of the reference page', () => {
  for (const key of [
    '1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'alias/ExampleAlias',
    'arn:aws:kms:us-west-2:111122223333:alias/ExampleAlias',
  ]) {
    it(key, () => {
      const text = `version: 1\nrole-arn: ${ROLE}\noutput: {s3-location: s3://artifacts/out/, kms-key-id: ${key}}\ntargets:\n  - name: nano\n    device: jetson_nano\n    model-package-arn: arn:aws:sagemaker:us-west-2:123456789012:model-package/resnet/3\n`;
      const [job] = plan(text);
      expect(job?.request.OutputConfig?.KmsKeyId).toBe(key);
    });
  }
});
