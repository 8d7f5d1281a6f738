/**
 * Regressions from the loopback interoperability run against openleadr-python (docs/openadr.md, "Interoperability").
 * No openleadr code is used here: the fake VTN below only reproduces the observed wire behaviour.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { serve, type ServerHandle } from '../../src/protocols/openadr/http.js';
import { serialize } from '../../src/protocols/openadr/oadr20b/build.js';
import { parse } from '../../src/protocols/openadr/oadr20b/parse.js';
import type { OadrMessage } from '../../src/protocols/openadr/oadr20b/types.js';
import { LatestPoints, toReportBindings } from '../../src/protocols/openadr/reports.js';
import { Ven20b } from '../../src/protocols/openadr/ven20b.js';
import { VtnSim20b } from '../../src/sim/openadr/vtn20b.js';
import { mapping, point, rig, type Rig } from './harness.js';
import { testPki } from './pki.js';
import { fingerprintFromPem } from '../../src/protocols/openadr/fingerprint.js';

const ok = (requestID: string) => ({ responseCode: 200, responseDescription: 'OK', requestID });

let r: Rig | undefined;
let server: ServerHandle | undefined;
afterEach(async () => {
  await r?.close();
  await server?.close();
  r = undefined;
  server = undefined;
});

describe('2.0b VEN against openleadr-style VTN behaviour', () => {
  it('report intervals carry exactly one oadrReportPayload each (one interval per rID and sample time)', async () => {
    r = await rig();
    r.points.update(point('meter1', 'W', 1234, r.clock.now()));
    r.points.update(point('meter1', 'WH', 99, r.clock.now()));
    await r.ven.start();
    await r.settle();
    const venID = r.ven.venID!;
    r.vtn.requestReport(venID, { id: 'usage', report: 'TELEMETRY_USAGE', granularity: 10, reportBack: 20, duration: 0 });
    await r.step(45_000);
    const reports = r.vtn.ven(venID).reports.filter((x) => x.reportRequestID === 'usage');
    expect(reports.length).toBeGreaterThan(0);
    const intervals = reports.flatMap((x) => x.intervals ?? []);
    expect(intervals.length).toBeGreaterThanOrEqual(4);
    expect(intervals.every((i) => i.payloads.length === 1)).toBe(true);
    // Both rIDs are still reported for every sample time.
    const byTime = new Map<number, string[]>();
    for (const i of intervals) byTime.set(i.dtstart, [...(byTime.get(i.dtstart) ?? []), i.payloads[0]!.rID]);
    for (const rids of byTime.values()) expect(rids.sort()).toEqual(['meter1/W', 'meter1/WH']);
  });

  it('accepts an empty HTTP 200 to its oadrResponse and an oadrResponse acknowledging oadrCancelPartyRegistration', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
    const seen: string[] = [];
    let polls = 0;
    const reply = (m: OadrMessage) => ({ status: 200, body: serialize(m), contentType: 'application/xml' });
    server = await serve(async (req) => {
      const msg = parse(req.body);
      seen.push(msg.type);
      switch (msg.type) {
        case 'oadrQueryRegistration':
        case 'oadrCreatePartyRegistration':
          return reply({
            type: 'oadrCreatedPartyRegistration',
            response: ok(msg.requestID),
            ...(msg.type === 'oadrCreatePartyRegistration' ? { registrationID: 'reg-1', venID: 'ven-1' } : {}),
            vtnID: 'vtn-1',
            profiles: [{ profileName: '2.0b', transports: ['simpleHttp'] }],
            pollFreqSec: 10,
          });
        case 'oadrRegisterReport':
          return reply({ type: 'oadrRegisteredReport', response: ok(msg.requestID), reportRequests: [], venID: 'ven-1' });
        case 'oadrPoll':
          polls++;
          return reply(polls === 1 ? { type: 'oadrRequestReregistration', venID: 'ven-1' } : { type: 'oadrResponse', response: ok('0'), venID: 'ven-1' });
        case 'oadrResponse':
          return { status: 200, body: '' };
        case 'oadrCancelPartyRegistration':
          return reply({ type: 'oadrResponse', response: ok(msg.requestID), venID: 'ven-1' });
        default:
          return { status: 500 };
      }
    });
    const errors: Error[] = [];
    const ven = new Ven20b({
      vtnUrl: server.url,
      venName: 'interop',
      transport: 'pull',
      reportOnly: false,
      pollFallbackSec: 10,
      policy: mapping.policy,
      reports: toReportBindings(mapping.reports),
      signals: mapping.signals,
      points: new LatestPoints(),
      clock,
    });
    ven.on('error', (e) => errors.push(e));
    await ven.start();
    for (let i = 0; i < 5; i++) {
      clock.advance(100);
      await ven.idle();
      await new Promise((res) => setImmediate(res));
    }
    expect(seen.filter((t) => t === 'oadrResponse')).toHaveLength(1);
    expect(seen.filter((t) => t === 'oadrCreatePartyRegistration')).toHaveLength(2); // re-registered
    expect(errors).toEqual([]);
    expect(ven.state).toBe('up');
    await ven.cancelRegistration();
    expect(ven.registrationID).toBeUndefined();
    expect(seen.at(-1)).toBe('oadrCancelPartyRegistration');
    await ven.stop();
  });
});

describe('2.0b VEN identity with a client certificate', () => {
  it('does not claim an unprovisioned venID on first registration and adopts the one the VTN assigns', async () => {
    const pki = testPki();
    const creates: Array<{ venID?: string; registrationID?: string }> = [];
    const later: string[] = [];
    server = await serve(
      async (req) => {
        const msg = parse(req.body);
        const reply = (m: OadrMessage) => ({ status: 200, body: serialize(m), contentType: 'application/xml' });
        const profiles = [{ profileName: '2.0b' as const, transports: ['simpleHttp' as const] }];
        if (msg.type === 'oadrQueryRegistration') return reply({ type: 'oadrCreatedPartyRegistration', response: ok(msg.requestID), vtnID: 'vtn-1', profiles });
        if (msg.type === 'oadrCreatePartyRegistration') {
          creates.push({ ...(msg.venID ? { venID: msg.venID } : {}), ...(msg.registrationID ? { registrationID: msg.registrationID } : {}) });
          // openleadr-python behaviour: a venID that was not provisioned out of band is refused with 463.
          if (msg.venID && msg.venID !== 'ven-assigned') return reply({ type: 'oadrResponse', response: { responseCode: 463, responseDescription: 'unknown venID', requestID: msg.requestID } });
          return reply({ type: 'oadrCreatedPartyRegistration', response: ok(msg.requestID), registrationID: 'reg-1', venID: 'ven-assigned', vtnID: 'vtn-1', profiles, pollFreqSec: 60 });
        }
        if ('venID' in msg && typeof msg.venID === 'string') later.push(msg.venID);
        if (msg.type === 'oadrRegisterReport') return reply({ type: 'oadrRegisteredReport', response: ok(msg.requestID), reportRequests: [], venID: 'ven-assigned' });
        if (msg.type === 'oadrCancelPartyRegistration') return reply({ type: 'oadrCanceledPartyRegistration', response: ok(msg.requestID), registrationID: 'reg-1', venID: 'ven-assigned' });
        return reply({ type: 'oadrResponse', response: ok('0'), venID: 'ven-assigned' });
      },
      { tls: { cert: pki.vtn.cert, key: pki.vtn.key, ca: pki.ca.cert } },
    );
    const ven = new Ven20b({
      vtnUrl: server.url,
      venName: 'interop',
      transport: 'pull',
      reportOnly: false,
      pollFallbackSec: 60,
      policy: mapping.policy,
      reports: toReportBindings(mapping.reports),
      signals: mapping.signals,
      points: new LatestPoints(),
      clock: new FakeClock(Date.UTC(2026, 0, 1, 12)),
      tls: { cert: pki.ven.cert, key: pki.ven.key, ca: pki.ca.cert },
    });
    expect(ven.venID).toBe(fingerprintFromPem(pki.ven.cert)); // shown before registration
    await ven.start();
    expect(creates).toEqual([{}]);
    expect(ven.state).toBe('up');
    expect(ven.venID).toBe('ven-assigned');
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((v) => v === 'ven-assigned')).toBe(true);
    await ven.cancelRegistration();
    expect(ven.venID).toBe(fingerprintFromPem(pki.ven.cert));
    await ven.stop();
  });
});

describe('2.0b VTN simulator against openleadr-style VEN behaviour', () => {
  it('parses oadrRequestEvent in the wire style observed from openleadr-python (inner default namespace, no replyLimit)', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<oadr:oadrPayload xmlns:oadr="http://openadr.org/oadr-2.0b/2012/07">
<oadr:oadrSignedObject xmlns:oadr="http://openadr.org/oadr-2.0b/2012/07" oadr:Id="oadrSignedObject"><oadr:oadrRequestEvent ei:schemaVersion="2.0b" xmlns:ei="http://docs.oasis-open.org/ns/energyinterop/201110"><eiRequestEvent xmlns="http://docs.oasis-open.org/ns/energyinterop/201110/payloads"><requestID>r-1</requestID><ei:venID>ven-9</ei:venID></eiRequestEvent></oadr:oadrRequestEvent></oadr:oadrSignedObject>
</oadr:oadrPayload>`;
    expect(parse(xml)).toEqual({ type: 'oadrRequestEvent', requestID: 'r-1', venID: 'ven-9' });
  });

  async function registered(): Promise<{ vtn: VtnSim20b; venID: string }> {
    const vtn = new VtnSim20b({ clock: new FakeClock(Date.UTC(2026, 0, 1, 12)) });
    const reg = await vtn.receive('EiRegisterParty', serialize({ type: 'oadrCreatePartyRegistration', requestID: 'q1', profileName: '2.0b', transportName: 'simpleHttp', reportOnly: false, xmlSignature: false, venName: 'ol', httpPullModel: true }));
    if (reg.type !== 'oadrCreatedPartyRegistration' || !reg.venID) throw new Error('not registered');
    return { vtn, venID: reg.venID };
  }

  it('answers oadrRequestEvent with an oadrDistributeEvent of the current events', async () => {
    const { vtn, venID } = await registered();
    const empty = await vtn.receive('EiEvent', serialize({ type: 'oadrRequestEvent', requestID: 'rq-1', venID }));
    expect(empty).toMatchObject({ type: 'oadrDistributeEvent', response: { responseCode: 200, requestID: 'rq-1' }, events: [] });
    vtn.addEvent(venID, { id: 'e1', signal: 'SIMPLE', type: 'level', startIn: 60, intervals: [{ duration: 600, value: 2 }], responseRequired: 'always', testEvent: false, marketContext: 'http://m' });
    vtn.addEvent(venID, { id: 'e2', signal: 'LOAD_DISPATCH', type: 'setpoint', startIn: 60, intervals: [{ duration: 600, value: -1500 }], responseRequired: 'always', testEvent: false, marketContext: 'http://m' });
    const two = await vtn.receive('EiEvent', serialize({ type: 'oadrRequestEvent', requestID: 'rq-2', venID }));
    expect(two.type === 'oadrDistributeEvent' && two.events.map((e) => e.eventID)).toEqual(['e1', 'e2']);
    const limited = await vtn.receive('EiEvent', serialize({ type: 'oadrRequestEvent', requestID: 'rq-3', venID, replyLimit: 1 }));
    expect(limited.type === 'oadrDistributeEvent' && limited.events.map((e) => e.eventID)).toEqual(['e1']);
  });

  it('still accepts a report sent before the VEN saw oadrCancelReport; forgets the request after oadrCanceledReport', async () => {
    const { vtn, venID } = await registered();
    const rr = vtn.requestReport(venID, { id: 'usage', report: 'TELEMETRY_USAGE', granularity: 2, reportBack: 4, duration: 0 });
    const update = (requestID: string) =>
      serialize({
        type: 'oadrUpdateReport',
        requestID,
        venID,
        reports: [{ dtstart: Date.UTC(2026, 0, 1, 12), durationSec: 2, intervals: [{ dtstart: Date.UTC(2026, 0, 1, 12), durationSec: 2, uid: '0', payloads: [{ rID: 'meter1/W', value: 1 }] }], eiReportID: 'x', descriptions: [], reportRequestID: rr, reportSpecifierID: 'TELEMETRY_USAGE', createdDateTime: Date.UTC(2026, 0, 1, 12) }],
      });
    vtn.cancelReport(venID, rr, false);
    expect(await vtn.receive('EiReport', update('u1'))).toMatchObject({ type: 'oadrUpdatedReport', response: { responseCode: 200 } });
    await vtn.receive('EiReport', serialize({ type: 'oadrCanceledReport', response: ok('c1'), pendingReports: [], venID }));
    expect(await vtn.receive('EiReport', update('u2'))).toMatchObject({ type: 'oadrUpdatedReport', response: { responseCode: 452 } });
  });
});
