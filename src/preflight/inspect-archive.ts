// The model preflight: one streaming pass over model.tar.gz (gunzip + tar listing, never the whole archive in
// memory) that lists it and looks inside the model files as they go by, then a pure judgement of what was found
// against the framework's expected layout and data-input-config.
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import {
  baseName,
  checkLayout,
  describeListing,
  FRAMEWORK_LAYOUTS,
  isCandidate,
} from './framework-layouts.ts';
import { type ConfiguredInputs, checkInputs, formatShape, readDataInputConfig } from './input-check.ts';
import { DEFAULT_MAX_ENTRY_BYTES, lookInside, unreadable } from './look-inside.ts';
import type {
  ArchiveEntry,
  ArchiveFacts,
  ModelFileFacts,
  PreflightFinding,
  PreflightInput,
  PreflightOptions,
  PreflightResult,
} from './types.ts';

/** Entries kept in the facts; past this only a count is kept (the listing in messages is cut anyway). */
const MAX_ENTRIES = 5000;
/** Model files looked inside per archive (more are an ambiguous layout anyway). */
const MAX_INSPECTED = 4;
const GZIP_MAGIC = [0x1f, 0x8b];

export async function inspectModelArchive(
  stream: NodeJS.ReadableStream | Readable,
  input: PreflightInput,
  options: PreflightOptions = {},
): Promise<PreflightResult> {
  return judgeArchive(await readModelArchive(stream, input.framework, options), input);
}

/** Unpacked bytes between two `reclaim` calls. */
export const RECLAIM_EVERY_BYTES = 4 * 1024 * 1024;

/** Streams the archive once: its listing and what the model files hold (independent of data-input-config). */
export async function readModelArchive(
  stream: NodeJS.ReadableStream | Readable,
  frameworkName: string,
  options: PreflightOptions = {},
): Promise<ArchiveFacts> {
  const framework = frameworkName.toUpperCase();
  const maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const entries: ArchiveEntry[] = [];
  let entriesOmitted = 0;
  const inspections: Promise<ModelFileFacts | undefined>[] = [];
  /** Entries a reader is looking inside; ended when the stream fails, so no reader waits forever. */
  const reading = new Set<ReadEntry>();
  const warnings: string[] = [];
  const parser = new Parser({
    noResume: true,
    onwarn: (code, message) => {
      warnings.push(`${code}: ${message}`);
    },
    onReadEntry: (entry: ReadEntry) => {
      const path = entry.path.replace(/^(\.\/|\/)+/, '').replace(/\/$/, '');
      const type = entry.type === 'Directory' ? 'directory' : isFileType(entry.type) ? 'file' : 'other';
      if (path === '' || path === '.') {
        entry.resume();
        return;
      }
      if (entries.length < MAX_ENTRIES) entries.push({ path, type, size: entry.size ?? 0 });
      else entriesOmitted += 1;
      if (type === 'file' && isCandidate(framework, path) && inspections.length < MAX_INSPECTED) {
        reading.add(entry);
        inspections.push(
          inspectEntry(framework, path, entry, maxEntryBytes).finally(() => reading.delete(entry)),
        );
      } else {
        entry.resume();
      }
    },
  });
  const done = new Promise<void>((resolve, reject) => {
    parser.on('end', () => resolve());
    parser.on('error', (error: Error) => reject(error));
    parser.on('abort', (error: Error) => reject(error));
  });
  // An abort or a read failure must not leave an unhandled rejection behind.
  done.catch(() => undefined);
  const format = { gzip: false };
  let readError: string | undefined;
  const tarStream = gunzipIfCompressed(stream as AsyncIterable<Buffer | string>, format);
  // Aborting destroys the source, so even a stalled download stops the walk at once.
  const stopOnAbort = () => (stream as Readable).destroy?.(options.signal?.reason);
  options.signal?.addEventListener('abort', stopOnAbort, { once: true });
  try {
    options.signal?.throwIfAborted();
    let sinceReclaim = 0;
    for await (const chunk of tarStream) {
      options.signal?.throwIfAborted();
      sinceReclaim += chunk.length;
      if (options.reclaim && sinceReclaim >= RECLAIM_EVERY_BYTES) {
        sinceReclaim = 0;
        options.reclaim();
      }
      if (!parser.write(chunk)) await Promise.race([waitFor(parser, 'drain'), done]);
    }
    parser.end();
    await done;
  } catch (error) {
    for (const entry of reading) entry.end();
    if (options.signal?.aborted) {
      (stream as Readable).destroy?.();
      throw options.signal.reason ?? error;
    }
    readError = error instanceof Error ? error.message : String(error);
  } finally {
    options.signal?.removeEventListener('abort', stopOnAbort);
  }
  const files = (await Promise.all(inspections)).filter((file): file is ModelFileFacts => file !== undefined);
  const badArchive = warnings.find((warning) => warning.startsWith('TAR_BAD_ARCHIVE'));
  return {
    framework,
    entries,
    entriesOmitted,
    gzip: format.gzip,
    readError: readError ?? badArchive,
    files,
  };
}

/**
 * The tar bytes: gunzipped through node:zlib when the stream starts with the gzip magic. zlib's stream keeps
 * backpressure per output chunk, so even a model of zeros (compressed 1000:1) is never inflated ahead of the walk.
 */
async function* gunzipIfCompressed(
  stream: AsyncIterable<Buffer | string>,
  format: { gzip: boolean },
): AsyncGenerator<Buffer> {
  const chunks = stream[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) return;
  const head = toBuffer(first.value);
  format.gzip = GZIP_MAGIC.every((byte, index) => head[index] === byte);
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield toBuffer(next.value);
  }
  if (!format.gzip) {
    yield* all();
    return;
  }
  const gunzip = pipeline(Readable.from(all()), createGunzip(), () => undefined);
  try {
    yield* gunzip;
  } finally {
    gunzip.destroy();
  }
}

const toBuffer = (chunk: Buffer | string): Buffer => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk);

const isFileType = (type: string): boolean =>
  type === 'File' || type === 'OldFile' || type === 'ContiguousFile';

function waitFor(emitter: Parser, event: string): Promise<void> {
  return new Promise((resolve) => emitter.once(event, () => resolve()));
}

/** Looks inside one entry, then drains what the reader left so the archive walk goes on. */
async function inspectEntry(
  framework: string,
  path: string,
  entry: ReadEntry,
  maxEntryBytes: number,
): Promise<ModelFileFacts | undefined> {
  try {
    return await lookInside(framework, path, entry.size ?? 0, entry as AsyncIterable<Buffer>, {
      maxEntryBytes,
    });
  } catch (error) {
    return unreadable(path, FRAMEWORK_LAYOUTS[framework] ? framework : 'a model', error);
  } finally {
    entry.resume();
  }
}

/** Judges what the archive holds against the framework's layout and data-input-config. Pure. */
export function judgeArchive(facts: ArchiveFacts, preflightInput: PreflightInput): PreflightResult {
  const input = { ...preflightInput, framework: preflightInput.framework.toUpperCase() };
  const findings: PreflightFinding[] = [];
  const listing = describeListing(facts.entries, facts.entriesOmitted);
  if (facts.readError !== undefined) {
    const notAnArchive = facts.entries.length === 0;
    // No tar at all (tar's "Unrecognized archive format") and not even gzip is certain to fail. A gzip holding no
    // tar is almost surely wrong too, but a warning: the action's own gzip check already let it through, and a
    // false error would block a release. A stream cut short says nothing.
    const notTar = notAnArchive && facts.readError.includes('Unrecognized archive format');
    findings.push({
      severity: notTar && !facts.gzip ? 'error' : 'warning',
      code: notTar ? 'archive-not-targz' : 'archive-unreadable',
      message: notTar
        ? `The model is not a .tar.gz archive: ${facts.gzip ? 'it is gzip-compressed but holds no tar archive (gzip alone does not pack files)' : 'it is neither gzip-compressed nor a tar archive (the model file uploaded as it is?)'}. Neo needs the model files packed with tar -C <folder with the model files> -czf model.tar.gz .`
        : `The archive could not be read to the end (${facts.readError}); checked what was read: ${listing}.`,
    });
    if (notAnArchive) {
      return {
        summary: `model archive: ${notTar ? 'not a .tar.gz' : 'unreadable'} ${mark(findings)}`,
        findings,
      };
    }
  } else if (!facts.gzip) {
    findings.push({
      severity: 'warning',
      code: 'archive-not-gzip',
      message: `The archive is a tar file but not gzip-compressed; Neo expects a compressed tarball (.tar.gz). Pack it with tar -czf model.tar.gz ... (the z compresses).`,
    });
  }
  const layout = checkLayout(input.framework, facts.entries, facts.entriesOmitted);
  findings.push(...layout.findings);
  const configured = readDataInputConfig(input.dataInputConfig);
  const parts: string[] = [];
  for (const path of Object.values(layout.files)) {
    const file = facts.files.find((candidate) => candidate.path === path);
    if (!file) {
      parts.push(baseName(path));
      continue;
    }
    findings.push(...file.findings);
    const inputCheck = judgeInputs(input.framework, file, configured);
    findings.push(...inputCheck.findings);
    parts.push(
      `${baseName(path)}: ${file.kind}${inputCheck.display.length > 0 ? `, ${inputCheck.display.join(', ')}` : ''}`,
    );
  }
  // Only part of the archive was seen: nothing it lacks, nor any file cut short, is certain. (Copies: the facts'
  // findings may be shared through the cache.)
  const judged =
    facts.readError === undefined
      ? findings
      : findings.map((item) =>
          item.severity === 'error' ? { ...item, severity: 'warning' as const } : item,
        );
  const summary = `${parts.length > 0 ? parts.join('; ') : `${input.framework} model archive`} ${mark(judged)}`;
  return { summary, findings: judged };
}

/** The model file's inputs against data-input-config, and the inputs to show on the summary line. */
function judgeInputs(
  framework: string,
  file: ModelFileFacts,
  configured: ConfiguredInputs | undefined,
): { findings: PreflightFinding[]; display: string[] } {
  const name = baseName(file.path);
  if (file.inputs) return checkInputs(framework, name, file.inputs, file.inputsComplete ?? false, configured);
  if (!configured) return { findings: [], display: [] };
  const display =
    configured.form === 'map'
      ? [...configured.shapes].map(([input, shape]) => (shape ? `${input} ${formatShape(shape)}` : input))
      : configured.shapes.map((shape) => (shape ? formatShape(shape) : '?'));
  return { findings: checkInputCount(name, file, configured), display };
}

/** PyTorch takes inputs by position: data-input-config must give as many as forward accepts. */
function checkInputCount(
  file: string,
  facts: ModelFileFacts,
  configured: ConfiguredInputs,
): PreflightFinding[] {
  const forward = facts.forward;
  if (!forward) return [];
  const given = configured.form === 'map' ? configured.shapes.size : configured.shapes.length;
  if (given >= forward.required && given <= forward.params.length) return [];
  const takes =
    forward.required === forward.params.length
      ? `${forward.required}`
      : `${forward.required} to ${forward.params.length}`;
  return [
    {
      severity: 'warning',
      code: 'input-count',
      message: `data-input-config gives ${given} input${given === 1 ? '' : 's'}, but the forward of ${file} takes ${takes} (${forward.params.join(', ') || 'none'}); give one shape per forward input, in order.`,
    },
  ];
}

function mark(findings: readonly PreflightFinding[]): string {
  if (findings.some((finding) => finding.severity === 'error')) return '✗';
  if (findings.some((finding) => finding.severity === 'warning')) return '⚠';
  return '✓';
}
