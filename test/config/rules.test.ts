// Every validation rule has a failing example whose title, line and column are asserted.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/types.ts';
import { ctx, errorsOf, HEADER, pos, ROLE } from './helpers.ts';

/** HEADER plus one target entry `- name: t` (line 11) followed by `lines` (each indented 4 spaces). */
function target(lines: string, header = HEADER): string {
  return `${header}targets:\n  - name: t\n${lines
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')}\n`;
}

const MINIMAL = `version: 1\nrole-arn: ${ROLE}\noutput: {s3-location: s3://artifacts/out/}\n`;
const INPUT =
  'input: {s3-uri: s3://models/model.tar.gz, framework: PYTORCH, data-input-config: {input0: [1, 3, 224, 224]}}';
const IMAGE = '763104351884.dkr.ecr.us-west-2.amazonaws.com/djl-inference:0.29.0-lmi11.0.0-cu124';

function optimization(lines: string, header = MINIMAL): string {
  return target(
    `kind: optimization\ninstance-type: ml.g5.12xlarge\nmodel: {s3-uri: s3://models/llama/}\n${lines}`,
    header,
  );
}

interface Case {
  rule: string;
  text: string;
  title: string;
  /** The text the error points at (its first occurrence, or the n-th). */
  at: string | [string, number] | { line: number; col: number };
  message?: RegExp;
  context?: RunContext;
}

const cases: Case[] = [
  // Keys and types
  {
    rule: 'unknown top-level key, with a suggestion',
    text: `${HEADER}regoin: us-east-1\ntargets:\n  - name: t\n    device: jetson_nano\n`,
    title: 'Unknown key',
    at: 'regoin',
    message: /did you mean region\?/,
  },
  {
    rule: 'unknown target key, with a suggestion',
    text: target('devcie: jetson_nano'),
    title: 'Unknown key',
    at: 'devcie',
    message: /did you mean device\?/,
  },
  {
    rule: 'misplaced key says where it belongs',
    text: target('device: jetson_nano\nframework: ONNX'),
    title: 'Unknown key',
    at: 'framework: ONNX',
    message: /belongs in input/,
  },
  {
    rule: 'camelCase key is matched to the kebab-case one',
    text: target('device: jetson_nano\nroleArn: x'),
    title: 'Unknown key',
    at: 'roleArn',
    message: /did you mean role-arn\?/,
  },
  {
    rule: 'wrong type',
    text: `${HEADER}targets: {name: t}\n`,
    title: 'Wrong type',
    at: '{name',
    message: /targets must be a list/,
  },
  { rule: 'empty file', text: '', title: 'Wrong type', at: { line: 1, col: 1 }, message: /file is empty/ },
  {
    rule: 'unsupported version',
    text: HEADER.replace('version: 1', 'version: 2'),
    title: 'Unsupported version',
    at: '2',
    message: /version: 1/,
  },
  {
    rule: 'missing version',
    text: `${HEADER.replace('version: 1\n', '')}targets:\n  - {name: t, device: jetson_nano}\n`,
    title: 'Missing key',
    at: { line: 1, col: 1 },
    message: /version: 1/,
  },
  {
    rule: 'missing targets',
    text: HEADER,
    title: 'Missing key',
    at: { line: 1, col: 1 },
    message: /targets/,
  },
  {
    rule: 'empty targets',
    text: `${HEADER}targets: []\n`,
    title: 'Targets is empty',
    at: 'targets',
  },
  // YAML
  {
    rule: 'YAML syntax error',
    text: `${HEADER}targets:\n  - name: t\n    device: [jetson_nano\n`,
    title: 'YAML syntax error',
    at: { line: 13, col: 1 },
  },
  {
    rule: 'duplicate key',
    text: target('device: jetson_nano\ndevice: rasp4b'),
    title: 'Duplicate key',
    at: ['device', 2],
    message: /'device' appears more than once/,
  },
  {
    rule: 'tab indentation',
    text: `${HEADER}targets:\n  - name: t\n\tdevice: jetson_nano\n`,
    title: 'Tab used for indentation',
    at: { line: 12, col: 1 },
  },
  // Target names
  {
    rule: 'duplicate target names',
    text: `${HEADER}targets:\n  - {name: nano, device: jetson_nano}\n  - {name: nano, device: rasp4b}\n`,
    title: 'Duplicate target name',
    at: 'nano, device: rasp4b',
    message: /line 11/,
  },
  {
    rule: 'target name not usable in a job name',
    text: `${HEADER}targets:\n  - {name: "tx2 trt", device: jetson_tx2}\n`,
    title: 'Invalid target name',
    at: '"tx2 trt"',
  },
  {
    rule: 'target names that read the same in job names',
    text: `${HEADER}targets:\n  - {name: tx2-trt, device: jetson_tx2}\n  - {name: tx2.trt, device: jetson_tx2}\n`,
    title: 'Target names clash in job names',
    at: 'tx2.trt',
  },
  {
    rule: 'target without a name',
    text: `${HEADER}targets:\n  - device: jetson_nano\n`,
    title: 'Missing key',
    at: 'device',
    message: /needs a name/,
  },
  {
    rule: 'target name longer than 63 characters',
    text: `${HEADER}targets:\n  - {name: ${'n'.repeat(64)}, device: jetson_nano}\n`,
    title: 'Invalid target name',
    at: 'nnnn',
    message: /at most 63/,
  },
  // ARNs
  {
    rule: 'role ARN pattern',
    text: target('device: jetson_nano\nrole-arn: arn:aws:iam::12345:role/Neo'),
    title: 'Invalid IAM role ARN',
    at: 'arn:aws:iam::12345:role/Neo',
  },
  {
    rule: 'role ARN length',
    text: target(`device: jetson_nano\nrole-arn: arn:aws:iam::123456789012:role/${'r'.repeat(2030)}`),
    title: 'Invalid IAM role ARN',
    at: 'arn:aws:iam::123456789012:role/rrr',
    message: /20 to 2048/,
  },
  {
    rule: 'role missing everywhere',
    text: `version: 1\noutput: {s3-location: s3://artifacts/b/}\n${INPUT}\ntargets:\n  - name: t\n    device: jetson_nano\n`,
    title: 'No role-arn',
    at: 'name: t',
  },
  {
    rule: 'role in another partition than the region',
    text: target('device: jetson_nano\nregion: cn-north-1'),
    title: 'Role in another partition',
    at: ROLE,
    message: /aws-cn/,
  },
  {
    rule: 'model package ARN pattern',
    text: target(
      'device: jetson_nano\nmodel-package-arn: arn:aws:sagemaker:us-west-2:123:model-package/x',
      MINIMAL,
    ),
    title: 'Invalid model package version ARN',
    at: 'arn:aws:sagemaker',
  },
  {
    rule: 'model package in another region',
    text: target(
      'device: jetson_nano\nmodel-package-arn: arn:aws:sagemaker:eu-west-1:123456789012:model-package/x/1',
      MINIMAL,
    ),
    title: 'Model package in another region',
    at: 'arn:aws:sagemaker',
    message: /eu-west-1/,
  },
  // Model source, device
  {
    rule: 'both input and model-package-arn on a target',
    text: target(
      `device: jetson_nano\n${INPUT}\nmodel-package-arn: arn:aws:sagemaker:us-west-2:123456789012:model-package/x/1`,
    ),
    title: 'Both input and model-package-arn',
    at: 'model-package-arn',
  },
  {
    rule: 'both input and model-package-arn at the top level',
    text: `${HEADER}model-package-arn: arn:aws:sagemaker:us-west-2:123456789012:model-package/x/1\ntargets:\n  - {name: a, device: jetson_nano}\n  - {name: b, device: rasp4b}\n`,
    title: 'Both input and model-package-arn',
    at: 'model-package-arn',
    message: /top level sets both/,
  },
  {
    rule: 'neither input nor model-package-arn',
    text: target('device: jetson_nano', MINIMAL),
    title: 'No model to compile',
    at: 'name: t',
  },
  {
    rule: 'both device and platform',
    text: target('device: jetson_nano\nplatform: {os: LINUX, arch: ARM64}'),
    title: 'Both device and platform',
    at: 'platform',
  },
  {
    rule: 'neither device nor platform',
    text: target('compiler-options: {mcpu: skylake-avx512}'),
    title: 'No device or platform',
    at: 'name: t',
  },
  // S3
  {
    rule: 'S3 URI pattern',
    text: target('device: jetson_nano\noutput: {s3-location: "s3:/artifacts/out/"}'),
    title: 'Invalid S3 URI',
    at: '"s3:/',
  },
  {
    rule: 'S3 URI length',
    text: target(`device: jetson_nano\noutput: {s3-location: s3://artifacts/${'k'.repeat(1010)}}`),
    title: 'S3 URI too long',
    at: 's3://artifacts/kkk',
  },
  {
    rule: 'S3 bucket name',
    text: target('device: jetson_nano\noutput: {s3-location: s3://My_Bucket/out/}'),
    title: 'Invalid S3 bucket name',
    at: 's3://My_Bucket',
  },
  {
    rule: 'model path leaving the workspace',
    text: target('device: jetson_nano\ninput: {path: ../models/model.tar.gz, upload-to: s3://neo-inputs/}'),
    title: 'Path outside the workspace',
    at: '../models',
    message: /climbs above the workspace/,
  },
  {
    rule: 'absolute model path',
    text: target(
      'device: jetson_nano\ninput: {path: /home/runner/model.tar.gz, upload-to: s3://neo-inputs/}',
    ),
    title: 'Path outside the workspace',
    at: '/home/runner',
    message: /absolute path/,
  },
  {
    rule: 'model path in the home directory',
    text: target('device: jetson_nano\ninput: {path: ~/model.tar.gz, upload-to: s3://neo-inputs/}'),
    title: 'Path outside the workspace',
    at: '~/model',
  },
  {
    rule: 'model path is a file other than .tar.gz',
    text: target('device: jetson_nano\ninput: {path: models/model.pt, upload-to: s3://neo-inputs/}'),
    title: 'Model is not a .tar.gz',
    at: 'models/model.pt',
    message: /pack it into a \.tar\.gz, or point path at the directory to pack/,
  },
  {
    rule: 'both s3-uri and path in one input',
    text: target(
      'device: jetson_nano\ninput: {s3-uri: s3://models/m.tar.gz, path: models/m.tar.gz, upload-to: s3://neo-inputs/}',
    ),
    title: 'Both s3-uri and path',
    at: 'path:',
  },
  {
    rule: 'path without upload-to',
    text: target('device: jetson_nano\ninput: {path: models/m.tar.gz}'),
    title: 'path needs upload-to',
    at: 'path',
  },
  {
    rule: 'model is not a .tar.gz',
    text: target('device: jetson_nano\ninput: {s3-uri: s3://models/resnet/model.pt}'),
    title: 'Model is not a .tar.gz',
    at: 's3://models/resnet/model.pt',
  },
  {
    rule: 'no output location',
    text: `version: 1\nrole-arn: ${ROLE}\n${INPUT}\ntargets:\n  - {name: t, device: jetson_nano}\n`,
    title: 'No output location',
    at: '{name: t',
  },
  // Enums
  {
    rule: 'framework enum',
    text: target('device: jetson_nano\ninput: {framework: PYTORC}'),
    title: 'Unknown Framework',
    at: 'PYTORC}',
    message: /did you mean PYTORCH\?/,
  },
  {
    rule: 'device enum',
    text: target('device: jetson_nan'),
    title: 'Unknown TargetDevice',
    at: 'jetson_nan',
    message: /did you mean jetson_nano\?/,
  },
  {
    rule: 'device enum, case',
    text: target('device: JETSON_NANO'),
    title: 'Unknown TargetDevice',
    at: 'JETSON_NANO',
    message: /did you mean jetson_nano\?/,
  },
  {
    rule: 'platform os enum',
    text: target('platform: {os: linux, arch: ARM64}'),
    title: 'Unknown TargetPlatformOs',
    at: 'linux',
    message: /did you mean LINUX\?/,
  },
  {
    rule: 'platform arch enum',
    text: target('platform: {os: LINUX, arch: AARCH64}'),
    title: 'Unknown TargetPlatformArch',
    at: 'AARCH64',
  },
  {
    rule: 'platform accelerator enum',
    text: target('platform: {os: LINUX, arch: ARM64, accelerator: NVIDA}'),
    title: 'Unknown TargetPlatformAccelerator',
    at: 'NVIDA',
    message: /did you mean NVIDIA\?/,
  },
  {
    rule: 'platform without arch',
    text: target('platform: {os: LINUX}'),
    title: 'Missing key',
    at: 'platform',
    message: /needs arch/,
  },
  // Framework version
  {
    rule: 'framework-version written as a YAML number',
    text: target('device: jetson_nano\ninput: {framework-version: 2.0}'),
    title: 'Wrong type',
    at: '2.0}',
    message: /quote it: "2\.0"/,
  },
  {
    rule: 'framework-version pattern',
    text: target('device: jetson_nano\ninput: {framework-version: v2.0}'),
    title: 'Invalid framework version',
    at: 'v2.0',
  },
  {
    rule: 'framework-version length',
    text: target('device: jetson_nano\ninput: {framework-version: "1.2.3.4.5.6"}'),
    title: 'Framework-version too long',
    at: '"1.2',
  },
  {
    rule: 'framework-version only for MXNet, PyTorch, TensorFlow, TFLite',
    text: target('device: jetson_nano\ninput: {framework: ONNX}'),
    title: 'framework-version not supported',
    at: 'framework-version',
    message: /remove it for ONNX/,
  },
  // DataInputConfig
  {
    rule: 'data-input-config required for frameworks other than XGBoost',
    text: target('device: jetson_nano\ninput: {s3-uri: s3://models/model.tar.gz, framework: ONNX}', MINIMAL),
    title: 'No data-input-config',
    at: 'input',
  },
  {
    rule: 'TensorFlow needs names, not a list of shapes',
    text: target(
      'device: jetson_nano\ninput: {framework: TENSORFLOW, data-input-config: [[1, 224, 224, 3]]}',
    ),
    title: 'DataInputConfig needs input names',
    at: '[[1',
    message: /NHWC/,
  },
  {
    rule: 'shape dimensions are whole numbers',
    text: target('device: jetson_nano\ninput: {data-input-config: {input0: [1, 3, 224.5, 224]}}'),
    title: 'Invalid input shape',
    at: '224.5',
  },
  {
    rule: 'empty data-input-config map',
    text: target('device: jetson_nano\ninput: {data-input-config: {}}'),
    title: 'DataInputConfig is empty',
    at: '{}',
  },
  {
    rule: 'CoreML inputs need shape',
    text: target('device: coreml\ninput: {data-input-config: {input_1: [1, 224, 224, 3]}}'),
    title: 'CoreML input needs shape',
    at: '[1, 224',
    message: /shape: \[1,224,224,3\]/,
  },
  {
    rule: 'CoreML Image input needs bias and scale',
    text: target(
      'device: coreml\ninput: {data-input-config: {input_1: {shape: [1, 224, 224, 3], type: Image}}}',
    ),
    title: 'Image input needs bias and scale',
    at: 'Image',
  },
  {
    rule: 'CoreML range dimensions',
    text: target('device: coreml\ninput: {data-input-config: {input_1: {shape: ["10..1", 224, 224, 3]}}}'),
    title: 'Invalid input shape',
    at: '"10..1"',
  },
  {
    rule: 'CoreML default_shape must be one of the enumerated shapes',
    text: target(
      'device: coreml\ninput: {data-input-config: {input_1: {shape: [[1, 224, 224, 3], [1, 160, 160, 3]], default_shape: [1, 128, 128, 3]}}}',
    ),
    title: 'default_shape not enumerated',
    at: '[1, 128',
  },
  {
    rule: 'CoreML input type',
    text: target(
      'device: coreml\ninput: {data-input-config: {input_1: {shape: [1, 224, 224, 3], type: image}}}',
    ),
    title: 'Invalid CoreML input type',
    at: 'image',
    message: /did you mean Image\?/,
  },
  {
    rule: 'CoreML takes TensorFlow and PyTorch models',
    text: target(
      'device: coreml\ninput: {s3-uri: s3://models/m.tar.gz, framework: ONNX, data-input-config: {input_1: {shape: [1, 3, 224, 224]}}}',
      MINIMAL,
    ),
    title: 'Framework not supported by coreml',
    at: 'ONNX',
  },
  {
    rule: 'the {shape} form is for coreml only',
    text: target('device: jetson_nano\ninput: {data-input-config: {input_1: {shape: [1, 3, 224, 224]}}}'),
    title: 'CoreML input form on another device',
    at: '{shape',
  },
  {
    rule: 'DataInputConfig at most 16384 characters',
    text: target(
      `device: jetson_nano\ninput: {data-input-config: {${Array.from({ length: 800 }, (_, i) => `input${i}: [1, 3, 224, 224]`).join(', ')}}}`,
    ),
    title: 'DataInputConfig length',
    at: ['{input0', 2],
    message: /16384/,
  },
  // CompilerOptions
  {
    rule: 'NVIDIA requires gpu-code, trt-ver and cuda-ver',
    text: target(
      'platform: {os: LINUX, arch: ARM64, accelerator: NVIDIA}\ncompiler-options: {gpu-code: sm_62}',
    ),
    title: 'NVIDIA compiler options missing',
    at: '{gpu-code',
    message: /add trt-ver, cuda-ver/,
  },
  {
    rule: 'NVIDIA without any compiler options',
    text: target('platform: {os: LINUX, arch: ARM64, accelerator: NVIDIA}'),
    title: 'NVIDIA compiler options missing',
    at: 'NVIDIA',
  },
  {
    rule: 'cuda-ver written as a YAML number',
    text: target(
      'platform: {os: LINUX, arch: ARM64, accelerator: NVIDIA}\ncompiler-options: {gpu-code: sm_62, trt-ver: 6.0.1, cuda-ver: 10.0}',
    ),
    title: 'Wrong type',
    at: '10.0',
    message: /quote it: "10\.0"/,
  },
  {
    rule: 'trt-ver format',
    text: target(
      'platform: {os: LINUX, arch: ARM64, accelerator: NVIDIA}\ncompiler-options: {gpu-code: sm_62, trt-ver: "6.0", cuda-ver: "10.0"}',
    ),
    title: 'Invalid trt-ver',
    at: '"6.0"',
    message: /x\.y\.z/,
  },
  {
    rule: 'misspelled compiler option',
    text: target('platform: {os: LINUX, arch: ARM64}\ncompiler-options: {gpu_code: sm_62}'),
    title: 'Misspelled compiler option',
    at: 'gpu_code',
    message: /did you mean gpu-code\?/,
  },
  {
    rule: 'ANDROID_PLATFORM from 21 to 29',
    text: target('platform: {os: ANDROID, arch: ARM64}\ncompiler-options: {ANDROID_PLATFORM: 30}'),
    title: 'Invalid ANDROID_PLATFORM',
    at: '30',
  },
  {
    rule: 'ANDROID_PLATFORM only for Android',
    text: target('platform: {os: LINUX, arch: ARM64}\ncompiler-options: {ANDROID_PLATFORM: 28}'),
    title: 'ANDROID_PLATFORM needs an Android platform',
    at: '28',
  },
  {
    rule: 'mattr is a list',
    text: target("platform: {os: LINUX, arch: ARM_EABIHF}\ncompiler-options: {mattr: '+neon'}"),
    title: 'Wrong type',
    at: "'+neon'",
    message: /must be a list/,
  },
  {
    rule: 'CompilerOptions at least 3 characters',
    text: target("device: rasp4b\ncompiler-options: '{}'"),
    title: 'CompilerOptions length',
    at: "'{}'",
  },
  {
    rule: 'CompilerOptions at most 1024 characters',
    text: target(`device: rasp4b\ncompiler-options: {mcpu: ${'x'.repeat(1020)}}`),
    title: 'CompilerOptions length',
    at: '{mcpu',
  },
  {
    rule: 'ml_inf1 options are a JSON string',
    text: target('device: ml_inf1\ncompiler-options: --verbose 1 -O2'),
    title: 'Neuron options must be a JSON string',
    at: '--verbose',
  },
  // KMS, tags, VPC
  {
    rule: 'KMS key forms',
    text: target('device: jetson_nano\noutput: {kms-key-id: my-key}'),
    title: 'Invalid KMS key',
    at: 'my-key',
  },
  {
    rule: 'at most 50 tags',
    text: target(
      `device: jetson_nano\ntags: {${Array.from({ length: 51 }, (_, i) => `k${i}: v`).join(', ')}}`,
    ),
    title: 'Too many tags',
    at: 'tags',
  },
  {
    rule: 'at most 50 tags once merged with the top level',
    text: target(
      `device: jetson_nano\ntags: {${Array.from({ length: 30 }, (_, i) => `t${i}: v`).join(', ')}}`,
      `${HEADER}tags: {${Array.from({ length: 30 }, (_, i) => `top${i}: v`).join(', ')}}\n`,
    ),
    title: 'Too many tags',
    at: ['tags', 2],
    message: /60 tags/,
  },
  {
    rule: 'tag keys must not start with aws:',
    text: target('device: jetson_nano\ntags: {"aws:team": vision}'),
    title: 'Reserved tag key',
    at: '"aws:team"',
  },
  {
    rule: 'tag key length',
    text: target(`device: jetson_nano\ntags: {${'k'.repeat(129)}: v}`),
    title: 'Invalid tag key',
    at: 'kkk',
  },
  {
    rule: 'tag value characters',
    text: target('device: jetson_nano\ntags: {team: "vision!"}'),
    title: 'Invalid tag value',
    at: '"vision!"',
  },
  {
    rule: 'tag value length',
    text: target(`device: jetson_nano\ntags: {team: ${'v'.repeat(257)}}`),
    title: 'Tag value too long',
    at: 'vvv',
  },
  {
    rule: 'VPC security groups 1..5',
    text: target(
      'device: jetson_nano\nvpc: {security-group-ids: [sg-1, sg-2, sg-3, sg-4, sg-5, sg-6], subnets: [subnet-1]}',
    ),
    title: 'Too many security-group-ids',
    at: 'security-group-ids',
  },
  {
    rule: 'VPC subnets 1..16',
    text: target('device: jetson_nano\nvpc: {security-group-ids: [sg-1], subnets: []}'),
    title: 'Subnets is empty',
    at: 'subnets',
  },
  {
    rule: 'VPC ids',
    text: target('device: jetson_nano\nvpc: {security-group-ids: [sg-1], subnets: [net-0123]}'),
    title: 'Invalid subnet id',
    at: 'net-0123',
  },
  {
    rule: 'VPC needs both lists',
    text: target('device: jetson_nano\nvpc: {subnets: [subnet-1]}'),
    title: 'Missing key',
    at: 'vpc',
  },
  // Stopping condition
  {
    rule: 'duration format',
    text: target('device: jetson_nano\nstopping-condition: {max-runtime: 15 minutes}'),
    title: 'Invalid duration',
    at: '15 minutes',
    message: /15m/,
  },
  {
    rule: 'max-runtime at least 1 second',
    text: target('device: jetson_nano\nstopping-condition: {max-runtime: 0}'),
    title: 'Max-runtime out of range',
    at: '0}',
  },
  {
    rule: 'max-runtime at most 28 days',
    text: target('device: jetson_nano\nstopping-condition: {max-runtime: 29d}'),
    title: 'max-runtime out of range',
    at: '29d',
  },
  {
    rule: 'max-pending from 2 hours to 28 days',
    text: target('device: jetson_nano\nstopping-condition: {max-pending: 1h}'),
    title: 'max-pending out of range',
    at: '1h',
  },
  {
    rule: 'max-wait at least max-runtime',
    text: target('device: jetson_nano\nstopping-condition: {max-runtime: 1h, max-wait: 30m}'),
    title: 'max-wait shorter than max-runtime',
    at: '30m',
  },
  {
    rule: 'max-wait at least the default max-runtime',
    text: target('device: jetson_nano\nstopping-condition: {max-wait: 10m}'),
    title: 'max-wait shorter than max-runtime',
    at: '10m',
    message: /the default/,
  },
  // Regions
  {
    rule: 'ml_trn1 only in us-east-1',
    text: target('device: ml_trn1'),
    title: 'Device not available in this region',
    at: 'ml_trn1',
    message: /us-east-1/,
  },
  {
    rule: 'ml_inf2 only in us-east-2',
    text: target('device: ml_inf2\nregion: us-east-1'),
    title: 'Device not available in this region',
    at: 'ml_inf2',
    message: /us-east-2/,
  },
  {
    rule: 'region code',
    text: target('device: jetson_nano\nregion: us-east'),
    title: 'Invalid AWS Region',
    at: 'us-east',
  },
  {
    rule: 'no region anywhere',
    text: target('device: jetson_nano'),
    context: { ...ctx, region: '' },
    title: 'No region',
    at: 'name: t',
  },
  // Placeholders
  {
    rule: 'unknown placeholder',
    text: target('device: jetson_nano\noutput: {s3-location: "s3://artifacts/${shaa}/"}'),
    title: 'Unknown placeholder',
    at: '${shaa}',
    message: /did you mean \$\{sha\}\?/,
  },
  {
    rule: 'unset environment variable',
    text: target('device: jetson_nano\noutput: {s3-location: "s3://${env.NOPE}/out/"}'),
    title: 'Environment variable not set',
    at: '${env.NOPE}',
  },
  {
    rule: 'empty environment variable',
    text: target('device: jetson_nano\noutput: {s3-location: "s3://${env.EMPTY}/out/"}'),
    title: 'Environment variable not set',
    at: '${env.EMPTY}',
    message: /empty/,
  },
  {
    rule: 'GitHub expression',
    text: target('device: jetson_nano\noutput: {s3-location: "s3://artifacts/${{ github.sha }}/"}'),
    title: 'GitHub expression in neo.yml',
    at: '${{',
    message: /\$\{sha\}/,
  },
  {
    rule: 'placeholder not allowed in job-prefix',
    text: `${HEADER}job-prefix: neo-\${target}\ntargets:\n  - {name: t, device: jetson_nano}\n`,
    title: 'Placeholder not allowed here',
    at: '${target}',
  },
  {
    rule: 'job-prefix length',
    text: `${HEADER}job-prefix: ${'p'.repeat(40)}\ntargets:\n  - {name: t, device: jetson_nano}\n`,
    title: 'job-prefix too long',
    at: 'ppp',
  },
  {
    rule: 'placeholder makes an invalid value',
    text: target('device: jetson_nano\nrole-arn: "${env.MODEL_BUCKET}"'),
    title: 'Invalid IAM role ARN',
    at: '"${env.MODEL_BUCKET}"',
  },
  // Optimization
  {
    rule: 'instance type enum',
    text: optimization(
      `instance-type: ml.g5.12xlage\noptimizations: [{quantization: {image: ${IMAGE}}}]`,
    ).replace('instance-type: ml.g5.12xlarge\n    ', ''),
    title: 'Unknown OptimizationJobDeploymentInstanceType',
    at: 'ml.g5.12xlage',
    message: /did you mean ml\.g5\.12xlarge\?/,
  },
  {
    rule: 'at least one optimization',
    text: optimization('optimizations: []'),
    title: 'Optimizations is empty',
    at: 'optimizations',
  },
  {
    rule: 'at most 10 optimizations',
    text: optimization(
      `optimizations: [${Array.from({ length: 11 }, () => '{compilation: {}}').join(', ')}]`,
    ),
    title: 'Too many optimizations',
    at: 'optimizations',
  },
  {
    rule: 'one technique per optimizations entry',
    text: optimization('optimizations:\n  - {quantization: {}, compilation: {}}'),
    title: 'Several techniques in one entry',
    at: '{quantization',
  },
  {
    rule: 'sharding alone',
    text: optimization('optimizations:\n  - quantization: {}\n  - sharding: {}'),
    title: 'Sharding combined with other techniques',
    at: 'sharding',
  },
  {
    rule: 'unknown technique',
    text: optimization('optimizations:\n  - quantisation: {}'),
    title: 'Unknown key',
    at: 'quantisation',
    message: /did you mean quantization\?/,
  },
  {
    rule: 'at most 25 environment variables',
    text: optimization(
      `environment: {${Array.from({ length: 26 }, (_, i) => `V${i}: x`).join(', ')}}\noptimizations: [{compilation: {}}]`,
    ),
    title: 'Too many environment',
    at: 'environment',
  },
  {
    rule: 'environment variable names',
    text: optimization('optimizations: [{quantization: {environment: {1BAD: x}}}]'),
    title: 'Invalid variable name',
    at: '1BAD',
  },
  {
    rule: 'model source S3 URI',
    text: optimization('optimizations: [{compilation: {}}]').replace('s3://models/llama/', 'models/llama'),
    title: 'Invalid S3 URI',
    at: 'models/llama',
  },
  {
    rule: 'accept-eula is a boolean',
    text: optimization('optimizations: [{compilation: {}}]').replace(
      '{s3-uri: s3://models/llama/}',
      '{s3-uri: s3://models/llama/, accept-eula: "yes"}',
    ),
    title: 'Wrong type',
    at: '"yes"',
    message: /true or false/,
  },
  {
    rule: 'image is an ECR image URI',
    text: optimization('optimizations: [{quantization: {image: djl-inference:latest}}]'),
    title: 'Invalid ECR image URI',
    at: 'djl-inference',
  },
  {
    rule: 'image in the target region',
    text: optimization(
      `optimizations: [{quantization: {image: ${IMAGE.replace('us-west-2', 'us-east-1')}}}]`,
    ),
    title: 'Image in another region',
    at: '763104351884',
  },
  {
    rule: 'optimization settings on a compilation target',
    text: target('device: jetson_nano\ninstance-type: ml.g5.12xlarge'),
    title: 'Optimization setting on a compilation target',
    at: 'instance-type',
    message: /kind: optimization/,
  },
  {
    rule: 'compilation settings on an optimization target',
    text: optimization('device: jetson_nano\noptimizations: [{compilation: {}}]'),
    title: 'Compilation setting on an optimization target',
    at: 'device',
  },
  {
    rule: 'optimization target without optimizations',
    text: optimization(''),
    title: 'No optimizations',
    at: 'name: t',
  },
];

describe('validation rules', () => {
  for (const testCase of cases) {
    it(testCase.rule, () => {
      const errors = errorsOf(testCase.text, testCase.context);
      const at = Array.isArray(testCase.at)
        ? pos(testCase.text, testCase.at[0], testCase.at[1])
        : typeof testCase.at === 'string'
          ? pos(testCase.text, testCase.at)
          : testCase.at;
      expect(errors).toContainEqual(
        expect.objectContaining({
          file: 'neo.yml',
          title: testCase.title,
          line: at.line,
          col: at.col,
          ...(testCase.message && { message: expect.stringMatching(testCase.message) }),
        }),
      );
    });
  }
});

describe('all errors at once', () => {
  it('reports schema and semantic errors of several targets together, sorted by line', () => {
    const text = target(
      'device: jetson_nan\nregion: us-east-1\nstopping-condition: {max-pending: 1h}',
    ).concat('  - {name: trn, device: ml_trn1, region: us-west-2}\n  - {name: x, devcie: rasp4b}\n');
    const errors = errorsOf(text);
    expect(errors.map((error) => [error.title, error.line])).toEqual([
      ['Unknown TargetDevice', 12],
      ['max-pending out of range', 14],
      ['Device not available in this region', 15],
      // 'devcie' explains the missing device: no second error for it.
      ['Unknown key', 16],
    ]);
  });

  it('reports a problem in an inherited default once, naming the targets it affects', () => {
    const text = `${HEADER.replace('framework: PYTORCH', 'framework: ONNX')}targets:\n  - {name: a, device: jetson_nano}\n  - {name: b, device: rasp4b}\n`;
    const errors = errorsOf(text);
    expect(errors).toEqual([
      expect.objectContaining({
        title: 'framework-version not supported',
        ...pos(text, 'framework-version'),
        message: expect.stringMatching(/^Targets 'a', 'b': framework-version is only supported/),
      }),
    ]);
  });

  it('keeps checking after a duplicate key, which leaves the document whole', () => {
    const text = target('device: jetson_nano\ndevice: jetson_nan');
    expect(errorsOf(text).map((error) => [error.title, error.line, error.col])).toEqual([
      ['Duplicate key', 13, 5],
      ['Unknown TargetDevice', 13, 13],
    ]);
  });

  it('reports a setting missing from every target once, at the top', () => {
    const text = `version: 1\noutput: {s3-location: s3://artifacts/out/}\n${INPUT}\ntargets:\n  - {name: a, device: rasp4b}\n  - {name: b, device: rasp3b}\n`;
    expect(errorsOf(text)).toEqual([
      expect.objectContaining({
        title: 'No role-arn',
        line: 1,
        col: 1,
        message: expect.stringMatching(/None of the 2 targets sets role-arn; set it once at the top level/),
      }),
    ]);
  });

  it('does not report a missing setting that a misspelled key explains', () => {
    const text = `version: 1\nrole-arn: ${ROLE}\nouptut: {s3-location: s3://artifacts/out/}\n${INPUT}\ntargets:\n  - {name: a, device: rasp4b}\n`;
    expect(errorsOf(text)).toEqual([
      expect.objectContaining({
        title: 'Unknown key',
        ...pos(text, 'ouptut'),
        message: expect.stringMatching(/did you mean output\?/),
      }),
    ]);
  });

  it('every error has a 1-based line and column and a message with the fix', () => {
    for (const testCase of cases) {
      for (const error of errorsOf(testCase.text, testCase.context)) {
        expect(error.line).toBeGreaterThanOrEqual(1);
        expect(error.col).toBeGreaterThanOrEqual(1);
        expect(error.title.length).toBeGreaterThan(0);
        expect(error.message.length).toBeGreaterThan(error.title.length);
        expect(error.title).not.toMatch(/Internal error/);
      }
    }
  });
});
