// How long validating neo.yml takes for N targets: for `npm run bench`'s validation measure and the scale test.
// A plain list of N targets sharing one model (the shape that was quadratic: modelInputs compared every target
// with every other). Past TARGETS_MAX the file is refused, but every target is still checked, so the time is
// still that of validating N targets.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import { modelInputs, readNeoConfig } from '../src/config/index.ts';
import { findArtifactCollisions, planJobs } from '../src/plan/plan.ts';
import type { RunContext } from '../src/types.ts';

const CONTEXT: RunContext = {
  sha: '0123456789abcdef0123456789abcdef01234567',
  refName: 'main',
  runId: '1',
  runAttempt: '1',
  repository: 'octo-org/vision-models',
  region: 'us-west-2',
  env: {},
};
const DEVICES = ['jetson_nano', 'rasp4b', 'ml_c5', 'jetson_xavier', 'rk3399', 'ml_m5', 'qcs605', 'imx8qm'];

/** neo.yml with `targetCount` targets t0..t(N-1), one shared model, one output prefix per target. */
export function validationConfig(targetCount: number): string {
  const targets = Array.from(
    { length: targetCount },
    (_, i) => `  - name: t${i}\n    device: ${DEVICES[i % DEVICES.length]}\n`,
  ).join('');
  return `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
input:
  s3-uri: s3://models/resnet50/model.tar.gz
  framework: PYTORCH
  framework-version: "2.0"
  data-input-config: {input0: [1, 3, 224, 224]}
output:
  s3-location: s3://artifacts/\${sha}/\${target}/
targets:
${targets}`;
}

export interface ValidationTiming {
  targets: number;
  /** Reading and checking neo.yml (readNeoConfig): the fastest of the runs, in milliseconds. */
  validateMs: number;
  /** Model inputs, planning and the artifact-collision check after it (0 when the file was refused). */
  planMs: number;
  /** Errors found (1, "Too many targets", past TARGETS_MAX). */
  errors: number;
}

/**
 * Times everything the action does with neo.yml before its first AWS call, for `targetCount` targets: the
 * fastest of `runs` runs (the first run also warms up the JIT).
 */
export function timeValidation(targetCount: number, runs = 3): ValidationTiming {
  const text = validationConfig(targetCount);
  let best: ValidationTiming | undefined;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const { config, errors } = readNeoConfig(text, 'neo.yml', CONTEXT);
    const validated = performance.now();
    if (config) {
      modelInputs(config);
      findArtifactCollisions(planJobs(config, CONTEXT).jobs, 'neo.yml', config);
    }
    const timing = {
      targets: targetCount,
      validateMs: validated - start,
      planMs: config ? performance.now() - validated : 0,
      errors: errors.length,
    };
    if (!best || timing.validateMs + timing.planMs < best.validateMs + best.planMs) best = timing;
  }
  return best as ValidationTiming;
}
