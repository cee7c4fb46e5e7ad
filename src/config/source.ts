// Reads neo.yml and answers "where is this value in the file?" so every error can point at a line and column.
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from 'yaml';
import type { SourcePosition } from '../types.ts';

/** A path into the parsed document, as ajv's instancePath segments: keys and array indexes. */
export type DocPath = readonly (string | number)[];

export interface YamlProblem {
  position: SourcePosition;
  title: string;
  message: string;
}

export interface SourceFile {
  /** The document as plain JSON data (undefined when YAML could not be read). */
  data: unknown;
  /** Problems YAML itself found: syntax, duplicate keys, tabs, unknown tags. */
  problems: YamlProblem[];
  /** True when the structure could not be read (syntax errors): nothing else can be checked reliably. */
  fatal: boolean;
  /** Line/column of the key or value at `path`; `needle` moves the column to a substring of the value. */
  locate(path: DocPath, at?: 'key' | 'value', needle?: string): SourcePosition;
  /** The source text of the scalar at `path` (e.g. "2.0" where the data holds 2). */
  scalarSource(path: DocPath): string | undefined;
}

const START: SourcePosition = { line: 1, col: 1 };
const SOFT_ERRORS = new Set(['DUPLICATE_KEY']);
// Anchors and aliases are allowed, but a document that expands into a huge tree is not a config.
const MAX_ALIAS_COUNT = 100;

export function readSource(text: string): SourceFile {
  const lineCounter = new LineCounter();
  // merge: `<<: *defaults` lets a file share settings between targets, as many YAML users expect.
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: true, uniqueKeys: true });
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: Math.max(1, line), col: Math.max(1, col) };
  };

  const problems: YamlProblem[] = [...doc.errors, ...doc.warnings].map((problem) => {
    const offset = problem.code === 'MISSING_CHAR' ? unclosedQuoteStart(doc, problem.pos[0]) : problem.pos[0];
    return describeYamlProblem(problem.code, problem.message, offset, text, at);
  });
  // A duplicate key leaves a complete document (the last value wins), so the rest can still be checked.
  const fatal = doc.errors.some((error) => !SOFT_ERRORS.has(error.code));
  let data: unknown;
  if (!fatal) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      problems.push({
        position: START,
        title: 'YAML aliases expand too far',
        message: `${error instanceof Error ? error.message : String(error)}. Use fewer nested aliases (*name).`,
      });
    }
  }

  return {
    data,
    problems,
    fatal: fatal || data === undefined,
    locate(path, where = 'value', needle) {
      const found = findNode(doc, path);
      const node = where === 'key' && found.key ? found.key : (found.value ?? found.key);
      const range = node?.range;
      if (!range) return found.key?.range ? at(found.key.range[0]) : START;
      if (needle !== undefined) {
        const index = text.slice(range[0], range[1]).indexOf(needle);
        if (index >= 0) return at(range[0] + index);
      }
      return at(range[0]);
    },
    scalarSource(path) {
      const found = findNode(doc, path);
      if (!found.complete || !isScalar(found.value) || !found.value.range) return undefined;
      return text.slice(found.value.range[0], found.value.range[1]);
    },
  };
}

/** yaml reports an unclosed quote where the file ends; the quote that opened it is more useful. */
function unclosedQuoteStart(doc: Document, offset: number): number {
  let start = offset;
  visit(doc, {
    Scalar(_key, node) {
      const range = node.range;
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      if (quoted && range && range[0] < offset && range[1] >= offset) start = range[0];
    },
  });
  return start;
}

interface Found {
  /** The key node of the last map entry on the path (undefined at the root or for array items). */
  key?: Node;
  /** The deepest node reached; a null-valued entry (`key:`) has no value node. */
  value?: Node;
  complete: boolean;
}

/** Walks the YAML node tree along a data path, through aliases and `<<` merges; stops at the deepest match. */
function findNode(doc: Document, path: DocPath): Found {
  let value: Node | undefined = (doc.contents as Node | null) ?? undefined;
  let key: Node | undefined;
  for (const [index, segment] of path.entries()) {
    const node = resolveAlias(doc, value);
    if (isMap(node)) {
      const pair = findPair(doc, node.items, String(segment), 0);
      if (!pair) return { key, value, complete: false };
      key = pair.key;
      value = pair.value;
      if (!value) return { key, value: undefined, complete: index === path.length - 1 };
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
      key = undefined;
      value = node.items[segment] as Node;
    } else {
      return { key, value, complete: false };
    }
  }
  return { key, value, complete: true };
}

function resolveAlias(doc: Document, node: Node | undefined): Node | undefined {
  let current = node;
  for (let hops = 0; current && isAlias(current) && hops < MAX_ALIAS_COUNT; hops++) {
    current = current.resolve(doc) as Node | undefined;
  }
  return current;
}

/** The pair for `name` in a map's items, looking into `<<` merge sources when the map itself lacks it. */
function findPair(
  doc: Document,
  items: readonly unknown[],
  name: string,
  depth: number,
): { key: Node; value: Node | undefined } | undefined {
  const merges: unknown[] = [];
  // The last duplicate wins in the data, so search from the end.
  for (let index = items.length - 1; index >= 0; index--) {
    const pair = items[index];
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    if (typeof pair.key.value === 'symbol' || pair.key.source === '<<') {
      merges.push(pair.value);
      continue;
    }
    if (String(pair.key.value) === name)
      return { key: pair.key, value: (pair.value as Node | null) ?? undefined };
  }
  if (depth > 10) return undefined;
  for (const merge of merges) {
    const sources = isSeq(merge) ? merge.items : [merge];
    for (const source of sources) {
      const map = resolveAlias(doc, source as Node);
      if (!isMap(map)) continue;
      const found = findPair(doc, map.items, name, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

const YAML_HINTS: Record<string, { title: string; fix: string }> = {
  DUPLICATE_KEY: {
    title: 'Duplicate key',
    fix: 'Keep one of them: YAML would otherwise silently drop the earlier value.',
  },
  TAB_AS_INDENT: { title: 'Tab used for indentation', fix: 'Indent with spaces; YAML does not allow tabs.' },
  BAD_INDENT: { title: 'Bad indentation', fix: 'Align the entries of one map or list at the same column.' },
  MULTIPLE_DOCS: {
    title: 'More than one YAML document',
    fix: 'Put the whole configuration in one document; remove the extra `---`.',
  },
  TAG_RESOLVE_FAILED: {
    title: 'Unknown YAML tag',
    fix: 'Remove the tag (`!Name`); neo.yml uses plain values.',
  },
  BAD_ALIAS: { title: 'Bad alias', fix: 'Define the anchor (&name) before using it (*name).' },
  MISSING_CHAR: { title: 'YAML syntax error', fix: 'Close the quote, bracket or brace.' },
  BLOCK_AS_IMPLICIT_KEY: {
    title: 'YAML syntax error',
    fix: 'A key must fit on one line and be followed by ": "; check the indentation.',
  },
};

function describeYamlProblem(
  code: string,
  rawMessage: string,
  offset: number,
  text: string,
  at: (offset: number) => SourcePosition,
): YamlProblem {
  // yaml's pretty messages append " at line L, column C:" and a code excerpt; the annotation has both already.
  const firstLine = (rawMessage.split('\n')[0] ?? rawMessage)
    .replace(/ at line \d+, column \d+:?$/, '')
    .trim();
  const unclosed = /end with an? ([\]}])/.exec(firstLine)?.[1];
  const hint = unclosed
    ? {
        title: 'YAML syntax error',
        fix: `Close it with ${unclosed}, and indent its continuation lines deeper than its key.`,
      }
    : YAML_HINTS[code];
  const position = at(offset);
  if (code === 'DUPLICATE_KEY') {
    const keyText = /^\s*([^:\n]*?)\s*:/.exec(text.slice(offset))?.[1];
    const name = keyText ? `'${keyText.replace(/^["']|["']$/g, '')}' ` : '';
    return {
      position,
      title: 'Duplicate key',
      message: `The key ${name}appears more than once in the same map. ${hint?.fix ?? ''}`.trim(),
    };
  }
  return {
    position,
    title: hint?.title ?? 'YAML syntax error',
    message: hint ? `${firstLine}. ${hint.fix}` : `${firstLine}. Fix the YAML syntax at this position.`,
  };
}
