// One-line hints for known Neo FailureReason texts (DescribeCompilationJob), for the report table and the PR
// comment. The patterns are deliberately loose (Neo's wording varies by framework and over time); the first match
// wins, so the more specific causes come first.

interface FailureHint {
  pattern: RegExp;
  hint: string;
}

export const FAILURE_HINTS: readonly FailureHint[] = [
  {
    // Writing the compiled model: the role lacks rights on the output location.
    pattern:
      /(access ?denied|not authorized|forbidden|403).*(output|s3:PutObject|upload)|(output|s3:PutObject|upload).*(access ?denied|not authorized|forbidden|403)/is,
    hint: 'The role cannot write to the output location: give it s3:PutObject on the output bucket/prefix (and kms:GenerateDataKey if the bucket is KMS-encrypted).',
  },
  {
    pattern:
      /(access ?denied|not authorized|forbidden|403|nosuchkey|does not exist|unable to (download|access)).*(s3|model artifact|input)/is,
    hint: 'Neo could not fetch the model: check the s3-uri and give the role s3:GetObject on it (and kms:Decrypt if the object is KMS-encrypted).',
  },
  {
    pattern:
      /exactly one .*(file|\.pt|\.pth|\.pb|\.onnx|\.tflite|\.h5)|more than one .*file|no .*(\.pt|\.pth|\.pb|\.onnx|\.tflite|\.h5|\.params|\.json) file/i,
    hint: 'The archive does not hold exactly the files Neo expects for the framework: put one model file at the top of the archive (tar -C <folder> -czf model.tar.gz .).',
  },
  {
    pattern: /shape|dimension|data ?input ?config|input (name|tensor)|incompatible (input|size)/i,
    hint: "Check data-input-config: each key must be one of the model's input names, with its full shape in the framework's layout (NCHW for PyTorch/ONNX/MXNet/Keras, NHWC for TensorFlow/TFLite).",
  },
  {
    pattern:
      /framework.?version|version .*(not supported|unsupported|mismatch)|(unsupported|invalid) .*version/i,
    hint: 'Set framework-version to a version Neo supports for this framework and target (the one the model was saved with, or the closest lower one).',
  },
  {
    pattern: /operator|\bop\b|not (yet )?(supported|implemented)|unsupported/i,
    hint: "The model uses an operator Neo does not support for this framework or target: replace that layer, export with a lower opset, or compile for another target; see Neo's supported operators list.",
  },
  {
    pattern: /unable to load|failed to load|could not load|cannot load|load(ing)? (the )?model/i,
    hint: 'Neo could not load the model file: for PyTorch save a traced/scripted model (torch.jit.trace(model, example).save("model.pth")), not a state_dict; keep the model files at the top of the archive.',
  },
];

/** A one-line hint for a compilation job's FailureReason, or undefined when it matches no known cause. */
export function hintForFailure(failureReason: string): string | undefined {
  return FAILURE_HINTS.find(({ pattern }) => pattern.test(failureReason))?.hint;
}
