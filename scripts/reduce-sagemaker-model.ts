// Regenerates emulator/sagemaker-model.json: the part of botocore's SageMaker API model (service-2.json) that the
// action uses (Create/Describe/List/Stop for compilation and optimization jobs, with every shape they reach),
// without documentation. The emulator validates requests and its own responses against it.
//
//   node scripts/reduce-sagemaker-model.ts <path/to/botocore/data/sagemaker/2017-07-24/service-2.json> \
//     --version <botocore version> --commit <botocore commit>
//   npx biome format --write emulator/sagemaker-model.json   # the committed file is in the repository's format
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const OPERATIONS = [
  'CreateCompilationJob',
  'DescribeCompilationJob',
  'ListCompilationJobs',
  'StopCompilationJob',
  'CreateOptimizationJob',
  'DescribeOptimizationJob',
  'ListOptimizationJobs',
  'StopOptimizationJob',
];
/** Shape keys the validator reads; everything else (documentation, deprecation notes...) is dropped. */
const SHAPE_KEYS = ['type', 'required', 'min', 'max', 'pattern', 'enum', 'union', 'exception', 'error'];

interface ShapeRef {
  shape: string;
}
interface Shape {
  type: string;
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  [k: string]: unknown;
}
interface Operation {
  input?: ShapeRef;
  output?: ShapeRef;
  errors?: ShapeRef[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { version: { type: 'string' }, commit: { type: 'string' }, out: { type: 'string' } },
});
const source = positionals[0];
if (!source || !values.version || !values.commit) {
  console.error('usage: node scripts/reduce-sagemaker-model.ts <service-2.json> --version X --commit SHA');
  process.exit(2);
}
const model = JSON.parse(readFileSync(source, 'utf8')) as {
  metadata: Record<string, unknown>;
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
};

const shapes: Record<string, Shape> = {};
const reduceRef = (ref: ShapeRef): ShapeRef => {
  visit(ref.shape);
  return { shape: ref.shape };
};
function visit(name: string): void {
  if (shapes[name]) return;
  const shape = model.shapes[name];
  if (!shape) throw new Error(`shape ${name} is not in the model`);
  const out: Shape = { type: shape.type };
  shapes[name] = out;
  for (const k of SHAPE_KEYS) if (shape[k] !== undefined) out[k] = shape[k];
  if (shape.members) {
    out.members = Object.fromEntries(Object.entries(shape.members).map(([m, ref]) => [m, reduceRef(ref)]));
  }
  for (const k of ['member', 'key', 'value'] as const) {
    const ref = shape[k];
    if (ref) out[k] = reduceRef(ref);
  }
}

const operations: Record<string, Operation> = {};
for (const name of OPERATIONS) {
  const op = model.operations[name];
  if (!op) throw new Error(`operation ${name} is not in the model`);
  operations[name] = {
    ...(op.input && { input: reduceRef(op.input) }),
    ...(op.output && { output: reduceRef(op.output) }),
    ...(op.errors && { errors: op.errors.map(reduceRef) }),
  };
}

const sorted = Object.fromEntries(
  Object.keys(shapes)
    .sort()
    .map((k) => [k, shapes[k]]),
);
const reduced = {
  source: {
    repository: 'https://github.com/boto/botocore',
    path: 'botocore/data/sagemaker/2017-07-24/service-2.json',
    version: values.version,
    commit: values.commit,
  },
  metadata: model.metadata,
  operations,
  shapes: sorted,
};
const out = values.out ?? new URL('../emulator/sagemaker-model.json', import.meta.url).pathname;
writeFileSync(out, `${JSON.stringify(reduced, null, 2)}\n`);
console.log(
  `${out}: ${OPERATIONS.length} operations, ${Object.keys(sorted).length} shapes; now run npx biome format --write ${out}`,
);
