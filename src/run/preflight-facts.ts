// What the model preflight learned about an archive, kept under neo.yml's `history:` prefix and keyed by the
// archive's identity (ETag / VersionId / sha256) and framework, so a re-run reads no model at all. Facts found
// there are checked for shape before use; anything else is ignored (the archive is then read as usual).
import { createHash } from 'node:crypto';
import type { ObjectStorage } from '../aws/s3.ts';
import { type ArchiveFacts, judgeArchive } from '../preflight/index.ts';
import { parseS3Uri } from '../s3-uri.ts';

const FORMAT = 'neo-compile-action/preflight-facts';
const VERSION = 1;
const MAX_BYTES = 1_000_000;

export interface PreflightFactsStore {
  load(identity: string, framework: string): Promise<ArchiveFacts | undefined>;
  save(identity: string, facts: ArchiveFacts): Promise<void>;
}

/** `<history>preflight/<sha256 of framework and identity>.json` */
export function preflightFactsKey(historyPrefix: string, identity: string, framework: string): string {
  const digest = createHash('sha256').update(`${framework.toUpperCase()}\u0000${identity}`).digest('hex');
  return `${historyPrefix}preflight/${digest}.json`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The facts as this action wrote them, or undefined for anything else. */
export function parsePreflightFacts(
  text: string,
  identity: string,
  framework: string,
): ArchiveFacts | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(data) || data.format !== FORMAT || data.version !== VERSION || data.identity !== identity)
    return undefined;
  const facts = data.facts;
  if (
    !isRecord(facts) ||
    typeof facts.framework !== 'string' ||
    facts.framework.toUpperCase() !== framework.toUpperCase() ||
    !Array.isArray(facts.entries) ||
    !Array.isArray(facts.files) ||
    typeof facts.gzip !== 'boolean' ||
    typeof facts.entriesOmitted !== 'number' ||
    !facts.entries.every(
      (entry) => isRecord(entry) && typeof entry.path === 'string' && typeof entry.type === 'string',
    ) ||
    !facts.files.every(
      (file) => isRecord(file) && typeof file.path === 'string' && typeof file.kind === 'string',
    )
  ) {
    return undefined;
  }
  // Judging must work on them; facts that make it throw are not this action's, and the archive is read instead.
  try {
    judgeArchive(facts as unknown as ArchiveFacts, { framework });
  } catch {
    return undefined;
  }
  return facts as unknown as ArchiveFacts;
}

export function createPreflightFactsStore(
  storage: ObjectStorage,
  historyUri: string,
  signal?: AbortSignal,
): PreflightFactsStore | undefined {
  const history = parseS3Uri(historyUri);
  if (!history) return undefined;
  const object = (identity: string, framework: string) => ({
    bucket: history.bucket,
    key: preflightFactsKey(history.key, identity, framework),
  });
  return {
    async load(identity, framework) {
      const location = object(identity, framework);
      const head = await storage.head(location, { signal });
      const size = head.ok ? (head.head.size ?? 0) : 0;
      if (size === 0 || size > MAX_BYTES) return undefined;
      try {
        const text = (await storage.readRange(location, 0, size - 1, { signal })).toString('utf8');
        return parsePreflightFacts(text, identity, framework);
      } catch {
        return undefined;
      }
    },
    async save(identity, facts) {
      const body = Buffer.from(JSON.stringify({ format: FORMAT, version: VERSION, identity, facts }));
      if (body.length > MAX_BYTES) return;
      await storage.upload(object(identity, facts.framework), body, 'application/json', { signal });
    },
  };
}
