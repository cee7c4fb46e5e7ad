// neo.schema.json: committed file is current, enums come from the SDK, every key is described.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import { readFileSync } from 'node:fs';
import {
  Framework,
  OptimizationJobDeploymentInstanceType,
  TargetDevice,
  TargetPlatformAccelerator,
  TargetPlatformArch,
  TargetPlatformOs,
} from '@aws-sdk/client-sagemaker';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { schemaValidatorText } from '../../scripts/schema-validator.ts';
import { type JsonSchema, neoSchema, schemaFileText } from '../../src/config/schema.ts';

const committed = readFileSync(new URL('../../neo.schema.json', import.meta.url), 'utf8');
const defs = neoSchema.$defs as Record<string, JsonSchema>;

describe('neo.schema.json', () => {
  it('has its compiled validator generated from the same schema (run `node scripts/gen-schema.ts`)', () => {
    const generated = readFileSync(
      new URL('../../src/config/schema-validator.generated.js', import.meta.url),
      'utf8',
    );
    expect(generated).toBe(schemaValidatorText());
  });

  it('equals the schema generated from the installed SDK (run `node scripts/gen-schema.ts` after an SDK upgrade)', () => {
    expect(JSON.parse(committed)).toEqual(neoSchema);
    expect(committed).toBe(schemaFileText());
  });

  it('takes every enum from the SDK', () => {
    expect(defs.device?.enum).toEqual(Object.values(TargetDevice));
    expect(defs.framework?.enum).toEqual(Object.values(Framework));
    expect(defs.instanceType?.enum).toEqual(Object.values(OptimizationJobDeploymentInstanceType));
    const platform = defs.platform?.properties as Record<string, JsonSchema>;
    expect(platform.os?.enum).toEqual(Object.values(TargetPlatformOs));
    expect(platform.arch?.enum).toEqual(Object.values(TargetPlatformArch));
    expect(platform.accelerator?.enum).toEqual(Object.values(TargetPlatformAccelerator));
  });

  it('describes every key', () => {
    const undocumented: string[] = [];
    const visit = (schema: unknown, where: string) => {
      if (!schema || typeof schema !== 'object') return;
      const node = schema as JsonSchema;
      for (const [key, property] of Object.entries((node.properties as Record<string, JsonSchema>) ?? {})) {
        if (typeof property.description !== 'string' || property.description.length < 10) {
          undocumented.push(`${where}.${key}`);
        }
        visit(property, `${where}.${key}`);
      }
      for (const keyword of ['items', 'additionalProperties']) visit(node[keyword], `${where}[${keyword}]`);
    };
    visit(neoSchema, '');
    for (const [name, schema] of Object.entries(defs)) visit(schema, `$defs.${name}`);
    expect(undocumented).toEqual([]);
  });

  it('is a strict draft 2020-12 schema that accepts the full example, placeholders included', () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, strictTypes: false });
    const validate = ajv.compile(JSON.parse(committed));
    const example = parse(readFileSync(new URL('../fixtures/config/full.yml', import.meta.url), 'utf8'));
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...example, 'role-arn': '${env.NEO_ROLE_ARN}' })).toBe(true);
    expect(validate({ ...example, 'role-arn': 'not-an-arn' })).toBe(false);
  });

  it('accepts path and upload-to in input and model, and describes them', () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, strictTypes: false });
    const validate = ajv.compile(JSON.parse(committed));
    const example = parse(
      readFileSync(new URL('../fixtures/config/local-model.yml', import.meta.url), 'utf8'),
    );
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...example, input: { ...example.input, 'upload-to': 'not-s3' } })).toBe(false);
    for (const name of ['input', 'model']) {
      const properties = defs[name]?.properties as Record<string, JsonSchema>;
      expect(properties.path?.description).toMatch(/Instead of s3-uri/);
      expect(properties['upload-to']?.description).toMatch(/With path \(required\)/);
    }
  });
});
