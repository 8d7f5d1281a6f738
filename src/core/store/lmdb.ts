/**
 * LMDB backend of the store-and-forward queues: one environment (`store.lmdb`) per directory, one named database per
 * queue, keys `[seq, itemCount]` (ordered), values = the batch (msgpack, LZ4-compressed above 1000 bytes).
 *
 * `write` is one synchronous LMDB transaction: committed to the file before it returns, so it survives the process
 * being killed (kill -9, crash). lmdb-js flushes the commit to the disk right after it (overlappingSync); `flushed()`
 * resolves when that is done (power-cut durability). LMDB comes from the `lmdb` npm package (prebuilt binaries inside
 * the package, loaded at run time; no native build).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryBackend, StoreQueue, type BatchBackend } from './queue.js';

interface LmdbStats {
  pageSize: number;
  treeBranchPageCount: number;
  treeLeafPageCount: number;
  overflowPages: number;
  entryCount: number;
}

interface LmdbDb {
  getKeys(opts?: object): Iterable<unknown>;
  get(key: unknown): unknown;
  put(key: unknown, value: unknown): Promise<boolean>;
  remove(key: unknown): Promise<boolean>;
  transactionSync<R>(fn: () => R): R;
  getStats(): LmdbStats;
  openDB(name: string, opts?: object): LmdbDb;
  flushed: PromiseLike<unknown>;
  close(): Promise<void>;
}

const envs = new Map<string, { root: LmdbDb; refs: number }>();

function openEnv(dir: string): LmdbDb {
  const path = join(dir, 'store.lmdb');
  const held = envs.get(path);
  if (held) {
    held.refs++;
    return held.root;
  }
  let lmdb: { open(o: object): LmdbDb };
  try {
    lmdb = require('lmdb') as typeof lmdb;
  } catch (e) {
    throw new Error(`store in ${dir}: the lmdb package could not be loaded (${(e as Error).message})`, { cause: e });
  }
  try {
    mkdirSync(dir, { recursive: true });
    const root = lmdb.open({ path, compression: true, maxDbs: 32 });
    envs.set(path, { root, refs: 1 });
    return root;
  } catch (e) {
    throw new Error(`store in ${dir}: cannot open ${path} (${(e as Error).message})`, { cause: e });
  }
}

function releaseEnv(dir: string): Promise<void> {
  const path = join(dir, 'store.lmdb');
  const held = envs.get(path);
  if (!held || --held.refs > 0) return Promise.resolve();
  envs.delete(path);
  return held.root.close();
}

export class LmdbBackend<T> implements BatchBackend<T> {
  readonly durable = true;
  private readonly db: LmdbDb;
  private closed = false;

  constructor(
    private readonly dir: string,
    name: string,
  ) {
    const root = openEnv(dir);
    try {
      this.db = root.openDB(`queue:${name}`, { compression: true });
    } catch (e) {
      void releaseEnv(dir);
      throw new Error(`store in ${dir}: cannot open queue ${name} (${(e as Error).message})`, { cause: e });
    }
  }

  *index(): Iterable<{ seq: number; n: number }> {
    for (const k of this.db.getKeys()) {
      if (Array.isArray(k) && typeof k[0] === 'number' && typeof k[1] === 'number') yield { seq: k[0], n: k[1] };
    }
  }

  get(seq: number, n: number): readonly T[] | undefined {
    const v = this.db.get([seq, n]);
    return Array.isArray(v) ? (v as T[]) : undefined;
  }

  write(seq: number, items: readonly T[], evict: (remove: (seq: number, n: number) => void) => void): void {
    this.db.transactionSync(() => {
      void this.db.put([seq, items.length], items);
      evict((s, n) => void this.db.remove([s, n]));
    });
  }

  removeDelivered(seq: number, n: number): void {
    void this.db.remove([seq, n]);
  }

  usedBytes(): number {
    const s = this.db.getStats();
    return (s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages) * s.pageSize;
  }

  /** Resolves when every commit so far is flushed to the disk. */
  flushed(): Promise<void> {
    return Promise.resolve(this.db.flushed).then(() => undefined);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void releaseEnv(this.dir);
  }

  /** Close and wait for outstanding writes (removals) to be committed. */
  async closeAsync(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await releaseEnv(this.dir);
  }
}

export interface OpenQueueOptions {
  /** Directory of the store (file `store.lmdb`); without one the queue is in memory only. */
  dir?: string | undefined;
  maxBytes?: number;
}

export const DEFAULT_STORE_MAX_BYTES = 2 * 1024 ** 3;

/** Open (creating) the queue `name` in `dir`, or a memory queue without a directory. Throws a clear error naming the directory. */
export function openQueue<T>(name: string, opts: OpenQueueOptions = {}): StoreQueue<T> {
  const max = opts.maxBytes ?? DEFAULT_STORE_MAX_BYTES;
  if (!opts.dir) return new StoreQueue<T>(name, new MemoryBackend<T>(), max);
  return new StoreQueue<T>(name, new LmdbBackend<T>(opts.dir, name), max);
}
