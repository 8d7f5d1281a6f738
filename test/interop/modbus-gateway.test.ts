/**
 * mbpoll (libmodbus, an independent Modbus TCP client) against `gridbridge sim modbus-gateway`: unit-id routing to
 * two RS485-style units with different profiles, and the gateway exception codes as libmodbus names them
 * (MODBUS Application Protocol V1.1b3, 7: 0x0A gateway path unavailable, 0x0B gateway target failed to respond).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ModbusGatewaySim, type GatewayOptions } from '../../src/sim/modbus/gateway.js';
import { loadProfile } from '../../src/sim/modbus/profile-file.js';

const run = promisify(execFile);
const hasMbpoll = existsSync('/usr/bin/mbpoll');
if (!hasMbpoll) console.warn('[modbus-gateway interop] SKIPPING: mbpoll not installed (apt-get install -y mbpoll)');
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function gateway(o: Partial<GatewayOptions> = {}): Promise<string> {
  const gw = new ModbusGatewaySim({ units: [{ unitId: 3, profile: loadProfile('eastron-sdm630') }, { unitId: 5, profile: loadProfile('carlo-gavazzi-em24') }], baud: 9600, responseTimeoutMs: 300, ...o });
  closers.push(() => gw.close());
  return String((await gw.listenTcp(0)).port);
}
/** mbpoll once (-1), 0-based addresses (-0); resolves with stdout, or the error output when it failed. */
async function mbpoll(port: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await run('mbpoll', ['-m', 'tcp', '-p', port, '-0', '-1', '-o', '2', ...args, '127.0.0.1'], { timeout: 15000 });
    return { ok: true, out: r.stdout };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

describe.skipIf(!hasMbpoll)('mbpoll → gridbridge sim modbus-gateway', () => {
  it('reads each unit through the one TCP port with its own profile (FC4 float, FC3 INT32)', async () => {
    const port = await gateway();
    const v = await mbpoll(port, ['-a', '3', '-t', '3:float', '-B', '-r', '0', '-c', '1']);
    expect(v.ok, v.out).toBe(true);
    const volts = Number(/\[0\]:\s*(-?[\d.]+)/.exec(v.out)?.[1]);
    expect(volts).toBeGreaterThan(150);
    expect(volts).toBeLessThan(300);
    const w = await mbpoll(port, ['-a', '5', '-t', '4', '-r', '40', '-c', '2']);
    expect(w.ok, w.out).toBe(true);
    expect(w.out).toMatch(/\[40\]:/);
  });

  it('sees 0x0B (target failed to respond) for a unit not on the line, 0x0A (path unavailable) with a routing table', async () => {
    const r = await mbpoll(await gateway(), ['-a', '9', '-t', '4', '-r', '0', '-c', '1']);
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/target device failed to respond/i);
    const p = await mbpoll(await gateway({ unknownUnit: 0x0a }), ['-a', '9', '-t', '4', '-r', '0', '-c', '1']);
    expect(p.ok).toBe(false);
    expect(p.out).toMatch(/gateway path unavailable/i);
  });
});
