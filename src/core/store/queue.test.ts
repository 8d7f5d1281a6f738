import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LmdbBackend, openQueue, StoreQueue, type QueueEntry } from './index.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'gb-store-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const values = <T>(es: QueueEntry<T>[]) => es.map((e) => e.value);

describe.each([
  ['memory', (maxBytes?: number) => openQueue<number>('q', maxBytes ? { maxBytes } : {})],
  ['lmdb', (maxBytes?: number) => openQueue<number>('q', { dir: tmp(), ...(maxBytes ? { maxBytes } : {}) })],
])('StoreQueue (%s)', (_name, make) => {
  it('hands items out in order and removes them only when confirmed', () => {
    const q = make();
    q.append(range(0, 5));
    q.append(range(5, 8));
    q.append([]);
    const a = q.take(3);
    expect(values(a)).toEqual([0, 1, 2]);
    expect(values(q.take(10))).toEqual([3, 4, 5, 6, 7]);
    expect(q.take(10)).toEqual([]);
    for (const e of a) q.ack(e);
    q.ack(a[0]!); // duplicate confirmation: counted once
    expect(q.stats()).toMatchObject({ stored: 8, delivered: 3, evicted: 0, depth: 5, batches: 2 });
    q.close();
  });

  it('rewind hands out the unconfirmed items again, oldest first, skipping confirmed ones', () => {
    const q = make();
    q.append(range(0, 4));
    q.append(range(4, 8));
    const out = q.take(8);
    q.ack(out[1]!);
    q.ack(out[5]!);
    q.rewind();
    expect(values(q.take(100))).toEqual([0, 2, 3, 4, 6, 7]);
    for (const e of out) q.ack(e);
    expect(q.stats()).toMatchObject({ delivered: 8, depth: 0, batches: 0 });
    expect(q.pending).toBe(false);
    q.close();
  });

  it('drops the oldest batches beyond the quota and counts them', () => {
    const q = make(64 * 1024);
    let reported = 0;
    q.onEvict = (n) => (reported += n);
    for (let i = 0; i < 200; i++) q.append(range(0, 300).map(() => Math.random()));
    const s = q.stats();
    expect(s.evicted).toBeGreaterThan(0);
    expect(reported).toBe(s.evicted);
    expect(s.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(s.stored).toBe(60_000);
    expect(s.depth + s.evicted).toBe(60_000);
    q.close();
  });
});

describe('StoreQueue quota (lmdb)', () => {
  it('keeps the newest items within maxBytes, drop-oldest, evicted counted', () => {
    const dir = tmp();
    const q = openQueue<string>('q', { dir, maxBytes: 256 * 1024 });
    // Incompressible-ish payloads so the quota is reached quickly.
    let n = 0;
    for (let b = 0; b < 200; b++) q.append(range(0, 20).map(() => `${n++}:${range(0, 12).map(() => Math.random().toString(36).slice(2)).join('')}`));
    const s = q.stats();
    expect(s.bytes).toBeLessThanOrEqual(256 * 1024);
    expect(s.evicted).toBeGreaterThan(0);
    expect(s.depth + s.evicted).toBe(4000);
    const all = values(q.take(10_000)).map((v) => Number(v.split(':')[0]));
    expect(all.length).toBe(s.depth);
    expect(all[all.length - 1]).toBe(3999); // the newest survive
    expect(all).toEqual(range(4000 - s.depth, 4000)); // contiguous: only the oldest were dropped
    q.close();
  });
});

describe('StoreQueue persistence (lmdb)', () => {
  it('what is not confirmed survives a reopen, in order, and sequence numbers keep increasing', async () => {
    const dir = tmp();
    const be = new LmdbBackend<number>(dir, 'q');
    const q = new StoreQueue<number>('q', be, 1e9);
    q.append(range(0, 3));
    q.append(range(3, 6));
    const s3 = q.append(range(6, 9))!;
    const out = q.take(9);
    for (const e of out.slice(0, 4)) q.ack(e); // batch 1 done, batch 2 partly
    await be.closeAsync();
    const q2 = openQueue<number>('q', { dir });
    expect(q2.stats()).toMatchObject({ depth: 6, batches: 2 });
    // At least once: a partly confirmed batch is delivered again whole after a restart.
    expect(values(q2.take(100))).toEqual([3, 4, 5, 6, 7, 8]);
    expect(q2.append([9])!).toBeGreaterThan(s3);
    q2.close();
  });

  it('queues of one store are independent', () => {
    const dir = tmp();
    const a = openQueue<string>('a', { dir });
    const b = openQueue<string>('b', { dir });
    a.append(['x']);
    b.append(['y', 'z']);
    expect(values(a.take(10))).toEqual(['x']);
    expect(values(b.take(10))).toEqual(['y', 'z']);
    a.close();
    b.close();
  });

  it('names the directory when the store cannot be opened', () => {
    const file = join(tmp(), 'f');
    writeFileSync(file, '');
    expect(() => openQueue('q', { dir: file })).toThrow(new RegExp(`store in ${file}`));
  });
});
