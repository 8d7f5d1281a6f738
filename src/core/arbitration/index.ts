export { Arbiter, targetKey, DEFAULT_MAX_VALIDITY_MS } from './arbiter.js';
export type { ArbiterOptions, ArbiterResult, AuditAction, AuditEntry, Effective, FieldState, FieldStatus, HeldIntent, SubmitOptions, TargetConfig, ArbiterEvents } from './arbiter.js';
export { parseTargets, parseClasses } from './config.js';
export { MemoryIntentPersistence, openIntentStore } from './persistence.js';
export type { IntentPersistence, PersistedIntent } from './persistence.js';
