// PyTorch: tells a TorchScript archive (what Neo compiles) from a pickled state_dict or checkpoint (what it cannot).
//
// Layouts reproduced (read in pytorch/pytorch: torch/serialization.py `_save`, torch/csrc/jit/serialization/
// export_module.cpp `ScriptModuleSerializer::serialize`, caffe2/serialize/inline_container.cc
// `PyTorchStreamWriter`): both are zip files (stored entries, 64-byte aligned) whose entries share one top folder,
// the archive name (the file's stem, or "archive"):
//   torch.save(obj) since 1.6:  <a>/data.pkl (the pickled object; tensors are persistent ids into <a>/data/<key>),
//                               <a>/byteorder (2.1+), <a>/data/0 ..., <a>/version, <a>/.data/serialization_id (2.2+)
//   torch.jit.save / .save():  <a>/data.pkl, <a>/code/__torch__/<module>.py (+ .debug_pkl), <a>/constants.pkl,
//                               <a>/data/0 ..., <a>/version, <a>/extra/... ; the code/ folder is what makes it loadable
//                               with torch.jit.load and so compilable by Neo.
// Before 1.6 (or with _use_new_zipfile_serialization=False) torch.save wrote a bare pickle stream (protocol 2,
// opening bytes 0x80 0x02) instead of a zip.
// data.pkl opens with pickle protocol 2 (torch.save's DEFAULT_PROTOCOL): PROTO 2, then for a state_dict the GLOBAL
// "collections\nOrderedDict\n", for a checkpoint dict EMPTY_DICT "}", for a whole pickled nn.Module the GLOBAL of
// its class.
import { Unzip, UnzipInflate } from 'fflate';

const DATA_PKL_HEAD_BYTES = 4096;
const MAX_NAMES = 2000;

export type PickleTop =
  | { kind: 'global'; module: string; name: string }
  | { kind: 'dict' }
  | { kind: 'other' };

export interface ForwardSignature {
  /** Parameters of the top module's forward, without self. */
  params: string[];
  /** Parameters without a default value. */
  required: number;
}

export type PytorchFacts =
  | {
      format: 'zip';
      /** Entry names (the first MAX_NAMES). */
      names: string[];
      hasCode: boolean;
      hasConstants: boolean;
      hasDataPkl: boolean;
      top?: PickleTop;
      /** The top module's forward signature, from its TorchScript source in code/. */
      forward?: ForwardSignature;
    }
  | { format: 'legacy-pickle' }
  | { format: 'unknown'; head: string };

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** TorchScript sources kept to read the forward signature: each file's head, and all of them together. */
const CODE_FILE_BYTES = 256 * 1024;
const CODE_TOTAL_BYTES = 1024 * 1024;

export async function readPytorchFile(source: AsyncIterable<Uint8Array>): Promise<PytorchFacts> {
  const names: string[] = [];
  let hasCode = false;
  let hasConstants = false;
  let hasDataPkl = false;
  /** The heads of data.pkl and of the code/ sources, by path inside the archive folder. */
  const kept = new Map<string, Uint8Array[]>();
  let keptCode = 0;
  let head: Uint8Array | undefined;
  let failure: Error | undefined;
  const unzip = new Unzip((file) => {
    // Every entry is started: fflate keeps the bytes of an entry nobody started.
    const inArchive = file.name.slice(file.name.indexOf('/') + 1);
    if (names.length < MAX_NAMES) names.push(file.name);
    if (inArchive.startsWith('code/')) hasCode = true;
    if (inArchive === 'constants.pkl') hasConstants = true;
    let budget = 0;
    if (inArchive === 'data.pkl' && !hasDataPkl) {
      hasDataPkl = true;
      budget = DATA_PKL_HEAD_BYTES;
    } else if (inArchive.startsWith('code/') && inArchive.endsWith('.py')) {
      budget = Math.min(CODE_FILE_BYTES, CODE_TOTAL_BYTES - keptCode);
      keptCode += Math.max(budget, 0);
    }
    const chunks: Uint8Array[] = [];
    if (budget > 0) kept.set(inArchive, chunks);
    file.ondata = (error, chunk) => {
      if (error) failure ??= error;
      else if (budget > 0) {
        chunks.push(chunk.slice(0, budget));
        budget -= chunk.length;
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  for await (const chunk of source) {
    if (!head) {
      head = chunk.subarray(0, 8);
      if (!ZIP_MAGIC.every((byte, index) => head?.[index] === byte)) {
        // Not a zip: a legacy pickle (protocol 2 opening) or something else; no need to read on.
        if (head[0] === 0x80 && head[1] === 0x02) return { format: 'legacy-pickle' };
        return { format: 'unknown', head: Buffer.from(head).toString('hex') };
      }
    }
    unzip.push(chunk);
    if (failure) throw failure;
  }
  const dataPkl = kept.get('data.pkl');
  const top = dataPkl ? readPickleTop(Buffer.concat(dataPkl)) : undefined;
  const forward = top?.kind === 'global' && hasCode ? forwardSignature(top, kept) : undefined;
  return { format: 'zip', names, hasCode, hasConstants, hasDataPkl, top, forward };
}

/**
 * The forward signature of the top module. TorchScript writes the class __torch__.a.b.Net to code/__torch__/a/b.py
 * (code/__torch__.py for the module __torch__) as Python source: "class Net(Module): ... def forward(self: ...,
 * x: Tensor, y: Optional[Tensor]=None) -> Tensor:".
 */
export function forwardSignature(
  top: { module: string; name: string },
  sources: ReadonlyMap<string, Uint8Array[]>,
): ForwardSignature | undefined {
  const file = `code/${top.module.replaceAll('.', '/')}.py`;
  const chunks = sources.get(file);
  if (!chunks) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  const classStart = text.indexOf(`class ${top.name}(`);
  if (classStart < 0) return undefined;
  const nextClass = text.indexOf('\nclass ', classStart + 1);
  const body = text.slice(classStart, nextClass < 0 ? undefined : nextClass);
  const def = body.indexOf('def forward(');
  if (def < 0) return undefined;
  const params = splitParams(body.slice(def + 'def forward('.length));
  if (params === undefined) return undefined;
  const rest = params.slice(1);
  return {
    params: rest.map((param) => (param.split(/[:=]/)[0] ?? param).trim()),
    required: rest.filter((param) => !param.includes('=')).length,
  };
}

/** The comma-separated parameters up to the closing parenthesis, brackets nested; undefined if it never closes. */
function splitParams(text: string): string[] | undefined {
  const params: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === ')' && depth === 0) {
      if (current.trim() !== '') params.push(current.trim());
      return params;
    }
    if (char === '(' || char === '[') depth += 1;
    if (char === ')' || char === ']') depth -= 1;
    if (char === ',' && depth === 0) {
      params.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  return undefined;
}

/** The first thing a pickle builds: a GLOBAL (class), an empty dict, or something else. */
export function readPickleTop(bytes: Uint8Array): PickleTop {
  let index = 0;
  // PROTO n, then (protocol 4+) FRAME with an 8-byte length.
  if (bytes[index] === 0x80) index += 2;
  if (bytes[index] === 0x95) index += 9;
  const opcode = bytes[index];
  if (opcode === 0x7d /* } EMPTY_DICT */) return { kind: 'dict' };
  if (opcode === 0x63 /* c GLOBAL "module\nname\n" */) {
    const text = new TextDecoder('latin1').decode(bytes.subarray(index + 1, index + 1 + 512));
    const [module, name] = text.split('\n');
    if (module !== undefined && name !== undefined) return { kind: 'global', module, name };
  }
  if (opcode === 0x8c /* SHORT_BINUNICODE, protocol 4 STACK_GLOBAL form */) {
    const module = shortString(bytes, index);
    const next = index + 2 + module.length + (bytes[index + 2 + module.length] === 0x94 ? 1 : 0);
    if (bytes[next] === 0x8c) return { kind: 'global', module, name: shortString(bytes, next) };
  }
  return { kind: 'other' };
}

function shortString(bytes: Uint8Array, index: number): string {
  const length = bytes[index + 1] ?? 0;
  return new TextDecoder().decode(bytes.subarray(index + 2, index + 2 + length));
}
