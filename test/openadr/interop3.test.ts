/**
 * Regressions from checking the OpenADR 3 VEN and VTN simulator against the published OpenAPI files with an
 * independent validator (docs/openadr.md, "Interoperability", 3.x part).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { request, serve } from '../../src/protocols/openadr/http.js';
import { openadrMappingSchema } from '../../src/protocols/openadr/mapping.js';
import { LatestPoints, toReportBindings } from '../../src/protocols/openadr/reports.js';
import { Ven3 } from '../../src/protocols/openadr/ven3.js';
import { VtnSim3 } from '../../src/sim/openadr/vtn3.js';

let vtn: VtnSim3 | undefined;
let ven: Ven3 | undefined;
afterEach(async () => {
  await ven?.stop();
  await vtn?.stop();
  vtn = undefined;
  ven = undefined;
});

async function token(url: string, id: string, secret: string): Promise<string> {
  const r = await request('POST', `${url}/auth/token`, { body: `grant_type=client_credentials&client_id=${id}&client_secret=${secret}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  return (JSON.parse(r.body) as { access_token: string }).access_token;
}

/** A callback listener that answers the echo challenge as the 3.1.0 Definition asks. */
const echoServer = () => serve(async (r) => ({ status: 200, body: r.query.get('echo') ?? '', contentType: 'text/plain' }));

async function post(url: string, path: string, tok: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await request('POST', `${url}${path}`, { body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` } });
  return { status: r.status, json: JSON.parse(r.body) as Record<string, unknown> };
}

describe('OpenADR 3 VTN simulator against the OpenAPI schemas', () => {
  it('3.1.0: report, subscription and ven carry the required clientID (the token client); 3.0.1 adds none', async () => {
    for (const version of ['3.1.0', '3.0.1'] as const) {
      vtn = new VtnSim3({ version, clients: { ven1: 's' } });
      await vtn.start();
      const cb = await echoServer();
      const prog = vtn.create('programs', { programName: 'p' });
      const ev = vtn.create('events', { programID: prog['id'], intervals: [] });
      const tok = await token(vtn.url, 'ven1', 's');
      const rep = await post(vtn.url, '/reports', tok, { ...(version === '3.0.1' ? { programID: prog['id'] } : {}), eventID: ev['id'], clientName: 'v', resources: [] });
      const sub = await post(vtn.url, '/subscriptions', tok, { clientName: 'v', programID: prog['id'], objectOperations: [{ objects: ['EVENT'], operations: ['CREATE'], callbackUrl: `${cb.url}/cb` }] });
      const v = await post(vtn.url, '/vens', tok, version === '3.1.0' ? { objectType: 'VEN_VEN_REQUEST', venName: 'v' } : { venName: 'v' });
      expect([rep.status, sub.status, v.status]).toEqual([201, 201, 201]);
      const ids = [rep.json['clientID'], sub.json['clientID'], v.json['clientID']];
      expect(ids).toEqual(version === '3.1.0' ? ['ven1', 'ven1', 'ven1'] : [undefined, undefined, undefined]);
      if (version === '3.1.0') {
        const put = await request('PUT', `${vtn.url}/reports/${String(rep.json['id'])}`, { body: JSON.stringify({ eventID: ev['id'], clientName: 'v', resources: [] }), headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` } });
        expect((JSON.parse(put.body) as { clientID?: string }).clientID).toBe('ven1');
      }
      await cb.close();
      await vtn.stop();
      vtn = undefined;
    }
  });

  it('a bad bearer token is answered with a status the version declares: 403 in 3.0.1, 401 in 3.1.0', async () => {
    for (const [version, status] of [['3.0.1', 403], ['3.1.0', 401]] as const) {
      vtn = new VtnSim3({ version });
      await vtn.start();
      const r = await request('GET', `${vtn.url}/events`, { headers: { authorization: 'Bearer nope' } });
      expect(r.status).toBe(status);
      expect(JSON.parse(r.body)).toMatchObject({ status });
      await vtn.stop();
      vtn = undefined;
    }
  });
});

async function call(url: string, method: string, path: string, tok: string, body?: unknown): Promise<number> {
  const r = await request(method, `${url}${path}`, { ...(body !== undefined ? { body: JSON.stringify(body) } : {}), headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` } });
  return r.status;
}

describe('OpenADR 3 VTN simulator roles (VEN vs business logic scopes)', () => {
  for (const version of ['3.0.1', '3.1.0'] as const) {
    it(`${version}: a VEN token cannot write programs or events, a BL token cannot write reports, a VEN touches only its own objects`, async () => {
      vtn = new VtnSim3({ version, clients: { ven1: 's', ven2: 's', bl: { secret: 'b', role: 'bl' } } });
      await vtn.start();
      const [v1, v2, bl] = [await token(vtn.url, 'ven1', 's'), await token(vtn.url, 'ven2', 's'), await token(vtn.url, 'bl', 'b')];
      const prog = await post(vtn.url, '/programs', bl, { programName: 'p' });
      expect(prog.status).toBe(201);
      const programID = String(prog.json['id']);
      const event = { programID, intervals: [] };
      expect(await call(vtn.url, 'POST', '/events', v1, event)).toBe(403);
      expect(await call(vtn.url, 'POST', '/programs', v1, { programName: 'q' })).toBe(403);
      expect(await call(vtn.url, 'PUT', `/programs/${programID}`, v1, { programName: 'q' })).toBe(403);
      expect(await call(vtn.url, 'DELETE', `/programs/${programID}`, v1)).toBe(403);
      const ev = await post(vtn.url, '/events', bl, event);
      expect(ev.status).toBe(201);
      expect(await call(vtn.url, 'GET', '/events', v1)).toBe(200);
      const report = { ...(version === '3.0.1' ? { programID } : {}), eventID: ev.json['id'], clientName: 'v', resources: [] };
      expect(await call(vtn.url, 'POST', '/reports', bl, report)).toBe(403);
      const rep = await post(vtn.url, '/reports', v1, report);
      expect(rep.status).toBe(201);
      expect(await call(vtn.url, 'PUT', `/reports/${String(rep.json['id'])}`, v2, report)).toBe(403);
      expect(await call(vtn.url, 'DELETE', `/reports/${String(rep.json['id'])}`, v2)).toBe(403);
      expect(await call(vtn.url, 'PUT', `/reports/${String(rep.json['id'])}`, v1, report)).toBe(200);
      // 3.1.0 read_ven_objects: a VEN lists only its own reports; 3.0.1 read_all: everything.
      const list = await request('GET', `${vtn.url}/reports`, { headers: { authorization: `Bearer ${v2}` } });
      expect((JSON.parse(list.body) as unknown[]).length).toBe(version === '3.1.0' ? 0 : 1);
      const own = await request('GET', `${vtn.url}/reports/${String(rep.json['id'])}`, { headers: { authorization: `Bearer ${v2}` } });
      expect(own.status).toBe(version === '3.1.0' ? 403 : 200);
      // The token response names the granted scopes.
      const t = await request('POST', `${vtn.url}/auth/token`, { body: 'grant_type=client_credentials&client_id=ven1&client_secret=s', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect((JSON.parse(t.body) as { scope: string }).scope).not.toMatch(/write_events/);
    });
  }
});

describe('OpenADR 3 VEN token handling', () => {
  it('3.0.1: a 403 on a cached token (revoked by the VTN) makes the VEN fetch a new token once and carry on', async () => {
    const log: Array<{ event: string }> = [];
    vtn = new VtnSim3({ version: '3.0.1', clients: { c: 's' }, log: (e) => log.push(e) });
    await vtn.start();
    vtn.create('programs', { programName: 'p' });
    const mapping = openadrMappingSchema.parse({ version: '3.0.1', vtnUrl: 'http://127.0.0.1:1', venName: 'v', reports: [], signals: [] });
    const clock = new FakeClock(Date.now());
    const errors: Error[] = [];
    ven = new Ven3({
      baseUrl: vtn.url, version: '3.0.1', clientId: 'c', clientSecret: 's', venName: 'v', notification: 'poll', pollIntervalSec: 30,
      policy: mapping.policy, reports: toReportBindings(mapping.reports), signals: mapping.signals, points: new LatestPoints(), clock,
    });
    ven.on('error', (e) => errors.push(e));
    await ven.start();
    expect(ven.state).toBe('up');
    (vtn as unknown as { tokens: Map<string, string> }).tokens.clear();
    clock.advance(30_000);
    for (let i = 0; i < 4; i++) {
      await ven.idle();
      await new Promise((res) => setTimeout(res, 5));
    }
    expect(errors).toEqual([]);
    expect(ven.state).toBe('up');
    expect(log.filter((e) => e.event === 'token').length).toBe(2);
  });
});
