// ajv options of the neo.yml schema validator, shared by the ahead-of-time generator and its test.
export const AJV_OPTIONS = {
  allErrors: true,
  verbose: true,
  strict: true,
  allowUnionTypes: true,
  strictTypes: false,
} as const;
