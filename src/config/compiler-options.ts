// CompilerOptions rules from the CreateCompilationJob reference: NVIDIA needs gpu-code, trt-ver (x.y.z) and
// cuda-ver (x.y); ANDROID_PLATFORM is an API level from 21 to 29 for Android; mattr is a list of CPU flags;
// ml_inf1 takes Neuron options as a JSON string. Other keys pass through: the compilers accept more options
// than the page lists, but a near-miss of a known key is reported as a typo.
import { ANDROID_PLATFORM_RANGE, NVIDIA_REQUIRED_OPTIONS } from './constraints.ts';
import type { Report } from './data-input.ts';
import { closestMatch } from './suggest.ts';

const KNOWN_OPTIONS = [
  'gpu-code',
  'trt-ver',
  'cuda-ver',
  'ANDROID_PLATFORM',
  'mattr',
  'mcpu',
  'dtype',
  'DTYPE',
  'class_labels',
  'signature_def_key',
  'output_names',
];

const VERSION_FORMATS: Record<string, { pattern: RegExp; format: string; example: string }> = {
  'trt-ver': { pattern: /^\d+\.\d+\.\d+$/, format: 'x.y.z', example: '6.0.1' },
  'cuda-ver': { pattern: /^\d+\.\d+$/, format: 'x.y', example: '10.0' },
};

export interface CompilerOptionsContext {
  device?: string;
  os?: string;
  accelerator?: string;
  /** The YAML text of a scalar option, to show "10.0" when YAML read it as 10. */
  sourceOf(field: readonly (string | number)[]): string | undefined;
}

export function checkCompilerOptions(value: unknown, context: CompilerOptionsContext, report: Report): void {
  if (typeof value === 'string') {
    checkStringOptions(value, context, report);
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const options = value as Record<string, unknown>;
  reportInexactIntegers(options, [], context, report);

  for (const key of Object.keys(options)) {
    if (KNOWN_OPTIONS.includes(key)) continue;
    const suggestion = closestMatch(key, KNOWN_OPTIONS);
    if (suggestion) {
      report(
        [key],
        'Misspelled compiler option',
        `'${key}' is not a compiler option; did you mean ${suggestion}?`,
        { intrinsic: true, at: 'key' },
      );
    }
  }

  if (context.accelerator === 'NVIDIA') {
    const missing = NVIDIA_REQUIRED_OPTIONS.filter((key) => options[key] === undefined);
    if (missing.length > 0) {
      report(
        [],
        'NVIDIA compiler options missing',
        `The NVIDIA accelerator requires the compiler options gpu-code, trt-ver and cuda-ver; add ${missing.join(', ')} (e.g. {gpu-code: sm_62, trt-ver: 6.0.1, cuda-ver: "10.0"}).`,
      );
    }
  }
  const gpuCode = options['gpu-code'];
  if (gpuCode !== undefined && (typeof gpuCode !== 'string' || !/^sm_\d+$/.test(gpuCode))) {
    report(
      ['gpu-code'],
      'Invalid gpu-code',
      `gpu-code ${JSON.stringify(gpuCode)} is not a GPU architecture such as sm_62 or sm_72.`,
      { intrinsic: true },
    );
  }
  for (const [key, { pattern, format, example }] of Object.entries(VERSION_FORMATS)) {
    const version = options[key];
    if (version === undefined) continue;
    if (typeof version === 'number') {
      const written = context.sourceOf([key]) ?? String(version);
      report(
        [key],
        `${key} must be quoted`,
        `YAML reads ${written} as the number ${version}, which would be sent as ${version}; quote it: ${key}: "${written}".`,
        { intrinsic: true },
      );
    } else if (typeof version !== 'string' || !pattern.test(version)) {
      report(
        [key],
        `Invalid ${key}`,
        `${key} ${JSON.stringify(version)} is not a version in ${format} format, e.g. "${example}".`,
        { intrinsic: true },
      );
    }
  }

  const androidPlatform = options.ANDROID_PLATFORM;
  if (androidPlatform !== undefined) {
    if (
      typeof androidPlatform !== 'number' ||
      !Number.isInteger(androidPlatform) ||
      androidPlatform < ANDROID_PLATFORM_RANGE.min ||
      androidPlatform > ANDROID_PLATFORM_RANGE.max
    ) {
      report(
        ['ANDROID_PLATFORM'],
        'Invalid ANDROID_PLATFORM',
        `ANDROID_PLATFORM ${typeof androidPlatform === 'number' ? (context.sourceOf(['ANDROID_PLATFORM']) ?? androidPlatform) : JSON.stringify(androidPlatform)} is not an Android API level from ${ANDROID_PLATFORM_RANGE.min} to ${ANDROID_PLATFORM_RANGE.max} (a number, e.g. 29).`,
        { intrinsic: true },
      );
    } else if (context.os !== 'ANDROID') {
      report(
        ['ANDROID_PLATFORM'],
        'ANDROID_PLATFORM needs an Android platform',
        'ANDROID_PLATFORM only applies to platform os ANDROID; remove it or set platform: {os: ANDROID, arch: ...}.',
      );
    }
  }

  const mattr = options.mattr;
  if (mattr !== undefined) {
    if (!Array.isArray(mattr)) {
      report(
        ['mattr'],
        'mattr must be a list',
        `mattr is a list of CPU flags: write mattr: [${typeof mattr === 'string' ? `'${mattr}'` : "'+neon'"}].`,
        { intrinsic: true },
      );
    } else {
      mattr.forEach((flag, index) => {
        if (typeof flag === 'string' && /^[+-][A-Za-z0-9][\w.-]*$/.test(flag)) return;
        report(
          ['mattr', index],
          'Invalid mattr flag',
          `${JSON.stringify(flag)} is not a CPU flag such as '+neon' or '+vfpv4' (+ or - then a feature name).`,
          { intrinsic: true },
        );
      });
    }
  }
  const mcpu = options.mcpu;
  if (mcpu !== undefined && (typeof mcpu !== 'string' || mcpu === '')) {
    report(['mcpu'], 'Invalid mcpu', 'mcpu is a CPU name such as skylake-avx512.', {
      intrinsic: true,
    });
  }
}

/**
 * A map is sent as JSON, and YAML reads an integer past 2^53 as the nearest double (9007199254740993 would be
 * sent as 9007199254740992): refuse it rather than send another number.
 */
function reportInexactIntegers(
  value: unknown,
  field: readonly (string | number)[],
  context: CompilerOptionsContext,
  report: Report,
): void {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Number.isSafeInteger(value) || field[0] === 'ANDROID_PLATFORM') return;
    const written = context.sourceOf(field) ?? String(value);
    report(
      field,
      'Number too large to send exactly',
      `${written} is past 2^53: it would be sent as ${JSON.stringify(value)}. Quote it to send it as a string, or use a smaller number.`,
      { intrinsic: true },
    );
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      reportInexactIntegers(item, [...field, index], context, report);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value))
      reportInexactIntegers(item, [...field, key], context, report);
  }
}

function checkStringOptions(value: string, context: CompilerOptionsContext, report: Report): void {
  let parsed: unknown;
  let isJson = true;
  try {
    parsed = JSON.parse(value);
  } catch {
    isJson = false;
  }
  if (context.device === 'ml_inf1' && !isJson) {
    report(
      [],
      'Neuron options must be a JSON string',
      `Compiler options for ml_inf1 are a JSON string, e.g. '"--verbose 1 --num-neuroncores 2 -O2"' (with the inner double quotes).`,
    );
  }
  // A JSON object in a string gets the same checks as a map.
  if (isJson && typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    checkCompilerOptions(
      parsed,
      { ...context, sourceOf: () => undefined },
      (_field, title, message, options) => report([], title, message, { ...options, at: 'value' }),
    );
  } else if (
    context.accelerator === 'NVIDIA' &&
    !NVIDIA_REQUIRED_OPTIONS.every((key) => value.includes(key))
  ) {
    report(
      [],
      'NVIDIA compiler options missing',
      'The NVIDIA accelerator requires the compiler options gpu-code, trt-ver and cuda-ver; write compiler-options as a map: {gpu-code: sm_62, trt-ver: 6.0.1, cuda-ver: "10.0"}.',
    );
  }
}
