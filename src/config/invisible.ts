// Characters a reader cannot see in a value (pasted from a web page, a BOM from an editor, a stray NUL) and
// whitespace around it: shown escaped, so the message says what is there.

const NAMES: Record<string, string> = {
  '\u0000': 'NUL',
  ' ': 'a space',
  '\t': 'a tab',
  '\n': 'a line break',
  '\r': 'a carriage return',
  '\u00a0': 'a no-break space',
  '\u00ad': 'a soft hyphen',
  '\u200b': 'a zero-width space',
  '\u200c': 'a zero-width non-joiner',
  '\u200d': 'a zero-width joiner',
  '\u2028': 'a line separator',
  '\u2029': 'a paragraph separator',
  '\u2060': 'a word joiner',
  '\ufeff': 'a byte order mark (BOM)',
};

// Control (Cc), format (Cf: zero-width, BOM, bidi marks) and line/paragraph separators: never meant in a value.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** `\u200B`-style escape of one character; printable ones as they are. */
function escapeChar(char: string): string {
  if (char === '\t') return '\\t';
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (!INVISIBLE.test(char) && !/\s/u.test(char)) return char;
  return `\\u${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The value with every invisible character and non-space whitespace escaped ('s3://b/\u200Bmodel'). */
export function escapeInvisible(value: string): string {
  return [...value].map((char) => (char === ' ' ? char : escapeChar(char))).join('');
}

function describeChar(char: string): string {
  const code = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  const name = NAMES[char];
  if (name) return `${name} (${code})`;
  return /\s/u.test(char) ? `whitespace (${code})` : `an invisible character (${code})`;
}

/**
 * What is wrong with a value that has whitespace around it or an invisible character in it, or undefined when
 * it has neither: "'s3://b/\u200Bm.tar.gz' contains a zero-width space (U+200B) at character 8".
 */
export function invisibleProblem(value: string): string | undefined {
  // Most values are clean: decide that without splitting them into characters.
  if (!INVISIBLE.test(value) && value.trim() === value) return undefined;
  const chars = [...value];
  const index = chars.findIndex((char) => INVISIBLE.test(char));
  if (index >= 0) {
    const char = chars[index] as string;
    return `'${escapeInvisible(value)}' contains ${describeChar(char)} at character ${index + 1}; delete it (retype the value if you pasted it)`;
  }
  if (value.trim() !== value) {
    const char = (/^\s/u.test(value) ? chars[0] : chars[chars.length - 1]) as string;
    const where = /^\s/u.test(value) ? 'starts' : 'ends';
    return `'${escapeInvisible(value)}' ${where} with ${describeChar(char)}; remove the surrounding whitespace`;
  }
  return undefined;
}
