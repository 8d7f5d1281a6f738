/**
 * Durable control intents: what the arbiter holds survives a restart of the runtime (a crash, `kill -9`, a power
 * cut), so a control acknowledged to an upstream is re-asserted on the field when the runtime comes back, until its
 * expiry. Expired intents are dropped on load. One record per intent (keyed by source + id), written synchronously
 * (an LMDB transaction committed and flushed before `submit` returns), removed on cancel, expiry or replacement.
 *
 * LMDB comes from the `lmdb` npm package (prebuilt binaries inside the package, loaded at run time; no native build).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlIntent, ControlResult } from '../control.js';

export interface PersistedIntent {
  /** The intent as held (after randomisation and the validity cap). */
  intent: ControlIntent;
  randomDelayMs: number;
  /** Identity of the submission, for duplicate detection after a restart. */
  fingerprint: string;
  result: ControlResult & { validFrom: number; validTo: number; scheduled?: boolean };
}

export interface IntentPersistence {
  load(): PersistedIntent[];
  put(key: string, record: PersistedIntent): void;
  remove(key: string): void;
  close(): void;
}

/** For tests and for sites without a state directory: same contract, nothing survives the process. */
export class MemoryIntentPersistence implements IntentPersistence {
  readonly records = new Map<string, PersistedIntent>();
  load(): PersistedIntent[] {
    return [...this.records.values()].map((r) => structuredClone(r));
  }
  put(key: string, record: PersistedIntent): void {
    this.records.set(key, structuredClone(record));
  }
  remove(key: string): void {
    this.records.delete(key);
  }
  close(): void {}
}

interface LmdbDb {
  getRange(opts?: object): Iterable<{ key: unknown; value: unknown }>;
  putSync(key: string, value: unknown): boolean;
  removeSync(key: string): boolean;
  close(): Promise<void>;
}

/** Open (creating) the intent store in `dir` (file `controls.lmdb`). Throws a clear error naming the directory. */
export function openIntentStore(dir: string): IntentPersistence {
  let lmdb: { open(o: object): LmdbDb };
  try {
    lmdb = require('lmdb') as typeof lmdb;
  } catch (e) {
    throw new Error(`control state in ${dir}: the lmdb package could not be loaded (${(e as Error).message})`, { cause: e });
  }
  let db: LmdbDb;
  try {
    mkdirSync(dir, { recursive: true });
    db = lmdb.open({ path: join(dir, 'controls.lmdb'), compression: false });
  } catch (e) {
    throw new Error(`control state in ${dir}: cannot open the store (${(e as Error).message})`, { cause: e });
  }
  return {
    load() {
      const out: PersistedIntent[] = [];
      for (const { value } of db.getRange()) {
        const r = value as PersistedIntent | undefined;
        if (r && typeof r === 'object' && r.intent && typeof r.intent.validTo === 'number') out.push(r);
      }
      return out;
    },
    put(key, record) {
      db.putSync(key, record);
    },
    remove(key) {
      db.removeSync(key);
    },
    close() {
      void db.close();
    },
  };
}
