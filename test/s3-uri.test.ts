import { describe, expect, it } from 'vitest';
import { parseS3Uri } from '../src/s3-uri.ts';

describe('parseS3Uri', () => {
  it.each([
    ['s3://bucket/a/b.tar.gz', { bucket: 'bucket', key: 'a/b.tar.gz' }],
    ['s3://bucket/', { bucket: 'bucket', key: '' }],
    ['https://bucket.s3.us-west-2.amazonaws.com/a/model.tar.gz', { bucket: 'bucket', key: 'a/model.tar.gz' }],
    ['https://s3.us-west-2.amazonaws.com/bucket/a/model.tar.gz', { bucket: 'bucket', key: 'a/model.tar.gz' }],
  ])('%s', (uri, expected) => expect(parseS3Uri(uri)).toEqual(expected));

  it.each(['s3:/bucket/key', 'http://bucket/key', 'bucket/key', 's3://bucket'])('rejects %s', (uri) => {
    expect(parseS3Uri(uri)).toBeUndefined();
  });
});
