// Matrix targets, modelled on GitHub Actions' `strategy.matrix`.
//
//   targets:
//     - name: edge                              # generated: edge-jetson_nano-1.13, edge-jetson_nano-2.0, ...
//       input: {framework: PYTORCH}
//       matrix:
//         device: [jetson_nano, jetson_xavier, rasp4b]
//         framework-version: ["1.13", "2.0"]    # input keys (s3-uri, path, upload-to, framework,
//                                               # framework-version, data-input-config) may be used
//                                               # directly as matrix keys
//         exclude:
//           - {device: rasp4b, framework-version: "1.13"}
//         include:
//           - {device: jetson_xavier, compiler-options: {...}}   # added to the matching combinations
//           - {device: coreml, framework-version: "2.0"}         # matches none: a new combination
//
// - A matrix belongs to one entry of `targets` (like a matrix belongs to one job) and turns it into one
//   target per combination of its lists (the cross product), at most 256 combinations.
// - A key that is a target setting (device, platform, region, input, compiler-options, instance-type, ...) or
//   an input key sets that setting in the generated target, over the entry's own settings and the top-level
//   defaults. Any other key is a variable; every key is available in strings as ${matrix.KEY}
//   (${matrix.KEY.sub} for a map value). A variable no string uses is reported as a probable typo.
// - exclude: drops every combination that matches all key/values of an entry (an entry that matches nothing
//   is reported, since it is almost always a misspelled value). Exclusions apply before inclusions.
// - include, as on GitHub: each entry is added to every combination whose original matrix values it does not
//   change (its other keys are added, overwriting only values added by earlier includes); an entry that fits
//   no combination becomes a new combination.
// - Names: the entry's name followed by the value of each matrix key in order (maps contribute their plain
//   values: platform {os: LINUX, arch: ARM64} -> LINUX-ARM64),
//   so `targets: edge-*` selects them all; characters other than letters, digits, '.', '_' and '-' become '-'.
//   If the name contains ${matrix.KEY}, it is used as written instead.
import { MATRIX_MAX_COMBINATIONS } from './constraints.ts';
import type { Problem } from './problems.ts';
import type { DocPath } from './source.ts';

export interface MatrixCombination {
  /** Matrix key -> value for this combination (original keys first, in the order written). */
  values: Record<string, unknown>;
  /** Matrix key -> where its value is written in the file. */
  origins: Record<string, DocPath>;
  /** Name parts appended to the entry's name. */
  suffix: string[];
}

export interface MatrixExpansion {
  combinations: MatrixCombination[];
  problems: Problem[];
}

type Record_ = Record<string, unknown>;

const isRecord = (value: unknown): value is Record_ =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Expands one entry's matrix. `matrixPath` is where the `matrix:` value is, for error positions. */
export function expandMatrix(matrix: unknown, matrixPath: DocPath): MatrixExpansion {
  const problems: Problem[] = [];
  if (!isRecord(matrix)) return { combinations: [], problems };
  const vectorKeys = Object.keys(matrix).filter(
    (key) =>
      key !== 'include' &&
      key !== 'exclude' &&
      Array.isArray(matrix[key]) &&
      (matrix[key] as unknown[]).length > 0,
  );
  const includes = entries(matrix.include);
  const excludes = entries(matrix.exclude);

  const tooLarge = (count: number): MatrixExpansion => {
    problems.push({
      path: matrixPath,
      at: 'key',
      title: 'Matrix too large',
      message: `This matrix makes ${count} combinations; at most ${MATRIX_MAX_COMBINATIONS} are allowed. Split it into several targets or exclude some.`,
    });
    return { combinations: [], problems };
  };
  const size = vectorKeys.reduce((product, key) => product * (matrix[key] as unknown[]).length, 1);
  // Excludes may bring a large product under the cap, but a product this large is never meant.
  if (vectorKeys.length > 0 && size > MATRIX_MAX_COMBINATIONS * 16) return tooLarge(size);

  let combinations: MatrixCombination[] =
    vectorKeys.length === 0 ? [] : [{ values: {}, origins: {}, suffix: [] }];
  for (const key of vectorKeys) {
    const vector = matrix[key] as unknown[];
    const next: MatrixCombination[] = [];
    for (const combination of combinations) {
      vector.forEach((value, index) => {
        next.push({
          values: { ...combination.values, [key]: value },
          origins: { ...combination.origins, [key]: [...matrixPath, key, index] },
          suffix: [...combination.suffix, label(value)].filter((part) => part !== ''),
        });
      });
    }
    combinations = next;
  }

  excludes.forEach(({ entry, index }) => {
    const entryPath = [...matrixPath, 'exclude', index];
    const unknownKey = Object.keys(entry).find((key) => !vectorKeys.includes(key));
    if (unknownKey !== undefined) {
      problems.push({
        path: [...entryPath, unknownKey],
        at: 'key',
        title: 'Exclude key not in matrix',
        message: `exclude uses '${unknownKey}', which is not a list of this matrix (${vectorKeys.join(', ') || 'none'}). Exclude entries can only name matrix keys.`,
      });
      return;
    }
    const before = combinations.length;
    combinations = combinations.filter(
      (combination) =>
        !Object.entries(entry).every(([key, value]) => deepEqual(combination.values[key], value)),
    );
    if (combinations.length === before) {
      problems.push({
        path: entryPath,
        title: 'Exclude matches nothing',
        message: `This exclude entry matches no combination of the matrix; check its values against the lists (${vectorKeys.join(', ')}).`,
      });
    }
  });

  const extra: MatrixCombination[] = [];
  includes.forEach(({ entry, index }) => {
    const entryPath = [...matrixPath, 'include', index];
    let fitted = false;
    for (const combination of combinations) {
      const fits = Object.entries(entry).every(
        ([key, value]) => !vectorKeys.includes(key) || deepEqual(combination.values[key], value),
      );
      if (!fits) continue;
      fitted = true;
      for (const [key, value] of Object.entries(entry)) {
        if (vectorKeys.includes(key)) continue;
        combination.values[key] = value;
        combination.origins[key] = [...entryPath, key];
      }
    }
    if (!fitted) {
      const origins: Record<string, DocPath> = {};
      for (const key of Object.keys(entry)) origins[key] = [...entryPath, key];
      const named = Object.keys(entry).filter((key) => vectorKeys.includes(key));
      const suffixKeys = named.length > 0 ? named : Object.keys(entry);
      const suffix = suffixKeys.map((key) => label(entry[key])).filter((part) => part !== '');
      extra.push({ values: { ...entry }, origins, suffix });
    }
  });
  combinations = [...combinations, ...extra];
  if (combinations.length > MATRIX_MAX_COMBINATIONS) return tooLarge(combinations.length);

  if (combinations.length === 0) {
    problems.push({
      path: matrixPath,
      at: 'key',
      title: 'Matrix makes no targets',
      message:
        vectorKeys.length === 0 && includes.length === 0
          ? 'This matrix has no lists and no include entries; add a list such as device: [jetson_nano, rasp4b].'
          : 'exclude removes every combination of this matrix; remove an exclude entry or add values.',
    });
  }
  return { combinations, problems };
}

function entries(value: unknown): { entry: Record_; index: number }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry, index) => (isRecord(entry) ? [{ entry, index }] : []));
}

/** A value as a name part: scalars as written; maps and lists by their scalar values (platform -> LINUX-ARM64). */
function label(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'object') {
    const items = Array.isArray(value) ? value : Object.values(value);
    return items
      .filter((item) => item === null || typeof item !== 'object')
      .map(label)
      .join('-');
  }
  return String(value).replace(/[^A-Za-z0-9._-]+/g, '-');
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((key) => Object.hasOwn(b, key) && deepEqual((a as Record_)[key], (b as Record_)[key]));
}

/** All strings in a value, to find which ${matrix.KEY} variables are used. */
export function collectStrings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (isRecord(value)) for (const item of Object.values(value)) collectStrings(item, into);
  return into;
}
