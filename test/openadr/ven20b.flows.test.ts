import { afterEach, describe, expect, it } from 'vitest';
import { quality } from '../../src/core/point.js';
import { request as httpRequest } from 'node:http';
import { request } from '../../src/protocols/openadr/http.js';
import { fingerprintFromPem } from '../../src/protocols/openadr/fingerprint.js';
import { serialize } from '../../src/protocols/openadr/oadr20b/build.js';
import { parse } from '../../src/protocols/openadr/oadr20b/parse.js';
import { testPki } from './pki.js';
import { point, rig, type Rig } from './harness.js';
import { sampleEvent } from './samples.js';

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

const ev = (id: string, value = 2, duration = 600) => ({ id, signal: 'SIMPLE', type: 'level', startIn: 0, intervals: [{ duration, value }], responseRequired: 'always' as const, testEvent: false, marketContext: 'http://m' });

describe('2.0b PUSH', () => {
  it('VTN pushes events and report requests to the VEN listener; replies travel in the HTTP response', async () => {
    r = await rig({ ven: { transport: 'push' } });
    const { ven, vtn, log, controls, points, clock } = r;
    const sim = vtn.ven(ven.venID!);
    expect(sim.pull).toBe(false);
    expect(sim.transportAddress).toBe(ven.pushListenUrl);
    vtn.addEvent(ven.venID!, ev('p1'));
    await r.settle();
    expect(controls.length).toBe(1);
    expect(log.find((e) => e.event === 'event_response')).toMatchObject({ eventID: 'p1', optType: 'optIn', responseCode: 200 });
    points.update(point('meter1', 'W', 42, clock.now()));
    vtn.requestReport(ven.venID!, { report: 'TELEMETRY_USAGE', granularity: 5, reportBack: 10, duration: 0 });
    await r.settle();
    expect(ven.pendingReports().length).toBe(1);
    await r.step(10_000);
    expect(log.filter((e) => e.event === 'report' && e.rID === 'meter1/W').map((e) => e.value)).toEqual([42, 42]);
    expect(log.some((e) => e.type === 'oadrPoll')).toBe(false);
    vtn.requestReregistration(ven.venID!);
    await r.step(2000);
    expect(log.filter((e) => e.event === 'registered').length).toBe(2);
  });

  it('answers garbage on the PUSH endpoint with 454', async () => {
    r = await rig({ ven: { transport: 'push' } });
    const res = await request('POST', `${r.ven.pushListenUrl}/OpenADR2/Simple/2.0b/EiEvent`, { body: '<oadrPayload><oops>' });
    const m = parse(res.body);
    expect(m.type === 'oadrResponse' && m.response.responseCode).toBe(454);
    // A 2.0a-namespace event pushed to the VEN: 459, and no control.
    const as20a = serialize({ type: 'oadrDistributeEvent', response: { responseCode: 200, requestID: 'r1' }, requestID: 'r1', vtnID: 'V', events: [sampleEvent] }).replaceAll('oadr-2.0b', 'oadr-2.0a');
    const refused = parse((await request('POST', `${r.ven.pushListenUrl}/OpenADR2/Simple/2.0b/EiEvent`, { body: as20a })).body);
    expect(refused.type === 'oadrResponse' && refused.response).toMatchObject({ responseCode: 459, requestID: 'r1' });
    expect(r.controls).toEqual([]);
  });
});

describe('PAS 1878 report-only CEM (seed 004) over mutual TLS', () => {
  it('registration, mutual authentication, device registration, initialisation, normal operation, exception, deregistration', async () => {
    const pki = testPki();
    const fp = fingerprintFromPem(pki.ven.cert);
    r = await rig({
      vtn: { tls: { cert: pki.vtn.cert, key: pki.vtn.key, ca: pki.ca.cert } },
      ven: { reportOnly: true, tls: { cert: pki.ven.cert, key: pki.ven.key, ca: pki.ca.cert } },
      start: false,
    });
    const { ven, vtn, log, points, clock, controls } = r;
    points.update(point('meter1', 'W', 3200, clock.now()));
    points.update(point('meter1', 'St', true, clock.now()));
    await ven.start();
    await r.settle();
    // Registration + mutual authentication: VEN ID is the certificate fingerprint, accepted by the VTN.
    expect(ven.venID).toBe(fp);
    expect(log.find((e) => e.event === 'registered')).toMatchObject({ venID: fp, reportOnly: true });
    // Device registration: METADATA reports name the device resources.
    expect(vtn.ven(fp).metadata.flatMap((m) => m.descriptions.map((d) => d.resourceID))).toEqual(['meter1', 'meter1', 'meter1']);
    // Initialisation: the DSRSP asks for the instantaneous power report (Fast DR, B profile, A.4.2 style) and status.
    vtn.requestReport(fp, { id: 'usage', report: 'TELEMETRY_USAGE', granularity: 10, reportBack: 10, duration: 0, rIDs: ['meter1/W'] });
    vtn.requestReport(fp, { id: 'status', report: 'TELEMETRY_STATUS', granularity: 30, reportBack: 30, duration: 0 });
    await r.step(20_000);
    expect(ven.pendingReports().sort()).toEqual(['status', 'usage']);
    // Normal operation.
    await r.step(30_000);
    const usage = log.filter((e) => e.event === 'report' && e.reportRequestID === 'usage');
    expect(usage.length).toBeGreaterThanOrEqual(3);
    expect(usage.every((e) => e.value === 3200)).toBe(true);
    expect(log.find((e) => e.event === 'report' && e.reportRequestID === 'status')?.value).toEqual({ online: true, manualOverride: false });
    // Events are not for a report-only VEN: opt out, no controls.
    vtn.addEvent(fp, ev('dr-1'));
    await r.step(10_000);
    expect(controls).toEqual([]);
    expect(vtn.ven(fp).optResponses.at(-1)).toMatchObject({ optType: 'optOut' });
    // Exception: the ESA goes offline.
    points.update(point('meter1', 'St', false, clock.now(), quality('not_connected', 'ESA unreachable')));
    points.update(point('meter1', 'W', 0, clock.now(), quality('not_connected', 'ESA unreachable')));
    await r.step(60_000);
    expect(log.filter((e) => e.event === 'report' && e.reportRequestID === 'status').at(-1)?.value).toEqual({ online: false, manualOverride: false });
    expect(log.filter((e) => e.event === 'report' && e.reportRequestID === 'usage').at(-1)?.quality).toBe('Quality Bad - Not Connected');
    // Deregistration.
    await ven.cancelRegistration();
    expect(log.at(-1)).toMatchObject({ event: 'deregistered', venID: fp });
    expect(ven.pendingReports()).toEqual([]);
  });

  it('a VEN claiming another VEN ID than its certificate is refused with 452', async () => {
    const pki = testPki();
    r = await rig({
      vtn: { tls: { cert: pki.vtn.cert, key: pki.vtn.key, ca: pki.ca.cert } },
      ven: { venID: 'AA:BB:CC:DD:EE:FF:00:11:22:33', tls: { cert: pki.ven.cert, key: pki.ven.key, ca: pki.ca.cert } },
    });
    expect(r.ven.state).toBe('down');
    expect(r.errors.at(-1)?.message).toMatch(/452/);
    expect(r.log.find((e) => e.event === 'wrong_ven_id')).toBeTruthy();
  });

  it('a client without a certificate from the CA cannot connect', async () => {
    const pki = testPki();
    r = await rig({ vtn: { tls: { cert: pki.vtn.cert, key: pki.vtn.key, ca: pki.ca.cert } }, ven: { tls: { ca: pki.ca.cert } } });
    expect(r.ven.state).toBe('down');
    expect(r.vtn.vens.size).toBe(0);
  });
});

describe('XML signatures end to end', () => {
  it('signed exchange works both ways', async () => {
    const pki = testPki();
    r = await rig({
      vtn: { signature: { privateKey: pki.vtn.key, certificate: pki.vtn.cert, venCertificate: pki.ven.cert } },
      ven: { signature: { privateKey: pki.ven.key, certificate: pki.ven.cert, vtnCertificate: pki.vtn.cert } },
    });
    expect(r.ven.state).toBe('up');
    r.vtn.addEvent(r.ven.venID!, ev('s1'));
    await r.step(10_000);
    expect(r.controls.length).toBe(1);
  });
  it('a VEN signing with the wrong key is refused (459) and a VTN signing with the wrong key is refused by the VEN', async () => {
    const pki = testPki();
    r = await rig({
      vtn: { signature: { privateKey: pki.vtn.key, certificate: pki.vtn.cert, venCertificate: pki.ven.cert } },
      ven: { signature: { privateKey: pki.other.key, certificate: pki.other.cert, vtnCertificate: pki.vtn.cert } },
    });
    expect(r.ven.state).toBe('down');
    expect(r.errors.at(-1)?.message).toMatch(/459/);
    await r.close();
    r = await rig({
      vtn: { signature: { privateKey: pki.other.key, certificate: pki.other.cert, venCertificate: pki.ven.cert } },
      ven: { signature: { privateKey: pki.ven.key, certificate: pki.ven.cert, vtnCertificate: pki.vtn.cert } },
    });
    expect(r.ven.state).toBe('down');
    expect(r.errors.at(-1)?.name).toBe('OadrSignatureError');
  });
});

describe('bad input', () => {
  it('VTN answers invalid XML with 454, unknown VEN polls with 463, wrong service with 451', async () => {
    r = await rig();
    const bad = await r.vtn.receive('EiEvent', '<oadrPayload><oadrSignedObject>');
    expect(bad.type === 'oadrResponse' && bad.response.responseCode).toBe(454);
    const unknown = await r.vtn.receive('OadrPoll', serialize({ type: 'oadrPoll', venID: 'nobody' }));
    expect(unknown.type === 'oadrResponse' && unknown.response.responseCode).toBe(463);
    const wrong = await r.vtn.receive('EiEvent', serialize({ type: 'oadrPoll', venID: r.ven.venID! }));
    expect(wrong.type === 'oadrResponse' && wrong.response.responseCode).toBe(451);
  });

  it('a 5 MB body is answered 413 (declared or chunked), and the VTN keeps serving', async () => {
    r = await rig();
    const big = '<x>' + 'a'.repeat(5 * 1024 * 1024) + '</x>';
    const declared = await request('POST', `${r.vtn.url}/OpenADR2/Simple/2.0b/OadrPoll`, { body: big });
    expect(declared.status).toBe(413);
    expect(declared.body).toMatch(/larger than 4194304 bytes/);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${r!.vtn.url}/OpenADR2/Simple/2.0b/OadrPoll`, { method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 5; i++) req.write('a'.repeat(1024 * 1024));
      req.end();
    });
    expect(chunked).toBe(413);
    const after = await request('POST', `${r.vtn.url}/OpenADR2/Simple/2.0b/OadrPoll`, { body: serialize({ type: 'oadrPoll', venID: r.ven.venID! }) });
    expect(after.status).toBe(200);
    expect(parse(after.body).type).toBe('oadrResponse');
  });

  it('2.0a namespace: the VTN answers 459, a polling VEN answers 459 and makes no control', async () => {
    r = await rig();
    const as20a = (xml: string) => xml.replaceAll('http://openadr.org/oadr-2.0b/2012/07', 'http://openadr.org/oadr-2.0a/2012/07');
    const refused = await r.vtn.receive('OadrPoll', as20a(serialize({ type: 'oadrPoll', venID: r.ven.venID! })));
    expect(refused.type === 'oadrResponse' && refused.response.responseCode).toBe(459);
    expect(r.log.at(-1)).toMatchObject({ event: 'bad_payload', status: 459 });
    // The VTN's next poll answer travels in the 2.0a namespace.
    const v = r.vtn.ven(r.ven.venID!);
    const encode = (r.vtn as unknown as { encode(m: unknown): string }).encode.bind(r.vtn);
    (r.vtn as unknown as { encode(m: unknown): string }).encode = (m) => ((m as { type: string }).type === 'oadrDistributeEvent' ? as20a(encode(m)) : encode(m));
    r.vtn.addEvent(v.venID, { id: 'ev-a', signal: 'SIMPLE', type: 'level', startIn: 0, intervals: [{ duration: 600, value: 1 }], marketContext: 'http://mc', priority: 1, testEvent: false, responseRequired: 'always' });
    await r.step(11_000);
    expect(r.controls).toEqual([]);
    expect(r.errors.some((e) => /2\.0a/.test(e.message))).toBe(true);
    expect(r.log.find((e) => e.event === 'ven_response')).toMatchObject({ responseCode: 459 });
  });

  it('unknown report specifier or rID is answered with 452 and nothing is scheduled', async () => {
    r = await rig();
    const v = r.vtn.ven(r.ven.venID!);
    r.vtn.sendToVen(v, { type: 'oadrCreateReport', requestID: 'x1', reportRequests: [{ reportRequestID: 'rr-x', specifier: { reportSpecifierID: 'NO_SUCH_REPORT', granularitySec: 10, reportBackDurationSec: 10, payloads: [{ rID: 'a', readingType: 'x-notApplicable' }] } }], venID: r.ven.venID! });
    await r.step(10_000);
    expect(r.log.find((e) => e.event === 'oadrCreatedReport')).toMatchObject({ responseCode: 452 });
    r.vtn.requestReport(r.ven.venID!, { report: 'TELEMETRY_USAGE', granularity: 10, reportBack: 10, duration: 0, rIDs: ['meter9/W'] });
    await r.step(10_000);
    expect(r.log.filter((e) => e.event === 'oadrCreatedReport').at(-1)).toMatchObject({ responseCode: 452 });
    expect(r.ven.pendingReports()).toEqual([]);
  });

  it('events with impossible times are answered 454 / optOut and produce no control', async () => {
    r = await rig();
    const venID = r.ven.venID!;
    r.vtn.addRawEvent(venID, { ...sampleEvent, eventID: 'bad-1', target: { venID: [venID] }, dtstart: Date.UTC(1970, 0, 1) });
    await r.step(10_000);
    r.vtn.addRawEvent(venID, { ...sampleEvent, eventID: 'bad-2', target: { venID: [venID] }, durationSec: 60 }); // intervals last 3600 s
    await r.step(10_000);
    const resp = r.vtn.ven(venID).optResponses;
    expect(resp.filter((x) => x.eventID.startsWith('bad'))).toEqual([
      { eventID: 'bad-1', optType: 'optOut', responseCode: 454 },
      { eventID: 'bad-2', optType: 'optOut', responseCode: 454 },
    ]);
    expect(r.controls).toEqual([]);
  });

  it('VTN down: clear error, retry, and controls expire safely', async () => {
    r = await rig();
    const { ven, vtn, clock } = r;
    vtn.addEvent(ven.venID!, ev('d1', 1, 120));
    await r.step(10_000);
    expect(ven.activeControls().length).toBe(1);
    await vtn.stop();
    await r.step(10_000);
    expect(ven.state).toBe('degraded');
    expect(r.errors.at(-1)?.message).toMatch(/ECONNREFUSED|socket|connect/i);
    expect(r.controls[0]!.validTo).toBeLessThan(clock.now() + 120_000);
    await r.step(120_000, 10_000);
    expect(ven.activeControls()).toEqual([]); // expired on its own, no VTN needed
  });

  it('VTN unreachable at start: state down with the reason, retries later', async () => {
    r = await rig({ ven: { vtnUrl: 'http://127.0.0.1:1', retrySec: 5 }, start: true });
    expect(r.ven.state).toBe('down');
    expect(r.errors[0]?.message).toMatch(/ECONNREFUSED/);
    const n = r.errors.length;
    await r.step(6000);
    expect(r.errors.length).toBeGreaterThan(n);
  });
});
