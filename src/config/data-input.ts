// DataInputConfig rules per framework and for CoreML, as the CreateCompilationJob reference states them:
// - TENSORFLOW (NHWC), KERAS, MXNET, ONNX, DARKNET (NCHW): a dictionary of input name -> shape;
// - PYTORCH: that dictionary, or a list of shapes in input order;
// - XGBOOST: not needed;
// - device coreml: name -> {shape, default_shape, type, bias, scale} (PyTorch may use a list of those),
//   where a shape is static ([1,224,224,3]), has range dimensions (["1..10",224,224,3]) or enumerates shapes
//   ([[1,224,224,3],[1,160,160,3]]); type Image requires bias and scale.
import { INT32_MAX } from './constraints.ts';
import { deepEqual } from './matrix.ts';
import { didYouMean } from './suggest.ts';

export interface ReportOptions {
  /** The problem is in the value itself and does not depend on the target using it. */
  intrinsic?: boolean;
  /** Point at the key rather than the value. */
  at?: 'key' | 'value';
}

/** Reports a problem at a field inside the setting being checked. */
export type Report = (
  field: readonly (string | number)[],
  title: string,
  message: string,
  options?: ReportOptions,
) => void;
type Record_ = Record<string, unknown>;

const isRecord = (value: unknown): value is Record_ =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const COREML_KEYS = ['shape', 'default_shape', 'type', 'bias', 'scale'];
const RANGE = /^(\d+)\.\.(\d+|-1)$/;
const LAYOUT: Record<string, string> = {
  TENSORFLOW: 'NHWC',
  TFLITE: 'NHWC',
  KERAS: 'NCHW',
  MXNET: 'NCHW',
  ONNX: 'NCHW',
  DARKNET: 'NCHW',
  PYTORCH: 'NCHW',
};

function example(framework: string | undefined): string {
  return LAYOUT[framework ?? ''] === 'NHWC' ? '{input: [1, 224, 224, 3]}' : '{input0: [1, 3, 224, 224]}';
}

export interface DataInputContext {
  framework: string | undefined;
  coreml: boolean;
  /** The YAML text of a scalar inside the setting (exact digits of a number YAML would round). */
  sourceOf(field: readonly (string | number)[]): string | undefined;
}

/**
 * Checks a DataInputConfig: a map or list (sent as JSON), or a string sent as is, which must then be JSON
 * of the same form (its problems are reported at the string).
 */
export function checkDataInputConfig(value: unknown, context: DataInputContext, report: Report): void {
  if (typeof value !== 'string') {
    checkParsed(value, context, report);
    return;
  }
  const parsed = parseJsonExactly(value);
  if (!parsed.ok) {
    const yamlLike = /^\s*[[{]/.test(value);
    report(
      [],
      'data-input-config is not JSON',
      `data-input-config is a string, which is sent as is and must be JSON, but it is not: ${parsed.reason}. ${
        yamlLike
          ? `Write it as a YAML map without the quotes (e.g. data-input-config: ${example(context.framework)}) or as valid JSON ('{"input0": [1, 3, 224, 224]}').`
          : `Write it as a YAML map, e.g. data-input-config: ${example(context.framework)}.`
      }`,
      { intrinsic: true },
    );
    return;
  }
  checkParsed(parsed.value, { ...context, sourceOf: () => undefined }, (_field, title, message, options) =>
    report([], title, message, { ...options, at: 'value' }),
  );
}

/**
 * JSON.parse, keeping integers a double cannot hold exactly as BigInt (9007199254740993 stays ...993), so they
 * are refused with the digits written.
 */
function parseJsonExactly(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  // The reviver's third argument (the source text of a primitive) exists since Node 21.
  const reviver = (_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    context?.source !== undefined &&
    /^-?\d+$/.test(context.source)
      ? BigInt(context.source)
      : value;
  try {
    return { ok: true, value: JSON.parse(text, reviver as (key: string, value: unknown) => unknown) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

function checkParsed(written: unknown, context: DataInputContext, report: Report): void {
  const { framework, coreml } = context;
  const value = exactIntegers(written, context.sourceOf);
  if (coreml) {
    checkCoreml(value, framework, report);
    return;
  }
  if (framework === 'XGBOOST') return;
  const layout = LAYOUT[framework ?? ''];
  const frameworkText = framework ?? 'this framework';
  if (Array.isArray(value)) {
    if (framework !== undefined && framework !== 'PYTORCH') {
      report(
        [],
        'DataInputConfig needs input names',
        `${frameworkText} needs a dictionary of input name -> shape${layout ? ` (${layout})` : ''}, e.g. ${example(framework)}; only PYTORCH accepts a list of shapes.`,
      );
      return;
    }
    if (value.length === 0) {
      report([], 'DataInputConfig is empty', 'List the shape of every input, e.g. [[1, 3, 224, 224]].');
      return;
    }
    value.forEach((shape, index) => {
      checkStaticShape(shape, [index], report, 'input shape');
    });
    return;
  }
  if (!isRecord(value)) return;
  const names = Object.keys(value);
  if (names.length === 0) {
    report(
      [],
      'DataInputConfig is empty',
      `Give the name and shape of each input, e.g. ${example(framework)}.`,
    );
    return;
  }
  for (const name of names) {
    const shape = value[name];
    if (isRecord(shape)) {
      report(
        [name],
        'CoreML input form on another device',
        `The {shape: ...} form is for device coreml; for ${frameworkText} write the shape itself, e.g. ${name}: [1, 3, 224, 224].`,
      );
      continue;
    }
    checkStaticShape(shape, [name], report, `shape of input '${name}'${layout ? ` (${layout})` : ''}`);
  }
}

/** A static shape: a non-empty list of whole numbers >= 1. */
function checkStaticShape(
  shape: unknown,
  field: readonly (string | number)[],
  report: Report,
  what: string,
): boolean {
  if (!Array.isArray(shape) || shape.length === 0) {
    report(field, 'Invalid input shape', `The ${what} must be a list of dimensions, e.g. [1, 3, 224, 224].`);
    return false;
  }
  let valid = true;
  shape.forEach((dimension, index) => {
    const problem = dimensionProblem(dimension, `of the ${what} `);
    if (problem === undefined) return;
    valid = false;
    report([...field, index], 'Invalid input shape', problem, { intrinsic: true });
  });
  return valid;
}

/** Why a dimension is not a whole number from 1 to 2^31-1 (Neo's shapes are 32-bit), or undefined. */
function dimensionProblem(dimension: unknown, of: string): string | undefined {
  const whole =
    typeof dimension === 'bigint' || (typeof dimension === 'number' && Number.isInteger(dimension));
  if (whole && Number(dimension) >= 1 && Number(dimension) <= INT32_MAX) return undefined;
  if (whole && Number(dimension) > INT32_MAX) {
    return `Dimension ${String(dimension)} ${of}is larger than ${INT32_MAX}, the largest dimension Neo takes (a 32-bit integer).`;
  }
  return `Dimension ${typeof dimension === 'bigint' ? String(dimension) : JSON.stringify(dimension)} ${of}is not a whole number >= 1.`;
}

function hasUnsafeInteger(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.some(hasUnsafeInteger);
  return isRecord(value) && Object.values(value).some(hasUnsafeInteger);
}

/**
 * A copy of a YAML value where each integer a double cannot hold exactly is a BigInt of the digits written
 * (YAML reads 9007199254740993 as ...992), so messages show what the file says.
 */
function exactIntegers(
  value: unknown,
  sourceOf: DataInputContext['sourceOf'],
  field: readonly (string | number)[] = [],
): unknown {
  if (field.length === 0 && !hasUnsafeInteger(value)) return value;
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    const written = sourceOf(field)?.replace(/_/g, '');
    return written !== undefined && /^[-+]?\d+$/.test(written) ? BigInt(written) : value;
  }
  if (Array.isArray(value))
    return value.map((item, index) => exactIntegers(item, sourceOf, [...field, index]));
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, exactIntegers(item, sourceOf, [...field, key])]),
    );
  }
  return value;
}

function checkCoreml(value: unknown, framework: string | undefined, report: Report): void {
  if (Array.isArray(value)) {
    if (framework !== undefined && framework !== 'PYTORCH') {
      report(
        [],
        'CoreML inputs need names',
        `Only PYTORCH models may list CoreML inputs without names; for ${framework} write {input_1: {shape: [1, 224, 224, 3]}}.`,
      );
      return;
    }
    if (value.length === 0) report([], 'DataInputConfig is empty', 'List each input as {shape: [...]}.');
    value.forEach((input, index) => {
      checkCoremlInput(input, [index], `input ${index + 1}`, report);
    });
    return;
  }
  if (!isRecord(value)) return;
  const names = Object.keys(value);
  if (names.length === 0) {
    report(
      [],
      'DataInputConfig is empty',
      'Give each input as name: {shape: [...]}, e.g. {input_1: {shape: [1, 224, 224, 3]}}.',
    );
  }
  for (const name of names) checkCoremlInput(value[name], [name], `input '${name}'`, report);
}

function checkCoremlInput(
  input: unknown,
  field: readonly (string | number)[],
  what: string,
  report: Report,
): void {
  if (!isRecord(input)) {
    report(
      field,
      'CoreML input needs shape',
      `For device coreml, ${what} is a map with shape (and optionally default_shape, type, bias, scale), e.g. {shape: ${
        Array.isArray(input) ? JSON.stringify(input) : '[1, 224, 224, 3]'
      }}.`,
    );
    return;
  }
  for (const key of Object.keys(input)) {
    if (COREML_KEYS.includes(key)) continue;
    report(
      [...field, key],
      'Unknown CoreML input key',
      `'${key}' is not a CoreML input parameter${didYouMean(key, COREML_KEYS) || `; use ${COREML_KEYS.join(', ')}.`}`,
    );
  }
  const shape = input.shape;
  let kind: ReturnType<typeof checkFlexibleShape> = 'invalid';
  if (shape === undefined) {
    report(field, 'CoreML input needs shape', `${what} needs shape, e.g. shape: [1, 224, 224, 3].`);
  } else {
    kind = checkFlexibleShape(shape, [...field, 'shape'], report);
  }
  if (input.default_shape !== undefined) {
    const defaultField = [...field, 'default_shape'];
    if (
      checkStaticShape(input.default_shape, defaultField, report, 'default_shape') &&
      Array.isArray(shape)
    ) {
      checkDefaultShape(shape, input.default_shape as number[], kind, defaultField, report);
    }
  }
  const type = input.type;
  if (type !== undefined && type !== 'Image' && type !== 'Tensor') {
    report(
      [...field, 'type'],
      'Invalid CoreML input type',
      `type ${JSON.stringify(type)} is not Image or Tensor${typeof type === 'string' ? didYouMean(type, ['Image', 'Tensor']) : '.'}`,
    );
  }
  if (type === 'Image') {
    const missing = ['bias', 'scale'].filter((key) => input[key] === undefined);
    if (missing.length > 0) {
      report(
        [...field, 'type'],
        'Image input needs bias and scale',
        `type: Image requires ${missing.join(' and ')}, e.g. bias: [-1, -1, -1], scale: 0.007843137255.`,
      );
    }
  }
  if (input.bias !== undefined) {
    const bias = input.bias;
    if (!Array.isArray(bias) || bias.length === 0 || !bias.every((item) => typeof item === 'number')) {
      report(
        [...field, 'bias'],
        'Invalid bias',
        'bias is a list of numbers (one per channel), e.g. [-1, -1, -1].',
      );
    }
  }
  if (input.scale !== undefined && typeof input.scale !== 'number') {
    report([...field, 'scale'], 'Invalid scale', 'scale is a number, e.g. 0.007843137255 (1/127.5).');
  }
}

/** Static, range ("1..10" dimensions) or enumerated (a list of static shapes). */
function checkFlexibleShape(
  shape: unknown,
  field: readonly (string | number)[],
  report: Report,
): 'static' | 'range' | 'enumerated' | 'invalid' {
  if (!Array.isArray(shape) || shape.length === 0) {
    report(
      field,
      'Invalid input shape',
      'shape is a list: static [1, 224, 224, 3], with ranges ["1..10", 224, 224, 3], or enumerated [[1, 224, 224, 3], [1, 160, 160, 3]].',
    );
    return 'invalid';
  }
  if (shape.every(Array.isArray)) {
    const valid = shape.map((item, index) =>
      checkStaticShape(item, [...field, index], report, 'enumerated shape'),
    );
    return valid.every(Boolean) ? 'enumerated' : 'invalid';
  }
  let ranged = false;
  let valid = true;
  shape.forEach((dimension, index) => {
    const range = typeof dimension === 'string' ? RANGE.exec(dimension) : null;
    if (range) {
      const low = Number(range[1]);
      const high = range[2] === '-1' ? -1 : Number(range[2]);
      if (Math.max(low, high) > INT32_MAX) {
        valid = false;
        report(
          [...field, index],
          'Invalid input shape',
          `Range ${JSON.stringify(dimension)} goes past ${INT32_MAX}, the largest dimension Neo takes (a 32-bit integer).`,
        );
        return;
      }
      if (high === -1 || low <= high) {
        ranged = true;
        return;
      }
    }
    const problem = Array.isArray(dimension)
      ? 'Mix of shapes and dimensions: list either dimensions or, for enumerated shapes, only shapes.'
      : dimensionProblem(dimension, '');
    if (problem === undefined) return;
    valid = false;
    report(
      [...field, index],
      'Invalid input shape',
      problem.endsWith('is not a whole number >= 1.')
        ? problem.replace(
            'is not a whole number >= 1.',
            'is neither a whole number >= 1 nor a range such as "1..10" (low..high).',
          )
        : problem,
    );
  });
  if (!valid) return 'invalid';
  return ranged ? 'range' : 'static';
}

function checkDefaultShape(
  shape: unknown[],
  defaultShape: number[],
  kind: ReturnType<typeof checkFlexibleShape>,
  field: readonly (string | number)[],
  report: Report,
): void {
  if (kind === 'enumerated' && !shape.some((item) => deepEqual(item, defaultShape))) {
    report(
      field,
      'default_shape not enumerated',
      `default_shape ${JSON.stringify(defaultShape)} is not one of the enumerated shapes; use one of ${shape.map((item) => JSON.stringify(item)).join(', ')}.`,
    );
  }
  if (kind !== 'range' && kind !== 'static') return;
  if (shape.length !== defaultShape.length) {
    report(
      field,
      'default_shape does not fit shape',
      `default_shape has ${defaultShape.length} dimensions but shape has ${shape.length}.`,
    );
    return;
  }
  shape.forEach((dimension, index) => {
    const value = defaultShape[index] ?? 0;
    const range = typeof dimension === 'string' ? RANGE.exec(dimension) : null;
    const fits = range
      ? value >= Number(range[1]) && (range[2] === '-1' || value <= Number(range[2]))
      : value === dimension;
    if (!fits) {
      report(
        [...field, index],
        'default_shape does not fit shape',
        `Dimension ${value} of default_shape is outside shape's ${JSON.stringify(dimension)}.`,
      );
    }
  });
}
