// Moved to src/github/comment-publisher.ts (it talks to GitHub; src/report/ keeps the pure renderers).
// Kept so that callers importing from here still build; import from src/github/ instead.
export * from '../github/comment-publisher.ts';
