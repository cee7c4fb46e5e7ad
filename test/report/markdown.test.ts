import { describe, expect, it } from 'vitest';
import { compilationLogUrl, fileLineUrl, s3ObjectUrl, sageMakerJobUrl } from '../../src/report/links.ts';
import {
  cell,
  codeBlock,
  escapeHtmlText,
  escapeInline,
  plainText,
  truncate,
} from '../../src/report/markdown.ts';
import { displayStatus, formatDuration } from '../../src/report/status.ts';
import { job } from './helpers.ts';

describe('escapeInline', () => {
  it('escapes what could end a cell, open HTML, start code or a link, and breaks mentions', () => {
    expect(escapeInline('a|b')).toBe('a&#124;b');
    expect(escapeInline('`x`')).toBe('&#96;x&#96;');
    expect(escapeInline('<img src=x>')).toBe('&lt;img src=x&gt;');
    expect(escapeInline('A & B')).toBe('A &amp; B');
    expect(escapeInline('[t](u) *b* ~s~ \\')).toBe('\\[t\\](u) \\*b\\* \\~s\\~ \\\\');
    expect(escapeInline('@octocat')).toBe('@\u200Doctocat');
    expect(escapeInline('see acme/app#12, C#')).toBe('see acme/app#\u200D12, C#');
    expect(escapeInline('line 1\r\nline 2\n\nline 3')).toBe('line 1 line 2 line 3');
  });

  it('leaves intraword underscores alone but escapes ones that could start emphasis', () => {
    expect(escapeInline('resnet50_v1_int8')).toBe('resnet50_v1_int8');
    expect(escapeInline('_em_')).toBe('\\_em\\_');
  });

  it('drops hidden control and bidi characters', () => {
    expect(escapeInline('a\u0000b\u202Ec\u2066d\u0007')).toBe('abcd');
  });
});

describe('cell and truncate', () => {
  it('cuts by characters before escaping, never inside an entity or a surrogate pair', () => {
    expect(cell('<<<<<<', 4)).toBe('&lt;&lt;&lt;…');
    expect(truncate('😀😀😀', 2)).toBe('😀…');
    expect(cell(undefined, 10)).toBe('—');
    expect(cell(' \n ', 10)).toBe('—');
  });
});

describe('codeBlock', () => {
  it('uses a fence longer than any backtick run in the text', () => {
    expect(codeBlock('plain')).toBe('```\nplain\n```');
    expect(codeBlock('a ``` b ````` c', 'text')).toBe('``````text\na ``` b ````` c\n``````');
  });
});

describe('escapeHtmlText', () => {
  it('escapes markup and mentions for HTML text', () => {
    expect(escapeHtmlText('</summary><b>@x</b> & y')).toBe(
      '&lt;/summary&gt;&lt;b&gt;@\u200Dx&lt;/b&gt; &amp; y',
    );
  });
});

describe('plainText', () => {
  it('flattens and breaks legacy ##[ commands', () => {
    expect(plainText('a\n##[error]b', 50)).toBe('a #\u200D#[error]b');
  });
});

describe('links', () => {
  it('builds console links only for real regions and buckets', () => {
    expect(sageMakerJobUrl('us-east-1', 'compilation', 'j')).toBe(
      'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/compilation-jobs/j',
    );
    expect(sageMakerJobUrl('evil.com/x', 'compilation', 'j')).toBeUndefined();
    expect(sageMakerJobUrl('cn-north-1', 'compilation', 'j')).toMatch(/^https:\/\/console\.amazonaws\.cn\//);
    expect(compilationLogUrl('us-east-1', 'optimization', 'j')).toBeUndefined();
    expect(compilationLogUrl('us-east-1', 'compilation', 'a b(c)')).toMatch(
      /log-events\/a\$2520b\$2528c\$2529$/,
    );
    expect(s3ObjectUrl('us-west-2', 's3://Bad_Bucket/key')).toBeUndefined();
    expect(s3ObjectUrl('us-west-2', 's3://bucket/a b/(c).tgz')).toBe(
      'https://us-west-2.console.aws.amazon.com/s3/object/bucket?region=us-west-2&prefix=a%20b/%28c%29.tgz',
    );
  });

  it('links config files only inside the repository', () => {
    const links = { serverUrl: 'https://github.com/', repository: 'o/r', sha: 'abc', runId: '1' };
    expect(fileLineUrl(links, './cfg/neo.yml', 4)).toBe('https://github.com/o/r/blob/abc/cfg/neo.yml#L4');
    expect(fileLineUrl(links, '../neo.yml', 4)).toBeUndefined();
    expect(fileLineUrl(links, '/etc/neo.yml', 4)).toBeUndefined();
  });
});

describe('status', () => {
  it('maps SageMaker statuses to what readers see', () => {
    expect(displayStatus(job({ status: 'PENDING' }))).toBe('queued');
    expect(displayStatus(job({ status: 'STARTING' }))).toBe('queued');
    expect(displayStatus(job({ status: 'INPROGRESS' }))).toBe('running');
    expect(displayStatus(job({ status: 'COMPLETED' }))).toBe('completed');
    expect(displayStatus(job({ status: 'COMPLETED', reused: true }))).toBe('reused');
    expect(displayStatus(job({ status: 'FAILED' }))).toBe('failed');
    expect(displayStatus(job({ status: 'NOT_CREATED' }))).toBe('failed');
    expect(displayStatus(job({ status: 'STOPPING' }))).toBe('stopped');
    expect(displayStatus(job({ status: 'STOPPED' }))).toBe('stopped');
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(45_900)).toBe('45s');
    expect(formatDuration(83_000)).toBe('1m 23s');
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000)).toBe('2h 5m 0s');
    expect(formatDuration(-5)).toBe('0s');
  });
});
