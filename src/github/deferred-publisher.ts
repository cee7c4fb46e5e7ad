// A comment publisher whose GitHub client (Octokit and its plugins, a large part of the bundle) is loaded at its
// first use, not at start-up: most updates come after the first jobs are submitted, and runs without a PR
// comment never load it at all.
import type { CommentPublisher } from './comment-publisher.ts';

export function deferredCommentPublisher(load: () => Promise<CommentPublisher>): CommentPublisher {
  let loading: Promise<CommentPublisher> | undefined;
  const publisher = () => {
    loading ??= load();
    return loading;
  };
  return {
    update(body) {
      // Callbacks run in the order of the calls, so the newest body is still the last one handed over.
      publisher().then(
        (loaded) => loaded.update(body),
        () => undefined,
      );
    },
    async flush(body, options) {
      return (await publisher()).flush(body, options);
    },
  };
}
