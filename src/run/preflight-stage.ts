// Model preflight before any job: each distinct model archive is read once (a local one while it is packed, an S3
// one streamed), judged against every target's framework and data-input-config, and reported at the line of its
// s3-uri / path. Anything the action cannot judge for sure is a warning; only errors stop the run.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { ObjectStorage } from '../aws/s3.ts';
import type { CompilationTarget, ModelInput, NeoTarget } from '../config/types.ts';
import {
  createPreflightCache,
  type PreflightCache,
  type PreflightInput,
  type PreflightResult,
} from '../preflight/index.ts';
import { parseS3Uri } from '../s3-uri.ts';
import type { ConfigError } from '../types.ts';
import { createPreflightFactsStore } from './preflight-facts.ts';

/** S3 models larger than this are not read (a notice says so): 2 GiB, as a default. */
export const PREFLIGHT_MAX_BYTES = 2 * 1024 ** 3;

export interface PreflightReport {
  errors: ConfigError[];
  warnings: ConfigError[];
  /** One line per model for the summary and the PR comment, and notices (skipped reads) for the log. */
  lines: string[];
  notices: string[];
}

/** The distinct judgements one model needs: one per (framework, version, data-input-config) among its targets. */
function judgementsOf(input: ModelInput, byName: ReadonlyMap<string, NeoTarget>): PreflightInput[] {
  const seen = new Map<string, PreflightInput>();
  for (const name of input.targets) {
    const target = byName.get(name);
    if (target?.kind !== 'compilation' || !target.input || target.input.preflight === false) continue;
    const judged: PreflightInput = {
      framework: target.input.framework,
      frameworkVersion: target.input.frameworkVersion,
      dataInputConfig: target.input.dataInputConfig,
    };
    seen.set(JSON.stringify(judged), judged);
  }
  return [...seen.values()];
}

const label = (input: ModelInput): string => (input.kind === 's3' ? input.s3Uri : input.path);

export interface ModelPreflight {
  cache: PreflightCache;
  /** Results of local models, read during packing (see onLocalArchive). */
  local: Map<string, PreflightResult[]>;
  /** For prepareModelInputs: reads each local archive while it exists. */
  onLocalArchive(input: ModelInput, identity: string, archivePath: string): Promise<void>;
  /** Reads the S3 models (streamed) and reports everything found, S3 and local. */
  finish(
    inputs: readonly ModelInput[],
    identity: Readonly<Record<string, string>>,
    storage: ObjectStorage | undefined,
  ): Promise<PreflightReport>;
}

export function createModelPreflight(options: {
  targets: readonly NeoTarget[];
  file: string;
  maxBytes?: number;
  signal?: AbortSignal;
  /** Frees the buffers a streamed archive has been read through (see PreflightOptions.reclaim). */
  reclaim?: () => void;
}): ModelPreflight {
  const byName = new Map(options.targets.map((target) => [target.name, target]));
  const cache = createPreflightCache();
  const local = new Map<string, PreflightResult[]>();
  const maxBytes = options.maxBytes ?? PREFLIGHT_MAX_BYTES;
  const keyOf = (input: ModelInput) => `${input.kind}\u0000${label(input)}`;

  return {
    cache,
    local,
    async onLocalArchive(input, identity, archivePath) {
      const results: PreflightResult[] = [];
      for (const judged of judgementsOf(input, byName)) {
        results.push(
          await cache.inspect(identity, () => createReadStream(archivePath), judged, {
            signal: options.signal,
            reclaim: options.reclaim,
          }),
        );
      }
      local.set(keyOf(input), results);
    },

    async finish(inputs, identity, storage) {
      const report: PreflightReport = { errors: [], warnings: [], lines: [], notices: [] };
      for (const input of inputs) {
        const judgements = judgementsOf(input, byName);
        if (judgements.length === 0) continue;
        let results = local.get(keyOf(input));
        if (!results && input.kind === 's3') {
          results = await readS3Model(input, identity[input.s3Uri], judgements, storage, report);
        }
        if (!results) continue;
        const position = input.positions[0] ?? { line: 1, col: 1 };
        const reported = new Set<string>();
        for (const result of results) {
          if (!report.lines.includes(result.summary)) report.lines.push(result.summary);
          for (const finding of result.findings) {
            const key = `${finding.severity}\u0000${finding.message}`;
            if (reported.has(key)) continue;
            reported.add(key);
            const problem: ConfigError = {
              file: options.file,
              line: position.line,
              col: position.col,
              title: finding.severity === 'error' ? 'Model preflight failed' : 'Model preflight',
              message: `${label(input)}: ${finding.message}${finding.inputName ? ` (data-input-config key '${finding.inputName}')` : ''}`,
            };
            if (finding.severity === 'error') report.errors.push(problem);
            else if (finding.severity === 'warning') report.warnings.push(problem);
            else report.notices.push(problem.message);
          }
        }
      }
      return report;
    },
  };

  async function readS3Model(
    input: Extract<ModelInput, { kind: 's3' }>,
    id: string | undefined,
    judgements: PreflightInput[],
    storage: ObjectStorage | undefined,
    report: PreflightReport,
  ): Promise<PreflightResult[] | undefined> {
    const location = parseS3Uri(input.s3Uri);
    if (!storage || !location || !id) return undefined;
    // Known archives cost no read: the facts are keyed by the object's identity (ETag or VersionId), in this
    // run's cache, else under the history prefix from an earlier run.
    const history = input.targets.map((name) => byName.get(name)?.history).find((h) => h !== undefined);
    const store = history ? createPreflightFactsStore(storage, history, options.signal) : undefined;
    for (const framework of new Set(judgements.map((judged) => judged.framework))) {
      if (cache.get(id, { framework }) || !store) continue;
      const known = await store.load(id, framework).catch(() => undefined);
      if (known) cache.set(id, known);
    }
    const cached = judgements.map((judged) => cache.get(id, judged));
    if (cached.every((result) => result !== undefined)) {
      report.notices.push(`${input.s3Uri}: checked before (same ETag), not read again`);
      return cached as PreflightResult[];
    }
    const results: PreflightResult[] = [];
    for (const judged of judgements) {
      try {
        results.push(
          await cache.inspect(
            id,
            async () => {
              const opened = await storage.openRead(location, { signal: options.signal });
              if (!opened.ok) throw new SkipRead(opened.message);
              if (opened.size !== undefined && opened.size > maxBytes) {
                opened.body.destroy();
                throw new SkipRead(
                  `${input.s3Uri} is ${opened.size} bytes, over the preflight limit of ${maxBytes}`,
                );
              }
              return opened.body as Readable;
            },
            judged,
            { signal: options.signal, reclaim: options.reclaim },
          ),
        );
      } catch (error) {
        // A model the role cannot read, or one too large: no preflight, and the run goes on.
        const why = error instanceof Error ? error.message : String(error);
        report.warnings.push({
          file: options.file,
          line: input.positions[0]?.line ?? 1,
          col: input.positions[0]?.col ?? 1,
          title: 'Model preflight skipped',
          message: `The model was not checked before compiling: ${why}.`,
        });
        return undefined;
      }
    }
    // Keep what was learned for the next run (a failed write only means the next run reads it again).
    if (store) {
      for (const [key, facts] of Object.entries(cache.snapshot())) {
        if (key.endsWith(`\u0000${id}`)) await store.save(id, facts).catch(() => undefined);
      }
    }
    return results;
  }
}

class SkipRead extends Error {}

export type { CompilationTarget };
