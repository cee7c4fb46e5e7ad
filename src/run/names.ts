// Job names of later attempts and the List filters that find them.

const MAX_NAME = 63;
const ATTEMPT_SUFFIX = /-r(\d+)$/;

/** `name` for attempt 1, `name-rN` after; keeps the 63-character limit by trimming before the hash. */
export function attemptName(name: string, attempt: number): string {
  if (attempt <= 1) return name;
  const suffix = `-r${attempt}`;
  if (name.length + suffix.length <= MAX_NAME) return name + suffix;
  const lastDash = name.lastIndexOf('-');
  const hash = lastDash > 0 ? name.slice(lastDash) : '';
  const head = name.slice(0, MAX_NAME - suffix.length - hash.length).replace(/-+$/, '');
  return head + hash + suffix;
}

/** Which attempt of `base` a listed job name is, or 0 when it is not one. */
export function attemptOf(base: string, name: string): number {
  if (name === base) return 1;
  const match = ATTEMPT_SUFFIX.exec(name);
  if (!match) return 0;
  const attempt = Number(match[1]);
  return attemptName(base, attempt) === name ? attempt : 0;
}

/** Longest common prefix: the NameContains filter that matches every job of a group. */
export function commonPrefix(names: string[]): string {
  if (names.length === 0) return '';
  let prefix = names[0] as string;
  for (const name of names) {
    while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix;
}
