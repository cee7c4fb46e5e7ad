// neo.yml files no one would write on purpose: binary, wrongly encoded, huge, absurdly nested, complex keys,
// placeholders inside flow collections. Each must give a located error a person can act on.
import { describe, expect, it, vi } from 'vitest';
import { errorAnnotation } from '../../src/action/commands.ts';
import { readNeoConfig } from '../../src/config/index.ts';
import { MAX_NESTING, MAX_SYNTAX_ERRORS } from '../../src/config/source.ts';

const ctx = {
  sha: 'a'.repeat(40),
  refName: 'main',
  runId: '1',
  runAttempt: '1',
  repository: 'o/r',
  region: 'us-west-2',
  env: {},
};
const read = (input: string | Uint8Array) => readNeoConfig(input, 'neo.yml', ctx).errors;
const VALID = `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
input: {s3-uri: s3://models/m.tar.gz, framework: XGBOOST}
output: {s3-location: s3://out/x/}
targets:
  - name: c5
    device: ml_c5
`;

describe('bytes that are not UTF-8 YAML text', () => {
  it('a PNG image is refused as such', () => {
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
    ]);
    expect(read(png)).toEqual([
      expect.objectContaining({
        line: 1,
        col: 1,
        title: 'Not a YAML text file',
        message: expect.stringContaining('PNG image'),
      }),
    ]);
  });

  it('a NUL byte is reported at its line and column', () => {
    const errors = read(Buffer.from(VALID.replace('name: c5', 'name: c\u00005')));
    expect(errors).toEqual([expect.objectContaining({ line: 6, col: 12, title: 'Not a YAML text file' })]);
  });

  it('invalid UTF-8 is reported as such, at the bad byte', () => {
    const latin1 = Buffer.concat([
      Buffer.from('version: 1\ntargets:\n  - name: caf'),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]);
    expect(read(latin1)).toEqual([
      expect.objectContaining({
        line: 3,
        col: 14,
        title: 'Invalid UTF-8',
        message: expect.stringContaining('0xE9'),
      }),
    ]);
    // After valid multi-byte text on the same line, and cut at the end of the file.
    const cut = Buffer.concat([Buffer.from('version: 1\n# ünïcödé ok\nx: é'), Buffer.from([0xe2, 0x82])]);
    expect(read(cut)).toEqual([expect.objectContaining({ line: 3, col: 5, title: 'Invalid UTF-8' })]);
  });

  it('valid UTF-8 bytes (with a BOM) read like the text', () => {
    expect(read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(VALID)]))).toEqual([]);
  });
});

describe('sizes and depths', () => {
  it('a 5 MB single-line scalar is echoed cut, and its annotation stays under 4 KB', () => {
    const errors = read(
      VALID.replace(
        'role-arn: arn:aws:iam::123456789012:role/NeoCompile',
        `role-arn: ${'A'.repeat(5_000_000)}`,
      ),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message.length).toBeLessThan(1000);
    expect(errors[0]?.message).toMatch(/'A{100,119}… is not/);
    expect(Buffer.byteLength(errorAnnotation(errors[0] as never))).toBeLessThanOrEqual(4096);
  });

  it.each([
    ['flow', `version: 1\nx: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`, 2],
    [
      'block',
      `version: 1\n${Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`,
      MAX_NESTING + 2,
    ],
    ['compact lists', `version: 1\nx: ${'- '.repeat(50_000)}1\n`, undefined],
  ])('50,000 levels (%s): a located "nested too deeply" error, no stack overflow', (_, text, line) => {
    const errors = read(text);
    const deep = errors.find((error) => error.title === 'YAML nested too deeply');
    if (line === undefined) {
      // `x: - - -` is a syntax error before any nesting; it must still be a plain located error.
      expect(errors.length).toBeGreaterThan(0);
      expect(JSON.stringify(errors)).not.toMatch(/call stack|Stack overflow|Internal error/);
      return;
    }
    expect(deep).toMatchObject({ line });
    expect(deep?.message).toContain(`deeper than ${MAX_NESTING} levels`);
  });
});

describe('YAML features neo.yml does not use', () => {
  it('a complex key is a located error, and nothing is printed to stderr', () => {
    const warn = vi.spyOn(process, 'emitWarning');
    const consoleWarn = vi.spyOn(console, 'warn');
    const errors = read(`${VALID}? [a, b]\n: 1\n`);
    expect(errors).toEqual([expect.objectContaining({ line: 8, col: 3, title: 'Key is not a name' })]);
    expect(warn).not.toHaveBeenCalled();
    expect(consoleWarn).not.toHaveBeenCalled();
  });
});

describe('a ${…} placeholder inside a flow collection', () => {
  const release = `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
input: {s3-uri: s3://models/m.tar.gz, framework: XGBOOST}
output: {s3-location: s3://releases/\${ref-name}/, kms-key-id: alias/x}
tags: [\${sha}]
targets:
  - name: c5
    device: ml_c5
  - name: nano
    device: jetson_nano
`;

  it('says "quote this value" once, with the quoted value, and caps the follow-on syntax errors', () => {
    const errors = read(release);
    const hints = errors.filter((error) => error.title === 'Quote this value');
    expect(hints).toHaveLength(1);
    expect(hints[0]).toMatchObject({ line: 4, col: 23 });
    expect(hints[0]?.message).toContain('write "s3://releases/${ref-name}/"');
    expect(hints[0]?.message).toContain('line 5');
    const others = errors.filter((error) => error.title !== 'Quote this value');
    expect(others.length).toBeLessThanOrEqual(MAX_SYNTAX_ERRORS + 1);
    expect(others.at(-1)?.message).toMatch(/^…and \d+ more YAML syntax errors/);
  });

  it('quoted, the same file is valid', () => {
    const quoted = release
      .replace('s3://releases/${ref-name}/', '"s3://releases/${ref-name}/"')
      .replace('[${sha}]', '["${sha}"]');
    expect(read(quoted).filter((error) => /YAML|Quote/.test(error.title))).toEqual([]);
  });
});
