import { describe, expect, it } from 'vitest';
import { hintForFailure } from '../../src/preflight/failure-hints.ts';

describe('hintForFailure', () => {
  it.each([
    [
      'ClientError: InputConfiguration: Unable to load the model. Please make sure the model is a traced or scripted model.',
      'torch.jit.trace',
    ],
    [
      'ClientError: InputConfiguration: Exactly one .pt or .pth file is allowed for PyTorch models.',
      'exactly the files',
    ],
    [
      "ClientError: InputConfiguration: Input shape [1, 224, 224, 3] does not match the model's input [1, 3, 224, 224]",
      'data-input-config',
    ],
    [
      'ClientError: OperatorNotImplemented: The following operators are not implemented: {"aten::unfold"}',
      'operator Neo does not support',
    ],
    [
      'ClientError: InputConfiguration: Framework version 3.1 is not supported for PYTORCH.',
      'framework-version',
    ],
    [
      'ClientError: OutputConfiguration: Access Denied when uploading to s3://bucket/compiled/ (s3:PutObject)',
      's3:PutObject',
    ],
    [
      'ClientError: InputConfiguration: Access Denied when reading the model artifact from S3',
      's3:GetObject',
    ],
  ])('%s', (reason, expected) => {
    expect(hintForFailure(reason)).toContain(expected);
  });

  it('gives no hint for an unknown failure', () => {
    expect(hintForFailure('InternalServerError: something happened')).toBeUndefined();
  });
});
