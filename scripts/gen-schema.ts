// Writes neo.schema.json from src/config/schema.ts (enums from the installed @aws-sdk/client-sagemaker).
// Run after upgrading the SDK: node scripts/gen-schema.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schemaFileText } from '../src/config/schema.ts';

const target = fileURLToPath(new URL('../neo.schema.json', import.meta.url));
writeFileSync(target, schemaFileText());
console.log(`wrote ${target}`);
