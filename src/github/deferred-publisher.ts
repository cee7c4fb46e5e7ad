// A comment publisher whose GitHub client (Octokit and its plugins, a large part of the bundle) is loaded at its
// first use, not at start-up: most updates come after the first jobs are submitted, and runs without a PR
// comment never load it at all. Like the publisher it stands for, it never throws: a client that cannot be
// loaded (a dist/ copied without its chunks) is one warning, and the comment is skipped.
import type { CommentPublisher, PublishedComment } from './comment-publisher.ts';

export function deferredCommentPublisher(
  warn: (message: string) => void,
  load: () => Promise<CommentPublisher>,
): CommentPublisher {
  let loading: Promise<CommentPublisher | undefined> | undefined;
  const publisher = () => {
    loading ??= load().catch((error: unknown) => {
      warn(
        `The PR comment is skipped: its GitHub client could not be loaded (${error instanceof Error ? error.message : String(error)}).`,
      );
      return undefined;
    });
    return loading;
  };
  return {
    update(body) {
      // Callbacks run in the order of the calls, so the newest body is still the last one handed over.
      void publisher().then((loaded) => loaded?.update(body));
    },
    async flush(body, options): Promise<PublishedComment> {
      return (await (await publisher())?.flush(body, options)) ?? {};
    },
  };
}
