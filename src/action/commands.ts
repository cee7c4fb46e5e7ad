// Text for the Actions log. The runner reads every stdout line looking for workflow commands: a line whose
// first non-blank characters are `::name …::` (v2 syntax), and `##[name …]` anywhere in a line (the legacy
// syntax it still honours). Text this action did not write (service messages, job ARNs, S3 URIs, values
// from neo.yml) must never form one, or a failure reason could set outputs, mask values or stop commands.
// Every such text goes through one of the helpers here before it reaches stdout.

import { randomBytes } from 'node:crypto';
import { truncate } from '../report/markdown.ts';
import type { ConfigError } from '../types.ts';

/** The runner ignores annotations past this size; every command line we write stays under it (UTF-8 bytes). */
export const ANNOTATION_MAX_BYTES = 4096;
/** Longest echo of foreign text in one log line, in characters, unless a caller asks for less. */
export const INERT_TEXT_MAX = 1000;

/**
 * Invisible, not whitespace for the runner (.NET `char.IsWhiteSpace`) nor for JS `trim`: placed after a `#`
 * before `[` and before a leading `:`, it breaks `##[` and `::` while the text still reads the same. The
 * runner's culture-sensitive StartsWith/IndexOf may skip it, but it then reads the command name at a fixed
 * offset from the match start, which lands on the `[`, the `:` or the joiner: never a command name.
 */
const BREAK = '\u200D';

// Characters shown as escapes: controls (C0, DEL, C1), line and paragraph separators, bidi overrides and the
// BOM (which hide or reorder text). `%`, CR and LF are escaped as the toolkit escapes command values.
const HIDDEN = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/u;
const HIDDEN_ALL = new RegExp(HIDDEN.source, 'gu');

// What the runner's `TrimStart` removes before looking for `::` (.NET white space), plus what JS trims.
const LEADING_BLANKS = /^[\s\u0085\u180E]*/u;

function showEscaped(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The toolkit's escaping of a command's data (`::name::DATA`), which the runner undoes. */
const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** The toolkit's escaping of a property value (`name=VALUE`). */
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** Shows every hidden character except those listed in `keep` as `\xNN` / `\uNNNN`. */
function showHidden(text: string, keep = ''): string {
  return text.replace(HIDDEN_ALL, (char) => (keep.includes(char) ? char : showEscaped(char)));
}

/** Breaks `##[` (and a `#` that could meet a `[` written next to it) and a leading `::`. */
function defuse(text: string): string {
  const broken = text.replace(/#(?=\[|$)/g, `#${BREAK}`);
  const blanks = LEADING_BLANKS.exec(broken)?.[0].length ?? 0;
  return broken[blanks] === ':' ? `${broken.slice(0, blanks)}${BREAK}${broken.slice(blanks)}` : broken;
}

/**
 * One line of foreign text that is safe anywhere in a log line, also at its start and next to another
 * inertText: the runner never reads it, or the line it is in, as a workflow command. Cut to `max` characters
 * with `…`; `%`, CR and LF escaped as in command values (`%25`, `%0D`, `%0A`), other control and separator
 * characters shown as `\x00` / `\u2028`.
 */
export function inertText(text: string, max = INERT_TEXT_MAX): string {
  return defuse(showHidden(escapeData(truncate(String(text), max))));
}

/**
 * Writes multi-line foreign text (a JSON plan, a long failure reason) between `::stop-commands::TOKEN` and
 * `::TOKEN::`, with a fresh random token the text cannot know: the runner processes no command inside. Each
 * line is also defused and its hidden characters shown, for runners that ignore stop-commands.
 */
export function writeUntrustedBlock(write: (line: string) => void, text: string | readonly string[]): void {
  const lines = (typeof text === 'string' ? [text] : text).flatMap((entry) =>
    entry.split(/\r\n|\r|\n|\u2028|\u2029|\u0085/),
  );
  const token = `neo-${randomBytes(16).toString('hex')}`;
  write(`::stop-commands::${token}`);
  for (const line of lines) write(defuse(showHidden(line, '\t')));
  write(`::${token}::`);
}

/** `text`, cut so that `encode(text)` fits in `maxBytes` UTF-8 bytes; ends with `…` when cut. */
function fitBytes(text: string, maxBytes: number, encode: (text: string) => string): string {
  if (text.length * 9 <= maxBytes || Buffer.byteLength(encode(text)) <= maxBytes) return text;
  const budget = maxBytes - 3; // room for the ellipsis
  let used = 0;
  let kept = '';
  for (const char of text) {
    const cost = Buffer.byteLength(encode(char));
    if (used + cost > budget) break;
    used += cost;
    kept += char;
  }
  return `${kept}…`;
}

/**
 * A message for `core.warning`, `core.error` and `core.setFailed`: hidden characters shown as escapes (line
 * breaks kept: the toolkit escapes them) and cut so that the annotation line stays under 4 KB.
 */
export function annotationMessage(text: string): string {
  // Room for `::warning::` and properties the toolkit may add.
  return fitBytes(showHidden(String(text), '\r\n'), ANNOTATION_MAX_BYTES - 256, escapeData);
}

const FILE_MAX = 300;
const TITLE_MAX = 200;

/**
 * `::error file=F,line=L,col=C,title=T::message`, in the documented property order, escaped as the runner
 * expects, hidden characters shown as escapes, at most 4 KB.
 */
export function errorAnnotation(error: ConfigError): string {
  return annotation('error', error);
}

/** The same as errorAnnotation, as a `::warning`: shown at its line, never failing the step. */
export function warningAnnotation(warning: ConfigError): string {
  return annotation('warning', warning);
}

function annotation(level: 'error' | 'warning', error: ConfigError): string {
  const property = (text: string, max: number) => escapeProperty(showHidden(truncate(text, max), ''));
  const properties = [
    `file=${property(error.file, FILE_MAX)}`,
    `line=${Math.max(1, Math.trunc(error.line) || 1)}`,
    `col=${Math.max(1, Math.trunc(error.col) || 1)}`,
    `title=${property(error.title, TITLE_MAX)}`,
  ].join(',');
  const head = `::${level} ${properties}::`;
  const message = fitBytes(
    showHidden(error.message, '\n'),
    ANNOTATION_MAX_BYTES - Buffer.byteLength(head) - 1,
    escapeData,
  );
  return `${head}${escapeData(message)}`;
}
