// Service constraints from the SageMaker reference pages (CreateCompilationJob API reference,
// create-compilation-job / create-optimization-job CLI references), kept in one place so the
// schema generator and the semantic rules enforce the same numbers.
import {
  Framework,
  OptimizationJobDeploymentInstanceType,
  TargetDevice,
  TargetPlatformAccelerator,
  TargetPlatformArch,
  TargetPlatformOs,
} from '@aws-sdk/client-sagemaker';

/** Every enum comes from the installed SDK so a new device reaches the schema by regeneration. */
export const TARGET_DEVICES: readonly string[] = Object.values(TargetDevice);
export const FRAMEWORKS: readonly string[] = Object.values(Framework);
export const PLATFORM_OSES: readonly string[] = Object.values(TargetPlatformOs);
export const PLATFORM_ARCHES: readonly string[] = Object.values(TargetPlatformArch);
export const PLATFORM_ACCELERATORS: readonly string[] = Object.values(TargetPlatformAccelerator);
export const OPTIMIZATION_INSTANCE_TYPES: readonly string[] = Object.values(
  OptimizationJobDeploymentInstanceType,
);

export const JOB_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const JOB_NAME_MAX = 63;

export const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
export const ROLE_ARN_LENGTH = { min: 20, max: 2048 } as const;

export const MODEL_PACKAGE_ARN_PATTERN =
  /^arn:aws(-cn|-us-gov|-iso-f)?:sagemaker:[a-z0-9-]{9,16}:[0-9]{12}:model-package\/[\S]{1,2048}$/;
export const MODEL_PACKAGE_ARN_LENGTH = { min: 1, max: 2048 } as const;

/** S3Uri / S3OutputLocation / model source: `^(https|s3)://([^/]+)/?(.*)$`, at most 1024 characters. */
export const S3_URI_PATTERN = /^(https|s3):\/\/([^/]+)\/?(.*)$/;
export const S3_URI_MAX = 1024;
/** S3 bucket naming rules (3..63 lower-case letters, digits, dots, hyphens; starts and ends alphanumeric). */
export const S3_BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * FrameworkVersion: 3..10 characters matching the API's `[0-9]\.[A-Za-z0-9.]+`; the service accepts letters
 * there, but every Neo framework version is digits: major.minor[.patch] (so 1.13x or 2..0 is a typo).
 */
export const FRAMEWORK_VERSION_PATTERN = /^[0-9]\.[0-9]+(\.[0-9]+)?$/;
export const FRAMEWORK_VERSION_LENGTH = { min: 3, max: 10 } as const;
/** "This API field is only supported for the MXNet, PyTorch, TensorFlow and TensorFlow Lite frameworks." */
export const FRAMEWORKS_WITH_VERSION: readonly string[] = ['MXNET', 'PYTORCH', 'TENSORFLOW', 'TFLITE'];
/** "XGBOOST: input data name and shape are not needed." */
export const FRAMEWORKS_WITHOUT_DATA_INPUT: readonly string[] = ['XGBOOST'];
/** "CoreML converter supports Tensorflow and PyTorch models." */
export const COREML_FRAMEWORKS: readonly string[] = ['TENSORFLOW', 'PYTORCH'];

export const DATA_INPUT_CONFIG_LENGTH = { min: 1, max: 16384 } as const;
export const COMPILER_OPTIONS_LENGTH = { min: 3, max: 1024 } as const;
/** "Available levels range from 21 to 29." */
export const ANDROID_PLATFORM_RANGE = { min: 21, max: 29 } as const;
/** "NVIDIA: ... It also requires gpu-code, trt-ver, cuda-ver compiler options." */
export const NVIDIA_REQUIRED_OPTIONS: readonly string[] = ['gpu-code', 'trt-ver', 'cuda-ver'];

/** The four KmsKeyId forms the page lists (plus multi-Region key ids, which are key ids too). */
export const KMS_KEY_FORMS: readonly { name: string; pattern: RegExp }[] = [
  {
    name: 'key id',
    pattern: /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
  },
  {
    name: 'key ARN',
    pattern:
      /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
  },
  { name: 'alias name', pattern: /^alias\/[a-zA-Z0-9/_-]+$/ },
  { name: 'alias ARN', pattern: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias\/[a-zA-Z0-9/_-]+$/ },
];
export const KMS_KEY_MAX = 2048;

export const TAGS_MAX = 50;
export const TAG_KEY_LENGTH = { min: 1, max: 128 } as const;
export const TAG_VALUE_LENGTH = { min: 0, max: 256 } as const;
export const TAG_PATTERN = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;

export const VPC_SECURITY_GROUPS = { min: 1, max: 5 } as const;
export const VPC_SUBNETS = { min: 1, max: 16 } as const;
export const VPC_ID_MAX = 32;
export const SECURITY_GROUP_PATTERN = /^sg-[0-9a-f]+$/;
export const SUBNET_PATTERN = /^subnet-[0-9a-f]+$/;

export const DAY_SECONDS = 86_400;
/** MaxRuntimeInSeconds: at least 1; "The maximum value is 28 days." */
export const MAX_RUNTIME_RANGE = { min: 1, max: 28 * DAY_SECONDS } as const;
/** MaxPendingTimeInSeconds: 7200..2419200. */
export const MAX_PENDING_RANGE = { min: 7200, max: 2_419_200 } as const;
/** "We recommend starting with 900 seconds" for compilation jobs. */
export const DEFAULT_COMPILATION_RUNTIME = 900;
/** "For all other jobs ... The default value is 1 day." Quantizing an LLM takes far longer than 15 minutes. */
export const DEFAULT_OPTIMIZATION_RUNTIME = DAY_SECONDS;

export const OPTIMIZATION_CONFIGS = { min: 1, max: 10 } as const;
export const ENVIRONMENT_MAX = 25;
export const ENVIRONMENT_KEY_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const ENVIRONMENT_KEY_MAX = 256;
/** OptimizationEnvironment / OverrideEnvironment values: String256 in the API model (botocore service-2.json). */
export const ENVIRONMENT_VALUE_MAX = 256;
/** An LMI container image in ECR: <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repo>[:tag|@digest]. */
export const ECR_IMAGE_PATTERN =
  /^(\d{12})\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/[a-z0-9][a-z0-9._/-]*(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})?$/;
export const IMAGE_MAX = 255;

/** Integers in the API (MaxInstanceCount) and in Neo's input shapes are 32-bit signed. */
export const INT32_MAX = 2_147_483_647;

/** Region codes: us-east-1, us-gov-west-1, eusc-de-east-1 (whether one exists is checked against the SDK). */
export const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

/** Target names appear in job names, S3 paths (${target}) and the `targets` input. */
export const TARGET_NAME_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
export const TARGET_NAME_MAX = 63;
export const JOB_PREFIX_MAX = 32;
/** GitHub caps a job matrix at 256 combinations; the same cap keeps one entry from exploding. */
export const MATRIX_MAX_COMBINATIONS = 256;
/**
 * Targets per file (after matrix expansion). Each target is a paid SageMaker job, and one run reports every
 * target in its outputs (GitHub caps a job's outputs at 1 MB), job summary (1 MiB) and PR comment (65,536
 * characters): past a few thousand, a file is almost surely a generator gone wrong, and its report cannot be read.
 */
export const TARGETS_MAX = 5000;
