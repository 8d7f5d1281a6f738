/**
 * OpenADR 2.0b VTN simulator (simple HTTP, PULL and PUSH, optional mutual TLS and XML signatures). Registers VENs,
 * queues scripted events and report requests, answers every VEN message with the right OpenADR status code, and
 * logs every report received.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { fingerprintFromDer } from '../../protocols/openadr/fingerprint.js';
import { request, serve, type ServerHandle, type TlsOptions } from '../../protocols/openadr/http.js';
import { serialize } from '../../protocols/openadr/oadr20b/build.js';
import { OadrParseError, parse, peekRequestID } from '../../protocols/openadr/oadr20b/parse.js';
import { OadrStatus, serviceFor, type OadrEvent, type OadrMessage, type OadrReport, type ReportRequest } from '../../protocols/openadr/oadr20b/types.js';
import { ReplayGuard, signPayload, verifyPayload } from '../../protocols/openadr/signature.js';
import type { VtnEventSpec, VtnReportSpec, VtnScript, VtnScriptStep } from './script.js';

export interface VtnLogEntry {
  event: string;
  [k: string]: unknown;
}

export interface Vtn20bOptions {
  port?: number;
  host?: string;
  tls?: TlsOptions;
  script?: VtnScript;
  clock: Clock;
  /** Sign every payload and require signed, fresh VEN payloads: signed by `venCertificate`, else by a cert issued by `ca`. */
  signature?: { privateKey: string; certificate: string; venCertificate?: string; ca?: string };
  log?: (e: VtnLogEntry) => void;
}

export interface SimVen {
  venID: string;
  registrationID: string;
  venName?: string;
  reportOnly: boolean;
  pull: boolean;
  transportAddress?: string;
  metadata: OadrReport[];
  queue: OadrMessage[];
  events: Map<string, OadrEvent>;
  reportRequests: Map<string, ReportRequest>;
  /** Report requests cancelled without reportToFollow, still accepted until the VEN's oadrCanceledReport. */
  cancelling: Set<string>;
  reports: OadrReport[];
  optResponses: Array<{ eventID: string; optType: string; responseCode: number }>;
  timers: TimerHandle[];
}

const BASE = '/OpenADR2/Simple/2.0b/';
const ok = (requestID: string, description = 'OK') => ({ responseCode: 200, responseDescription: description, requestID });
const err = (code: number, description: string, requestID: string) => ({ responseCode: code, responseDescription: description.slice(0, 200), requestID });

export class VtnSim20b {
  readonly vtnID: string;
  readonly pollFreqSec: number;
  readonly vens = new Map<string, SimVen>();
  private server: ServerHandle | undefined;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly replay: ReplayGuard;

  constructor(readonly opts: Vtn20bOptions) {
    this.replay = new ReplayGuard(opts.clock);
    this.vtnID = opts.script?.vtnId ?? 'GRIDBRIDGE-VTN-SIM';
    this.pollFreqSec = opts.script?.pollFreqSec ?? 10;
  }

  get url(): string {
    if (!this.server) throw new Error('VTN not started');
    return this.server.url;
  }

  async start(): Promise<void> {
    this.server = await serve(async (req) => {
      if (req.method !== 'POST' || !req.path.startsWith(BASE)) return { status: 404, body: 'not an OpenADR 2.0b endpoint', contentType: 'text/plain' };
      const service = req.path.slice(BASE.length);
      const fp = req.peerCertDer ? fingerprintFromDer(req.peerCertDer) : undefined;
      const reply = await this.receive(service, req.body, fp);
      return { status: 200, body: this.encode(reply) };
    }, { ...(this.opts.port !== undefined ? { port: this.opts.port } : {}), ...(this.opts.host ? { host: this.opts.host } : {}), ...(this.opts.tls ? { tls: this.opts.tls } : {}) });
    this.log({ event: 'vtn_listening', url: this.server.url, vtnID: this.vtnID });
  }

  async stop(): Promise<void> {
    for (const v of this.vens.values()) for (const t of v.timers) this.opts.clock.clearTimeout(t);
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    await this.server?.close();
    this.server = undefined;
  }

  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private log(e: VtnLogEntry): void {
    this.opts.log?.(e);
  }

  private encode(m: OadrMessage): string {
    const xml = serialize(m);
    return this.opts.signature ? signPayload(xml, { ...this.opts.signature, now: this.opts.clock.now() }) : xml;
  }

  private answer(m: OadrMessage, venID?: string): OadrMessage {
    return m.type === 'oadrResponse' && venID ? { ...m, venID } : m;
  }

  /** Handle one VEN message (any service); `fingerprint` comes from the client certificate, if any. */
  async receive(service: string, body: string, fingerprint?: string): Promise<OadrMessage> {
    let msg: OadrMessage;
    try {
      const sig = this.opts.signature;
      if (sig) verifyPayload(body, { ...(sig.venCertificate ? { peerCertificate: sig.venCertificate } : {}), ...(sig.ca ? { ca: sig.ca } : {}), replay: this.replay });
      msg = parse(body);
    } catch (e) {
      const code = e instanceof OadrParseError ? e.status : OadrStatus.COMPLIANCE_ERROR;
      const text = e instanceof Error ? e.message : String(e);
      this.log({ event: 'bad_payload', service, status: code, error: text });
      return { type: 'oadrResponse', response: err(code, text, peekRequestID(body)) };
    }
    if (serviceFor(msg.type) !== service && !(msg.type === 'oadrResponse' || msg.type.startsWith('oadrCreated') || msg.type.startsWith('oadrCanceled'))) {
      return { type: 'oadrResponse', response: err(OadrStatus.NOT_ALLOWED, `${msg.type} not allowed on ${service}`, peekRequestID(body)) };
    }
    const claimed = 'venID' in msg ? msg.venID : undefined;
    if (fingerprint && claimed && claimed !== fingerprint) {
      this.log({ event: 'wrong_ven_id', claimed, fingerprint });
      return { type: 'oadrResponse', response: err(OadrStatus.INVALID_ID, `venID ${claimed} does not match certificate fingerprint`, peekRequestID(body)) };
    }
    this.log({ event: 'received', type: msg.type, service, ...(claimed ? { venID: claimed } : {}) });
    return this.dispatch(msg, fingerprint);
  }

  private dispatch(msg: OadrMessage, fingerprint?: string): OadrMessage {
    const profiles = [{ profileName: '2.0b' as const, transports: ['simpleHttp' as const] }];
    if (msg.type === 'oadrQueryRegistration') {
      return { type: 'oadrCreatedPartyRegistration', response: ok(msg.requestID), vtnID: this.vtnID, profiles, pollFreqSec: this.pollFreqSec };
    }
    if (msg.type === 'oadrCreatePartyRegistration') {
      const existing = msg.registrationID ? [...this.vens.values()].find((v) => v.registrationID === msg.registrationID) : undefined;
      if (msg.registrationID && !existing) {
        return { type: 'oadrCreatedPartyRegistration', response: err(OadrStatus.INVALID_ID, 'unknown registrationID', msg.requestID), vtnID: this.vtnID, profiles };
      }
      const venID = fingerprint ?? msg.venID ?? existing?.venID ?? `ven-${randomUUID().slice(0, 8)}`;
      const old = this.vens.get(venID);
      if (old) for (const t of old.timers) this.opts.clock.clearTimeout(t);
      const v: SimVen = {
        venID,
        registrationID: existing?.registrationID ?? `reg-${randomUUID().slice(0, 8)}`,
        reportOnly: msg.reportOnly,
        pull: msg.httpPullModel !== false,
        metadata: [],
        queue: [],
        events: new Map(),
        reportRequests: new Map(),
        cancelling: new Set(),
        reports: [],
        optResponses: [],
        timers: [],
        ...(msg.venName ? { venName: msg.venName } : {}),
        ...(msg.transportAddress ? { transportAddress: msg.transportAddress } : {}),
      };
      this.vens.set(venID, v);
      this.log({ event: 'registered', venID, registrationID: v.registrationID, venName: msg.venName, reportOnly: msg.reportOnly, pull: v.pull });
      this.scheduleScript(v);
      return { type: 'oadrCreatedPartyRegistration', response: ok(msg.requestID), registrationID: v.registrationID, venID, vtnID: this.vtnID, profiles, pollFreqSec: this.pollFreqSec };
    }
    const venID = 'venID' in msg ? msg.venID : undefined;
    const reqId = 'requestID' in msg && typeof msg.requestID === 'string' ? msg.requestID : 'response' in msg && msg.response ? msg.response.requestID : '0';
    const v = venID ? this.vens.get(venID) : undefined;
    if (!v) return { type: 'oadrResponse', response: err(OadrStatus.NOT_REGISTERED_OR_AUTHORIZED, `VEN ${venID ?? '(no venID)'} not registered`, reqId) };
    switch (msg.type) {
      case 'oadrPoll':
        return v.queue.shift() ?? { type: 'oadrResponse', response: ok('0'), venID: v.venID };
      case 'oadrRegisterReport':
        v.metadata = msg.reports;
        this.log({ event: 'reports_registered', venID: v.venID, reports: msg.reports.map((r) => ({ specifier: r.reportSpecifierID, name: r.reportName, rIDs: r.descriptions.map((d) => d.rID) })) });
        return { type: 'oadrRegisteredReport', response: ok(msg.requestID), reportRequests: [], venID: v.venID };
      case 'oadrUpdateReport': {
        for (const r of msg.reports) {
          if (!v.reportRequests.has(r.reportRequestID)) {
            return { type: 'oadrUpdatedReport', response: err(OadrStatus.INVALID_ID, `unknown reportRequestID ${r.reportRequestID}`, msg.requestID), venID: v.venID };
          }
          v.reports.push(r);
          for (const i of r.intervals ?? []) {
            for (const p of i.payloads) {
              this.log({ event: 'report', venID: v.venID, reportRequestID: r.reportRequestID, reportSpecifierID: r.reportSpecifierID, rID: p.rID, time: new Date(i.dtstart).toISOString(), value: p.value, quality: p.dataQuality });
            }
          }
        }
        return { type: 'oadrUpdatedReport', response: ok(msg.requestID), venID: v.venID };
      }
      case 'oadrCreatedEvent':
        this.onCreatedEvent(v, msg);
        return { type: 'oadrResponse', response: ok(msg.response.requestID), venID: v.venID };
      case 'oadrCreatedReport':
      case 'oadrCanceledReport':
        this.log({ event: msg.type, venID: v.venID, responseCode: msg.response.responseCode, description: msg.response.responseDescription, pending: msg.pendingReports });
        if (msg.response.responseCode !== 200) for (const id of [...v.reportRequests.keys()]) if (!msg.pendingReports.includes(id)) v.reportRequests.delete(id);
        if (msg.type === 'oadrCanceledReport') {
          for (const id of [...v.cancelling]) {
            if (msg.pendingReports.includes(id)) continue;
            v.cancelling.delete(id);
            v.reportRequests.delete(id);
          }
        }
        return { type: 'oadrResponse', response: ok(msg.response.requestID), venID: v.venID };
      case 'oadrCanceledPartyRegistration':
        this.drop(v, 'VEN confirmed cancellation');
        return { type: 'oadrResponse', response: ok(msg.response.requestID), venID };
      case 'oadrResponse':
        this.log({ event: 'ven_response', venID: v.venID, responseCode: msg.response.responseCode });
        return { type: 'oadrResponse', response: ok(msg.response.requestID), venID: v.venID };
      case 'oadrRequestEvent': {
        // EiEvent pull request (2.0b: a VEN may ask for its events, e.g. right after registering): all current
        // events, at most replyLimit, in an oadrDistributeEvent whose eiResponse echoes the request.
        const events = [...v.events.values()].slice(0, msg.replyLimit ?? undefined);
        this.log({ event: 'events_requested', venID: v.venID, events: events.length });
        return { type: 'oadrDistributeEvent', response: ok(msg.requestID), requestID: randomUUID(), vtnID: this.vtnID, events };
      }
      case 'oadrCreateOpt':
        this.log({ event: 'opt', venID: v.venID, optType: msg.optType, reason: msg.optReason, eventID: msg.qualifiedEventID?.eventID });
        return { type: 'oadrCreatedOpt', response: ok(msg.requestID), optID: msg.optID };
      case 'oadrCancelPartyRegistration':
        if (msg.registrationID !== v.registrationID) {
          return { type: 'oadrCanceledPartyRegistration', response: err(OadrStatus.INVALID_ID, 'unknown registrationID', msg.requestID), venID: v.venID };
        }
        this.drop(v, 'VEN cancelled its registration');
        return { type: 'oadrCanceledPartyRegistration', response: ok(msg.requestID), registrationID: msg.registrationID, venID: v.venID };
      default:
        return { type: 'oadrResponse', response: err(OadrStatus.OUT_OF_SEQUENCE, `${msg.type} not expected from a VEN`, reqId), venID: v.venID };
    }
  }

  private onCreatedEvent(v: SimVen, msg: Extract<OadrMessage, { type: 'oadrCreatedEvent' }>): void {
    for (const r of msg.eventResponses) {
      v.optResponses.push({ eventID: r.eventID, optType: r.optType, responseCode: r.responseCode });
      this.log({ event: 'event_response', venID: v.venID, eventID: r.eventID, modificationNumber: r.modificationNumber, optType: r.optType, responseCode: r.responseCode, description: r.responseDescription });
    }
  }

  private drop(v: SimVen, reason: string): void {
    for (const t of v.timers) this.opts.clock.clearTimeout(t);
    this.vens.delete(v.venID);
    this.log({ event: 'deregistered', venID: v.venID, reason });
  }

  // ---- VTN-originated messages ---------------------------------------------------------------------------------

  /** Queue (PULL) or push (PUSH) a message to a VEN. */
  sendToVen(v: SimVen, m: OadrMessage): void {
    if (v.pull || !v.transportAddress) {
      v.queue.push(m);
      return;
    }
    const p = (async () => {
      try {
        const res = await request('POST', `${v.transportAddress}${BASE}${serviceFor(m.type)}`, {
          body: this.encode(m),
          headers: { 'content-type': 'application/xml' },
          ...(this.opts.tls ? { tls: this.opts.tls } : {}),
        });
        const reply = res.status === 200 ? await this.receive(serviceFor(m.type), res.body) : undefined;
        if (!reply) this.log({ event: 'push_failed', venID: v.venID, status: res.status });
      } catch (e) {
        this.log({ event: 'push_failed', venID: v.venID, error: e instanceof Error ? e.message : String(e) });
      }
    })();
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private distribute(v: SimVen): void {
    // 2.0b: every oadrDistributeEvent carries all the VEN's current events; replace a still-queued one.
    v.queue = v.queue.filter((m) => m.type !== 'oadrDistributeEvent');
    const requestID = randomUUID();
    this.sendToVen(v, { type: 'oadrDistributeEvent', response: ok(requestID), requestID, vtnID: this.vtnID, events: [...v.events.values()] });
  }

  addEvent(venID: string, spec: VtnEventSpec): OadrEvent {
    const v = this.ven(venID);
    const now = this.opts.clock.now();
    const prev = v.events.get(spec.id);
    const e: OadrEvent = {
      eventID: spec.id,
      modificationNumber: prev ? prev.modificationNumber + 1 : 0,
      ...(spec.priority !== undefined ? { priority: spec.priority } : {}),
      marketContext: spec.marketContext,
      createdDateTime: now,
      eventStatus: spec.startIn > 0 ? 'far' : 'active',
      testEvent: String(spec.testEvent),
      dtstart: now + spec.startIn * 1000,
      durationSec: spec.intervals.reduce((s, i) => s + i.duration, 0),
      signals: [{ signalName: spec.signal, signalType: spec.type as OadrEvent['signals'][number]['signalType'], signalID: `${spec.id}-sig`, intervals: spec.intervals.map((i, n) => ({ durationSec: i.duration, uid: String(n), value: i.value })) }],
      target: { venID: [v.venID] },
      responseRequired: spec.responseRequired,
    };
    v.events.set(e.eventID, e);
    this.log({ event: 'event_sent', venID, eventID: e.eventID, modificationNumber: e.modificationNumber, signal: spec.signal, start: new Date(e.dtstart).toISOString(), durationSec: e.durationSec });
    this.distribute(v);
    return e;
  }

  /** Put a raw event (e.g. one with impossible times) to a VEN. */
  addRawEvent(venID: string, e: OadrEvent): void {
    const v = this.ven(venID);
    v.events.set(e.eventID, e);
    this.distribute(v);
  }

  cancelEvent(venID: string, eventID: string): void {
    const v = this.ven(venID);
    const e = v.events.get(eventID);
    if (!e) throw new Error(`unknown event ${eventID}`);
    v.events.set(eventID, { ...e, eventStatus: 'cancelled', modificationNumber: e.modificationNumber + 1 });
    this.log({ event: 'event_cancelled', venID, eventID });
    this.distribute(v);
  }

  requestReport(venID: string, spec: VtnReportSpec): string {
    const v = this.ven(venID);
    const reportRequestID = spec.id ?? `rr-${randomUUID().slice(0, 8)}`;
    let specifierID: string = spec.report;
    let rIDs = spec.rIDs ?? [];
    if (spec.report !== 'METADATA') {
      const meta = v.metadata.find((m) => m.reportName === `METADATA_${spec.report}` || m.reportSpecifierID.endsWith(spec.report));
      specifierID = meta?.reportSpecifierID ?? spec.report;
      if (rIDs.length === 0) rIDs = meta?.descriptions.map((d) => d.rID) ?? ['unknown'];
    } else rIDs = rIDs.length ? rIDs : ['0'];
    const rr: ReportRequest = {
      reportRequestID,
      specifier: {
        reportSpecifierID: specifierID,
        granularitySec: spec.granularity,
        reportBackDurationSec: spec.reportBack,
        ...(spec.duration > 0 ? { reportInterval: { dtstart: this.opts.clock.now(), durationSec: spec.duration } } : {}),
        payloads: rIDs.map((rID) => ({ rID, readingType: 'x-notApplicable' })),
      },
    };
    v.reportRequests.set(reportRequestID, rr);
    this.log({ event: 'report_requested', venID, reportRequestID, reportSpecifierID: specifierID, granularity: spec.granularity, reportBack: spec.reportBack });
    this.sendToVen(v, { type: 'oadrCreateReport', requestID: randomUUID(), reportRequests: [rr], venID });
    return reportRequestID;
  }

  cancelReport(venID: string, reportRequestID: string, reportToFollow = false): void {
    const v = this.ven(venID);
    this.sendToVen(v, { type: 'oadrCancelReport', requestID: randomUUID(), reportRequestIDs: [reportRequestID], reportToFollow, venID });
    // A report the VEN sends before it has seen the cancellation is still accepted (openleadr-python's VEN does
    // that); the request is forgotten once the VEN's oadrCanceledReport no longer lists it as pending.
    if (!reportToFollow) v.cancelling.add(reportRequestID);
  }

  requestReregistration(venID: string): void {
    this.sendToVen(this.ven(venID), { type: 'oadrRequestReregistration', venID });
  }

  cancelRegistration(venID: string): void {
    const v = this.ven(venID);
    this.sendToVen(v, { type: 'oadrCancelPartyRegistration', requestID: randomUUID(), registrationID: v.registrationID, venID });
  }

  ven(venID: string): SimVen {
    const v = this.vens.get(venID);
    if (!v) throw new Error(`VEN ${venID} not registered`);
    return v;
  }

  private scheduleScript(v: SimVen): void {
    for (const step of this.opts.script?.steps ?? []) {
      v.timers.push(this.opts.clock.setTimeout(() => this.runStep(v.venID, step), step.at * 1000));
    }
  }

  private runStep(venID: string, s: VtnScriptStep): void {
    try {
      if (s.event) this.addEvent(venID, s.event);
      if (s.cancelEvent) this.cancelEvent(venID, s.cancelEvent);
      if (s.reportRequest) this.requestReport(venID, s.reportRequest);
      if (s.cancelReport) this.cancelReport(venID, s.cancelReport.id, s.cancelReport.reportToFollow);
      if (s.reregister) this.requestReregistration(venID);
      if (s.cancelRegistration) this.cancelRegistration(venID);
    } catch (e) {
      this.log({ event: 'script_error', venID, error: e instanceof Error ? e.message : String(e) });
    }
  }
}
