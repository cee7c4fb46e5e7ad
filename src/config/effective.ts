// Builds each target's effective settings: top-level defaults, then the entry's own keys, then its matrix
// values, with placeholders substituted. Every value remembers where it was written, so a rule that rejects
// an inherited value points at the top-level line that set it.
import type { RunContext } from '../types.ts';
import { collectStrings, expandMatrix, type MatrixCombination } from './matrix.ts';
import { substitute } from './placeholders.ts';
import type { Problem } from './problems.ts';
import { INPUT_SHORTHANDS, neoSchema } from './schema.ts';
import type { DocPath } from './source.ts';
import { closestMatch } from './suggest.ts';

export type FieldPath = readonly (string | number)[];
type Record_ = Record<string, unknown>;

export const isRecord = (value: unknown): value is Record_ =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Settings a target (or a matrix key) may set: every key of a target entry except name and matrix. */
export const TARGET_SETTING_KEYS: readonly string[] = Object.keys(
  ((neoSchema.$defs as Record_).target as { properties: Record_ }).properties,
).filter((key) => key !== 'name' && key !== 'matrix');

/** Settings merged key by key with the level above; every other setting replaces it whole. */
const MERGED_MAPS = new Set(['input', 'output', 'stopping-condition', 'tags', 'model', 'budget']);
/**
 * The model source of input and model is s3-uri or path (with upload-to): a level that sets one of them
 * replaces the other one inherited from the level above, instead of merging into "both".
 */
const SOURCE_MAPS = new Set(['input', 'model']);
const SOURCE_REPLACES: Record<string, readonly string[]> = {
  's3-uri': ['path', 'upload-to'],
  path: ['s3-uri'],
};
/** Top-level defaults every target inherits (input and model-package-arn are handled apart). */
const INHERITED = [
  'region',
  'role-arn',
  'output',
  'stopping-condition',
  'vpc',
  'tags',
  'budget',
  'history',
] as const;

export interface EffectiveTarget {
  entryIndex: number;
  /** The `targets` entry this target comes from. */
  entryPath: DocPath;
  /** The final name: the entry's name, with matrix values appended or substituted. */
  name: string;
  /** The entry's name as written (the group every matrix target of the entry belongs to). */
  group: string;
  kind: 'compilation' | 'optimization';
  /** Effective settings (kebab-case keys as in neo.yml), placeholders substituted. */
  settings: Record_;
  /** The same settings before placeholders are substituted (`${sha}` as written), for messages. */
  written: Record_;
  /** Keys set by the entry or its matrix rather than inherited from the top level. */
  own: ReadonlySet<string>;
  /** The file position of a setting: where it was written (entry, matrix value or top level). */
  where(field: FieldPath): DocPath;
}

interface Layers {
  settings: Record_;
  origins: Map<string, DocPath>;
}

const fieldKey = (field: FieldPath): string => field.join('\u0000');

function setOrigin(layers: Layers, field: FieldPath, path: DocPath): void {
  const key = fieldKey(field);
  // Replacing a value forgets where its old parts came from.
  for (const existing of [...layers.origins.keys()]) {
    if (existing.startsWith(`${key}\u0000`)) layers.origins.delete(existing);
  }
  layers.origins.set(key, path);
}

function dropOrigin(layers: Layers, field: FieldPath): void {
  const key = fieldKey(field);
  for (const existing of [...layers.origins.keys()]) {
    if (existing === key || existing.startsWith(`${key}\u0000`)) layers.origins.delete(existing);
  }
}

/** Removes the inherited model source that `setting` (keys set by one level) replaces. */
function replaceSource(layers: Layers, key: string, current: Record_, setting: readonly string[]): void {
  if (!SOURCE_MAPS.has(key)) return;
  for (const inner of setting) {
    for (const replaced of SOURCE_REPLACES[inner] ?? []) {
      if (setting.includes(replaced) || !(replaced in current)) continue;
      delete current[replaced];
      dropOrigin(layers, [key, replaced]);
    }
  }
}

/** Sets `key` from a value written at `path`; maps in MERGED_MAPS merge key by key. */
function put(layers: Layers, key: string, value: unknown, path: DocPath): void {
  const current = layers.settings[key];
  if (MERGED_MAPS.has(key) && isRecord(value) && isRecord(current)) {
    const merged: Record_ = { ...current };
    replaceSource(layers, key, merged, Object.keys(value));
    for (const [inner, innerValue] of Object.entries(value)) {
      merged[inner] = innerValue;
      setOrigin(layers, [key, inner], [...path, inner]);
    }
    layers.settings[key] = merged;
    return;
  }
  layers.settings[key] = isRecord(value) && MERGED_MAPS.has(key) ? { ...value } : value;
  setOrigin(layers, [key], path);
}

/**
 * Sets one key of a map setting (a matrix `framework-version` sets input.framework-version); `level` lists
 * every key of the map set at the same level (s3-uri and path set together are both kept, and reported).
 */
function putInner(
  layers: Layers,
  key: string,
  inner: string,
  value: unknown,
  path: DocPath,
  parentPath: DocPath,
  level: readonly string[] = [inner],
) {
  const current = layers.settings[key];
  if (!isRecord(current)) {
    layers.settings[key] = {};
    setOrigin(layers, [key], parentPath);
  }
  replaceSource(layers, key, layers.settings[key] as Record_, level);
  (layers.settings[key] as Record_)[inner] = value;
  setOrigin(layers, [key, inner], path);
}

export function whereIn(origins: ReadonlyMap<string, DocPath>, fallback: DocPath, field: FieldPath): DocPath {
  for (let length = field.length; length > 0; length--) {
    const origin = origins.get(fieldKey(field.slice(0, length)));
    if (origin) return [...origin, ...field.slice(length)];
  }
  return fallback;
}

export function buildTargets(data: unknown, ctx: RunContext, problems: Problem[]): EffectiveTarget[] {
  if (!isRecord(data) || !Array.isArray(data.targets)) return [];
  const top = data;
  const targets: EffectiveTarget[] = [];
  data.targets.forEach((entry, entryIndex) => {
    if (!isRecord(entry)) return;
    const entryPath: DocPath = ['targets', entryIndex];
    let combinations: (MatrixCombination | undefined)[] = [undefined];
    if (entry.matrix !== undefined) {
      const expansion = expandMatrix(entry.matrix, [...entryPath, 'matrix']);
      problems.push(...expansion.problems);
      combinations = expansion.combinations;
      checkMatrixVariables(entry, top, entryPath, problems);
    }
    for (const combination of combinations) {
      targets.push(buildTarget(top, entry, entryIndex, entryPath, combination, ctx, problems));
    }
  });
  return targets;
}

function buildTarget(
  top: Record_,
  entry: Record_,
  entryIndex: number,
  entryPath: DocPath,
  combination: MatrixCombination | undefined,
  ctx: RunContext,
  problems: Problem[],
): EffectiveTarget {
  const layers: Layers = { settings: {}, origins: new Map() };
  const matrix = combination?.values;
  const fromMatrix = (key: string) => matrix !== undefined && Object.hasOwn(matrix, key);
  const kindValue = fromMatrix('kind') ? matrix?.kind : entry.kind;
  const kind = kindValue === 'optimization' ? 'optimization' : 'compilation';

  // Which model source the target chose itself decides what it inherits.
  const ownInput = 'input' in entry || fromMatrix('input') || INPUT_SHORTHANDS.some(fromMatrix);
  const ownPackage = 'model-package-arn' in entry || fromMatrix('model-package-arn');
  for (const key of INHERITED) if (key in top) put(layers, key, top[key], [key]);
  if (kind === 'compilation') {
    if (!ownPackage && 'input' in top) put(layers, 'input', top.input, ['input']);
    if (!ownInput && 'model-package-arn' in top)
      put(layers, 'model-package-arn', top['model-package-arn'], ['model-package-arn']);
  }

  const own = new Set<string>();
  for (const key of TARGET_SETTING_KEYS) {
    if (!(key in entry)) continue;
    put(layers, key, entry[key], [...entryPath, key]);
    own.add(key);
  }
  if (combination && matrix) {
    const shorthands = Object.keys(matrix).filter((key) => INPUT_SHORTHANDS.includes(key));
    for (const [key, value] of Object.entries(matrix)) {
      const path = combination.origins[key] ?? [...entryPath, 'matrix'];
      if (TARGET_SETTING_KEYS.includes(key)) {
        put(layers, key, value, path);
        own.add(key);
      } else if (INPUT_SHORTHANDS.includes(key)) {
        putInner(layers, 'input', key, value, path, path, shorthands);
        own.add('input');
      }
    }
  }

  const group = typeof entry.name === 'string' ? entry.name : `#${entryIndex + 1}`;
  const name = targetName(group, entryPath, combination, ctx, problems);

  // The region is needed by ${region} in other settings, so it is substituted first.
  const where = (field: FieldPath) => whereIn(layers.origins, entryPath, field);
  const rawRegion = layers.settings.region;
  let region = ctx.region;
  if (typeof rawRegion === 'string') {
    region = substituteAll(rawRegion, ['region'], { ctx, matrix, target: name }, where, problems) as string;
  }
  layers.settings.region = region;
  const settings: Record_ = {};
  for (const [key, value] of Object.entries(layers.settings)) {
    settings[key] =
      key === 'region'
        ? value
        : substituteAll(value, [key], { ctx, matrix, target: name, region }, where, problems);
  }

  return { entryIndex, entryPath, name, group, kind, settings, written: layers.settings, own, where };
}

function targetName(
  group: string,
  entryPath: DocPath,
  combination: MatrixCombination | undefined,
  ctx: RunContext,
  problems: Problem[],
): string {
  const namePath = [...entryPath, 'name'];
  if (!group.includes('${')) {
    if (!combination || combination.suffix.length === 0) return group;
    return [group, ...combination.suffix].join('-');
  }
  const { value, problems: found } = substitute(group, {
    ctx,
    matrix: combination?.values,
    runFacts: false,
    where: 'target names',
  });
  for (const problem of found) problems.push({ path: namePath, ...problem, covers: [namePath] });
  return value.replace(/[^A-Za-z0-9._-]+/g, '-');
}

function substituteAll(
  value: unknown,
  field: FieldPath,
  scope: Parameters<typeof substitute>[1],
  where: (field: FieldPath) => DocPath,
  problems: Problem[],
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    const result = substitute(value, scope);
    for (const problem of result.problems)
      problems.push({ path: where(field), ...problem, covers: [where(field)] });
    return result.value;
  }
  if (Array.isArray(value))
    return value.map((item, index) => substituteAll(item, [...field, index], scope, where, problems));
  if (isRecord(value)) {
    const result: Record_ = {};
    for (const [key, item] of Object.entries(value))
      result[key] = substituteAll(item, [...field, key], scope, where, problems);
    return result;
  }
  return value;
}

/** A matrix key that sets no setting and that no ${matrix.KEY} uses is almost always a misspelled setting. */
function checkMatrixVariables(entry: Record_, top: Record_, entryPath: DocPath, problems: Problem[]): void {
  const matrix = entry.matrix;
  if (!isRecord(matrix)) return;
  const keys = new Set(Object.keys(matrix).filter((key) => key !== 'include' && key !== 'exclude'));
  for (const list of [matrix.include, matrix.exclude]) {
    if (Array.isArray(list))
      for (const item of list) if (isRecord(item)) for (const key of Object.keys(item)) keys.add(key);
  }
  const { matrix: _matrix, ...rest } = entry;
  const { targets: _targets, ...defaults } = top;
  const strings = collectStrings([rest, defaults]).filter((text) => text.includes('${'));
  const known = [...TARGET_SETTING_KEYS, ...INPUT_SHORTHANDS];
  for (const key of keys) {
    if (known.includes(key)) continue;
    if (strings.some((text) => text.includes(`matrix.${key}`))) continue;
    const suggestion = closestMatch(key, known);
    const path = key in matrix ? [...entryPath, 'matrix', key] : [...entryPath, 'matrix'];
    problems.push({
      path,
      at: 'key',
      title: 'Unused matrix key',
      message: `Matrix key '${key}' is not a target setting and no \${matrix.${key}} uses it${
        suggestion
          ? `; did you mean ${suggestion}?`
          : `. Use it in a string as \${matrix.${key}} or remove it.`
      }`,
    });
  }
}
