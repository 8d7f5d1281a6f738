/** Device profiles: YAML format, normalization, raw data types, scaling. See docs/profiles.md. */
export * from './types.js';
export { ProfileSchema, PointSchema, HoleSchema, FunctionSchema, parseProfile, type ProfileIssue, type ProfileInput, type PointInput } from './schema.js';
export { parseTypeName, layoutOrders, suggest } from './check.js';
export * from './datatypes.js';
export * from './scaling.js';
export { profileJsonSchema } from './json-schema.js';
