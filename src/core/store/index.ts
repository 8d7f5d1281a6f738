export { StoreQueue, MemoryBackend, memoryQueue } from './queue.js';
export type { QueueEntry, StoreCounters, BatchBackend } from './queue.js';
export { LmdbBackend, openQueue, DEFAULT_STORE_MAX_BYTES } from './lmdb.js';
export type { OpenQueueOptions } from './lmdb.js';
export { Forwarder } from './forwarder.js';
export type { ForwarderOptions } from './forwarder.js';
export { Coalescer } from './coalescer.js';
