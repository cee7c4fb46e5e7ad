// Writes neo.schema.json from src/config/schema.ts (enums from the installed @aws-sdk/client-sagemaker), its
// compiled validator, and the AWS Region list from the installed SDK's partition data.
// Run after upgrading the SDK: node scripts/gen-schema.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schemaFileText } from '../src/config/schema.ts';
import { awsRegionsText } from './aws-regions.ts';
import { schemaValidatorText } from './schema-validator.ts';

const schemaFile = fileURLToPath(new URL('../neo.schema.json', import.meta.url));
writeFileSync(schemaFile, schemaFileText());
console.log(`wrote ${schemaFile}`);
const validatorFile = fileURLToPath(new URL('../src/config/schema-validator.generated.js', import.meta.url));
writeFileSync(validatorFile, schemaValidatorText());
console.log(`wrote ${validatorFile}`);
const regionsFile = fileURLToPath(new URL('../src/config/aws-regions.generated.ts', import.meta.url));
writeFileSync(regionsFile, awsRegionsText());
console.log(`wrote ${regionsFile}`);
