import { describe, expect, it } from 'vitest';
import { parsePreflightFacts, preflightFactsKey } from '../../src/run/preflight-facts.ts';

const facts = { framework: 'PYTORCH', entries: [], entriesOmitted: 0, gzip: true, files: [] };
const stored = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    format: 'neo-compile-action/preflight-facts',
    version: 1,
    identity: 'etag:"abc"',
    facts,
    ...over,
  });

describe('preflight facts kept under history', () => {
  it('reads back what this action wrote, for the same identity and framework only', () => {
    expect(parsePreflightFacts(stored(), 'etag:"abc"', 'pytorch')).toEqual(facts);
    expect(parsePreflightFacts(stored(), 'etag:"other"', 'PYTORCH')).toBeUndefined();
    expect(parsePreflightFacts(stored(), 'etag:"abc"', 'ONNX')).toBeUndefined();
  });

  it('ignores anything else: other formats, versions, shapes, or not JSON', () => {
    expect(parsePreflightFacts('{', 'etag:"abc"', 'PYTORCH')).toBeUndefined();
    expect(parsePreflightFacts(stored({ version: 2 }), 'etag:"abc"', 'PYTORCH')).toBeUndefined();
    expect(
      parsePreflightFacts(stored({ facts: { ...facts, entries: 'x' } }), 'etag:"abc"', 'PYTORCH'),
    ).toBeUndefined();
  });

  it('keys facts by framework and identity under the history prefix', () => {
    const key = preflightFactsKey('neo/', 'etag:"abc"', 'pytorch');
    expect(key).toMatch(/^neo\/preflight\/[0-9a-f]{64}\.json$/);
    expect(preflightFactsKey('neo/', 'etag:"abc"', 'ONNX')).not.toBe(key);
  });
});

describe('hostile facts', () => {
  it('are ignored when their entries or files are not what this action writes', () => {
    const bad = (over: Record<string, unknown>) =>
      JSON.stringify({
        format: 'neo-compile-action/preflight-facts',
        version: 1,
        identity: 'i',
        facts: { ...facts, ...over },
      });
    expect(parsePreflightFacts(bad({ entries: [null] }), 'i', 'PYTORCH')).toBeUndefined();
    expect(parsePreflightFacts(bad({ files: [{ path: 1 }] }), 'i', 'PYTORCH')).toBeUndefined();
  });
});
