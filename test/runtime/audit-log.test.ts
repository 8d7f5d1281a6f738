import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../src/runtime/audit-log.js';
import type { AuditEntry } from '../../src/core/arbitration/index.js';

const dir = mkdtempSync(join(tmpdir(), 'gb-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const entry = (i: number): AuditEntry => ({ at: 1_700_000_000_000 + i, action: 'submit', intentId: `i${i}`, source: 'mqtt', target: { device: 'inverter', name: 'WMaxLimPct' }, value: i } as AuditEntry);

describe('control audit log', () => {
  it('survives a restart (a new instance appends after the old entries) and tolerates a torn last line', () => {
    const file = join(dir, 'state', 'audit.jsonl');
    const a = new AuditLog(file, 'site1');
    a.append(entry(1));
    a.append(entry(2));
    appendFileSync(file, '{"at": 17000000'); // power cut mid-line
    const b = new AuditLog(file, 'site1');
    b.append(entry(3));
    const r = b.read();
    expect(r.entries.map((e) => e.intentId)).toEqual(['i1', 'i2', 'i3']);
    expect(r.entries[0]).toMatchObject({ site: 'site1', action: 'submit', value: 1, target: { device: 'inverter', name: 'WMaxLimPct' } });
    expect(r.skipped).toEqual([`${file}:3`]);
  });

  it('rotates at the size bound and keeps one older generation', () => {
    const file = join(dir, 'rot.jsonl');
    const a = new AuditLog(file, 's', { maxBytes: 600 });
    for (let i = 0; i < 10; i++) a.append(entry(i));
    const r = a.read();
    expect(r.skipped).toEqual([]);
    const ids = r.entries.map((e) => Number(e.intentId!.slice(1)));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(ids.at(-1)).toBe(9);
    expect(ids.length).toBeLessThan(10);
    expect(ids.length).toBeGreaterThan(2);
  });
});
