import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ModbusGatewaySim, type GatewayOptions } from '../../src/sim/modbus/gateway.js';
import { ModbusPort } from '../../src/protocols/modbus/port.js';
import { ModbusExceptionError } from '../../src/protocols/modbus/types.js';
import { parseFault } from '../../src/sim/modbus/faults.js';
import { loadProfileFile } from '../../src/runtime/validate.js';
import { repoRoot, startCli, type CliProcess } from './cli.js';

// The Modbus TCP → RS485 gateway simulator (`gridbridge sim modbus-gateway`): unit-id routing to several units with
// their own profiles, one transaction at a time on the line whatever the number of TCP clients, and the gateway
// exceptions of the MODBUS Application Protocol (0x0B target failed to respond, 0x0A path unavailable).
const profile = (id: string) => loadProfileFile(join(repoRoot, 'device-profiles', `${id}.yaml`)).profile!;
const stops: Array<() => Promise<void>> = [];
const procs: CliProcess[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
  for (const p of procs.splice(0).reverse()) await p.stop();
});

async function gateway(extra: Partial<GatewayOptions> = {}) {
  const gw = new ModbusGatewaySim({ units: [{ unitId: 1, profile: profile('eastron-sdm630') }, { unitId: 2, profile: profile('schneider-pm5560') }], baud: 9600, responseTimeoutMs: 300, ...extra });
  const { port } = await gw.listenTcp(0);
  const client = (maxInFlight = 1) => {
    const mb = new ModbusPort({ tcp: { host: '127.0.0.1', port } }, { site: 'gw', timeoutMs: 2000, retries: 0, maxInFlight });
    mb.start();
    stops.push(() => mb.stop());
    return mb;
  };
  stops.push(() => gw.close());
  return { gw, client };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('gridbridge sim modbus-gateway', () => {
  it('routes each unit id to its own profile (FC4 floats on the SDM630, FC3 on the PM5560)', async () => {
    const { client } = await gateway({ faults: [parseFault('exception=3,unit=1,fn=holding')] });
    const mb = client();
    const v = await mb.readRaw({ fc: 4, unitId: 1, address: 0x0000, count: 2 });
    const volts = Buffer.from(v.registers!.flatMap((r) => [r >> 8, r & 0xff])).readFloatBE(0);
    expect(volts).toBeGreaterThan(150);
    expect(volts).toBeLessThan(300);
    expect((await mb.readRaw({ fc: 3, unitId: 2, address: 3059, count: 2 })).registers).toHaveLength(2);
    // A slave's own exception (here 3 from unit 1's holding registers) comes back through the gateway unchanged.
    const e = await failure(mb.readRaw({ fc: 3, unitId: 1, address: 0, count: 2 }));
    expect(e).toBeInstanceOf(ModbusExceptionError);
    expect((e as ModbusExceptionError).code).toBe(3);
  });

  it('answers 0x0B for a unit that is not on the line, and for a unit that stays silent', async () => {
    const { gw, client } = await gateway({ faults: [parseFault('silent,unit=2')] });
    const outcomes: string[] = [];
    gw.on('transaction', (t) => outcomes.push(`${t.unitId}:${t.outcome}`));
    const mb = client();
    for (const unitId of [9, 2]) {
      const e = await failure(mb.readRaw({ fc: 3, unitId, address: 0, count: 1 }));
      expect(e, `unit ${unitId}`).toBeInstanceOf(ModbusExceptionError);
      expect((e as ModbusExceptionError).code).toBe(0x0b);
    }
    expect(outcomes).toEqual(['9:no_answer', '2:no_answer']);
  });

  it('with a routing table, refuses an unknown unit with 0x0A without touching the line', async () => {
    const { gw, client } = await gateway({ unknownUnit: 0x0a });
    const outcomes: string[] = [];
    gw.on('transaction', (t) => outcomes.push(t.outcome));
    const e = await failure(client().readRaw({ fc: 4, unitId: 77, address: 0, count: 2 }));
    expect((e as ModbusExceptionError).code).toBe(0x0a);
    expect(outcomes).toEqual(['path_unavailable']);
    expect(gw.sim.requests).toBe(0); // no slave saw it
  });

  it('keeps one transaction at a time on the RS485 line across several TCP clients', async () => {
    const { gw, client } = await gateway();
    let onLine = 0;
    let most = 0;
    gw.sim.on('request', () => (most = Math.max(most, ++onLine)));
    gw.on('transaction', () => onLine--);
    const a = client(4);
    const b = client(4);
    const reads = [];
    for (let i = 0; i < 6; i++) reads.push(a.readRaw({ fc: 4, unitId: 1, address: 0, count: 2 }), b.readRaw({ fc: 3, unitId: 2, address: 2999, count: 2 }));
    await Promise.all(reads);
    expect(gw.sim.requests).toBe(12);
    expect(most).toBe(1);
  });

  it('as a command: serves a site mapping behind one gateway port and refuses a bad --unknown-unit', async () => {
    const gw = startCli(['sim', 'modbus-gateway', '--mapping', join(repoRoot, 'mappings', 'pilot-bg-meters.yaml'), '--tcp', '0', '--baud', '0']);
    procs.push(gw);
    expect((await gw.waitFor((e) => e.event === 'listening', 'listening')).units).toEqual([1, 2, 3, 4]);
    const bad = startCli(['sim', 'modbus-gateway', '--unit', '1', '--profile', 'eastron-sdm120', '--tcp', '0', '--unknown-unit', '7']);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toMatch(/--unknown-unit must be 0x0A, 0x0B or silent/);
  });
});
