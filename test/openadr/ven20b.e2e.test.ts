import { afterEach, describe, expect, it } from 'vitest';
import { quality } from '../../src/core/point.js';
import { point, rig, type Rig } from './harness.js';

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

describe('2.0b VEN ↔ VTN simulator, PULL', () => {
  it('registers, registers METADATA reports, and polls at the VTN poll frequency', async () => {
    r = await rig();
    const { ven, vtn, log } = r;
    expect(ven.state).toBe('up');
    expect(ven.registrationID).toMatch(/^reg-/);
    const sim = vtn.ven(ven.venID!);
    expect(sim.metadata.map((m) => m.reportName)).toEqual(['METADATA_TELEMETRY_USAGE', 'METADATA_TELEMETRY_STATUS']);
    expect(sim.metadata[0]!.descriptions.map((d) => [d.rID, d.itemBase?.kind])).toEqual([
      ['meter1/W', 'powerReal'],
      ['meter1/WH', 'energyReal'],
    ]);
    await r.step(30_000);
    expect(log.filter((e) => e.event === 'received' && e.type === 'oadrPoll').length).toBe(4); // t=0,10,20,30
  });

  it('sends oadrUpdateReport at the requested granularity and report-back duration, then stops on cancel with reportToFollow', async () => {
    r = await rig();
    const { ven, vtn, log, points, clock } = r;
    const rr = vtn.requestReport(ven.venID!, { report: 'TELEMETRY_USAGE', granularity: 10, reportBack: 30, duration: 0, rIDs: ['meter1/W'] });
    points.update(point('meter1', 'W', 1500, clock.now()));
    await r.step(10_000); // poll delivers oadrCreateReport
    expect(ven.pendingReports()).toEqual([rr]);
    expect(log.find((e) => e.event === 'oadrCreatedReport')?.responseCode).toBe(200);
    points.update(point('meter1', 'W', 1600, clock.now()));
    await r.step(30_000);
    const reports = log.filter((e) => e.event === 'report');
    expect(reports.length).toBe(3); // 3 samples of 10 s in one 30 s report
    expect(reports.map((e) => e.value)).toEqual([1500, 1600, 1600]); // first sample taken when the request arrived
    expect(reports[0]!.quality).toBe('Quality Good - Non Specific');
    points.update(point('meter1', 'W', 0, clock.now(), quality('not_connected', 'link down')));
    vtn.cancelReport(ven.venID!, rr, true);
    await r.step(12_000);
    expect(ven.pendingReports()).toEqual([]);
    const last = log.filter((e) => e.event === 'report').at(-1)!;
    expect(last.quality).toBe('Quality Bad - Not Connected');
    const n = log.filter((e) => e.event === 'report').length;
    await r.step(60_000);
    expect(log.filter((e) => e.event === 'report').length).toBe(n);
  });

  it('events become ControlIntents with expiry; cancel retracts them; oadrCreatedEvent carries the opt', async () => {
    r = await rig();
    const { ven, vtn, controls, cancels, clock } = r;
    const t0 = clock.now();
    vtn.addEvent(ven.venID!, { id: 'evt-1', signal: 'SIMPLE', type: 'level', startIn: 60, intervals: [{ duration: 600, value: 1 }, { duration: 300, value: 3 }], responseRequired: 'always', testEvent: false, marketContext: 'http://m' });
    await r.step(10_000);
    expect(controls.map((c) => [c.target.name, c.cap, c.validTo - c.validFrom])).toEqual([
      ['WMaxLimPct', 50, 600_000],
      ['WMaxLimPct', 0, 300_000],
    ]);
    expect(controls[0]!.validFrom).toBe(t0 + 60_000);
    expect(controls[0]!.sourceClass).toBe('aggregator');
    expect(vtn.ven(ven.venID!).optResponses).toEqual([{ eventID: 'evt-1', optType: 'optIn', responseCode: 200 }]);
    vtn.cancelEvent(ven.venID!, 'evt-1');
    await r.step(10_000);
    expect(cancels.map((c) => c.id).sort()).toEqual(controls.map((c) => c.id).sort());
    expect(ven.activeControls()).toEqual([]);
  });

  it('a modified event replaces its intents; an unbound signal opts out', async () => {
    r = await rig();
    const { ven, vtn, controls, cancels } = r;
    vtn.addEvent(ven.venID!, { id: 'e2', signal: 'LOAD_DISPATCH', type: 'setpoint', startIn: 0, intervals: [{ duration: 900, value: -2000 }], responseRequired: 'always', testEvent: false, marketContext: 'http://m' });
    await r.step(10_000);
    expect(controls.at(-1)!.value).toBe(-2000);
    vtn.addEvent(ven.venID!, { id: 'e2', signal: 'LOAD_DISPATCH', type: 'setpoint', startIn: 0, intervals: [{ duration: 900, value: -1000 }], responseRequired: 'always', testEvent: false, marketContext: 'http://m' });
    await r.step(10_000);
    expect(controls.at(-1)!.value).toBe(-1000);
    expect(cancels.length).toBe(1);
    vtn.addEvent(ven.venID!, { id: 'e3', signal: 'ELECTRICITY_PRICE', type: 'price', startIn: 0, intervals: [{ duration: 900, value: 0.3 }], responseRequired: 'always', testEvent: false, marketContext: 'http://m' });
    await r.step(10_000);
    expect(vtn.ven(ven.venID!).optResponses.at(-1)).toEqual({ eventID: 'e3', optType: 'optOut', responseCode: 200 });
  });

  it('re-registration on request keeps working; cancel registration by the VTN cancels controls and stops polling', async () => {
    r = await rig();
    const { ven, vtn, log, cancels } = r;
    const venID = ven.venID!;
    vtn.addEvent(venID, { id: 'e4', signal: 'SIMPLE', type: 'level', startIn: 0, intervals: [{ duration: 3600, value: 2 }], responseRequired: 'never', testEvent: false, marketContext: 'http://m' });
    await r.step(10_000);
    expect(ven.activeControls().length).toBe(1);
    vtn.requestReregistration(venID);
    await r.step(10_000);
    expect(log.filter((e) => e.event === 'registered').length).toBe(2);
    expect(ven.state).toBe('up');
    vtn.addEvent(venID, { id: 'e5', signal: 'SIMPLE', type: 'level', startIn: 0, intervals: [{ duration: 3600, value: 2 }], responseRequired: 'never', testEvent: false, marketContext: 'http://m' });
    await r.step(10_000);
    vtn.cancelRegistration(venID);
    await r.step(10_000);
    expect(ven.registrationID).toBeUndefined();
    expect(ven.state).toBe('down');
    expect(cancels.length).toBeGreaterThanOrEqual(1);
    expect(ven.activeControls()).toEqual([]);
    const polls = log.filter((e) => e.type === 'oadrPoll').length;
    await r.step(30_000);
    expect(log.filter((e) => e.type === 'oadrPoll').length).toBe(polls);
  });

  it('VEN-initiated cancel registration and oadrCreateOpt', async () => {
    r = await rig();
    const { ven, vtn, log } = r;
    vtn.addEvent(ven.venID!, { id: 'e6', signal: 'SIMPLE', type: 'level', startIn: 0, intervals: [{ duration: 3600, value: 1 }], responseRequired: 'always', testEvent: false, marketContext: 'http://m' });
    await r.step(10_000);
    await ven.optEvent('e6', 0, 'optOut');
    expect(log.find((e) => e.event === 'opt')).toMatchObject({ optType: 'optOut', eventID: 'e6' });
    expect(ven.activeControls()).toEqual([]);
    await ven.cancelRegistration();
    expect(log.at(-1)).toMatchObject({ event: 'deregistered' });
    expect(ven.state).toBe('down');
  });
});
