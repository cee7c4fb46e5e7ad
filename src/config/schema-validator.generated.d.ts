// Types of the generated validator (scripts/schema-validator.ts).
import type { ValidateFunction } from 'ajv';

declare const validate: ValidateFunction;
export default validate;
