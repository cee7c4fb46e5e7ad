// The files Neo expects in model.tar.gz, per framework, and the check of an archive's listing against them.
//
// Source: Amazon SageMaker Developer Guide,
// - "Supported Instance Types and Frameworks" (neo-supported-cloud.html), column "Model formats (packaged in
//   *.tar.gz)": MXNet "a single symbol file (.json) and a single parameter file (.params)"; ONNX "one model file
//   (.onnx)"; Keras "one model definition file (.h5)"; PyTorch "one model definition file (.pt or .pth) with input
//   dtype of float32"; TensorFlow "for saved models, one .pb or one .pbtxt file and a variables directory that
//   contains variables; for frozen models, only one .pb or .pbtxt file"; XGBoost "one model file"; and the edge
//   devices page (neo-supported-devices-edge-frameworks.html): TFLite "one model definition file (.tflite)",
//   DARKNET "one .cfg file and one .weights file".
// - "Prepare Model for Compilation" (neo-compilation-preparing-model.html): save the model, then
//   `tar -czvf model.tar.gz <files>`, i.e. the files sit at the top of the archive.
// The docs say "one"/"a single", so a missing or a second candidate is an error; they do not say what Neo does
// with a file inside a folder, so that is a warning.
import type { ArchiveEntry, PreflightFinding } from './types.ts';

export interface FileRole {
  /** Key of the role in the result, e.g. 'model', 'symbol', 'params'. */
  key: string;
  /** The file as the docs name it. */
  label: string;
  /** Whether a file name (the last path segment) can play this role. */
  matches: (fileName: string) => boolean;
  /** A second candidate is only a warning (the role matches loosely, e.g. XGBoost's "one model file"). */
  looseMatch?: boolean;
}

export interface FrameworkLayout {
  /** Files Neo expects, each exactly once. */
  roles: FileRole[];
  /** What Neo expects, in the words of the docs, for messages. */
  expects: string;
  /** How the files are usually saved, for messages. */
  saveHint: string;
}

const endsWith =
  (...suffixes: string[]) =>
  (name: string): boolean =>
    suffixes.some((suffix) => name.toLowerCase().endsWith(suffix));

export const FRAMEWORK_LAYOUTS: Readonly<Record<string, FrameworkLayout>> = {
  PYTORCH: {
    roles: [{ key: 'model', label: 'model definition file (.pt or .pth)', matches: endsWith('.pt', '.pth') }],
    expects: 'one model definition file (.pt or .pth) with input dtype float32',
    saveHint: 'torch.jit.trace(model, example).save("model.pth")',
  },
  TENSORFLOW: {
    // The SavedModel alternative (saved_model.pb + variables/) is handled in checkTensorflowLayout.
    roles: [{ key: 'model', label: 'graph file (.pb or .pbtxt)', matches: endsWith('.pb', '.pbtxt') }],
    expects:
      'a SavedModel (saved_model.pb and a variables/ directory) or one frozen graph file (.pb or .pbtxt)',
    saveHint: 'tf.saved_model.save(model, "export_dir")',
  },
  TFLITE: {
    roles: [{ key: 'model', label: 'model definition file (.tflite)', matches: endsWith('.tflite') }],
    expects: 'one model definition file (.tflite)',
    saveHint: 'open("model.tflite", "wb").write(tf.lite.TFLiteConverter.from_saved_model(dir).convert())',
  },
  ONNX: {
    roles: [{ key: 'model', label: 'model file (.onnx)', matches: endsWith('.onnx') }],
    expects: 'one model file (.onnx)',
    saveHint: 'torch.onnx.export(model, example, "model.onnx")',
  },
  KERAS: {
    roles: [{ key: 'model', label: 'model definition file (.h5)', matches: endsWith('.h5') }],
    expects: 'one model definition file (.h5)',
    saveHint: 'model.save("model.h5")',
  },
  MXNET: {
    roles: [
      { key: 'symbol', label: 'symbol file (-symbol.json)', matches: endsWith('.json') },
      { key: 'params', label: 'parameter file (.params)', matches: endsWith('.params') },
    ],
    expects: 'a single symbol file (-symbol.json) and a single parameter file (.params)',
    saveHint: 'net.export("model") (writes model-symbol.json and model-0000.params)',
  },
  DARKNET: {
    roles: [
      { key: 'cfg', label: 'network file (.cfg)', matches: endsWith('.cfg') },
      { key: 'weights', label: 'weights file (.weights)', matches: endsWith('.weights') },
    ],
    expects: 'one .cfg file and one .weights file',
    saveHint: 'the .cfg and .weights files Darknet writes',
  },
  XGBOOST: {
    roles: [{ key: 'model', label: 'model file', matches: () => true, looseMatch: true }],
    expects: 'one model file',
    saveHint: 'booster.save_model("model.json")',
  },
};

/** Entries a tool added that are not the user's files: macOS AppleDouble ("._x", "__MACOSX/") and dot-files. */
export function isNoise(path: string): boolean {
  return path.startsWith('__MACOSX/') || baseName(path).startsWith('.');
}

export function baseName(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

export function folderOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index < 0 ? '' : path.slice(0, index);
}

/** Whether an entry may be one of the framework's model files (to look inside while streaming). */
export function isCandidate(framework: string, path: string): boolean {
  if (isNoise(path)) return false;
  const layout = FRAMEWORK_LAYOUTS[framework];
  return layout?.roles.some((role) => role.matches(baseName(path))) ?? false;
}

const LISTING_MAX = 12;

/** The archive's listing, cut: "model/ (dir), model/model.pth (44.6 MB), ... (3 more)". */
export function describeListing(entries: readonly ArchiveEntry[], omitted = 0): string {
  if (entries.length === 0) return 'the archive is empty';
  const shown = entries.slice(0, LISTING_MAX).map((entry) => {
    if (entry.type === 'directory') return `${entry.path}/`;
    return `${entry.path} (${entry.type === 'file' ? formatBytes(entry.size) : 'link'})`;
  });
  const more = entries.length - shown.length + omitted;
  return `${shown.join(', ')}${more > 0 ? `, ... (${more} more)` : ''}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export interface LayoutCheck {
  /** The file chosen for each role (only when exactly one candidate was found). */
  files: Record<string, string>;
  findings: PreflightFinding[];
}

const REPACK = 'tar -C <folder with the model files> -czf model.tar.gz .';

/** Checks an archive's listing against the files Neo expects for `framework`. */
export function checkLayout(framework: string, entries: readonly ArchiveEntry[], omitted = 0): LayoutCheck {
  const layout = FRAMEWORK_LAYOUTS[framework];
  const listing = describeListing(entries, omitted);
  if (!layout) {
    return {
      files: {},
      findings: [
        {
          severity: 'notice',
          code: 'layout-unknown-framework',
          message: `The preflight has no file layout for framework ${framework}; the archive was not checked (it holds: ${listing}).`,
        },
      ],
    };
  }
  const links = entries.filter((entry) => entry.type === 'other' && !isNoise(entry.path));
  if (framework === 'TENSORFLOW') return checkTensorflowLayout(entries, links, layout, listing);
  const files: Record<string, string> = {};
  const findings: PreflightFinding[] = [];
  const userFiles = entries.filter((entry) => entry.type === 'file' && !isNoise(entry.path));
  for (const role of layout.roles) {
    let candidates = userFiles.filter((entry) => role.matches(baseName(entry.path)));
    if (role.key === 'symbol') {
      // MXNet's export names the symbol file <prefix>-symbol.json; other .json files are then not candidates.
      const symbols = candidates.filter((entry) => entry.path.toLowerCase().endsWith('-symbol.json'));
      if (symbols.length > 0) candidates = symbols;
    }
    const chosen = judgeCandidates(links, framework, layout, role, candidates, listing, findings);
    if (chosen) files[role.key] = chosen;
  }
  return { files, findings };
}

function judgeCandidates(
  links: readonly ArchiveEntry[],
  framework: string,
  layout: FrameworkLayout,
  role: FileRole,
  candidates: readonly ArchiveEntry[],
  listing: string,
  findings: PreflightFinding[],
): string | undefined {
  const [first] = candidates;
  const link = links.find((entry) => role.matches(baseName(entry.path)));
  if (!first && link) {
    // A link can still resolve inside the archive once extracted: not certain to fail.
    findings.push({
      severity: 'warning',
      code: 'layout-link',
      message: `${link.path} is a link, not a file, in the archive (tar stored the link itself); Neo expects ${layout.expects} for ${framework}. Pack the file itself with tar -h (follow links): tar -h -C <folder with the model files> -czf model.tar.gz .`,
    });
    return undefined;
  }
  if (!first) {
    findings.push({
      severity: 'error',
      code: 'layout-missing',
      message: `No ${role.label} in the archive; Neo expects ${layout.expects} for ${framework}. The archive holds: ${listing}. Save the model (${layout.saveHint}) and pack it with ${REPACK}`,
    });
    return undefined;
  }
  if (candidates.length > 1) {
    findings.push({
      severity: role.looseMatch ? 'warning' : 'error',
      code: 'layout-ambiguous',
      message: `${candidates.length} candidates for the ${role.label}: ${candidates
        .slice(0, 6)
        .map((entry) => entry.path)
        .join(
          ', ',
        )}${candidates.length > 6 ? ', ...' : ''}; Neo expects ${layout.expects} for ${framework}. Keep one and repack with ${REPACK}`,
    });
    return undefined;
  }
  const folder = folderOf(first.path);
  if (folder !== '') {
    findings.push({
      severity: 'warning',
      code: 'layout-nested',
      message: `${first.path} is inside the folder ${folder}/; Neo expects the model files at the top of the archive. Repack with tar -C ${folder} -czf model.tar.gz . (the archive holds: ${listing}).`,
    });
  }
  return first.path;
}

/** SavedModel (saved_model.pb + variables/) or one frozen .pb/.pbtxt. */
function checkTensorflowLayout(
  entries: readonly ArchiveEntry[],
  links: readonly ArchiveEntry[],
  layout: FrameworkLayout,
  listing: string,
): LayoutCheck {
  const findings: PreflightFinding[] = [];
  const graphs = entries.filter(
    (entry) =>
      entry.type === 'file' && !isNoise(entry.path) && layout.roles[0]?.matches(baseName(entry.path)),
  );
  const savedModels = graphs.filter((entry) => /^saved_model\.pb(txt)?$/i.test(baseName(entry.path)));
  const role = layout.roles[0] as FileRole;
  if (savedModels.length === 0) {
    // A frozen graph: exactly one .pb/.pbtxt.
    const chosen = judgeCandidates(links, 'TENSORFLOW', layout, role, graphs, listing, findings);
    return { files: chosen ? { model: chosen } : {}, findings };
  }
  const chosen = judgeCandidates(links, 'TENSORFLOW', layout, role, savedModels, listing, findings);
  if (!chosen) return { files: {}, findings };
  const folder = folderOf(chosen);
  const variables = `${folder === '' ? '' : `${folder}/`}variables/`;
  const hasVariables = entries.some((entry) => `${entry.path}/`.startsWith(variables));
  if (!hasVariables) {
    findings.push({
      severity: 'error',
      code: 'tensorflow-no-variables',
      message: `${chosen} has no ${variables} directory beside it; for a SavedModel Neo expects saved_model.pb and a variables directory that contains the variables. The archive holds: ${listing}. Export again with ${layout.saveHint} and pack the export folder with tar -C export_dir -czf model.tar.gz .`,
    });
  }
  return { files: { model: chosen }, findings };
}
