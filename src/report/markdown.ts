// Escaping helpers for text this action did not write itself (target names, device strings, paths,
// failure reasons and other service text). Whatever it contains, once escaped it renders as plain
// text in GitHub-flavoured markdown: it cannot end a table cell, open HTML, start a code span, form a
// link, ping a person or team, or spoof its direction with bidi overrides.

/** Inserted after `@` (and `#` before a digit) so `@octocat` and `org/repo#12` no longer match GitHub's mention and issue-reference patterns; the text stays readable. */
const ZERO_WIDTH_JOINER = '\u200D';

/** Control characters that only hide or disguise text: C0/C1 controls (tab, LF, CR are handled by callers) and bidi overrides. */
function isHiddenControl(codePoint: number): boolean {
  return (
    (codePoint < 0x20 && codePoint !== 0x09 && codePoint !== 0x0a && codePoint !== 0x0d) ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069)
  );
}

/** Drops hidden control characters and normalises every line break (CRLF, CR, U+2028/9) to `\n`. */
export function cleanText(text: string): string {
  let out = '';
  for (const char of text) {
    if (!isHiddenControl(char.codePointAt(0) ?? 0)) out += char;
  }
  return out.replace(/\r\n?|[\u2028\u2029]/g, '\n');
}

/** One line of text: line breaks and tabs become single spaces, so a value can sit in a table cell or log row. */
export function flattenLines(text: string): string {
  return cleanText(text)
    .replace(/[ \t]*\n[ \t\n]*/g, ' ')
    .replace(/\t/g, ' ')
    .trim();
}

/** Number of code points (what a reader counts as characters; surrogate pairs count once). */
export function charCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Cuts text to at most `maxChars` code points, ending with `…` when cut. Never splits a surrogate pair. */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  return `${chars.slice(0, Math.max(0, maxChars - 1)).join('')}…`;
}

/**
 * Makes `@name` mentions inert everywhere (GitHub also finds them inside raw HTML), and `#123`
 * references too, which would otherwise link, and notify, issues elsewhere.
 */
export function neutralizeMentions(text: string): string {
  return text.replaceAll('@', `@${ZERO_WIDTH_JOINER}`).replace(/#(?=\d)/g, `#${ZERO_WIDTH_JOINER}`);
}

/** Escapes text for an HTML text node (e.g. inside `<summary>`), and neutralises mentions. */
export function escapeHtmlText(text: string): string {
  // Neutralise first: the inserted joiners must not land inside the numeric references made below.
  return neutralizeMentions(text).replace(/[&<>]/g, (char) =>
    char === '&' ? '&amp;' : char === '<' ? '&lt;' : '&gt;',
  );
}

const isWordChar = (char: string | undefined): boolean => char !== undefined && /[\p{L}\p{N}]/u.test(char);

/**
 * Escapes one line of text for inline markdown: a table cell, a heading or link text.
 * `|` and backticks become numeric references (they stay out of cell splitting and code-span
 * parsing, and references are never treated as syntax); `< > &` become entities so no HTML or
 * autolink can form; `\ [ ] * ~` are backslash-escaped; `_` only where it could start emphasis,
 * so `resnet50_v1` stays as typed. Newlines are flattened and mentions neutralised first.
 */
export function escapeInline(text: string): string {
  const line = neutralizeMentions(flattenLines(text));
  return line.replace(/[\\&<>|`[\]*~_]/g, (char, offset: number) => {
    switch (char) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '|':
        return '&#124;';
      case '`':
        return '&#96;';
      case '_':
        return isWordChar(line[offset - 1]) && isWordChar(line[offset + 1]) ? '_' : '\\_';
      default:
        return `\\${char}`;
    }
  });
}

/** A table cell: flattened, cut to `maxChars` (before escaping, so no entity is split), escaped; `—` when empty. */
export function cell(text: string | undefined, maxChars: number): string {
  const line = text === undefined ? '' : flattenLines(text);
  return line === '' ? '—' : escapeInline(truncate(line, maxChars));
}

/** One table row from already-escaped cells. */
export function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Header row and delimiter row of a table. */
export function tableHeader(titles: readonly string[]): string {
  return `${tableRow(titles)}\n${tableRow(titles.map(() => '---'))}`;
}

/**
 * A fenced code block whose fence is longer than any backtick run in the text, so the text cannot
 * close it early. Content inside a code block is never parsed as markdown, HTML or mentions.
 */
export function codeBlock(text: string, language = ''): string {
  const body = cleanText(text);
  const longestRun = Math.max(0, ...Array.from(body.matchAll(/`+/g), (match) => match[0].length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${language}\n${body}\n${fence}`;
}

/**
 * Percent-encodes the few characters that would end or confuse a markdown link destination or a
 * table row. URL builders already encode their parts; this is the last line of defence.
 */
export function safeUrl(url: string): string {
  return url.replace(
    /[\s()<>|`"'\\]/g,
    (char) => `%${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** A markdown link; `escapedText` must already be escaped (e.g. by `escapeInline`). */
export function link(escapedText: string, url: string): string {
  return `[${escapedText}](${safeUrl(url)})`;
}

/**
 * Plain text for the Actions log: one line, cut to `maxChars`. `##[` is broken up because the runner
 * still honours that legacy command syntax anywhere in a line; `::` commands only act at the start
 * of a line, which log rows never give to foreign text.
 */
export function plainText(text: string | undefined, maxChars: number): string {
  if (text === undefined) return '';
  return truncate(flattenLines(text), maxChars).replaceAll('##[', `#${ZERO_WIDTH_JOINER}#[`);
}
