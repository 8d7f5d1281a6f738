import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, systemClock } from '../../src/core/clock.js';
import { Arbiter } from '../../src/core/arbitration/index.js';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { startStation } from './station.js';
import { SapcMeterSim } from '../../src/sim/sapc/meter.js';
import { buildCommand } from '../../src/protocols/sapc/client.js';
import { createLinePair } from '../../src/protocols/sapc/loopback.js';
import { sapcSlotSchema } from '../../src/protocols/sapc/mapping.js';
import { SapcSession } from '../../src/protocols/sapc/session.js';
import { loadMappingFile } from '../../src/runtime/validate.js';
import { Site } from '../../src/runtime/site.js';
import type { UpstreamContext } from '../../src/runtime/adapter.js';
import { SapcUpstreamHandler } from '../../src/runtime/adapters/sapc.js';

const root = join(__dirname, '..', '..');
let sim: ModbusSimulator;
let dir: string;
let site: Site | undefined;
let meter: SapcMeterSim | undefined;

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  for (let waited = 0; !cond() && waited < ms; waited += 20) await new Promise((r) => setTimeout(r, 20));
}

beforeAll(async () => {
  let addr: { port: number };
  ({ sim, ...addr } = await startStation({ 1: 'dcbel-station-inverter' }));
  dir = mkdtempSync(join(tmpdir(), 'gb-sapc-'));
  writeFileSync(
    join(dir, 'site.yaml'),
    `mapping: 1
site: { id: uk-home }
profileDirs: [${JSON.stringify(join(root, 'device-profiles'))}]
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${addr.port}, timeoutMs: 500 }
devices:
  - { id: inverter, profile: dcbel-station-inverter, connection: bus, unit: 1 }
upstream:
  sapc:
    port: { path: /dev/null-sapc-test }
    slots:
      - { slot: 1, direction: import, device: inverter, point: WMaxLimPct, default: 100 }
`,
  );
});
afterAll(async () => {
  meter?.stop();
  await site?.stop();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sapc upstream adapter', () => {
  it('the example mapping mappings/pilot-sapc-appliance.yaml is valid', () => {
    expect(loadMappingFile(join(root, 'mappings', 'pilot-sapc-appliance.yaml')).errors).toEqual([]);
  });

  it('turns SSP-1 overrides into arbitrated writes that fall back to the slot default on expiry and cancel', async () => {
    const load = loadMappingFile(join(dir, 'site.yaml'));
    expect(load.errors).toEqual([]);
    const line = createLinePair({ clock: systemClock });
    site = new Site(load, { adapters: { sapc: { line: line.b } } });
    const writes: number[] = [];
    site.on('write', (w) => {
      if (w.name === 'WMaxLimPct' && w.ok) writes.push(w.value as number);
    });
    const meterSession = new SapcSession({ write: (t) => line.a.write(t), clock: systemClock, sendHeartbeats: false });
    line.a.onData((c) => meterSession.receive(c));
    meter = new SapcMeterSim(meterSession, systemClock, (t) => line.a.write(t));
    await site.start();

    // No `controls:` default: the slot's default plan (100 %) is applied from the start.
    await until(() => writes.length >= 1);
    expect(writes).toEqual([100]);

    // A load-controller limit of 40 % for ~1-2 s (SSP-1 windows are whole seconds): a cap, then back to 100.
    const cap = await meter.send({ type: 'CMD', command: buildCommand({ level: 40, forMs: 2000, source: 'load_controller', eventId: 'lc-1' }, Date.now()) });
    expect(cap.reply).toMatchObject({ type: 'ACK', state: 'applied', eventId: 'lc-1' });
    await until(() => writes.length >= 3, 4000);
    expect(writes).toEqual([100, 40, 100]);
    expect(site.arbiter.audit.some((a) => a.action === 'expire' && a.intentId === 'lc-1')).toBe(true);

    // A supplier setpoint of 25 % for a minute; the status request reports it; the meter cancels it.
    const sup = await meter.send({ type: 'CMD', command: buildCommand({ level: 25, forMs: 60_000, source: 'supplier', eventId: 'sup-1' }, Date.now()) });
    expect(sup.reply).toMatchObject({ type: 'ACK', state: 'applied' });
    await until(() => writes.length >= 4);
    expect(writes.at(-1)).toBe(25);
    const sta = await meter.send({ type: 'STQ', slot: 1 });
    expect(sta.reply).toMatchObject({ type: 'STA', slot: 1, level: 25, source: 'supplier', eventId: 'sup-1' });
    const can = await meter.send({ type: 'CAN', eventId: 'sup-1', source: 'supplier', slot: 1 });
    expect(can.reply).toMatchObject({ type: 'ACK', state: 'cancelled' });
    await until(() => writes.length >= 5);
    expect(writes).toEqual([100, 40, 100, 25, 100]);
    const idle = await meter.send({ type: 'STQ', slot: 1 });
    expect(idle.reply).toMatchObject({ type: 'STA', level: 100, source: 'local' });
    expect(idle.reply && 'eventId' in idle.reply ? idle.reply.eventId : undefined).toBeUndefined();

    // Refusals: unknown event, unconfigured slot.
    expect((await meter.send({ type: 'CAN', eventId: 'nope', source: 'supplier' })).reply).toMatchObject({ type: 'NAK', reason: 'NOT_FOUND' });
    const wrongSlot = await meter.send({ type: 'CMD', command: buildCommand({ level: 10, forMs: 60_000, slot: 2 }, Date.now()) });
    expect(wrongSlot.reply).toMatchObject({ type: 'NAK', reason: 'SLOT' });
    expect(writes).toEqual([100, 40, 100, 25, 100]);
  }, 15_000);
});

describe('SapcUpstreamHandler', () => {
  function rig(random: () => number) {
    const clock = new FakeClock();
    const arbiter = new Arbiter({ clock, random, targets: [{ device: 'ev', name: 'SAPCLevel', min: 0, max: 100 }] });
    const ctx = {
      clock,
      submit: (i, o) => arbiter.submit(i, o),
      cancel: (id, source) => void arbiter.cancel(id, source),
      effective: (device, name) => arbiter.effective({ device, name }),
    } as Pick<UpstreamContext, 'clock' | 'submit' | 'cancel' | 'effective'> as UpstreamContext;
    const slot = sapcSlotSchema.parse({ slot: 1, device: 'ev', point: 'SAPCLevel', sources: ['supplier', 'load_controller'] });
    return { clock, arbiter, handler: new SapcUpstreamHandler([slot], ctx) };
  }

  it('draws the random delay once per event id and marks the intent randomised', () => {
    let draw = 0.5;
    const { clock, arbiter, handler } = rig(() => draw);
    const now = clock.now();
    const cmd = buildCommand({ level: 30, forMs: 3_600_000, source: 'supplier', eventId: 'r1', randomDelayS: 600 }, now);
    expect(handler.onCommand(cmd)).toEqual({ ok: true, state: 'scheduled' });
    const [held] = arbiter.list();
    expect(held).toMatchObject({ randomised: true, validFrom: now + 300_000, validTo: cmd.validTo + 300_000, value: 30 });
    // The same command again (resent with a new SEQ): same delay, an identical resubmission.
    draw = 0.9;
    expect(handler.onCommand(cmd)).toEqual({ ok: true, state: 'duplicate' });
    expect(arbiter.list()).toHaveLength(1);
    clock.advance(300_000);
    expect(arbiter.effective({ device: 'ev', name: 'SAPCLevel' }).value).toBe(30);
  });

  it('refuses sources the slot does not accept, and cancels only what it accepted and has not expired', () => {
    const { clock, arbiter, handler } = rig(() => 0);
    expect(handler.onCommand(buildCommand({ level: 30, forMs: 60_000, source: 'owner' }, clock.now()))).toMatchObject({ ok: false, reason: 'REJECTED', field: 'src' });
    expect(handler.onCommand(buildCommand({ level: 20, forMs: 10_000, source: 'load_controller', eventId: 'c1' }, clock.now()))).toEqual({ ok: true, state: 'applied' });
    expect(arbiter.effective({ device: 'ev', name: 'SAPCLevel' })).toMatchObject({ value: 20, basis: 'cap' });
    expect(handler.onCancel('c1', 'supplier', 1)).toMatchObject({ ok: false, reason: 'NOT_FOUND' });
    clock.advance(10_000);
    expect(handler.onCancel('c1', 'load_controller', 1)).toMatchObject({ ok: false, reason: 'NOT_FOUND' });
    expect(handler.onCommand(buildCommand({ level: 50, forMs: 10_000, source: 'load_controller', eventId: 'c2' }, clock.now()))).toEqual({ ok: true, state: 'applied' });
    expect(handler.onCancel('c2', 'load_controller', undefined)).toEqual({ ok: true });
    expect(arbiter.effective({ device: 'ev', name: 'SAPCLevel' }).basis).toBe('none');
  });
});
