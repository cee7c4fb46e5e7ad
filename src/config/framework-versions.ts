// The framework versions SageMaker Neo documents, per framework, from the "Supported Frameworks" pages:
// - cloud instances (and Inferentia, on the same page):
//   https://docs.aws.amazon.com/sagemaker/latest/dg/neo-supported-cloud.html
// - edge devices: https://docs.aws.amazon.com/sagemaker/latest/dg/neo-supported-devices-edge-frameworks.html
// A version outside this table only earns a warning: AWS adds versions before this table learns them, and a
// run must never be blocked by an out-of-date list. Update it when the pages change.

/** Documented versions (major.minor; a patch release of one of them is the same version here). */
export const NEO_FRAMEWORK_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  // cloud 1.8.0; edge 1.8; Inferentia 1.5, 1.8.
  MXNET: ['1.5', '1.8'],
  // cloud 1.4-1.8, 1.12, 1.13, 2.0; edge 1.7, 1.8; Inferentia 1.5-1.9.
  PYTORCH: ['1.4', '1.5', '1.6', '1.7', '1.8', '1.9', '1.12', '1.13', '2.0'],
  // cloud 1.15.3, 2.9; edge 1.15, 2.4, 2.5 (2.5 only for ml_inf1).
  TENSORFLOW: ['1.15', '2.4', '2.5', '2.9'],
  // edge only: 1.15.
  TFLITE: ['1.15'],
};

/** major.minor of a well-formed version ("1.15.3" -> "1.15", "2.00" -> "2.0"); undefined when malformed. */
function majorMinor(version: string): string | undefined {
  const match = /^(\d+)\.(\d+)(\.\d+)?$/.exec(version);
  if (!match) return undefined;
  return `${Number(match[1])}.${Number(match[2])}`;
}

/**
 * The versions Neo documents for `framework` when `version` is not one of them (a warning), or undefined when
 * it is, when the framework has no table, or when the version is malformed (an error reported elsewhere).
 */
export function undocumentedVersion(framework: string, version: string): readonly string[] | undefined {
  const known = Object.hasOwn(NEO_FRAMEWORK_VERSIONS, framework)
    ? NEO_FRAMEWORK_VERSIONS[framework]
    : undefined;
  const written = majorMinor(version);
  if (!known || written === undefined) return undefined;
  return known.includes(written) ? undefined : known;
}
