// Checks data-input-config against the inputs the model file declares (ONNX graph inputs, TFLite subgraph
// inputs, MXNet variables). Severity follows what is certain: a misspelled name while the model's real input goes
// unnamed with open dimensions (no size to compile for), or a shape of another rank than the model declares, cannot
// compile; a misspelled name for a fully sized input (Neo then uses the model's size) or a differing fixed dimension
// (fully convolutional models accept other sizes) may, so they are warnings.
import { closestMatch } from '../config/suggest.ts';
import type { Dimension, ModelTensor, PreflightFinding } from './types.ts';

/** DataInputConfig layouts Neo expects (Prepare Model for Compilation: MXNet/ONNX/PyTorch NCHW, TF/TFLite NHWC). */
const LAYOUT: Readonly<Record<string, string>> = {
  ONNX: 'NCHW',
  MXNET: 'NCHW',
  PYTORCH: 'NCHW',
  KERAS: 'NCHW',
  DARKNET: 'NCHW',
  TENSORFLOW: 'NHWC',
  TFLITE: 'NHWC',
};

export type ConfiguredInputs =
  | { form: 'map'; shapes: Map<string, number[] | undefined> }
  | { form: 'list'; shapes: (number[] | undefined)[] };

const isStaticShape = (value: unknown): value is number[] =>
  Array.isArray(value) && value.length > 0 && value.every((dim) => Number.isInteger(dim));

/** The map or list in data-input-config (a JSON string is parsed); undefined when absent or unreadable. */
export function readDataInputConfig(value: unknown): ConfiguredInputs | undefined {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (Array.isArray(parsed)) {
    return { form: 'list', shapes: parsed.map((shape) => (isStaticShape(shape) ? shape : shapeOf(shape))) };
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const shapes = new Map<string, number[] | undefined>();
  for (const [name, shape] of Object.entries(parsed)) shapes.set(name, shapeOf(shape));
  return { form: 'map', shapes };
}

/** A static shape, or the static `shape` of the CoreML {shape: ...} form; undefined for ranges and enumerations. */
function shapeOf(value: unknown): number[] | undefined {
  if (isStaticShape(value)) return value;
  if (typeof value === 'object' && value !== null && 'shape' in value) {
    const shape = (value as { shape: unknown }).shape;
    if (isStaticShape(shape)) return shape;
  }
  return undefined;
}

export const formatShape = (shape: readonly Dimension[]): string =>
  `[${shape.map((dim) => (dim === null ? '?' : String(dim))).join(',')}]`;

const describe = (input: ModelTensor): string =>
  `${input.name}${input.shape ? ` ${formatShape(input.shape)}` : ''}${input.elementType ? ` ${input.elementType}` : ''}`;

export interface InputCheck {
  findings: PreflightFinding[];
  /** The inputs for the summary line: the configured shape where given, else the model's. */
  display: string[];
}

/**
 * @param complete whether `inputs` is the model's full input list (false: names are guesses, so nothing is an error)
 */
export function checkInputs(
  framework: string,
  file: string,
  inputs: readonly ModelTensor[],
  complete: boolean,
  configured: ConfiguredInputs | undefined,
): InputCheck {
  const findings: PreflightFinding[] = [];
  if (!configured || configured.form === 'list') {
    // A list names no input (PyTorch only, checked by the config validator); nothing to match by name.
    return { findings, display: inputs.map(describe) };
  }
  const sure = (severity: 'error' | 'warning'): 'error' | 'warning' => (complete ? severity : 'warning');
  const modelNames = inputs.map((input) => input.name);
  const configuredNames = [...configured.shapes.keys()];
  const unnamed = inputs.filter((input) => !configured.shapes.has(input.name));
  const claimed = new Set<string>();
  for (const name of configuredNames) {
    if (modelNames.includes(name)) continue;
    // Only inputs data-input-config leaves unnamed can be the one meant.
    const match = closestMatch(
      name,
      unnamed.map((input) => input.name),
    );
    const lone = unnamed.length === 1 ? unnamed[0] : undefined;
    const intended = match ?? lone?.name;
    if (intended !== undefined) claimed.add(intended);
    let hint = '';
    if (match !== undefined) hint = `did you mean ${match}?`;
    else if (lone !== undefined) hint = `the input data-input-config does not name is ${describe(lone)}.`;
    else if (unnamed.length === 0) hint = 'every input of the model is named already: remove this key.';
    // Neo's frontends take the model's own size for an input the config does not name: only an input left with
    // open dimensions (no size at all) is sure to fail.
    const unsized = unnamed.filter(
      (input) => input.shape === undefined || input.shape.some((dim) => typeof dim !== 'number'),
    );
    const intendedInput = unnamed.find((input) => input.name === intended);
    const fails = intendedInput ? unsized.includes(intendedInput) : unsized.length > 0;
    findings.push({
      severity: fails ? sure('error') : 'warning',
      code: 'input-unknown',
      inputName: name,
      message: `${file} has no input named ${name}; ${hint ? `${hint} ` : ''}Its inputs: ${inputs.map(describe).join(', ') || 'none'}. Use the model's input names as the keys of data-input-config.`,
    });
  }
  for (const input of unnamed) {
    if (claimed.has(input.name)) continue;
    findings.push({
      severity: 'warning',
      code: 'input-missing',
      inputName: input.name,
      message: `data-input-config does not name ${file}'s input ${describe(input)}; add ${input.name}: ${suggestShape(input.shape ?? [], [])}${(input.shape ?? []).some((dim) => typeof dim !== 'number') ? ' (open dimensions set to the size to compile for)' : ''} so Neo compiles for that shape.`,
    });
  }
  for (const input of inputs) {
    const shape = configured.shapes.get(input.name);
    if (shape === undefined || input.shape === undefined || input.shape.length === 0) continue;
    findings.push(...compareShapes(framework, file, input, shape, sure));
  }
  const display = inputs.map((input) => {
    const shape = configured.shapes.get(input.name);
    return shape ? `${input.name} ${formatShape(shape)}` : describe(input);
  });
  return { findings, display };
}

function compareShapes(
  framework: string,
  file: string,
  input: ModelTensor,
  shape: number[],
  sure: (severity: 'error' | 'warning') => 'error' | 'warning',
): PreflightFinding[] {
  const model = input.shape ?? [];
  const layout = LAYOUT[framework];
  const layoutNote = layout ? ` (${framework} expects ${layout})` : '';
  if (model.length !== shape.length) {
    return [
      {
        severity: sure('error'),
        code: 'input-rank',
        inputName: input.name,
        message: `data-input-config gives ${input.name} ${shape.length} dimensions ${formatShape(shape)}, but ${file} declares ${model.length}: ${formatShape(model)}${layoutNote}. Write ${input.name}: ${suggestShape(model, shape)}.`,
      },
    ];
  }
  const differing = model
    .map((dim, index) => ({ dim, index }))
    .filter(({ dim, index }) => typeof dim === 'number' && dim !== shape[index]);
  if (differing.length === 0) return [];
  const fixed = model.filter((dim): dim is number => typeof dim === 'number');
  const isPermutation =
    fixed.length === model.length && [...fixed].sort().join(',') === [...shape].sort().join(',');
  return [
    {
      severity: 'warning',
      code: 'input-shape',
      inputName: input.name,
      message: `data-input-config gives ${input.name} ${formatShape(shape)}, but ${file} fixes ${differing
        .map(({ dim, index }) => `dimension ${index} to ${dim}`)
        .join(
          ', ',
        )} (${formatShape(model)})${isPermutation ? `: the same sizes in another order, so probably the wrong layout${layoutNote}` : layoutNote}. Write ${input.name}: ${suggestShape(model, shape)} unless the model accepts other sizes.`,
    },
  ];
}

/** The model's shape with open dimensions taken from the configured shape (or 1). */
function suggestShape(model: readonly Dimension[], configured: readonly number[]): string {
  return formatShape(model.map((dim, index) => (typeof dim === 'number' ? dim : (configured[index] ?? 1))));
}
