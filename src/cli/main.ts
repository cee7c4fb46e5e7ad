#!/usr/bin/env node
// Entry of the `neo-compile-action` command (package.json `bin`), bundled by ncc into dist/cli/index.js so it
// runs without a build step after `npx github:<owner>/<repo>`, `npx .` or `node dist/cli/index.js`.
import { runCli } from './run.ts';

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  });
} catch (error) {
  // Only a bug gets here: one line and a request to report it, not a stack trace.
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `neo-compile-action: internal error: ${reason}. Please report this with the file attached.\n`,
  );
  process.exitCode = 1;
}
