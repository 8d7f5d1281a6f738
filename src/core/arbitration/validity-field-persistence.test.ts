import { describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../clock.js';
import type { ControlIntent } from '../control.js';
import { Arbiter, DEFAULT_MAX_VALIDITY_MS, type Effective } from './arbiter.js';
import { MemoryIntentPersistence, openIntentStore } from './persistence.js';

const T0 = Date.UTC(2026, 0, 1);
const H = 3600_000;
const target = { device: 'inv', name: 'WMaxLimPct' };
const intent = (over: Partial<ControlIntent> = {}): ControlIntent => ({ id: 'c1', source: 'mqtt:x', sourceClass: 'owner', target, value: 41, validFrom: T0, validTo: T0 + 600_000, ...over });

function make(extra: ConstructorParameters<typeof Arbiter>[0] = {}) {
  const clock = new FakeClock(T0);
  const arbiter = new Arbiter({ clock, targets: [{ ...target, min: 0, max: 100, default: 100 }], ...extra });
  const changes: Effective[] = [];
  arbiter.on('change', (e) => changes.push(e));
  return { clock, arbiter, changes };
}

describe('site-wide maximum validity (enforced in the arbiter)', () => {
  it('cuts a 100-year validity to the default 48 h, says so, and expires it then', () => {
    const { arbiter, clock } = make();
    const r = arbiter.submit(intent({ validTo: T0 + 100 * 365 * 24 * H }));
    expect(r.outcome).toBe('clipped');
    expect(r.reason).toMatch(/cut to the site maximum of 172800 s/);
    expect(arbiter.list()[0]!.validTo).toBe(T0 + DEFAULT_MAX_VALIDITY_MS);
    clock.advance(DEFAULT_MAX_VALIDITY_MS - 1);
    expect(arbiter.effective(target).value).toBe(41);
    clock.advance(1);
    expect(arbiter.effective(target).value).toBe(100);
    expect(arbiter.list()).toEqual([]);
    expect(arbiter.audit.some((a) => a.action === 'expire' && a.intentId === 'c1')).toBe(true);
  });

  it('takes the cap from the options; a scheduled intent counts from its start', () => {
    const { arbiter } = make({ maxValidityMs: H });
    const r = arbiter.submit(intent({ validFrom: T0 + 2 * H, validTo: T0 + 5 * H }));
    expect(r).toMatchObject({ outcome: 'clipped', scheduled: true });
    expect(arbiter.list()[0]).toMatchObject({ validFrom: T0 + 2 * H, validTo: T0 + 3 * H });
    const ok = arbiter.submit(intent({ id: 'c2', validTo: T0 + H }));
    expect(ok.outcome).toBe('applied');
    expect(() => new Arbiter({ maxValidityMs: 0 })).toThrow(/maxValidityMs/);
  });

  it('a renewal after the cut extends the control from then', () => {
    const { arbiter, clock } = make({ maxValidityMs: H });
    const long = intent({ validTo: T0 + 10 * H });
    arbiter.submit(long);
    clock.advance(H);
    expect(arbiter.effective(target).value).toBe(100);
    arbiter.submit(long); // the same request again: a new window of at most 1 h from now
    expect(arbiter.effective(target).value).toBe(41);
    expect(arbiter.list()[0]!.validTo).toBe(T0 + 2 * H);
  });
});

describe('change events only when the value changes', () => {
  it('a hand-over between two intents with the same value is audited, not emitted', () => {
    const { arbiter, changes } = make();
    arbiter.submit(intent({ id: 'a', value: 50 }));
    arbiter.submit(intent({ id: 'b', sourceClass: 'dso', value: 50 }));
    expect(changes.map((c) => c.value)).toEqual([50]);
    expect(arbiter.audit.filter((a) => a.action === 'handover')).toHaveLength(1);
    expect(arbiter.effective(target).governing).toEqual(['b']);
    arbiter.cancel('b');
    expect(changes.map((c) => c.value)).toEqual([50]);
    arbiter.cancel('a');
    expect(changes.map((c) => c.value)).toEqual([50, 100]);
  });
});

describe('field state reported by the runtime', () => {
  it('shows whether the field holds the effective value in effective(), list() and the audit', () => {
    const { arbiter } = make();
    arbiter.submit(intent());
    expect(arbiter.effective(target).field).toBeUndefined();
    arbiter.noteField(target, 41, 'pending');
    arbiter.noteField(target, 41, 'not_held', 'not_connected: port down');
    expect(arbiter.effective(target).field).toMatchObject({ state: 'not_held', value: 41, reason: 'not_connected: port down' });
    expect(arbiter.list()[0]).toMatchObject({ id: 'c1', governing: true, active: true, field: { state: 'not_held' } });
    arbiter.noteField(target, 41, 'pending');
    arbiter.noteField(target, 41, 'held');
    expect(arbiter.list()[0]!.field?.state).toBe('held');
    const field = arbiter.audit.filter((a) => a.action === 'field').map((a) => a.outcome);
    expect(field).toEqual(['not_held', 'pending', 'held']);
    // A new effective value that the field has not reported on yet is pending, not held.
    arbiter.submit(intent({ id: 'c2', sourceClass: 'dso', value: 20 }));
    expect(arbiter.effective(target).field).toMatchObject({ state: 'pending', value: 20 });
    expect(arbiter.list().find((i) => i.id === 'c1')).toMatchObject({ governing: false });
    expect(arbiter.list().find((i) => i.id === 'c1')!.field).toBeUndefined();
  });
});

describe('intents survive a restart (persistence)', () => {
  it('restores held intents, drops expired ones, and recognises a resubmission as a duplicate', () => {
    const store = new MemoryIntentPersistence();
    const a = make({ persistence: store });
    a.arbiter.submit(intent());
    a.arbiter.submit(intent({ id: 'short', target: { device: 'inv', name: 'Conn' }, value: 0, validTo: T0 + 1000 }));
    a.arbiter.close();
    expect(store.records.size).toBe(2);

    const clock = new FakeClock(T0 + 5000);
    const b = new Arbiter({ clock, targets: [{ ...target, min: 0, max: 100, default: 100 }], persistence: store });
    expect(b.effective(target)).toMatchObject({ value: 41, governing: ['c1'] });
    expect(b.list().map((i) => i.id)).toEqual(['c1']);
    expect(store.records.size).toBe(1);
    expect(b.audit.filter((x) => x.action === 'restore').map((x) => x.intentId)).toEqual(['c1']);
    expect(b.submit(intent()).duplicate).toBe(true);
    b.cancel('c1');
    expect(store.records.size).toBe(0);
  });

  it('keeps the drawn random delay across a restart (no second draw)', () => {
    const store = new MemoryIntentPersistence();
    const a = make({ persistence: store, randomDelayMaxMs: { supplier: 60_000 }, random: () => 0.5 });
    const r = a.arbiter.submit(intent({ sourceClass: 'supplier' }));
    expect(r.randomDelayMs).toBe(30_000);
    const b = new Arbiter({ clock: new FakeClock(T0), targets: [target], persistence: store, randomDelayMaxMs: { supplier: 60_000 }, random: () => 0.9 });
    expect(b.list()[0]).toMatchObject({ validFrom: T0 + 30_000, validTo: T0 + 630_000 });
  });

  it('LMDB store: an acknowledged intent is on disk when the process is killed with SIGKILL right after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gb-intents-'));
    try {
      // A child process submits through the real arbiter + LMDB store, prints "acked", and is killed at once.
      const src = join(__dirname, 'persistence.ts');
      expect(existsSync(src)).toBe(true);
      const script = `
        const { Arbiter } = require(${JSON.stringify(join(__dirname, '..', '..', '..', 'dist', 'src', 'core', 'arbitration', 'arbiter.js'))});
        const { openIntentStore } = require(${JSON.stringify(join(__dirname, '..', '..', '..', 'dist', 'src', 'core', 'arbitration', 'persistence.js'))});
        const a = new Arbiter({ persistence: openIntentStore(process.argv[1]) });
        const now = Date.now();
        for (let i = 0; i < 50; i++) a.submit({ id: 'k' + i, source: 'mqtt:t', sourceClass: 'owner', target: { device: 'inv', name: 'P' + i }, value: i, validFrom: now, validTo: now + 3600000 });
        process.stdout.write('acked\\n');
        setInterval(() => {}, 1000);
      `;
      const child = spawn(process.execPath, ['-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((res, rej) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('acked') && (child.kill('SIGKILL'), res()));
        child.on('exit', (code, sig) => sig !== 'SIGKILL' && rej(new Error(`child exited ${code}`)));
      });
      await new Promise((r) => child.on('close', r));
      const store = openIntentStore(dir);
      const ids = store.load().map((r) => r.intent.id).sort((x, y) => Number(x.slice(1)) - Number(y.slice(1)));
      store.close();
      expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => `k${i}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the directory when the store cannot be opened', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gb-intents-')), 'f');
    execFileSync('touch', [file]);
    expect(() => openIntentStore(file)).toThrow(new RegExp(`control state in ${file}`));
  });
});
