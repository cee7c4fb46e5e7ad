// The comment publisher loads its GitHub client at its first use; what was asked before that is kept, in order.
import { describe, expect, it } from 'vitest';
import type { CommentPublisher } from '../../src/github/comment-publisher.ts';
import { deferredCommentPublisher } from '../../src/github/deferred-publisher.ts';

function recordingPublisher() {
  const calls: string[] = [];
  const publisher: CommentPublisher = {
    update(body) {
      calls.push(`update ${typeof body === 'function' ? body() : body}`);
    },
    async flush(body) {
      calls.push(`flush ${body}`);
      return { id: 7, url: 'https://github.com/o/r/pull/1#issuecomment-7' };
    },
  };
  return { calls, publisher };
}

describe('deferredCommentPublisher', () => {
  it('loads nothing until used, then once, and hands every update over in order before the flush', async () => {
    const { calls, publisher } = recordingPublisher();
    let loads = 0;
    let release: () => void = () => {};
    const loaded = new Promise<void>((resolve) => {
      release = resolve;
    });
    const deferred = deferredCommentPublisher(
      () => {},
      async () => {
        loads++;
        await loaded;
        return publisher;
      },
    );
    expect(loads).toBe(0);
    deferred.update('one');
    deferred.update(() => 'two');
    expect(loads).toBe(1);
    const flushed = deferred.flush('final');
    release();
    await expect(flushed).resolves.toEqual({ id: 7, url: 'https://github.com/o/r/pull/1#issuecomment-7' });
    expect(calls).toEqual(['update one', 'update two', 'flush final']);
    expect(loads).toBe(1);
  });

  it('never throws when the client cannot load: one warning, no comment', async () => {
    const warnings: string[] = [];
    const deferred = deferredCommentPublisher(
      (message) => warnings.push(message),
      async () => {
        throw new Error('chunk missing');
      },
    );
    expect(() => deferred.update('one')).not.toThrow();
    await expect(deferred.flush('final')).resolves.toEqual({});
    expect(warnings).toEqual([
      'The PR comment is skipped: its GitHub client could not be loaded (chunk missing).',
    ]);
  });
});
