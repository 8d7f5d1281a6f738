import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, type Clock } from '../../src/core/clock.js';
import type { ControlIntent } from '../../src/core/control.js';
import type { Point } from '../../src/core/point.js';
import { createLinePair, type LineDirection } from '../../src/protocols/sapc/loopback.js';
import type { SapcCommand, SapcFrame } from '../../src/protocols/sapc/frame.js';
import { SapcApplianceSim } from '../../src/sim/sapc/appliance.js';
import type { SlotConfig } from '../../src/protocols/sapc/receiver.js';
import { loadMappingFile, loadMappingText, validateFile } from '../../src/runtime/validate.js';
import { Site } from '../../src/runtime/site.js';
import { sapcSiteYaml } from './sapc-site.js';

// The `sapc` field connection with GridBridge as the meter end, against the appliance simulator on an in-memory
// SSP-1 line timed by a fake clock (9600 baud): commands are checked writes through the arbiter, held only when the
// appliance's status shows them, re-asserted when the appliance comes back, cancelled on expiry.
const root = join(__dirname, '..', '..');
const dirs: string[] = [];
let stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const s of stops.reverse()) await s();
  stops = [];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function mapping(slot = ''): string {
  return sapcSiteYaml('path: /dev/null-sapc-field-test, heartbeatSeconds: 10, statusS: 5, commandWindowS: 600', slot);
}

function rig(text = mapping(), applianceSlots: SlotConfig[] = [{ slot: 1, direction: 'import', device: 'ev1' }], applianceSkewMs = 0) {
  const dir = mkdtempSync(join(tmpdir(), 'gb-sapc-field-'));
  dirs.push(dir);
  const file = join(dir, 'site.yaml');
  writeFileSync(file, text);
  const load = loadMappingFile(file);
  expect(load.errors).toEqual([]);
  const clock = new FakeClock();
  let cut = false;
  const sent: SapcFrame[] = [];
  const line = createLinePair({ clock, baud: 9600, fault: (_d: LineDirection, t: string) => (cut ? null : t) });
  const site = new Site(load, { clock, sapcLines: { sapc: line.a }, stateDir: false, storeDir: false });
  // The appliance's own wall clock (skewed when asked), on the same timers.
  const applianceClock: Clock = { now: () => clock.now() + applianceSkewMs, monotonic: () => clock.monotonic(), setTimeout: (f, ms) => clock.setTimeout(f, ms), clearTimeout: (h) => clock.clearTimeout(h) };
  let sim = new SapcApplianceSim({ clock: applianceClock, write: (t) => line.b.write(t), slots: applianceSlots, session: { baudRate: 9600, heartbeatMs: 10_000 } });
  sim.session.on('frame', (f) => sent.push(f));
  line.b.onData((c) => sim.receive(c));
  const points = new Map<string, Point>();
  site.on('points', (pts) => pts.forEach((p) => points.set(`${p.device}/${p.name}`, p)));
  const warnings: string[] = [];
  site.on('warning', (w) => warnings.push(w));
  stops.push(
    () => site.stop(),
    () => sim.close(),
  );
  /** Advance the fake clock in small steps, letting promises run in between. */
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += 5) {
      clock.advance(5);
      for (let i = 0; i < 5; i++) await Promise.resolve();
      await new Promise((r) => setImmediate(r));
    }
  };
  const control = (id: string, value: number, forMs: number): ControlIntent => ({
    id,
    source: `test:${id}`,
    sourceClass: 'dso',
    target: { device: 'ev1', name: 'SAPCLevel' },
    value,
    validFrom: clock.now(),
    validTo: clock.now() + forMs,
  });
  const field = () => site.controls({ device: 'ev1', name: 'SAPCLevel' }).find((i) => i.governing)?.field;
  const commands = () => sent.filter((f): f is Extract<SapcFrame, { type: 'CMD' }> => f.type === 'CMD').map((f) => f.command);
  return {
    clock,
    site,
    run,
    control,
    field,
    points,
    warnings,
    commands,
    sent,
    sim: () => sim,
    cutLine: (v: boolean) => (cut = v),
    /** A new appliance process on the same line: it lost everything it held. */
    restartAppliance: () => {
      sim.close();
      sim = new SapcApplianceSim({ clock: applianceClock, write: (t) => line.b.write(t), slots: applianceSlots, session: { baudRate: 9600, heartbeatMs: 10_000 } });
      sim.session.on('frame', (f) => sent.push(f));
    },
  };
}

describe('sapc field connection (GridBridge as the meter end)', () => {
  it('validates: the shipped profile and mapping; a Modbus profile or a missing slot is refused with its place', () => {
    expect(validateFile(join(root, 'device-profiles', 'sapc-appliance.yaml'))).toMatchObject({ kind: 'sapc-profile', errors: [] });
    expect(loadMappingFile(join(root, 'mappings', 'pilot-sapc-lab.yaml')).errors).toEqual([]);
    const bad = loadMappingText(mapping().replace('profile: sapc-appliance', 'profile: eastron-sdm630').replace('device: ev1 }]', 'device: ev9 }]'), join(root, 'mappings', 'x.yaml'));
    const msgs = bad.errors.map((e) => `${e.path}: ${e.message}`);
    expect(msgs.some((m) => m.startsWith('connections.sapc.slots[0].device') && m.includes('unknown device "ev9"'))).toBe(true);
    expect(msgs.some((m) => m.includes('not a SAPC profile'))).toBe(true);
    expect(msgs.some((m) => m.includes('no slot drives it'))).toBe(true);
  });

  it('a control becomes a limit the appliance holds (confirmed by its status), ending with the control; expiry cancels it', async () => {
    const r = rig();
    await r.site.start();
    await r.run(200);
    // The fail-safe default (100 %) is confirmed from the first status; nothing of ours is in force at the appliance.
    expect(r.points.get('ev1/SAPCLevel')).toMatchObject({ value: 100, quality: { code: 'good' } });
    expect(r.points.get('ev1/x_SAPCSource')?.value).toBe('LOC');
    expect(r.commands()).toEqual([]);

    const res = r.site.submit(r.control('c1', 40, 60_000));
    expect(res.outcome).toBe('applied');
    await r.run(1000);
    const [cmd] = r.commands() as [SapcCommand];
    expect(cmd).toMatchObject({ slot: 1, direction: 'import', level: 40, source: 'load_controller', randomDelayS: 0 });
    // The command's window ends with the control (whole seconds, never later): if GridBridge dies, the appliance
    // falls back by itself (§4.3).
    expect(cmd.validTo).toBe(Math.floor(res.validTo / 1000) * 1000);
    expect(r.sim().level('ev1')).toBe(40);
    expect(r.field()).toMatchObject({ state: 'held', value: 40 });
    expect(r.points.get('ev1/SAPCLevel')?.value).toBe(40);
    expect(r.points.get('ev1/x_SAPCEvent')?.value).toBe(cmd.eventId);

    // A change is an update of the same event (SSP-1 §4.1 step 10), not a second command.
    r.site.submit(r.control('c1', 25, 60_000));
    await r.run(1000);
    expect(r.commands().at(-1)).toMatchObject({ level: 25, eventId: cmd.eventId });
    expect(r.sim().level('ev1')).toBe(25);

    // Expiry: the arbiter falls back to the default and the command is cancelled; the appliance runs its own plan.
    await r.run(60_000);
    expect(r.sent.some((f) => f.type === 'CAN' && f.eventId === cmd.eventId)).toBe(true);
    expect(r.sim().level('ev1')).toBe(100);
    expect(r.points.get('ev1/x_SAPCSource')?.value).toBe('LOC');
    expect(r.site.arbiter.audit.some((a) => a.action === 'expire' && a.intentId === 'c1')).toBe(true);
  }, 30_000);

  it('reports a refusal honestly (not held, with the NAK) and does not retry it', async () => {
    const r = rig(mapping(), [{ slot: 1, direction: 'import', device: 'ev1', sources: ['supplier'] }]);
    await r.site.start();
    await r.run(200);
    r.site.submit(r.control('c2', 30, 60_000));
    await r.run(3000);
    const f = r.field();
    expect(f?.state).toBe('not_held');
    expect(f?.reason).toMatch(/NAK REJECTED/);
    expect(r.commands()).toHaveLength(1); // a refusal is not resent
    expect(r.sim().level('ev1')).toBe(100);
  }, 30_000);

  it('a setpoint held lower by an emergency override at the appliance is reported not held, naming EMG', async () => {
    const r = rig(mapping(', as: setpoint'));
    await r.site.start();
    await r.run(200);
    const now = r.clock.now();
    r.sim().arbiter.submit({ id: 'emg-1', source: 'sapc:EMG', sourceClass: 'safety', target: { device: 'ev1', name: 'SAPCLevel' }, cap: 0, validFrom: now, validTo: now + 3_600_000 });
    await r.run(50);
    r.site.submit(r.control('c3', 60, 60_000));
    await r.run(1000);
    expect(r.field()).toMatchObject({ state: 'not_held' });
    expect(r.field()?.reason).toMatch(/at 0 % governed by EMG/);
  }, 30_000);

  it('the appliance gone: not held; back (restarted, state lost): the level is re-asserted and held again', async () => {
    const r = rig();
    await r.site.start();
    await r.run(200);
    r.site.submit(r.control('c4', 35, 600_000));
    await r.run(1000);
    expect(r.field()).toMatchObject({ state: 'held', value: 35 });
    const statuses: string[] = [];
    r.site.on('status', (s) => statuses.push(`${s.component}:${s.state}`));

    // The line goes silent: the next status request goes unanswered (4 transmissions) and the appliance is gone.
    r.cutLine(true);
    r.restartAppliance();
    await r.run(8000);
    expect(statuses).toContain('device:ev1:offline');
    expect(r.field()?.state).toBe('not_held');
    expect(r.points.get('ev1/x_SAPCLink')?.value).toBe('down');
    expect(r.sim().level('ev1')).toBe(100); // the restarted appliance lost the limit

    // The line returns: the first frame heard brings the device online and the site re-asserts the level.
    r.cutLine(false);
    await r.run(6000);
    expect(statuses).toContain('device:ev1:online');
    expect(r.sim().level('ev1')).toBe(35);
    expect(r.field()).toMatchObject({ state: 'held', value: 35 });
    expect(r.warnings.some((w) => /re-asserting ev1\/SAPCLevel=35/.test(w))).toBe(true);
  }, 30_000);

  it('renews a command before its window ends while the control lasts longer than commandWindowS', async () => {
    const r = rig();
    await r.site.start();
    await r.run(200);
    const res = r.site.submit(r.control('c5', 50, 1_500_000)); // 25 min; windows of 10 min
    await r.run(1000);
    const first = r.commands()[0]!;
    expect(first.validTo - r.clock.now()).toBeLessThanOrEqual(600_000);
    await r.run(600_000);
    const renewed = r.commands().filter((c) => c.eventId === first.eventId);
    expect(renewed.length).toBeGreaterThanOrEqual(2);
    expect(renewed.at(-1)!.validTo).toBeGreaterThan(first.validTo);
    expect(renewed.at(-1)!.validTo).toBeLessThanOrEqual(res.validTo);
    expect(r.sim().level('ev1')).toBe(50);
  }, 60_000);

  it('keeps the level in force when one control ends and another carries the same level on', async () => {
    const r = rig();
    await r.site.start();
    await r.run(200);
    r.site.submit(r.control('c6a', 50, 60_000));
    const later = r.site.submit({ ...r.control('c6b', 50, 180_000), sourceClass: 'owner' });
    await r.run(1000);
    expect(r.commands()[0]!.validTo).toBeLessThanOrEqual(r.clock.now() + 60_000);
    await r.run(62_000); // c6a ended; c6b (same level) governs now
    expect(r.sim().level('ev1')).toBe(50);
    expect(r.commands().at(-1)!.validTo).toBeGreaterThan(r.clock.now());
    expect(r.commands().at(-1)!.validTo).toBeLessThanOrEqual(later.validTo);
    expect(r.field()).toMatchObject({ state: 'held', value: 50 });
  }, 30_000);

  it('refuses what SSP-1 cannot carry, naming why, before anything is sent', async () => {
    const r = rig();
    expect(await r.site.write('ev1', 'SAPCLevel', 50)).toMatchObject({ ok: false, failure: 'not_connected' }); // not started
    await r.site.start();
    await r.run(200);
    expect(await r.site.write('ev1', 'x_SAPCSource', 'LC')).toMatchObject({ ok: false, failure: 'refused', reason: expect.stringMatching(/slot 1 sets SAPCLevel/) });
    expect(await r.site.write('ev1', 'SAPCLevel', 'max')).toMatchObject({ ok: false, failure: 'refused', reason: expect.stringMatching(/0\.\.100/) });
    expect(await r.site.write('ev1', 'SAPCLevel', 101)).toMatchObject({ ok: false, failure: 'refused' });
    expect(r.commands()).toEqual([]);
  }, 30_000);

  it('warns when the appliance clock is far off (it judges command windows by its own clock)', async () => {
    const r = rig(mapping(), undefined, 120_000);
    await r.site.start();
    await r.run(10_500); // the appliance's first heartbeat
    expect(r.warnings.filter((w) => /clock/.test(w))).toHaveLength(1);
    expect(r.warnings.some((w) => /appliance clock is 12\d s off ours/.test(w))).toBe(true);
  }, 30_000);

  it('takes the appliance plan (PLN, in parts) for its slot as a point; a plan for another slot is refused', async () => {
    const r = rig();
    await r.site.start();
    await r.run(200);
    const from = Math.floor(r.clock.now() / 1000) * 1000;
    const steps = Array.from({ length: 40 }, (_, i) => ({ offsetMin: i * 30, level: (i * 7) % 101 }));
    const sending = r.sim().sendPlan({ slot: 1, direction: 'import', eventId: 'plan-1', validFrom: from, validTo: from + 24 * 3600_000, steps, ratedW: 7400 });
    await r.run(5000);
    const answers = await sending;
    expect(answers.length).toBeGreaterThan(1); // more than one frame
    expect(answers.every((a) => a.type === 'ACK' && a.state === 'received')).toBe(true);
    const plan = JSON.parse(String(r.points.get('ev1/x_SAPCPlan')?.value));
    expect(plan).toMatchObject({ id: 'plan-1', from: new Date(from).toISOString(), ratedW: 7400 });
    expect(plan.steps).toEqual(steps.map((x) => [x.offsetMin, x.level]));
    const other = r.sim().sendPlan({ slot: 2, direction: 'import', eventId: 'plan-2', validFrom: from, validTo: from + 3600_000, steps: [{ offsetMin: 0, level: 50 }] });
    await r.run(1000);
    expect((await other)[0]).toMatchObject({ type: 'NAK', reason: 'SLOT' });
  }, 30_000);
});
