// The JSON Schema of neo.yml (draft 2020-12). This module is the source of truth: the action validates with it,
// and scripts/gen-schema.ts writes it to neo.schema.json for editors. Enums come from the installed SDK, so a
// new device reaches the schema by regenerating.
//
// Strings that may hold placeholders (`${sha}`...) accept them in their pattern and have no length limits here:
// their values are only known at run time, so the semantic rules check the substituted value (pattern and
// length) again.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import {
  ECR_IMAGE_PATTERN,
  ENVIRONMENT_KEY_MAX,
  ENVIRONMENT_KEY_PATTERN,
  ENVIRONMENT_MAX,
  ENVIRONMENT_VALUE_MAX,
  FRAMEWORK_VERSION_LENGTH,
  FRAMEWORK_VERSION_PATTERN,
  FRAMEWORKS,
  INT32_MAX,
  JOB_PREFIX_MAX,
  MODEL_PACKAGE_ARN_PATTERN,
  OPTIMIZATION_CONFIGS,
  OPTIMIZATION_INSTANCE_TYPES,
  PLATFORM_ACCELERATORS,
  PLATFORM_ARCHES,
  PLATFORM_OSES,
  REGION_PATTERN,
  ROLE_ARN_PATTERN,
  S3_URI_PATTERN,
  TAG_PATTERN,
  TAGS_MAX,
  TARGET_DEVICES,
  TARGET_NAME_PATTERN,
  TARGETS_MAX,
  VPC_ID_MAX,
  VPC_SECURITY_GROUPS,
  VPC_SUBNETS,
} from './constraints.ts';

export type JsonSchema = { [keyword: string]: unknown };

/** Matches the strict pattern, or contains a placeholder that is checked after substitution. */
function orPlaceholder(pattern: RegExp): string {
  return `${pattern.source}|\\$\\{[^}]*\\}`;
}

/** Durations: seconds as a number, or a string of seconds or of units: 90s, 15m, 2h, 1d, 1h30m. */
export const DURATION_PATTERN = /^(\d+|(?=\d)(\d+d)?(\d+h)?(\d+m)?(\d+s)?)$/;

const ref = (name: string, description: string): JsonSchema => ({ $ref: `#/$defs/${name}`, description });

const environment = (what: string): JsonSchema => ({
  description: `${what} At most ${ENVIRONMENT_MAX} variables, each value at most ${ENVIRONMENT_VALUE_MAX} characters; numbers and booleans are passed as written.`,
  type: 'object',
  maxProperties: ENVIRONMENT_MAX,
  propertyNames: { pattern: ENVIRONMENT_KEY_PATTERN.source, maxLength: ENVIRONMENT_KEY_MAX },
  additionalProperties: { type: ['string', 'number', 'boolean'] },
});

/**
 * Settings of one target. Top-level keys of the same name are defaults every target inherits;
 * the matrix may vary any of them.
 */
const targetSettings: Record<string, JsonSchema> = {
  kind: {
    title: 'target kind',
    description:
      'compilation (default): a Neo CreateCompilationJob for a device or platform. optimization: a CreateOptimizationJob (quantization, compilation or sharding of a model for an inference instance type).',
    enum: ['compilation', 'optimization'],
  },
  region: ref(
    'region',
    "AWS Region of this target's job; overrides the top-level region and the job's AWS_REGION. Example: us-east-1.",
  ),
  'role-arn': ref(
    'roleArn',
    'IAM role SageMaker assumes to read the model, write artifacts and logs; overrides the top-level role-arn.',
  ),
  device: ref(
    'device',
    'The device or ML instance family to compile for (OutputConfig.TargetDevice). Use either device or platform.',
  ),
  platform: ref(
    'platform',
    'OS, architecture and accelerator to compile for (OutputConfig.TargetPlatform), instead of a device.',
  ),
  input: ref(
    'input',
    'The model to compile (InputConfig). Deep-merged over the top-level input: only the keys given here change.',
  ),
  'model-package-arn': ref(
    'modelPackageArn',
    'Compile a versioned model package instead of an S3 model: no input is sent (the top-level input is not inherited).',
  ),
  'compiler-options': ref(
    'compilerOptions',
    'OutputConfig.CompilerOptions: a map (sent as JSON, numbers kept as numbers) or a string passed as is.',
  ),
  output: ref(
    'output',
    'Where to write the compiled or optimized model; deep-merged over the top-level output.',
  ),
  'stopping-condition': ref(
    'stoppingCondition',
    'Time limits; deep-merged over the top-level stopping-condition. Default max-runtime: 15m for compilation, 1d for optimization.',
  ),
  vpc: ref('vpc', 'VPC the job connects to; replaces the top-level vpc.'),
  tags: ref('tags', 'Tags for the job, merged over the top-level tags (a key here wins).'),
  budget: ref(
    'budget',
    "Size budget of this target's artifact; deep-merged over the top-level budget (a key here wins).",
  ),
  history: ref(
    'history',
    "S3 prefix (ending in /) of this target's run manifests; overrides the top-level history (e.g. s3://neo-history-${region}/).",
  ),
  'instance-type': ref(
    'instanceType',
    'optimization only: the instance type that will host the optimized model (DeploymentInstanceType).',
  ),
  model: ref(
    'model',
    'optimization only: the source model (ModelSource.S3): s3-uri, or path and upload-to for a model in the workspace.',
  ),
  environment: environment(
    'optimization only: environment variables of the optimization container (OptimizationEnvironment).',
  ),
  optimizations: {
    description: `optimization only: the techniques to apply, ${OPTIMIZATION_CONFIGS.min} to ${OPTIMIZATION_CONFIGS.max} entries, each with exactly one of quantization, compilation, sharding (sharding cannot be combined with other techniques).`,
    type: 'array',
    minItems: OPTIMIZATION_CONFIGS.min,
    maxItems: OPTIMIZATION_CONFIGS.max,
    items: { $ref: '#/$defs/optimization' },
  },
  'max-instance-count': {
    description:
      'optimization only: the maximum number of instances to use for the optimized model (MaxInstanceCount), 1 to 2147483647.',
    type: 'integer',
    minimum: 1,
    // MaxInstanceCount is an int32 in the API.
    maximum: INT32_MAX,
  },
};

/** Matrix keys that set a key of `input` (so `framework-version: ["1.13", "2.0"]` reads naturally). */
export const INPUT_SHORTHANDS: readonly string[] = [
  's3-uri',
  'path',
  'upload-to',
  'framework',
  'framework-version',
  'data-input-config',
];

const inputProperties: Record<string, JsonSchema> = {
  's3-uri': ref(
    'modelArchive',
    'S3 URI of the model: a single gzip-compressed tar archive (.tar.gz). Use either s3-uri or path.',
  ),
  path: ref(
    'modelPath',
    'Instead of s3-uri: the model in the workspace, relative to it: a .tar.gz file, or a directory the action packs into one (e.g. models/resnet50.tar.gz or build/model/). The action uploads it to upload-to first.',
  ),
  'upload-to': ref(
    's3Uri',
    'With path (required): the S3 prefix the action uploads the local model under, at a key derived from its content. Example: s3://bucket/neo-inputs/.',
  ),
  framework: ref('framework', 'The framework the model was trained in (InputConfig.Framework).'),
  'framework-version': ref(
    'frameworkVersion',
    'Framework version major.minor[.patch], e.g. "2.0" (quote it: YAML reads 2.0 as the number 2). Only for MXNET, PYTORCH, TENSORFLOW, TFLITE; a version Neo does not document gets a warning.',
  ),
  'data-input-config': ref(
    'dataInputConfig',
    'Names and shapes of the model inputs (InputConfig.DataInputConfig): a map or list (sent as JSON) or a JSON string passed as is.',
  ),
  preflight: {
    description:
      'false: do not open this model archive before compiling (the model preflight checks its layout and inputs). Default true.',
    type: 'boolean',
  },
};

function matrixVectors(): Record<string, JsonSchema> {
  const vectors: Record<string, JsonSchema> = {};
  const settings = { ...targetSettings, ...inputProperties };
  for (const [key, schema] of Object.entries(settings)) {
    const { description: _description, ...item } = schema;
    vectors[key] = {
      description: `Values of ${key}: one generated target per value (combined with the other keys).`,
      type: 'array',
      minItems: 1,
      items: item,
    };
  }
  return vectors;
}

function matrixEntry(what: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [key, schema] of Object.entries({ ...targetSettings, ...inputProperties })) {
    properties[key] = { ...schema, description: `${what} value of ${key}.` };
  }
  return {
    type: 'object',
    minProperties: 1,
    properties,
    additionalProperties: { description: 'A matrix variable, available as ${matrix.NAME} in strings.' },
  };
}

export const neoSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'neo.yml',
  description:
    'Configuration of neo-compile-action: the devices a model must run on, one SageMaker Neo compilation (or optimization) job per target.',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'targets'],
  properties: {
    version: { description: 'Format version of this file. The action reads version 1.', const: 1 },
    'role-arn': ref('roleArn', 'IAM role SageMaker assumes for every job (a target may override it).'),
    region: ref(
      'region',
      "AWS Region of every job (a target may override it). Default: the job's AWS_REGION.",
    ),
    'job-prefix': {
      description: `Start of every job name (<job-prefix>-<target>-<hash>), at most ${JOB_PREFIX_MAX} characters; characters other than letters and digits become '-'. Default: the repository name.`,
      type: 'string',
      minLength: 1,
    },
    input: ref('input', 'InputConfig defaults for every compilation target.'),
    'model-package-arn': ref(
      'modelPackageArn',
      'Default model package for compilation targets that set no input (use either input or model-package-arn).',
    ),
    output: ref('output', 'Output defaults for every target (compilation and optimization).'),
    'stopping-condition': ref(
      'stoppingCondition',
      'Time limit defaults for every target. Default max-runtime: 15m for compilation, 1d for optimization.',
    ),
    vpc: ref('vpc', 'VPC every job connects to (a target may replace it).'),
    tags: ref('tags', 'Tags for every job (a target may add or override keys).'),
    budget: ref(
      'budget',
      'Size budget of every artifact: max-size (25MB, 40MiB) and max-growth over the compared run (10%). A target may override it.',
    ),
    history: ref(
      'history',
      'S3 prefix (ending in /) where each run writes a manifest of its artifacts (commits/<sha>.json, refs/<ref>.json), so pull requests compare sizes with their base.',
    ),
    targets: {
      description: `The devices, platforms or instance types to build for: one job per target (per matrix combination), at most ${TARGETS_MAX}.`,
      type: 'array',
      minItems: 1,
      items: { $ref: '#/$defs/target' },
    },
  },
  $defs: {
    target: {
      description: 'One job to run (or one per combination of its matrix).',
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: {
          description:
            'Unique name of the target, used in job names, ${target} and the `targets` input. With a matrix, the values are appended (name-value1-value2) unless the name uses ${matrix.KEY}.',
          type: 'string',
          pattern: orPlaceholder(TARGET_NAME_PATTERN),
        },
        matrix: ref(
          'matrix',
          "Expands this entry into one target per combination, like GitHub's strategy.matrix.",
        ),
        ...targetSettings,
      },
    },
    matrix: {
      type: 'object',
      minProperties: 1,
      properties: {
        ...matrixVectors(),
        include: {
          description:
            'Extra combinations: keys are added to every combination whose matrix values they match, or form a new combination.',
          type: 'array',
          items: matrixEntry('Included'),
        },
        exclude: {
          description:
            'Combinations to drop: every combination matching all key/values of an entry is removed.',
          type: 'array',
          items: matrixEntry('Excluded'),
        },
      },
      additionalProperties: {
        description: 'A matrix variable (any list of values), available as ${matrix.NAME} in strings.',
        type: 'array',
        minItems: 1,
      },
    },
    region: {
      title: 'AWS Region',
      type: 'string',
      pattern: orPlaceholder(REGION_PATTERN),
      examples: ['us-east-1'],
    },
    roleArn: {
      title: 'IAM role ARN',
      type: 'string',
      pattern: orPlaceholder(ROLE_ARN_PATTERN),
      examples: ['arn:aws:iam::123456789012:role/NeoCompile'],
    },
    modelPackageArn: {
      title: 'model package version ARN',
      type: 'string',
      pattern: orPlaceholder(MODEL_PACKAGE_ARN_PATTERN),
      examples: ['arn:aws:sagemaker:us-west-2:123456789012:model-package/resnet/3'],
    },
    s3Uri: {
      title: 'S3 URI',
      type: 'string',
      pattern: orPlaceholder(S3_URI_PATTERN),
      examples: ['s3://bucket/prefix/'],
    },
    modelArchive: {
      title: 'S3 URI of a .tar.gz model archive',
      type: 'string',
      pattern: orPlaceholder(S3_URI_PATTERN),
      examples: ['s3://bucket/models/model.tar.gz'],
    },
    modelPath: {
      title: 'model path in the workspace',
      type: 'string',
      minLength: 1,
      examples: ['models/resnet50.tar.gz', 'build/model/'],
    },
    kmsKeyId: {
      title: 'KMS key',
      type: 'string',
      pattern: orPlaceholder(/^[a-zA-Z0-9:/_-]*$/),
      examples: [
        'alias/ExampleAlias',
        'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ],
    },
    device: { title: 'TargetDevice', type: 'string', enum: [...TARGET_DEVICES] },
    framework: { title: 'Framework', type: 'string', enum: [...FRAMEWORKS] },
    frameworkVersion: {
      title: 'framework version',
      type: 'string',
      minLength: FRAMEWORK_VERSION_LENGTH.min,
      maxLength: FRAMEWORK_VERSION_LENGTH.max,
      pattern: FRAMEWORK_VERSION_PATTERN.source,
      examples: ['2.0'],
    },
    instanceType: {
      title: 'OptimizationJobDeploymentInstanceType',
      type: 'string',
      enum: [...OPTIMIZATION_INSTANCE_TYPES],
    },
    platform: {
      type: 'object',
      additionalProperties: false,
      required: ['os', 'arch'],
      properties: {
        os: {
          description: 'Target OS (TargetPlatform.Os).',
          title: 'TargetPlatformOs',
          enum: [...PLATFORM_OSES],
        },
        arch: {
          description: 'Target CPU architecture (TargetPlatform.Arch).',
          title: 'TargetPlatformArch',
          enum: [...PLATFORM_ARCHES],
        },
        accelerator: {
          description:
            'Target accelerator (TargetPlatform.Accelerator), optional. NVIDIA requires the compiler options gpu-code, trt-ver and cuda-ver.',
          title: 'TargetPlatformAccelerator',
          enum: [...PLATFORM_ACCELERATORS],
        },
      },
    },
    input: {
      type: 'object',
      additionalProperties: false,
      properties: inputProperties,
    },
    dataInputConfig: {
      title: 'DataInputConfig',
      description:
        'TENSORFLOW/TFLITE: {name: shape} in NHWC; KERAS, MXNET, ONNX, DARKNET: {name: shape} in NCHW; PYTORCH: {name: shape} or a list of shapes; XGBOOST: not needed. Device coreml: {name: {shape, default_shape, type, bias, scale}}.',
      type: ['object', 'array', 'string'],
      minLength: 1,
    },
    compilerOptions: {
      title: 'CompilerOptions',
      type: ['object', 'string'],
      properties: {
        'gpu-code': { description: 'NVIDIA: the GPU architecture, e.g. sm_62.', type: 'string' },
        'trt-ver': { description: 'NVIDIA: TensorRT version in x.y.z format, e.g. 6.0.1.', type: 'string' },
        'cuda-ver': { description: 'NVIDIA: CUDA version in x.y format; quote it ("10.0").', type: 'string' },
        ANDROID_PLATFORM: { description: 'ANDROID: the Android API level, 21 to 29.', type: 'integer' },
        mattr: {
          description: "CPU flags as a list, e.g. ['+neon'].",
          type: 'array',
          items: { type: 'string' },
        },
        mcpu: { description: 'CPU micro-architecture, e.g. skylake-avx512.', type: 'string' },
        dtype: {
          description: 'Input data type for ml_* PyTorch targets: float32 (float) or int64 (long).',
          enum: ['float32', 'float', 'int64', 'long'],
        },
        DTYPE: {
          description: 'Input data type for ml_* PyTorch targets: float32 (float) or int64 (long).',
          enum: ['float32', 'float', 'int64', 'long'],
        },
        class_labels: {
          description: 'coreml: name of the labels file inside the model archive.',
          type: 'string',
        },
        signature_def_key: {
          description: 'TensorFlow SavedModel: the signature def key, when not the default.',
          type: 'string',
        },
        output_names: {
          description: 'TensorFlow frozen graph: output tensor names.',
          type: 'array',
          items: { type: 'string' },
        },
      },
    },
    output: {
      type: 'object',
      additionalProperties: false,
      properties: {
        's3-location': ref(
          's3Uri',
          'S3 prefix for the compiled or optimized model (S3OutputLocation). Example: s3://artifacts/${sha}/${target}/.',
        ),
        'kms-key-id': ref(
          'kmsKeyId',
          'KMS key for the artifacts: a key id, key ARN, alias name (alias/Name) or alias ARN.',
        ),
      },
    },
    stoppingCondition: {
      type: 'object',
      additionalProperties: false,
      properties: {
        'max-runtime': ref('duration', 'Longest the job may run (MaxRuntimeInSeconds): 1 second to 28 days.'),
        'max-wait': ref(
          'duration',
          'Longest the job may wait and run (MaxWaitTimeInSeconds): at least max-runtime.',
        ),
        'max-pending': ref(
          'duration',
          'Longest the job may stay pending (MaxPendingTimeInSeconds): 2 hours to 28 days.',
        ),
      },
    },
    duration: {
      title: 'duration',
      type: ['integer', 'string'],
      minimum: 1,
      pattern: DURATION_PATTERN.source,
      examples: [900, '90s', '15m', '2h', '1d', '1h30m'],
    },
    vpc: {
      type: 'object',
      additionalProperties: false,
      required: ['security-group-ids', 'subnets'],
      properties: {
        'security-group-ids': {
          description: `${VPC_SECURITY_GROUPS.min} to ${VPC_SECURITY_GROUPS.max} security group ids (sg-...) of the VPC.`,
          type: 'array',
          minItems: VPC_SECURITY_GROUPS.min,
          maxItems: VPC_SECURITY_GROUPS.max,
          uniqueItems: true,
          items: {
            title: 'security group id',
            type: 'string',
            maxLength: VPC_ID_MAX,
            pattern: orPlaceholder(/^sg-[0-9a-f]+$/),
            examples: ['sg-0123abcd'],
          },
        },
        subnets: {
          description: `${VPC_SUBNETS.min} to ${VPC_SUBNETS.max} subnet ids (subnet-...) in the VPC.`,
          type: 'array',
          minItems: VPC_SUBNETS.min,
          maxItems: VPC_SUBNETS.max,
          uniqueItems: true,
          items: {
            title: 'subnet id',
            type: 'string',
            maxLength: VPC_ID_MAX,
            pattern: orPlaceholder(/^subnet-[0-9a-f]+$/),
            examples: ['subnet-0123abcd'],
          },
        },
      },
    },
    budget: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        'max-size': {
          description:
            'Largest artifact allowed: B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB, e.g. 25MB; a plain number is bytes.',
          type: ['string', 'integer'],
          pattern: '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgG]i?[bB]|[bB])?\\s*$',
          minimum: 0,
        },
        'max-growth': {
          description: 'Largest growth over the compared run (the PR base), in percent, e.g. 10%.',
          type: 'string',
          pattern: '^\\s*\\d+(\\.\\d+)?\\s*%\\s*$',
        },
      },
    },
    history: {
      title: 'S3 prefix of the run manifests',
      type: 'string',
      pattern: orPlaceholder(/^s3:\/\/[^/]+\/(.*\/)?$/),
      examples: ['s3://my-ml-artifacts/neo-history/'],
    },
    tags: {
      type: 'object',
      maxProperties: TAGS_MAX,
      additionalProperties: {
        title: 'tag value',
        type: ['string', 'number', 'boolean'],
        pattern: orPlaceholder(TAG_PATTERN),
      },
    },
    model: {
      type: 'object',
      additionalProperties: false,
      properties: {
        's3-uri': ref(
          's3Uri',
          'S3 URI of the model to optimize (ModelSource.S3.S3Uri), an object or a prefix. Use either s3-uri or path.',
        ),
        path: ref(
          'modelPath',
          'Instead of s3-uri: the model in the workspace, relative to it: a .tar.gz file, or a directory the action packs into one. The action uploads it to upload-to first.',
        ),
        'upload-to': ref(
          's3Uri',
          'With path (required): the S3 prefix the action uploads the local model under, at a key derived from its content. Example: s3://bucket/neo-inputs/.',
        ),
        'accept-eula': {
          description:
            "Accept the model's end-user license agreement (ModelAccessConfig.AcceptEula); required by gated models such as Llama.",
          type: 'boolean',
        },
      },
    },
    optimization: {
      type: 'object',
      additionalProperties: false,
      properties: {
        quantization: ref('optimizationSpec', 'Quantize the model (ModelQuantizationConfig).'),
        compilation: ref('optimizationSpec', 'Compile the model (ModelCompilationConfig).'),
        sharding: ref(
          'optimizationSpec',
          'Shard the model (ModelShardingConfig); cannot be combined with others.',
        ),
      },
    },
    optimizationSpec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        image: {
          description: "URI of an LMI deep learning container in Amazon ECR, in the target's region.",
          title: 'ECR image URI',
          type: 'string',
          pattern: orPlaceholder(ECR_IMAGE_PATTERN),
          examples: ['763104351884.dkr.ecr.us-west-2.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124'],
        },
        environment: environment(
          'Environment variables overriding the container defaults (OverrideEnvironment).',
        ),
      },
    },
  },
};

/** neo.schema.json as committed: what scripts/gen-schema.ts writes and a test compares. */
export function schemaFileText(): string {
  return `${printJson(neoSchema, '', 0)}\n`;
}

// Printed the way the repository's formatter (biome, line width 110) prints JSON, so `biome check` leaves the
// generated file alone: maps one key per line, lists of plain values on one line when they fit.
const LINE_WIDTH = 110;

function printJson(value: unknown, indent: string, usedWidth: number, trailing = 0): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const plain = value.every((item) => item === null || typeof item !== 'object');
    const inline = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
    if (plain && usedWidth + inline.length + trailing <= LINE_WIDTH) return inline;
    const inner = `${indent}  `;
    const items = value.map(
      (item, index) => `${inner}${printJson(item, inner, inner.length, index < value.length - 1 ? 1 : 0)}`,
    );
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    const lines = entries.map(([key, item], index) => {
      const head = `${inner}${JSON.stringify(key)}: `;
      return `${head}${printJson(item, inner, head.length, index < entries.length - 1 ? 1 : 0)}`;
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
