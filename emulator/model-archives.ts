// Small model archives shaped like real ones, for the demo, the tests and the bench: a traced TorchScript model
// as torch.jit.save writes it, and a state_dict saved by mistake as torch.save writes it (zip entry layout from
// PyTorch's serialization code; see src/preflight/pytorch.ts), each packed as `tar -czf model.tar.gz model.pth`.
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { tar } from './tar.ts';

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const STORAGE = new Uint8Array(64);

/**
 * model.pth from torch.jit.save of a traced module (code/ and constants.pkl mark TorchScript); `weights` is its
 * tensor storage (the bench passes 100 MB of it).
 */
export function torchScriptModelFile(weights: Uint8Array = STORAGE): Buffer {
  return Buffer.from(
    zipSync(
      {
        'model/data.pkl': latin1('\x80\x02c__torch__\nNet\nq\x00)\x81}q\x01b.'),
        'model/code/__torch__.py': Buffer.from(
          'class Net(Module):\n  def forward(self: __torch__.Net,\n    x: Tensor) -> Tensor:\n    return x\n',
        ),
        'model/constants.pkl': latin1('\x80\x02).'),
        'model/data/0': weights,
        'model/version': Buffer.from('3\n'),
      },
      { level: 0 },
    ),
  );
}

/** model.pth from torch.save(model.state_dict()): a pickled collections.OrderedDict, no code/. */
export function stateDictModelFile(): Buffer {
  return Buffer.from(
    zipSync(
      {
        'model/data.pkl': latin1('\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01.'),
        'model/byteorder': Buffer.from('little'),
        'model/data/0': STORAGE,
        'model/version': Buffer.from('3\n'),
      },
      { level: 0 },
    ),
  );
}

/** model.tar.gz holding one model file at its top, as Neo expects. */
export function modelArchive(file: Buffer, name = 'model.pth'): Buffer {
  return gzipSync(tar([{ name, data: file }]));
}

/** A good PyTorch model archive (TorchScript). */
export const torchScriptArchive = (): Buffer => modelArchive(torchScriptModelFile());
/** A PyTorch archive Neo cannot load: a state_dict instead of a traced model. */
export const stateDictArchive = (): Buffer => modelArchive(stateDictModelFile());
