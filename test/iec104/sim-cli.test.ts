import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as probe } from '../../src/cli/commands/probe-iec104.js';
import { Iec104Client } from '../../src/protocols/iec104/client.js';
import { TypeId } from '../../src/protocols/iec104/constants.js';
import { loadIec104Mapping } from '../../src/sim/iec104/config.js';
import { parseCommand } from '../../src/protocols/iec104/requests.js';
import { SimRtu } from '../../src/sim/iec104/rtu.js';

let rtu: SimRtu;
let port: number;
beforeAll(async () => {
  rtu = new SimRtu({ port: 0, host: '127.0.0.1', changeEveryMs: 0, linkDown: [5006] });
  port = (await rtu.start()).port;
});
afterAll(() => rtu.stop());

async function runProbe(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const w = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  try {
    const code = await probe(['--host', '127.0.0.1', '--port', String(port), '--timeout', '2000', ...args]);
    return { code, out };
  } finally {
    w.mockRestore();
    e.mockRestore();
  }
}

describe('sim iec104 + probe iec104', () => {
  it('the simulator listens on loopback unless told otherwise (like the other simulators)', async () => {
    const sim = new SimRtu({ port: 0, changeEveryMs: 0 });
    try {
      expect((await sim.start()).host).toBe('127.0.0.1');
    } finally {
      await sim.stop();
    }
  });

  it('gi --json lists every built-in point as JSON lines', async () => {
    const { code, out } = await runProbe(['--json', 'gi']);
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const points = lines.filter((l) => l.event === 'point' && l.cot === 20);
    expect(points.map((p) => p.ioa)).toEqual(expect.arrayContaining([100, 101, 200, 201, 300, 301, 400, 401, 500, 501, 600, 601, 700, 709, 710]));
    expect(lines.at(-1)).toMatchObject({ event: 'result', ok: true, stage: 'term' });
  });

  it('commands: direct, SBO required, field link down, unknown IOA', async () => {
    expect((await runProbe(['cmd', 'sc', '5000', 'off'])).code).toBe(0);
    expect((await runProbe(['cmd', 'dc', '5001', 'on'])).code).toBe(1);
    expect((await runProbe(['cmd', 'dc', '5001', 'on', '--sbo'])).code).toBe(0);
    expect((await runProbe(['cmd', 'se-nc', '5005', '42.5', '--sbo', '--with-time'])).code).toBe(0);
    expect(rtu.server.store.get(1, 705 - 5)?.obj.value).toBe(42.5);
    expect((await runProbe(['cmd', 'rc', '5002', 'higher'])).code).toBe(0);
    expect(rtu.server.store.get(1, 300)?.obj.value).toBe(6);
    const down = await runProbe(['cmd', 'bo', '5006', '0xff']);
    expect(down.code).toBe(1);
    expect(down.out).toMatch(/negative/);
    expect((await runProbe(['cmd', 'sc', '4999', 'on'])).out).toMatch(/COT 47/);
  });

  it('ci, cs, rd', async () => {
    const ci = await runProbe(['ci']);
    expect(ci.code).toBe(0);
    expect(ci.out).toMatch(/M_IT_NA_1/);
    expect((await runProbe(['cs'])).code).toBe(0);
    expect((await runProbe(['rd', '600'])).code).toBe(0);
    expect((await runProbe(['rd', '9999'])).code).toBe(1);
  });

  it('usage errors exit 2, unreachable host exits 1', async () => {
    expect((await runProbe(['cmd', 'xx', '1', 'on'])).code).toBe(2);
    expect((await runProbe(['cmd', 'sc', '1', 'maybe'])).code).toBe(2);
    expect((await runProbe([])).code).toBe(2);
    let out = '';
    const w = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    const code = await probe(['--host', '127.0.0.1', '--port', '1', '--timeout', '500', 'gi']).finally(() => w.mockRestore());
    expect(code).toBe(1);
    expect(out).toMatch(/ECONNREFUSED|failed/);
  });

  it('values move and are sent spontaneously', async () => {
    const client = new Iec104Client({ hosts: [{ host: '127.0.0.1', port }], reconnect: false });
    const spont: number[] = [];
    client.on('object', (u: { cot: number; object: { ioa: number } }) => u.cot === 3 && spont.push(u.object.ioa));
    await client.connect();
    rtu.step();
    const end = Date.now() + 2000;
    while (!spont.includes(700) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    client.close();
    expect(spont).toContain(700);
  });

  it('return information (COT 11) comes between ACT_CON and ACT_TERM (IEC 60870-5-5 command transmission)', async () => {
    // Cross-checked with lib60870-C 2.4.1 as controlling station: before the fix the echo preceded ACT_CON.
    const client = new Iec104Client({ hosts: [{ host: '127.0.0.1', port }], reconnect: false });
    const seen: string[] = [];
    client.on('asdu', (a: { typeId: number; cot: number }) => seen.push(`${a.typeId}/${a.cot}`));
    await client.connect();
    const r = await client.command({ typeId: TypeId.C_SC_NA_1, ioa: 5000, value: true });
    client.close();
    expect(r.ok).toBe(true);
    const con = seen.indexOf(`${TypeId.C_SC_NA_1}/7`);
    const ret = seen.indexOf(`${TypeId.M_SP_NA_1}/11`);
    const term = seen.indexOf(`${TypeId.C_SC_NA_1}/10`);
    expect(con).toBeGreaterThanOrEqual(0);
    expect(ret).toBeGreaterThan(con);
    expect(term).toBeGreaterThan(ret);
  });

  it('parses command values', () => {
    expect(parseCommand('sc', '1', 'on')).toEqual({ typeId: TypeId.C_SC_NA_1, ioa: 1, value: true });
    expect(parseCommand('dc', '1', 'off')).toEqual({ typeId: TypeId.C_DC_NA_1, ioa: 1, value: 1 });
    expect(parseCommand('se-na', '1', '1.5')).toMatch(/normalized/);
    expect(parseCommand('bo', '1', '0x10')).toEqual({ typeId: TypeId.C_BO_NA_1, ioa: 1, value: 16 });
  });

  it('serves a mapping file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gb-iec104-'));
    try {
      const f = join(dir, 'site.yaml');
      writeFileSync(f, 'upstream:\n  iec104:\n    commonAddress: 7\n    points:\n      - { device: m1, name: W, ioa: 11, type: M_ME_NC_1 }\n    commands:\n      - { device: inv, name: WMaxLimPct, ioa: 21, type: C_SE_NC_1, sbo: true }\n');
      const m = loadIec104Mapping(f);
      expect(m.commonAddress).toBe(7);
      writeFileSync(f, 'iec104:\n  points:\n    - { device: m1, name: W, ioa: -1, type: M_ME_NC_1 }\n');
      expect(() => loadIec104Mapping(f)).toThrow(/iec104\.points\[0\]\.ioa/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
