// Files the action reads on behalf of the workflow must be inside the workspace: a `config` input of
// `/etc/passwd`, `../../x` or a symlink out of the checkout would otherwise be read and echoed into
// annotations, the job summary and the PR comment.
import { readFile, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { truncate } from '../report/markdown.ts';

/** A neo.yml is a few KB; even 5,000 targets stay far below this. Larger files are refused before reading. */
export const CONFIG_MAX_BYTES = 8 * 1024 * 1024;

/** True when `candidate` is `root` or below it (both absolute, normalised). */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return (
    relative === '' ||
    (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative))
  );
}

export type ConfigFile = { bytes: Uint8Array; realPath: string } | { error: string };

/**
 * Reads the `config` input's file as bytes, after checking that it resolves inside the workspace: lexically
 * (no absolute path or `..` leading out) and after following symlinks (realpath). A file outside is never
 * opened, so nothing of it can be echoed.
 */
export async function readConfigFile(workspace: string, configPath: string): Promise<ConfigFile> {
  const shown = `'${truncate(configPath, 200)}'`;
  const inside = `The 'config' input must name a file inside the workspace (${truncate(workspace, 200)}), e.g. neo.yml or ml/neo.yml.`;
  if (configPath.includes('\u0000')) return { error: `Config file ${shown} is not a valid path. ${inside}` };
  const root = path.resolve(workspace);
  const resolved = path.resolve(root, configPath);
  if (!isInside(root, resolved)) return { error: `Config file ${shown} is outside the workspace. ${inside}` };
  let real: string;
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(resolved);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'unknown error'})`;
    return {
      error: `Config file ${shown} ${why} in the workspace. Add it to the repository (see the README's neo.yml example) or point the 'config' input at it, and check out the repository (actions/checkout) before this step.`,
    };
  }
  if (!isInside(realRoot, real)) {
    return { error: `Config file ${shown} is a symbolic link to a file outside the workspace. ${inside}` };
  }
  try {
    const info = await stat(real);
    if (!info.isFile()) return { error: `Config file ${shown} is not a regular file. ${inside}` };
    if (info.size > CONFIG_MAX_BYTES) {
      return {
        error: `Config file ${shown} is ${info.size} bytes; a neo.yml may be at most ${CONFIG_MAX_BYTES} bytes (8 MiB). Check that 'config' names the right file.`,
      };
    }
    return { bytes: await readFile(real), realPath: real };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { error: `Config file ${shown} cannot be read (${code ?? 'unknown error'}).` };
  }
}
