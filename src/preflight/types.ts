// Shapes shared by the model preflight: what the archive walk finds (facts, plain JSON so a cache can
// keep them) and what the judgement against neo.yml reports (findings).

export type PreflightSeverity = 'error' | 'warning' | 'notice';

export interface PreflightFinding {
  severity: PreflightSeverity;
  /** Stable identifier, e.g. 'pytorch-state-dict', 'input-unknown'. */
  code: string;
  /** What was found (the listing, cut) and how to fix it. */
  message: string;
  /** For data-input-config findings: the key of data-input-config that is wrong. */
  inputName?: string;
}

export interface PreflightResult {
  /** One line for the summary and the PR comment, e.g. "model.pth: TorchScript, input0 [1,3,224,224] ✓". */
  summary: string;
  findings: PreflightFinding[];
}

export interface PreflightInput {
  framework: string;
  frameworkVersion?: string;
  /** The data-input-config of neo.yml: a map, a PyTorch list, or the JSON string the API takes. */
  dataInputConfig?: unknown;
}

export interface PreflightOptions {
  signal?: AbortSignal;
  /** Largest model file buffered whole to look inside (TFLite, MXNet symbol JSON). Default 64 MiB. */
  maxEntryBytes?: number;
  /**
   * Called after every `RECLAIM_EVERY_BYTES` of archive read: the shell frees the buffers already read there
   * (see src/action/heap.ts), so a large model streams in bounded memory.
   */
  reclaim?: () => void;
}

/** One file or folder of the archive, path without a leading "./". */
export interface ArchiveEntry {
  path: string;
  type: 'file' | 'directory' | 'other';
  size: number;
}

/** A dimension: a fixed size, or a name / null when the model leaves it open. */
export type Dimension = number | string | null;

export interface ModelTensor {
  name: string;
  shape?: Dimension[];
  elementType?: string;
}

/** What looking inside one model file found. */
export interface ModelFileFacts {
  path: string;
  /** Short kind for the summary line: "TorchScript", "ONNX (opset 13)", "HDF5"... */
  kind: string;
  /** The model's inputs, when the format states them. */
  inputs?: ModelTensor[];
  /** True when `inputs` is the model's complete input list (ONNX, TFLite); false for guesses (MXNet). */
  inputsComplete?: boolean;
  /** PyTorch: the parameters of the top module's forward (inputs go by position, so only their count is checked). */
  forward?: { params: string[]; required: number };
  /** Problems found inside the file (already judged: only what is certain is an error). */
  findings: PreflightFinding[];
}

/** Everything read from one archive, independent of data-input-config (so it can be cached). */
export interface ArchiveFacts {
  framework: string;
  entries: ArchiveEntry[];
  /** Entries left out of `entries` to keep it small. */
  entriesOmitted: number;
  /** Whether the stream was gzip-compressed. */
  gzip: boolean;
  /** Set when the archive could not be read to the end. */
  readError?: string;
  files: ModelFileFacts[];
}
