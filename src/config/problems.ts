// Problems found while reading neo.yml, before they become ConfigErrors with a file, line and column.

import { truncate } from '../report/markdown.ts';
import type { ConfigError, SourcePosition } from '../types.ts';
import type { DocPath, SourceFile } from './source.ts';

export interface Problem {
  /** Where in the document: the value at this path, or its key when `at` is 'key'. */
  path: DocPath;
  at?: 'key' | 'value';
  /** A substring of the value to point the column at (e.g. one placeholder). */
  needle?: string;
  title: string;
  message: string;
  /**
   * The target the problem is about, when the value is shared (a top-level default, a matrix value):
   * identical problems at one place are reported once, naming every target they affect.
   */
  target?: string;
  /**
   * Paths this problem explains: a later check of a value at or under them would repeat it (a wrong type,
   * an unresolved placeholder), so those problems are dropped.
   */
  covers?: DocPath[];
  /** Other paths the problem is about, such as where a missing key would be written. */
  subjects?: DocPath[];
}

function isUnder(path: DocPath, prefix: DocPath): boolean {
  return (
    prefix.length <= path.length && prefix.every((segment, index) => String(path[index]) === String(segment))
  );
}

/** Positions, de-duplication and ordering: the ConfigErrors the action reports. */
export function toConfigErrors(
  file: string,
  source: SourceFile,
  located: readonly { position: SourcePosition; title: string; message: string }[],
  schemaProblems: readonly Problem[],
  semanticProblems: readonly Problem[],
): ConfigError[] {
  // Schema problems explain any semantic problem about the same value; an unresolved placeholder explains
  // the pattern checks that fail on the text left in its place.
  const schemaCovers = schemaProblems.flatMap((problem) => problem.covers ?? []);
  const semanticCovers = semanticProblems.flatMap((problem) => problem.covers ?? []);
  const explained = (problem: Problem, covers: readonly DocPath[]) =>
    [problem.path, ...(problem.subjects ?? [])].some((path) => covers.some((cover) => isUnder(path, cover)));
  const semantic = semanticProblems.filter(
    (problem) =>
      !explained(problem, schemaCovers) &&
      (problem.covers !== undefined || !explained(problem, semanticCovers)),
  );

  interface Group {
    position: SourcePosition;
    title: string;
    message: string;
    targets: string[];
  }
  const groups = new Map<string, Group>();
  const add = (position: SourcePosition, title: string, message: string, target?: string) => {
    const key = `${position.line}:${position.col}\u0000${title}\u0000${message}`;
    let group = groups.get(key);
    if (!group) {
      group = { position, title, message, targets: [] };
      groups.set(key, group);
    }
    if (target !== undefined && !group.targets.includes(target)) group.targets.push(target);
  };
  for (const problem of located) add(problem.position, problem.title, problem.message);
  for (const problem of [...schemaProblems, ...semantic]) {
    add(
      source.locate(problem.path, problem.at, problem.needle),
      problem.title,
      problem.message,
      problem.target,
    );
  }

  return [...groups.values()]
    .map((group) => ({
      file,
      line: group.position.line,
      col: group.position.col,
      title: shortenEchoes(group.title, TITLE_MAX),
      message: shortenEchoes(
        group.targets.length > 0 ? `${describeTargets(group.targets)}: ${group.message}` : group.message,
        MESSAGE_MAX,
      ),
    }))
    .sort((a, b) => a.line - b.line || a.col - b.col || a.title.localeCompare(b.title));
}

/** Longest run of one value (no spaces) echoed in a message, in characters. */
export const ECHO_MAX = 120;
const MESSAGE_MAX = 1000;
const LONG_RUN = new RegExp(`\\S{${ECHO_MAX + 1},}`, 'gu');
const TITLE_MAX = 200;

/**
 * Messages quote the values they are about; a 5 MB scalar must not become a 5 MB annotation. Every run
 * without spaces is cut to ECHO_MAX characters and the message to `max`, each with an ellipsis.
 */
export function shortenEchoes(message: string, max: number): string {
  const runs =
    message.length <= ECHO_MAX ? message : message.replace(LONG_RUN, (run) => truncate(run, ECHO_MAX));
  return truncate(runs, max);
}

function describeTargets(targets: readonly string[]): string {
  const shown = targets.slice(0, 5).map((name) => `'${name}'`);
  if (targets.length === 1) return `Target ${shown[0]}`;
  const more = targets.length - shown.length;
  return more > 0 ? `Targets ${shown.join(', ')} and ${more} more` : `Targets ${shown.join(', ')}`;
}
