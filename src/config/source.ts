// Reads neo.yml and answers "where is this value in the file?" so every error can point at a line and column.
import {
  Composer,
  type CST,
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Parser,
  visit,
  YAMLParseError,
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

/** Deeper than this is no configuration; the YAML composer and the checks after it recurse per level. */
export const MAX_NESTING = 100;
/** Syntax errors after the first few are mostly consequences of the first: at most this many are listed. */
export const MAX_SYNTAX_ERRORS = 5;

export function readSource(input: string | Uint8Array): SourceFile {
  const decoded = typeof input === 'string' ? { text: input } : decodeConfigBytes(input);
  if ('problem' in decoded) return unreadable([decoded.problem]);
  const text = decoded.text;
  const lineCounter = new LineCounter();
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: Math.max(1, line), col: Math.max(1, col) };
  };
  // The CST parser keeps its own stack, so any depth parses; the composer recurses, so depth is checked first.
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const deep = firstTooDeep(tokens);
  if (deep !== undefined) {
    return unreadable([
      {
        position: at(deep),
        title: 'YAML nested too deeply',
        message: `The document nests lists and maps deeper than ${MAX_NESTING} levels here; a neo.yml needs fewer than 10. Check for unclosed brackets or runaway indentation.`,
      },
    ]);
  }
  // merge: `<<: *defaults` lets a file share settings between targets, as many YAML users expect.
  // logLevel 'error': the library would print warnings to stderr; every case is reported below instead.
  const composer = new Composer({ merge: true, uniqueKeys: true, logLevel: 'error' });
  let doc: Document.Parsed | undefined;
  for (const composed of composer.compose(tokens, true, text.length)) {
    if (!doc) {
      doc = composed;
      continue;
    }
    doc.errors.push(
      new YAMLParseError(
        [composed.range[0], composed.range[1]],
        'MULTIPLE_DOCS',
        'Source contains multiple documents',
      ),
    );
    break;
  }
  if (!doc) return unreadable([]);
  const complexKeys = collectionKeys(doc);

  const parsed = doc;
  const yamlProblems = [...doc.errors, ...doc.warnings]
    .map((problem) => ({ problem, offset: problem.pos[0] }))
    .sort((a, b) => a.offset - b.offset);
  const placeholders = flowPlaceholders(
    text,
    yamlProblems.map((entry) => entry.offset),
  );
  const described = yamlProblems
    .filter((entry) => !placeholders.lines.has(at(entry.offset).line))
    .map(({ problem, offset }) => {
      const start = problem.code === 'MISSING_CHAR' ? unclosedQuoteStart(parsed, offset) : offset;
      return describeYamlProblem(problem.code, problem.message, start, text, at);
    });
  const problems: YamlProblem[] = [
    ...placeholders.problems.map((hint) => ({ ...hint, position: at(hint.offset) })),
    ...capSyntaxErrors(described),
    ...complexKeys.map((key) => ({ ...key, position: at(key.offset) })),
  ];
  // A duplicate key leaves a complete document (the last value wins), so the rest can still be checked.
  const fatal = doc.errors.some((error) => !SOFT_ERRORS.has(error.code)) || complexKeys.length > 0;
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
      const found = findNode(parsed, path);
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
      const found = findNode(parsed, path);
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

/** A source whose structure could not be read at all: only these problems are reported. */
function unreadable(problems: YamlProblem[]): SourceFile {
  return { data: undefined, problems, fatal: true, locate: () => START, scalarSource: () => undefined };
}

// File signatures of formats people commit by mistake (or that a wrong `config` input points at).
const BINARY_SIGNATURES: { bytes: number[]; name: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], name: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], name: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], name: 'a GIF image' },
  { bytes: [0x1f, 0x8b], name: 'a gzip archive' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], name: 'a zip archive' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], name: 'an executable (ELF)' },
  { bytes: [0xff, 0xfe], name: 'UTF-16 text' },
  { bytes: [0xfe, 0xff], name: 'UTF-16 text' },
];

/**
 * neo.yml's bytes as text. A binary file, a NUL byte or bytes that are not UTF-8 are reported with their
 * line and column instead of turning into replacement characters that reappear in every message.
 */
export function decodeConfigBytes(bytes: Uint8Array): { text: string } | { problem: YamlProblem } {
  const signature = BINARY_SIGNATURES.find((candidate) =>
    candidate.bytes.every((byte, index) => bytes[index] === byte),
  );
  if (signature) {
    return {
      problem: {
        position: START,
        title: 'Not a YAML text file',
        message: `This file is ${signature.name}, not YAML text. Point the 'config' input at your neo.yml, saved as UTF-8 text.`,
      },
    };
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const nul = bytes.indexOf(0);
  const firstBad = firstInvalidUtf8(bytes);
  if (nul >= 0 && (firstBad === undefined || nul < firstBad)) {
    return {
      problem: {
        position: bytePosition(bytes, nul),
        title: 'Not a YAML text file',
        message:
          'The file contains a NUL byte here, so it is binary or corrupted, not YAML text. Save neo.yml as UTF-8 text.',
      },
    };
  }
  if (firstBad !== undefined) {
    const byte = (bytes[firstBad] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    return {
      problem: {
        position: bytePosition(bytes, firstBad),
        title: 'Invalid UTF-8',
        message: `Byte 0x${byte} here is not valid UTF-8. Save neo.yml as UTF-8 (it may have been saved as Latin-1 or Windows-1252).`,
      },
    };
  }
  return { text: decoder.decode(bytes) };
}

/** Index of the first byte that makes the file invalid UTF-8, or undefined when it is valid. */
function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  const decodes = (length: number, stream: boolean) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length), { stream });
      return true;
    } catch {
      return false;
    }
  };
  if (decodes(bytes.length, false)) return undefined;
  // With stream, a sequence cut at the end is not an error, so validity only shrinks as the prefix grows:
  // find the shortest invalid prefix.
  let good = 0;
  let bad = bytes.length + 1;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (middle <= bytes.length && decodes(middle, true)) good = middle;
    else bad = middle;
  }
  const last = Math.min(bad, bytes.length) - 1;
  // The byte that broke it, or the lead byte of the sequence it left unfinished.
  return decodes(last, false) ? last : sequenceStart(bytes, last);
}

/** Start of the (unfinished) sequence that ends just before `end`: back over continuation bytes. */
function sequenceStart(bytes: Uint8Array, end: number): number {
  let index = end - 1;
  while (index > 0 && end - index < 4 && ((bytes[index] ?? 0) & 0xc0) === 0x80) index--;
  return Math.max(0, index);
}

/** Line and column (in characters) of byte `index`, decoding only the valid text before it. */
function bytePosition(bytes: Uint8Array, index: number): SourcePosition {
  const lineStart = bytes.lastIndexOf(0x0a, index - 1) + 1;
  let line = 1;
  for (let at = bytes.indexOf(0x0a); at >= 0 && at < lineStart; at = bytes.indexOf(0x0a, at + 1)) line++;
  const before = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, index));
  return { line, col: before.length + 1 };
}

/** Offset of the first collection nested deeper than MAX_NESTING, walking the CST without recursion. */
function firstTooDeep(tokens: readonly CST.Token[]): number | undefined {
  const stack: { token: CST.Token | undefined; depth: number }[] = tokens.map((token) => ({
    token,
    depth: 0,
  }));
  let found: number | undefined;
  while (stack.length > 0) {
    const { token, depth } = stack.pop() as { token: CST.Token | undefined; depth: number };
    if (!token) continue;
    if (token.type === 'document') {
      stack.push({ token: token.value, depth });
      continue;
    }
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection')
      continue;
    if (depth + 1 > MAX_NESTING) {
      if (found === undefined || token.offset < found) found = token.offset;
      continue;
    }
    for (const item of token.items) {
      if ('key' in item) stack.push({ token: item.key ?? undefined, depth: depth + 1 });
      if ('value' in item) stack.push({ token: item.value, depth: depth + 1 });
    }
  }
  return found;
}

/** Keys that are maps or lists (`? [a, b]`, `{a: 1}: x`): JSON has no such keys, and neo.yml uses names. */
function collectionKeys(doc: Document): { offset: number; title: string; message: string }[] {
  const found: { offset: number; title: string; message: string }[] = [];
  visit(doc, {
    Pair(_key, pair) {
      if (!isCollection(pair.key)) return;
      found.push({
        offset: pair.key.range?.[0] ?? 0,
        title: 'Key is not a name',
        message: `This key is a ${isSeq(pair.key) ? 'list' : 'map'} (a YAML complex key, as written with '? '); neo.yml keys are plain names such as 'device'.`,
      });
    },
  });
  return found;
}

/**
 * `output: {s3-location: s3://b/${ref-name}/}`: inside `{…}` or `[…]` the `{` of an unquoted placeholder
 * opens a nested map, and the parser reports a cascade of errors. One hint per line where that happens,
 * suggesting the quoted value, replaces the cascade on that line.
 */
function flowPlaceholders(
  text: string,
  errorOffsets: readonly number[],
): { problems: { offset: number; title: string; message: string }[]; lines: Set<number> } {
  const problems: { offset: number; title: string; message: string }[] = [];
  const lineStarts = new Set<number>();
  for (const offset of errorOffsets) {
    const dollar = text[offset] === '$' ? offset : text.startsWith('${', offset - 1) ? offset - 1 : -1;
    if (dollar < 0 || !text.startsWith('${', dollar)) continue;
    const lineStart = text.lastIndexOf('\n', dollar - 1) + 1;
    if (lineStarts.has(lineStart)) continue;
    lineStarts.add(lineStart);
    const value = plainValueAround(text, dollar);
    problems.push({
      offset: value.start,
      title: 'Quote this value',
      message: `A \${…} placeholder inside a flow collection ({…} or […]) must be quoted, or YAML reads its braces as a map: write "${value.text}".`,
    });
  }
  const first = problems[0];
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  if (first && problems.length > 1) {
    const others = problems.slice(1).map((problem) => lineOf(problem.offset));
    first.message += ` Quote the same way the placeholder values on line${others.length === 1 ? '' : 's'} ${others.join(', ')}.`;
  }
  return { problems: first ? [first] : [], lines: new Set([...lineStarts].map(lineOf)) };
}

/** The unquoted flow value containing the `${` at `dollar`: from after `{ [ , :` to `, ] }` outside `${…}`. */
function plainValueAround(text: string, dollar: number): { start: number; text: string } {
  let start = dollar;
  while (start > 0 && !/[{[,\n]/.test(text[start - 1] ?? '') && !/: $/.test(text.slice(start - 2, start)))
    start--;
  while (text[start] === ' ') start++;
  let end = dollar;
  let inPlaceholder = false;
  while (end < text.length && text[end] !== '\n') {
    const char = text[end];
    if (text.startsWith('${', end)) {
      inPlaceholder = true;
      end += 2;
      continue;
    }
    if (inPlaceholder && char === '}') inPlaceholder = false;
    else if (!inPlaceholder && (char === ',' || char === ']' || char === '}')) break;
    end++;
  }
  return { start, text: text.slice(start, end).trim().replace(/"/g, '\\"') };
}

/** The first MAX_SYNTAX_ERRORS problems, then one that counts the rest. */
function capSyntaxErrors(problems: YamlProblem[]): YamlProblem[] {
  if (problems.length <= MAX_SYNTAX_ERRORS) return problems;
  const rest = problems.length - MAX_SYNTAX_ERRORS;
  const next = problems[MAX_SYNTAX_ERRORS] as YamlProblem;
  return [
    ...problems.slice(0, MAX_SYNTAX_ERRORS),
    {
      position: next.position,
      title: 'More YAML syntax errors',
      message: `…and ${rest} more YAML syntax error${rest === 1 ? '' : 's'} from here on, most of them caused by the ones above. Fix those first.`,
    },
  ];
}
