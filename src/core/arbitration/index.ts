export { Arbiter, targetKey } from './arbiter.js';
export type { ArbiterOptions, ArbiterResult, AuditAction, AuditEntry, Effective, SubmitOptions, TargetConfig, ArbiterEvents } from './arbiter.js';
export { parseTargets, parseClasses } from './config.js';
