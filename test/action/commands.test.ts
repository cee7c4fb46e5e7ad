import { describe, expect, it } from 'vitest';
import {
  annotationMessage,
  errorAnnotation,
  inertText,
  writeUntrustedBlock,
} from '../../src/action/commands.ts';
import { processedCommands } from './runner-model.ts';

describe('errorAnnotation', () => {
  it('writes file, line, col and title in that order', () => {
    const line = errorAnnotation({
      file: 'neo.yml',
      line: 12,
      col: 13,
      title: 'Unknown device',
      message: 'did you mean jetson_nano?',
    });
    expect(line).toBe('::error file=neo.yml,line=12,col=13,title=Unknown device::did you mean jetson_nano?');
  });

  it('escapes separators so a message or title cannot end the command early', () => {
    const line = errorAnnotation({
      file: 'a,b:c.yml',
      line: 1,
      col: 2,
      title: 'x: y, z',
      message: '50%\nnext::line',
    });
    expect(line).toBe('::error file=a%2Cb%3Ac.yml,line=1,col=2,title=x%3A y%2C z::50%25%0Anext::line');
  });
});

describe('inertText', () => {
  it('escapes line breaks and % as command values do, and shows other hidden characters', () => {
    expect(inertText('a\r\nb%0Ac')).toBe('a%0D%0Ab%250Ac');
    expect(inertText('nul\u0000 esc\u001b[31m sep\u2028\u2029 nel\u0085 rtl\u202E')).toBe(
      'nul\\x00 esc\\x1b[31m sep\\u2028\\u2029 nel\\x85 rtl\\u202e',
    );
  });

  it('breaks a leading :: (also after blanks) and every ##[, leaving the text readable', () => {
    const line = inertText('::set-output name=artifact-t0::s3://evil/x');
    expect(line.startsWith('::')).toBe(false);
    expect(line.replaceAll('\u200D', '')).toBe('::set-output name=artifact-t0::s3://evil/x');
    expect(inertText('\u00A0 ::add-mask::x').trimStart().startsWith('::')).toBe(false);
    expect(inertText('Failed: ##[error]boom')).not.toContain('##[');
    expect(`${inertText('x#')}${inertText('#[error]')}`).not.toContain('##[');
    expect(inertText('a::b')).toBe('a::b');
  });

  it('cuts at max characters with an ellipsis, never inside a surrogate pair', () => {
    expect(inertText('x'.repeat(5_000_000), 120)).toBe(`${'x'.repeat(119)}…`);
    expect(inertText('😀😀😀', 2)).toBe('😀…');
  });
});

describe('writeUntrustedBlock', () => {
  it('wraps lines in stop-commands with a fresh token each time', () => {
    const first: string[] = [];
    const second: string[] = [];
    writeUntrustedBlock((line) => first.push(line), '{\n  "tag": "::add-mask::x"\r\n}');
    writeUntrustedBlock((line) => second.push(line), ['one']);
    const token = /^::stop-commands::(neo-[0-9a-f]{32})$/.exec(first[0] ?? '')?.[1];
    expect(token).toBeDefined();
    expect(first.at(-1)).toBe(`::${token}::`);
    expect(first.slice(1, -1).map((line) => line.replaceAll('\u200D', ''))).toEqual([
      '{',
      '  "tag": "::add-mask::x"',
      '}',
    ]);
    expect(second[0]).not.toBe(first[0]);
  });
});

describe('errorAnnotation limits', () => {
  it('keeps a 5 MB message under 4 KB and shows NULs escaped', () => {
    const line = errorAnnotation({
      file: 'neo.yml',
      line: 1,
      col: 1,
      title: 'Bad\u0000value',
      message: `got '${'A'.repeat(5_000_000)}\u0000'`,
    });
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
    expect(line).toContain('title=Bad\\x00value');
    expect(line.endsWith('…')).toBe(true);
    expect(line).not.toContain('\u0000');
  });
});

describe('annotationMessage', () => {
  it('fits a huge multi-byte message into one annotation, line breaks kept for the toolkit', () => {
    const message = annotationMessage(`first\nsecond ${'é%'.repeat(10_000)}`);
    expect(message.startsWith('first\nsecond é%')).toBe(true);
    const escaped = message.replace(/%/g, '%25').replace(/\n/g, '%0A');
    expect(Buffer.byteLength(`::error::${escaped}`)).toBeLessThanOrEqual(4096);
  });
});

describe('the runner model used by the property test', () => {
  it('catches what the runner would run', () => {
    expect(processedCommands('::set-output name=x::y\n')).toHaveLength(1);
    expect(processedCommands('reason ##[error]x\n')).toHaveLength(1);
    expect(processedCommands('\u2028\u00A0::add-mask::secret\n')).toHaveLength(1);
    expect(processedCommands('ok\r::add-mask::secret\n')).toHaveLength(1);
    expect(processedCommands('::stop-commands::t\n::add-mask::x\n::t::\n').map((c) => c.name)).toEqual([
      'stop-commands',
      't',
    ]);
  });
});

describe('the runner model and ignorable characters', () => {
  it('counts a prefix spread out by ignorables only when the name at the fixed offset could be a command', () => {
    // `\u00AD::` skipped by ICU, but the name read at offset 2 is ':add-mask': no command.
    expect(processedCommands('\u00AD::add-mask::x\n')).toEqual([]);
    // The name read 3 after a spread `##[` starts with `[`: no command.
    expect(processedCommands('##\u200D[error]x\n')).toEqual([]);
    // A spread `#\u00AD##[` still has a literal `##[`.
    expect(processedCommands('#\u00AD##[error]x\n')).toHaveLength(1);
  });
});
