// Job names: <prefix>-<target>-<hash>, at most 63 characters of [a-zA-Z0-9-] (CompilationJobName and
// OptimizationJobName share the pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$). The hash identifies the request,
// so the readable part is what gets shortened: two different requests never share a name.
import { createHash } from 'node:crypto';
import { JOB_NAME_MAX, JOB_PREFIX_MAX } from './constraints.ts';

/** Hex characters of sha256 in a name: 48 bits keep names of one target apart across thousands of runs. */
export const JOB_HASH_LENGTH = 12;

/** Letters and digits kept, every other run of characters becomes one '-', no '-' at either end. */
export function sanitizeNamePart(text: string): string {
  return text.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** The default job-prefix: the repository's name (owner/name -> name). */
export function defaultJobPrefix(repository: string): string {
  const name = repository.split('/').pop() ?? '';
  const prefix = sanitizeNamePart(name).slice(0, JOB_PREFIX_MAX).replace(/-+$/, '');
  return prefix === '' ? 'neo' : prefix;
}

/** JSON with keys sorted at every level, so equal data always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, JOB_HASH_LENGTH);
}

/** `<prefix>-<target>-<hash>`, the readable part cut so the whole fits in 63 characters. */
export function buildJobName(prefix: string, target: string, hash: string): string {
  const readable = sanitizeNamePart(`${prefix}-${target}`);
  const room = JOB_NAME_MAX - hash.length - 1;
  const shortened = readable.slice(0, room).replace(/-+$/, '');
  return shortened === '' ? hash : `${shortened}-${hash}`;
}
