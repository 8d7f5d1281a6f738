import { describe, expect, it, vi } from 'vitest';
import { buildCommand, newEventId } from './client.js';
import { encodeFrame } from './frame.js';

const EVENT_ID = /^[A-Za-z0-9._:-]{1,32}$/;

describe('generated event ids', () => {
  it('differ for commands built in the same millisecond and are valid SSP-1 event ids', () => {
    const now = Date.UTC(2026, 0, 1, 14, 8, 8, 182);
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = buildCommand({ level: 40, forMs: 60_000 }, now).eventId;
      expect(id).toMatch(EVENT_ID);
      ids.add(id);
    }
    expect(ids.size).toBe(2000);
  });

  it('differ between two fresh processes started in the same second (module state reset)', async () => {
    const now = Date.UTC(2026, 0, 1, 14, 8, 8);
    vi.resetModules();
    const first = (await import('./client.js')).newEventId(now);
    vi.resetModules();
    const second = (await import('./client.js')).newEventId(now + 182);
    expect(first).not.toBe(second);
    // The old scheme (seconds + per-process counter) gave both the same id; the time part alone now differs too.
    vi.resetModules();
    const same = (await import('./client.js')).newEventId(now);
    expect(same).not.toBe(first);
  });

  it('fits a maximal command frame', () => {
    const c = buildCommand({ level: 100, forMs: 3600_000, from: Date.UTC(2099, 0, 1), randomDelayS: 1800, slot: 15 }, Date.UTC(2099, 0, 1));
    expect(encodeFrame({ type: 'CMD', seq: 65535, command: c }).length).toBeLessThanOrEqual(200);
    expect(newEventId(Date.UTC(2099, 11, 31)).length).toBeLessThanOrEqual(24);
  });
});
