/**
 * OpenADR 2.0b VEN, B profile, simple HTTP, PULL or PUSH. Registration, report registration (METADATA
 * TELEMETRY_USAGE / TELEMETRY_STATUS from mapped points), poll loop at the VTN's poll frequency, events →
 * oadrCreatedEvent + ControlIntents with expiry, periodic oadrUpdateReport, cancel report, re-registration and
 * cancel registration; optional mutual TLS (VEN ID = certificate fingerprint) and XML signatures.
 * With `reportOnly` it is the PAS 1878 CEM of seed 004 (EiRegisterParty + EiReport only).
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { ControlIntent } from '../../core/control.js';
import { ControlBook, fromOadrEvent, impossibleTimes, intentsForEvent } from './controls.js';
import { Emitter } from './emitter.js';
import { fingerprintFromPem } from './fingerprint.js';
import { request, serve, type ServerHandle, type TlsOptions } from './http.js';
import type { OpenadrPolicy, OpenadrSignalBinding } from './mapping.js';
import { serialize } from './oadr20b/build.js';
import { OadrParseError, parse, peekRequestID } from './oadr20b/parse.js';
import { OadrStatus, serviceFor, type EventResponse, type OadrMessage, type OadrReport, type ReportRequest, type ReportInterval } from './oadr20b/types.js';
import { MemoryReportLog, metadataReports, oadrDataQuality, sampleBindings, type LatestPoints, type ReportBinding, type ReportLog } from './reports.js';
import { OadrSignatureError, ReplayGuard, signPayload, verifyPayload } from './signature.js';

export type VenState = 'idle' | 'connecting' | 'up' | 'degraded' | 'down';

export interface Ven20bConfig {
  vtnUrl: string;
  venName: string;
  /** Claimed at registration and required back from the VTN; without it the VTN assigns the venID (default shown
   *  before registration: the client-certificate fingerprint). */
  venID?: string;
  transport: 'pull' | 'push';
  /** PUSH: where the VEN listens (sent as oadrTransportAddress) and the local port to bind. */
  pushUrl?: string;
  pushPort?: number;
  reportOnly: boolean;
  tls?: TlsOptions;
  /**
   * Sign every payload (with ReplayProtect) and require signed, fresh payloads from the VTN: signed by
   * `vtnCertificate` when given, else by any certificate issued by `ca`.
   */
  signature?: { privateKey: string; certificate: string; vtnCertificate?: string; ca?: string; replayWindowSec?: number };
  pollFallbackSec: number;
  retrySec?: number;
  marketContext?: string;
  policy: OpenadrPolicy;
  reports: ReportBinding[];
  signals: OpenadrSignalBinding[];
  points: LatestPoints;
  /** Where sampled intervals wait until the VTN accepted them (default: in memory, 1000 per report). */
  reportLog?: ReportLog;
  clock: Clock;
  requestTimeoutMs?: number;
}

export interface Ven20bEvents extends Record<string, unknown> {
  state: { state: VenState; reason?: string };
  control: ControlIntent;
  cancel: { id: string; reason: string };
  event: { eventID: string; modificationNumber: number; status: string; opt: 'optIn' | 'optOut'; responseCode: number; reason?: string };
  report: { reportRequestID: string; reportSpecifierID: string; intervals: number; payloads: number };
  message: { direction: 'in' | 'out'; type: string; service?: string };
  error: Error;
}

interface ActiveReport {
  request: ReportRequest;
  bindings: ReportBinding[];
  sampleTimer?: TimerHandle;
  sendTimer?: TimerHandle;
  endAt?: number;
}

const BASE = '/OpenADR2/Simple/2.0b';

export class Ven20b extends Emitter<Ven20bEvents> {
  venID: string | undefined;
  registrationID: string | undefined;
  vtnID: string | undefined;
  pollFreqSec: number;
  state: VenState = 'idle';
  private readonly reports = new Map<string, ActiveReport>();
  private readonly book = new ControlBook();
  /** eventID → modificationNumber already answered (a VTN repeats every event in each oadrDistributeEvent). */
  private readonly answered = new Map<string, number>();
  private pollTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private pushServer: ServerHandle | undefined;
  private stopped = false;
  private readonly inflight = new Set<Promise<unknown>>();

  private readonly log: ReportLog;

  constructor(readonly cfg: Ven20bConfig) {
    super();
    this.log = cfg.reportLog ?? new MemoryReportLog();
    this.pollFreqSec = cfg.pollFallbackSec;
    this.venID = cfg.venID ?? (cfg.tls?.cert ? fingerprintFromPem(cfg.tls.cert) : undefined);
  }

  /** Resolves when no request started by a timer or by start() is still running (for tests and clean shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => undefined);
    return p;
  }

  private setState(state: VenState, reason?: string): void {
    if (this.state === state && !reason) return;
    this.state = state;
    this.emit('state', reason ? { state, reason } : { state });
  }

  async start(): Promise<void> {
    this.stopped = false;
    if (this.cfg.transport === 'push') {
      this.pushServer = await serve((req) => this.onPush(req.path, req.body), {
        port: this.cfg.pushPort ?? 0,
        ...(this.cfg.tls ? { tls: this.cfg.tls } : {}),
      });
    }
    await this.track(this.connect());
  }

  /** Local URL of the PUSH listener (when transport is push). */
  get pushListenUrl(): string | undefined {
    return this.pushServer?.url;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cfg.clock.clearTimeout(this.pollTimer);
    this.cfg.clock.clearTimeout(this.retryTimer);
    for (const r of this.reports.values()) this.stopReport(r);
    this.reports.clear();
    await this.idle();
    await this.pushServer?.close();
    this.pushServer = undefined;
    this.setState('idle', 'stopped');
  }

  private async connect(): Promise<void> {
    this.setState('connecting');
    try {
      await this.register();
      await this.registerReports();
      this.setState('up');
      if (this.cfg.transport === 'pull') this.schedulePoll(0);
    } catch (e) {
      this.fail(e);
      this.scheduleRetry();
    }
  }

  private fail(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    this.emit('error', err);
    this.setState('down', err.message);
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.cfg.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.cfg.clock.setTimeout(() => void this.track(this.connect()), (this.cfg.retrySec ?? 30) * 1000);
  }

  private pollTimerPending = false;

  private schedulePoll(delaySec: number): void {
    if (this.stopped) return;
    this.cfg.clock.clearTimeout(this.pollTimer);
    this.pollTimerPending = true;
    this.pollTimer = this.cfg.clock.setTimeout(() => {
      this.pollTimerPending = false;
      void this.track(this.pollOnce());
    }, delaySec * 1000);
  }

  // ---- transport ----------------------------------------------------------------------------------------------

  private encode(m: OadrMessage): string {
    const xml = serialize(m);
    return this.cfg.signature ? signPayload(xml, { privateKey: this.cfg.signature.privateKey, certificate: this.cfg.signature.certificate, now: this.cfg.clock.now() }) : xml;
  }

  private replay: ReplayGuard | undefined;

  /** Parse a payload from the VTN; verifies its signature when signatures are on. */
  decode(xml: string): OadrMessage {
    // Without a configured VTN certificate a signature, if any, is not checked (signatures are optional in 2.0b).
    const sig = this.cfg.signature;
    if (sig) {
      this.replay ??= new ReplayGuard(this.cfg.clock, (sig.replayWindowSec ?? 300) * 1000);
      verifyPayload(xml, { ...(sig.vtnCertificate ? { peerCertificate: sig.vtnCertificate } : {}), ...(sig.ca ? { ca: sig.ca } : {}), replay: this.replay });
    }
    return parse(xml);
  }

  /** POST a message to the VTN and return its parsed reply. */
  async send(m: OadrMessage, service = serviceFor(m.type)): Promise<OadrMessage> {
    this.emit('message', { direction: 'out', type: m.type, service });
    const res = await request('POST', `${this.cfg.vtnUrl}${BASE}/${service}`, {
      body: this.encode(m),
      headers: { 'content-type': 'application/xml' },
      ...(this.cfg.tls ? { tls: this.cfg.tls } : {}),
      timeoutMs: this.cfg.requestTimeoutMs ?? 15000,
    });
    if (res.status !== 200) throw new Error(`VTN answered HTTP ${res.status} to ${m.type}${res.body ? `: ${res.body.slice(0, 200)}` : ''}`);
    // oadrResponse ends an exchange: VTNs such as openleadr-python acknowledge it with an empty HTTP 200.
    if (m.type === 'oadrResponse' && res.body.trim() === '') return { type: 'oadrResponse', response: { responseCode: 200, responseDescription: 'empty HTTP 200', requestID: m.response.requestID } };
    let reply: OadrMessage;
    try {
      reply = this.decode(res.body);
    } catch (e) {
      if (m.type === 'oadrPoll' && (e instanceof OadrParseError || e instanceof OadrSignatureError)) await this.refusePolled(res.body, e);
      throw e;
    }
    this.emit('message', { direction: 'in', type: reply.type });
    if (reply.type === 'oadrResponse' && reply.response.responseCode !== 200 && m.type !== 'oadrResponse') {
      throw new Error(`${m.type}: VTN answered ${reply.response.responseCode} ${reply.response.responseDescription ?? ''}`.trim());
    }
    return reply;
  }

  /** PULL: a polled payload that cannot be accepted (wrong namespace, bad data, bad signature) is answered with its code. */
  private async refusePolled(body: string, e: OadrParseError | OadrSignatureError): Promise<void> {
    const name = /<(?:[\w.-]+:)?oadrSignedObject\b[^>]*>\s*<(?:[\w.-]+:)?(oadr\w+)/.exec(body)?.[1] ?? 'oadrResponse';
    await this.send(this.errorResponse(peekRequestID(body), e instanceof OadrParseError ? e.status : OadrStatus.COMPLIANCE_ERROR, e.message), serviceFor(name as OadrMessage['type'])).catch((err: unknown) => this.emit('error', err instanceof Error ? err : new Error(String(err))));
  }

  private expectOk(reply: OadrMessage, what: string): void {
    if ('response' in reply && reply.response && reply.response.responseCode !== 200) {
      throw new Error(`${what}: VTN answered ${reply.response.responseCode} ${reply.response.responseDescription ?? ''}`.trim());
    }
  }

  // ---- registration -------------------------------------------------------------------------------------------

  async register(): Promise<void> {
    const q = await this.send({ type: 'oadrQueryRegistration', requestID: randomUUID() });
    if (q.type !== 'oadrCreatedPartyRegistration') throw new Error(`oadrQueryRegistration: unexpected ${q.type}`);
    this.expectOk(q, 'oadrQueryRegistration');
    const reg = await this.send({
      type: 'oadrCreatePartyRegistration',
      requestID: randomUUID(),
      ...(this.registrationID ? { registrationID: this.registrationID } : {}),
      // venID is optional here (the VTN assigns it in oadrCreatedPartyRegistration). A first registration only
      // claims one when configured: VTNs such as openleadr-python refuse (463) a venID they were not given out of
      // band, and identify a certificate-only VEN by its TLS fingerprint instead.
      ...(this.venID && (this.registrationID || this.cfg.venID) ? { venID: this.venID } : {}),
      profileName: '2.0b',
      transportName: 'simpleHttp',
      ...(this.cfg.transport === 'push' && (this.cfg.pushUrl ?? this.pushServer) ? { transportAddress: this.cfg.pushUrl ?? this.pushServer!.url } : {}),
      reportOnly: this.cfg.reportOnly,
      xmlSignature: this.cfg.signature !== undefined,
      venName: this.cfg.venName,
      httpPullModel: this.cfg.transport === 'pull',
    });
    if (reg.type !== 'oadrCreatedPartyRegistration') throw new Error(`oadrCreatePartyRegistration: unexpected ${reg.type}`);
    this.expectOk(reg, 'oadrCreatePartyRegistration');
    if (!reg.registrationID || !reg.venID) throw new Error('oadrCreatedPartyRegistration without registrationID/venID');
    if (this.cfg.venID && reg.venID !== this.cfg.venID) throw new Error(`VTN assigned venID ${reg.venID}, expected ${this.cfg.venID}`);
    this.registrationID = reg.registrationID;
    this.venID = reg.venID;
    this.vtnID = reg.vtnID;
    if (reg.pollFreqSec !== undefined && reg.pollFreqSec > 0) this.pollFreqSec = reg.pollFreqSec;
  }

  async registerReports(): Promise<void> {
    const reports = metadataReports(this.cfg.reports, {
      now: this.cfg.clock.now(),
      minSampleSec: 1,
      ...(this.cfg.marketContext ? { marketContext: this.cfg.marketContext } : {}),
    });
    const r = await this.send({ type: 'oadrRegisterReport', requestID: randomUUID(), reports, venID: this.venID! });
    if (r.type !== 'oadrRegisteredReport') throw new Error(`oadrRegisterReport: unexpected ${r.type}`);
    this.expectOk(r, 'oadrRegisterReport');
    if (r.reportRequests.length > 0) {
      const created = this.createReports(randomUUID(), r.reportRequests);
      await this.deliver(created);
    }
  }

  /** Cancel our registration with the VTN (deregistration); controls are cancelled, reports stop. */
  async cancelRegistration(): Promise<void> {
    if (!this.registrationID) return;
    const r = await this.track(this.send({ type: 'oadrCancelPartyRegistration', requestID: randomUUID(), registrationID: this.registrationID, venID: this.venID! }));
    // A plain oadrResponse 200 is taken as acknowledgement too (openleadr-python's VTN answers that way); send() has
    // already rejected a non-200 oadrResponse.
    if (r.type !== 'oadrCanceledPartyRegistration' && r.type !== 'oadrResponse') throw new Error(`oadrCancelPartyRegistration: unexpected ${r.type}`);
    this.expectOk(r, 'oadrCancelPartyRegistration');
    this.deregistered('deregistered by VEN');
  }

  private deregistered(reason: string): void {
    this.registrationID = undefined;
    this.venID = this.cfg.venID ?? (this.cfg.tls?.cert ? fingerprintFromPem(this.cfg.tls.cert) : undefined);
    this.cfg.clock.clearTimeout(this.pollTimer);
    this.pollTimerPending = false;
    for (const r of this.reports.values()) this.stopReport(r);
    this.reports.clear();
    this.answered.clear();
    for (const id of this.book.clear()) this.emit('cancel', { id, reason });
    this.setState('down', reason);
  }

  // ---- poll and VTN-originated messages ------------------------------------------------------------------------

  async pollOnce(): Promise<void> {
    if (!this.registrationID || !this.venID) return;
    const started = this.cfg.clock.monotonic();
    try {
      const msg = await this.send({ type: 'oadrPoll', venID: this.venID });
      if (msg.type !== 'oadrResponse') {
        const reply = await this.handle(msg);
        if (reply) await this.deliver(reply, serviceFor(msg.type));
      } else if (msg.response.responseCode !== 200) {
        throw new Error(`oadrPoll: VTN answered ${msg.response.responseCode} ${msg.response.responseDescription ?? ''}`.trim());
      }
      if (this.state !== 'up' && this.registrationID) this.setState('up');
    } catch (e) {
      this.emit('error', e instanceof Error ? e : new Error(String(e)));
      this.setState('degraded', e instanceof Error ? e.message : String(e));
    }
    // Keep a fixed cadence: the next poll is due pollFreq after this one started.
    if (this.registrationID && !this.pollTimerPending) this.schedulePoll(Math.max(0, started / 1000 + this.pollFreqSec - this.cfg.clock.monotonic() / 1000));
  }

  /** Send a reply (PULL) or a VEN-originated message and check the VTN's acknowledgement. */
  private async deliver(m: OadrMessage, service = serviceFor(m.type)): Promise<void> {
    const ack = await this.send(m, service);
    if (ack.type === 'oadrResponse' || 'response' in ack) this.expectOk(ack, m.type);
    if (m.type === 'oadrResponse' && this.pendingReregister) {
      this.pendingReregister = false;
      await this.reregister();
    }
  }

  private pendingReregister = false;

  private async reregister(): Promise<void> {
    this.cfg.clock.clearTimeout(this.pollTimer);
    for (const r of this.reports.values()) this.stopReport(r);
    this.reports.clear();
    await this.connect();
  }

  /** PUSH endpoint: the VTN posts a message; the VEN's reply goes in the HTTP response body. */
  private async onPush(path: string, body: string): Promise<{ status: number; body?: string }> {
    if (!path.startsWith(`${BASE}/`)) return { status: 404 };
    let msg: OadrMessage;
    try {
      msg = this.decode(body);
    } catch (e) {
      const code = e instanceof OadrParseError ? e.status : e instanceof OadrSignatureError ? OadrStatus.COMPLIANCE_ERROR : OadrStatus.INVALID_DATA;
      this.emit('error', e instanceof Error ? e : new Error(String(e)));
      return { status: 200, body: this.encode(this.errorResponse(peekRequestID(body), code, e instanceof Error ? e.message : String(e))) };
    }
    this.emit('message', { direction: 'in', type: msg.type });
    const reply = await this.handle(msg);
    if (this.pendingReregister) {
      this.pendingReregister = false;
      this.cfg.clock.setTimeout(() => void this.track(this.reregister()), 0);
    }
    return { status: 200, body: this.encode(reply ?? this.errorResponse('0', 200, 'OK')) };
  }

  private errorResponse(requestID: string, code: number, description: string): OadrMessage {
    return { type: 'oadrResponse', response: { responseCode: code, responseDescription: description.slice(0, 200), requestID }, ...(this.venID ? { venID: this.venID } : {}) };
  }

  /** Handle a VTN-originated message; returns the VEN's reply. */
  async handle(msg: OadrMessage): Promise<OadrMessage | undefined> {
    const venID = this.venID ?? '';
    const reqId = 'requestID' in msg && typeof msg.requestID === 'string' ? msg.requestID : '0';
    if (!this.registrationID) return this.errorResponse(reqId, OadrStatus.NOT_REGISTERED_OR_AUTHORIZED, 'VEN not registered');
    if ('venID' in msg && msg.venID !== undefined && msg.venID !== venID) return this.errorResponse(reqId, OadrStatus.INVALID_ID, `venID ${msg.venID} is not ${venID}`);
    switch (msg.type) {
      case 'oadrDistributeEvent':
        return this.onDistributeEvent(msg);
      case 'oadrCreateReport':
        return this.createReports(msg.requestID, msg.reportRequests);
      case 'oadrRegisterReport':
        return { type: 'oadrRegisteredReport', response: { responseCode: 200, responseDescription: 'OK', requestID: msg.requestID }, reportRequests: [], venID };
      case 'oadrCancelReport':
        return this.cancelReports(msg.requestID, msg.reportRequestIDs, msg.reportToFollow);
      case 'oadrUpdateReport':
        return { type: 'oadrUpdatedReport', response: { responseCode: 200, responseDescription: 'OK', requestID: msg.requestID }, venID };
      case 'oadrRequestReregistration':
        this.pendingReregister = true;
        return { type: 'oadrResponse', response: { responseCode: 200, responseDescription: 'OK', requestID: '0' }, venID };
      case 'oadrCancelPartyRegistration': {
        if (msg.registrationID !== this.registrationID) {
          return { type: 'oadrCanceledPartyRegistration', response: { responseCode: OadrStatus.INVALID_ID, responseDescription: 'unknown registrationID', requestID: msg.requestID }, venID };
        }
        const registrationID = msg.registrationID;
        this.deregistered('registration cancelled by VTN');
        return { type: 'oadrCanceledPartyRegistration', response: { responseCode: 200, responseDescription: 'OK', requestID: msg.requestID }, registrationID, venID };
      }
      default:
        return this.errorResponse(reqId, OadrStatus.OUT_OF_SEQUENCE, `${msg.type} not expected from a VTN here`);
    }
  }

  // ---- events ---------------------------------------------------------------------------------------------------

  private onDistributeEvent(msg: Extract<OadrMessage, { type: 'oadrDistributeEvent' }>): OadrMessage | undefined {
    const venID = this.venID!;
    const now = this.cfg.clock.now();
    if (this.vtnID && msg.vtnID !== this.vtnID) {
      return { type: 'oadrCreatedEvent', response: { responseCode: OadrStatus.INVALID_ID, responseDescription: `unknown vtnID ${msg.vtnID}`, requestID: msg.requestID }, eventResponses: [], venID };
    }
    const responses: EventResponse[] = [];
    const seen = new Set<string>();
    for (const ev of msg.events) {
      if (ev.target.venID && ev.target.venID.length > 0 && !ev.target.venID.includes(venID)) continue;
      seen.add(ev.eventID);
      if (this.answered.get(ev.eventID) === ev.modificationNumber) continue;
      this.answered.set(ev.eventID, ev.modificationNumber);
      const dr = fromOadrEvent(ev, msg.vtnID);
      let code = 200;
      let reason: string | undefined;
      let opt: 'optIn' | 'optOut' = this.cfg.policy.opt;
      const bad = impossibleTimes(dr);
      if (bad) {
        code = OadrStatus.INVALID_DATA;
        reason = bad;
        opt = 'optOut';
        for (const id of this.book.remove(ev.eventID)) this.emit('cancel', { id, reason: `event ${ev.eventID}: ${bad}` });
      } else if (this.cfg.reportOnly) {
        opt = 'optOut';
        reason = 'report-only VEN';
      } else if (dr.cancelled) {
        for (const id of this.book.remove(ev.eventID)) this.emit('cancel', { id, reason: `event ${ev.eventID} cancelled` });
        opt = 'optIn';
      } else {
        if (dr.test && this.cfg.policy.optOutTestEvents) opt = 'optOut';
        const { intents, unsupported } = opt === 'optIn' ? intentsForEvent(dr, this.cfg.signals, this.cfg.policy, now) : { intents: [], unsupported: [] };
        if (unsupported.length > 0 && intents.length === 0 && opt === 'optIn') {
          opt = 'optOut';
          reason = `no binding for signal(s) ${unsupported.join(', ')}`;
        }
        for (const id of this.book.set(ev.eventID, ev.modificationNumber, intents)) this.emit('cancel', { id, reason: `event ${ev.eventID} modified` });
        for (const i of intents) this.emit('control', i);
      }
      this.emit('event', { eventID: ev.eventID, modificationNumber: ev.modificationNumber, status: ev.eventStatus, opt, responseCode: code, ...(reason ? { reason } : {}) });
      if (ev.responseRequired === 'always') {
        responses.push({ responseCode: code, ...(reason ? { responseDescription: reason.slice(0, 200) } : { responseDescription: 'OK' }), requestID: msg.requestID, eventID: ev.eventID, modificationNumber: ev.modificationNumber, optType: opt });
      }
    }
    // Events the VTN no longer lists are implicitly cancelled.
    for (const id of [...this.answered.keys()]) if (!seen.has(id)) this.answered.delete(id);
    for (const id of this.book.eventIds()) {
      if (!seen.has(id)) for (const cid of this.book.remove(id)) this.emit('cancel', { id: cid, reason: `event ${id} no longer distributed` });
    }
    if (responses.length === 0) return undefined;
    return { type: 'oadrCreatedEvent', response: { responseCode: 200, responseDescription: 'OK', requestID: msg.requestID }, eventResponses: responses, venID };
  }

  /** Intents currently in force (e.g. for a status display). */
  activeControls(): ControlIntent[] {
    return this.book.active(this.cfg.clock.now());
  }

  /** Opt out of (or back into) an event on the VEN's own initiative (oadrCreateOpt to EiOpt). */
  async optEvent(eventID: string, modificationNumber: number, optType: 'optIn' | 'optOut', reason = 'notParticipating'): Promise<void> {
    if (optType === 'optOut') for (const id of this.book.remove(eventID)) this.emit('cancel', { id, reason: `opted out of ${eventID}` });
    await this.track(
      this.deliver({
        type: 'oadrCreateOpt',
        optID: randomUUID(),
        optType,
        optReason: reason,
        venID: this.venID!,
        createdDateTime: this.cfg.clock.now(),
        requestID: randomUUID(),
        qualifiedEventID: { eventID, modificationNumber },
        target: { venID: [this.venID!] },
      }),
    );
  }

  // ---- reports ----------------------------------------------------------------------------------------------------

  private createReports(requestID: string, requests: ReportRequest[]): OadrMessage {
    const venID = this.venID!;
    let code = 200;
    let description = 'OK';
    for (const rr of requests) {
      const spec = rr.specifier.reportSpecifierID;
      if (spec === 'METADATA') {
        this.cfg.clock.setTimeout(() => void this.track(this.registerReports().catch((e: unknown) => this.fail(e))), 0);
        continue;
      }
      const reportName = spec.replace(/^.*?(TELEMETRY_(USAGE|STATUS))$/, '$1');
      const own = this.cfg.reports.filter((b) => b.report === reportName);
      if (own.length === 0 || !/TELEMETRY_(USAGE|STATUS)$/.test(spec)) {
        code = OadrStatus.INVALID_ID;
        description = `unknown reportSpecifierID ${spec}`;
        continue;
      }
      const wanted = rr.specifier.payloads.map((p) => p.rID);
      const unknown = wanted.filter((r) => !own.some((b) => b.rID === r));
      if (unknown.length > 0) {
        code = OadrStatus.INVALID_ID;
        description = `unknown rID ${unknown.join(', ')}`;
        continue;
      }
      if (rr.specifier.granularitySec < 0 || rr.specifier.reportBackDurationSec < 0) {
        code = OadrStatus.INVALID_DATA;
        description = 'negative granularity or reportBackDuration';
        continue;
      }
      const existing = this.reports.get(rr.reportRequestID);
      if (existing) this.stopReport(existing);
      this.startReport(rr, own.filter((b) => wanted.includes(b.rID)));
    }
    return { type: 'oadrCreatedReport', response: { responseCode: code, responseDescription: description, requestID }, pendingReports: [...this.reports.keys()], venID };
  }

  private startReport(request: ReportRequest, bindings: ReportBinding[]): void {
    const clock = this.cfg.clock;
    const s = request.specifier;
    const a: ActiveReport = { request, bindings };
    const now = clock.now();
    const startDelay = s.reportInterval ? Math.max(0, s.reportInterval.dtstart - now) : 0;
    if (s.reportInterval && s.reportInterval.durationSec > 0) a.endAt = s.reportInterval.dtstart + s.reportInterval.durationSec * 1000;
    this.reports.set(request.reportRequestID, a);
    if (s.reportBackDurationSec === 0) {
      // One-shot report of the current values.
      a.sendTimer = clock.setTimeout(() => {
        this.sample(a);
        void this.track(this.flush(a)).finally(() => this.reports.delete(request.reportRequestID));
      }, startDelay);
      return;
    }
    const granMs = Math.max(1, s.granularitySec || s.reportBackDurationSec) * 1000;
    const sampleLoop = () => {
      if (a.endAt !== undefined && clock.now() > a.endAt) return;
      this.sample(a);
      a.sampleTimer = clock.setTimeout(sampleLoop, granMs);
    };
    const sendLoop = () => {
      void this.track(this.flush(a));
      if (a.endAt !== undefined && clock.now() >= a.endAt) {
        this.stopReport(a);
        this.reports.delete(request.reportRequestID);
        return;
      }
      a.sendTimer = clock.setTimeout(sendLoop, s.reportBackDurationSec * 1000);
    };
    a.sampleTimer = clock.setTimeout(sampleLoop, startDelay);
    a.sendTimer = clock.setTimeout(sendLoop, startDelay + s.reportBackDurationSec * 1000);
  }

  private sample(a: ActiveReport): void {
    const now = this.cfg.clock.now();
    this.log.add({ key: a.request.specifier.reportSpecifierID, time: now, samples: sampleBindings(this.cfg.points, a.bindings, now) });
  }

  /** Report specifiers with an oadrUpdateReport in flight (their intervals are not sent twice at once). */
  private readonly flushing = new Set<string>();

  /** Send the report's unconfirmed intervals (oldest first, original times); confirmed once the VTN accepted them. */
  private async flush(a: ActiveReport): Promise<void> {
    const s = a.request.specifier;
    const key = s.reportSpecifierID;
    if (this.flushing.has(key)) return;
    const pending = this.log.pending(key, 1000);
    if (pending.length === 0) return;
    // One ei:interval per rID and sample time. The XSD allows several oadrReportPayloads per interval, but
    // independent VTNs (openleadr-python) read exactly one payload per interval; this form is valid for both.
    const intervals: ReportInterval[] = [];
    for (const { interval } of pending) {
      for (const x of interval.samples) {
        intervals.push({
          dtstart: interval.time,
          durationSec: s.granularitySec,
          uid: String(intervals.length),
          payloads: [{ rID: x.rID, value: x.status ?? x.value ?? 0, dataQuality: oadrDataQuality(x.quality) }],
        });
      }
    }
    if (intervals.length === 0) {
      this.log.confirm(pending.map((p) => p.handle));
      return;
    }
    const reportName = key.endsWith('TELEMETRY_STATUS') ? 'TELEMETRY_STATUS' : 'TELEMETRY_USAGE';
    const report: OadrReport = {
      dtstart: intervals[0]!.dtstart,
      durationSec: Math.round((intervals[intervals.length - 1]!.dtstart - intervals[0]!.dtstart) / 1000) + s.granularitySec,
      intervals,
      eiReportID: randomUUID(),
      descriptions: [],
      reportRequestID: a.request.reportRequestID,
      reportSpecifierID: key,
      reportName,
      createdDateTime: this.cfg.clock.now(),
    };
    this.flushing.add(key);
    try {
      const ack = await this.send({ type: 'oadrUpdateReport', requestID: randomUUID(), reports: [report], venID: this.venID! });
      // A plain oadrResponse 200 is taken as acceptance too (send() has already rejected a non-200 one).
      if (ack.type !== 'oadrUpdatedReport' && ack.type !== 'oadrResponse') throw new Error(`oadrUpdateReport: unexpected ${ack.type}`);
      this.expectOk(ack, 'oadrUpdateReport');
      // Accepted: these intervals are on the VTN. Otherwise they stay in the log for the next attempt.
      this.log.confirm(pending.map((p) => p.handle));
      this.emit('report', { reportRequestID: a.request.reportRequestID, reportSpecifierID: key, intervals: intervals.length, payloads: intervals.reduce((n, i) => n + i.payloads.length, 0) });
      if (ack.type === 'oadrUpdatedReport' && ack.cancelReport) {
        const reply = this.cancelReports(ack.cancelReport.requestID, ack.cancelReport.reportRequestIDs, false);
        await this.deliver(reply);
      }
    } catch (e) {
      this.emit('error', e instanceof Error ? e : new Error(String(e)));
      this.setState('degraded', e instanceof Error ? e.message : String(e));
    } finally {
      this.flushing.delete(key);
    }
  }

  private stopReport(a: ActiveReport): void {
    this.cfg.clock.clearTimeout(a.sampleTimer);
    this.cfg.clock.clearTimeout(a.sendTimer);
  }

  private cancelReports(requestID: string, ids: string[], reportToFollow: boolean): OadrMessage {
    let code = 200;
    let description = 'OK';
    for (const id of ids) {
      const a = this.reports.get(id);
      if (!a) {
        code = OadrStatus.INVALID_ID;
        description = `unknown reportRequestID ${id}`;
        continue;
      }
      this.stopReport(a);
      this.reports.delete(id);
      if (reportToFollow) {
        this.sample(a);
        this.cfg.clock.setTimeout(() => void this.track(this.flush(a)), 0);
      }
    }
    return { type: 'oadrCanceledReport', response: { responseCode: code, responseDescription: description, requestID }, pendingReports: [...this.reports.keys()], venID: this.venID! };
  }

  /** Report request ids currently active. */
  pendingReports(): string[] {
    return [...this.reports.keys()];
  }
}
