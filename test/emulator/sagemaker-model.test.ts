// The reduced API model and its validator: Java pattern semantics, int32, lengths, enums, Coral wording.
import { describe, expect, it } from 'vitest';
import {
  javaPattern,
  MODEL,
  ModelTypeError,
  validateInput,
  validateOutput,
  validationMessage,
} from '../../emulator/sagemaker-model.ts';

describe('the reduced model', () => {
  it('records where it comes from and holds the eight operations the action calls', () => {
    expect(MODEL.source).toEqual({
      repository: 'https://github.com/boto/botocore',
      path: 'botocore/data/sagemaker/2017-07-24/service-2.json',
      version: '1.43.67',
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(Object.keys(MODEL.operations).sort()).toEqual([
      'CreateCompilationJob',
      'CreateOptimizationJob',
      'DescribeCompilationJob',
      'DescribeOptimizationJob',
      'ListCompilationJobs',
      'ListOptimizationJobs',
      'StopCompilationJob',
      'StopOptimizationJob',
    ]);
  });

  it('reaches every shape it names, and every pattern translates', () => {
    for (const shape of Object.values(MODEL.shapes)) {
      const refs = [
        ...Object.values(shape.members ?? {}),
        ...[shape.member, shape.key, shape.value].filter((r) => r !== undefined),
      ];
      for (const ref of refs) expect(MODEL.shapes[ref.shape], ref.shape).toBeDefined();
      if (shape.pattern !== undefined) expect(() => javaPattern(shape.pattern as string)).not.toThrow();
    }
  });
});

describe('Java patterns matched against the whole value', () => {
  it('anchors an unanchored pattern', () => {
    const name = javaPattern('[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}');
    expect(name.test('resnet-50')).toBe(true);
    expect(name.test('resnet_50')).toBe(false);
    expect(name.test('ok ok')).toBe(false);
  });

  it("keeps Java's '.': no line terminator, U+0085 included", () => {
    const any = javaPattern('.*');
    expect(any.test('{"mcpu": "x"}')).toBe(true);
    for (const t of ['\n', '\r', '\u0085', '\u2028', '\u2029'])
      expect(any.test(`a${t}`), JSON.stringify(t)).toBe(false);
  });

  it("keeps Java's ASCII-only \\s and \\S", () => {
    const image = javaPattern('[\\S]+');
    expect(image.test('763104351884.dkr.ecr.us-west-2.amazonaws.com/x:1')).toBe(true);
    expect(image.test('a b')).toBe(false);
    expect(image.test('a\u00a0b')).toBe(true); // NBSP is not \s in Java
    const blank = javaPattern('(?!\\s*$).+');
    expect(blank.test('  ')).toBe(false);
    expect(blank.test('\u00a0')).toBe(true);
    expect(javaPattern('[\\S\\s]+').test('a\nb\u2028')).toBe(true);
  });

  it('understands \\p{..} classes (the u flag)', () => {
    const tag = javaPattern('([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)');
    expect(tag.test('Équipe 1: ß/ü=ok@x')).toBe(true);
    expect(tag.test('a*b')).toBe(false);
    expect(tag.test('line\nbreak')).toBe(false);
  });

  it('refuses constructs it cannot translate faithfully', () => {
    expect(() => javaPattern('[a-z&&[^aeiou]]')).toThrow(/not translated/);
    expect(() => javaPattern('[^\\S]')).toThrow(/not translated/);
  });
});

describe('validation', () => {
  const request = {
    CompilationJobName: 'resnet-1',
    RoleArn: 'arn:aws:iam::123456789012:role/NeoRole',
    InputConfig: { S3Uri: 's3://m/model.tar.gz', Framework: 'ONNX', DataInputConfig: '{"x":[1]}' },
    OutputConfig: { S3OutputLocation: 's3://o/', TargetDevice: 'jetson_nano' },
    StoppingCondition: { MaxRuntimeInSeconds: 900 },
  };

  it('accepts a valid request', () => {
    expect(validateInput('CreateCompilationJob', request)).toEqual([]);
  });

  it('reports every violation in order, worded as Coral words them', () => {
    const errors = validateInput('CreateCompilationJob', {
      ...request,
      RoleArn: undefined,
      InputConfig: { ...request.InputConfig, Framework: 'JAX', FrameworkVersion: '1.234567890' },
      StoppingCondition: { MaxRuntimeInSeconds: 2147483648 },
      Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: '' })),
    });
    expect(validationMessage(errors)).toBe(
      [
        '5 validation errors detected: ',
        "Value null at 'roleArn' failed to satisfy constraint: Member must not be null; ",
        "Value 'JAX' at 'inputConfig.framework' failed to satisfy constraint: Member must satisfy enum value set: [TENSORFLOW, KERAS, MXNET, ONNX, PYTORCH, XGBOOST, TFLITE, DARKNET, SKLEARN]; ",
        "Value '1.234567890' at 'inputConfig.frameworkVersion' failed to satisfy constraint: Member must have length less than or equal to 10; ",
        "Value '2147483648' at 'stoppingCondition.maxRuntimeInSeconds' failed to satisfy constraint: Member must have value less than or equal to 2147483647; ",
        `Value '[${Array.from({ length: 51 }, (_, i) => JSON.stringify({ Key: `k${i}`, Value: '' })).join(', ')}]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50`,
      ].join(''),
    );
    expect(validationMessage([])).toBeUndefined();
  });

  it('throws ModelTypeError for a member of the wrong JSON type', () => {
    expect(() => validateInput('ListCompilationJobs', { MaxResults: '10' })).toThrow(ModelTypeError);
    expect(() => validateInput('ListCompilationJobs', { MaxResults: 1.5 })).toThrow(/maxResults.*an integer/);
    expect(() => validateInput('ListCompilationJobs', { CreationTimeAfter: '2024-01-01' })).toThrow(
      /timestamp/,
    );
  });

  it('checks answers, with the members the service leaves out allowed to be missing', () => {
    const answer = {
      CompilationJobName: 'resnet-1',
      CompilationJobArn: 'arn:aws:sagemaker:us-west-2:123456789012:compilation-job/resnet-1',
      CompilationJobStatus: 'INPROGRESS',
      StoppingCondition: { MaxRuntimeInSeconds: 900 },
      CreationTime: 1_700_000_000,
      LastModifiedTime: 1_700_000_001,
      RoleArn: request.RoleArn,
      InputConfig: request.InputConfig,
      OutputConfig: request.OutputConfig,
    };
    expect(validateOutput('DescribeCompilationJob', answer)).toEqual([
      "Value null at 'failureReason' failed to satisfy constraint: Member must not be null",
      "Value null at 'modelArtifacts' failed to satisfy constraint: Member must not be null",
    ]);
    const lenient = new Set([
      'DescribeCompilationJobResponse.FailureReason',
      'DescribeCompilationJobResponse.ModelArtifacts',
    ]);
    expect(validateOutput('DescribeCompilationJob', answer, { optionalInOutput: lenient })).toEqual([]);
    expect(validateOutput('StopCompilationJob', {})).toEqual([]);
    expect(validateOutput('StopCompilationJob', { Oops: 1 })).toEqual([
      'StopCompilationJob has no output shape, but the answer has Oops',
    ]);
  });
});
