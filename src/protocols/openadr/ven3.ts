/**
 * OpenADR 3 VEN (3.0.1 and 3.1.0, REST/JSON, OAuth2 client credentials): finds or creates its VEN object, reads
 * programs and events, turns events into ControlIntents (same rules as 2.0b, see controls.ts), answers
 * reportDescriptors with reports built from mapped points, and learns about changes by polling or by webhook
 * subscription. Emits strictly per version, parses tolerantly and reports each deviation.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { ControlIntent } from '../../core/control.js';
import { ControlBook, impossibleTimes, intentsForEvent, type DrEvent, type DrSignal } from './controls.js';
import { Emitter } from './emitter.js';
import { request, serve, type IncomingRequest, type ServerHandle, type TlsOptions } from './http.js';
import type { OpenadrPolicy, OpenadrSignalBinding } from './mapping.js';
import {
  check,
  eventSchema,
  notificationSchema,
  Oadr3Error,
  parseDateTime3,
  parseDuration3,
  parseJson,
  problemSchema,
  programSchema,
  tokenResponseSchema,
  venRequest,
  venSchema,
  type Event3,
  type Oadr3Version,
  type Program3,
} from './oadr3/models.js';
import { MqttNotifier, notifiersSchema, topicFilters, topicsResponseSchema, type NotifierTopics } from './oadr3/mqtt-notifier.js';
import { answerEchoChallenge, normaliseNotification } from './oadr3/webhook.js';
import { MemoryReportLog, sampleBindings, type LatestPoints, type ReportBinding, type ReportLog } from './reports.js';
import type { VenState } from './ven20b.js';

export interface Ven3Config {
  baseUrl: string;
  version: Oadr3Version;
  clientId: string;
  clientSecret: string;
  tokenUrl?: string;
  venName: string;
  /** Only these programs (by programName); default all visible programs. */
  programs?: string[];
  /** poll; webhook (subscription with a callback URL); mqtt (3.1.0 MQTT notifier binding). Both still poll. */
  notification: 'poll' | 'webhook' | 'mqtt';
  pollIntervalSec: number;
  /** Webhook: public URL of the callback and the local port to listen on. */
  callbackUrl?: string;
  callbackPort?: number;
  policy: OpenadrPolicy;
  reports: ReportBinding[];
  signals: OpenadrSignalBinding[];
  points: LatestPoints;
  /** Where sampled intervals wait until the VTN accepted them (default: in memory, 1000 per event). */
  reportLog?: ReportLog;
  clock: Clock;
  tls?: TlsOptions;
}

export interface Ven3Events extends Record<string, unknown> {
  state: { state: VenState; reason?: string };
  control: ControlIntent;
  cancel: { id: string; reason: string };
  event: { eventID: string; programID: string; status: 'new' | 'modified' | 'deleted' | 'rejected'; reason?: string };
  report: { eventID: string; reportID?: string; resources: number; intervals: number };
  deviation: string;
  error: Error;
}

export class Ven3 extends Emitter<Ven3Events> {
  state: VenState = 'idle';
  venID: string | undefined;
  programs: Program3[] = [];
  private token: { value: string; expiresAt: number } | undefined;
  private readonly book = new ControlBook();
  private readonly seen = new Map<string, string>();
  private readonly reportIds = new Map<string, string>();
  private timer: TimerHandle | undefined;
  private hook: ServerHandle | undefined;
  private readonly hookToken = Math.random().toString(36).slice(2);
  private mqtt: MqttNotifier | undefined;
  private stopped = false;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(readonly cfg: Ven3Config) {
    super();
  }

  private dev = (what: string): void => this.emit('deviation', what);

  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => undefined);
    return p;
  }

  private setState(state: VenState, reason?: string): void {
    this.state = state;
    this.emit('state', reason ? { state, reason } : { state });
  }

  async start(): Promise<void> {
    this.stopped = false;
    if (this.cfg.notification === 'webhook') {
      this.hook = await serve(async (req) => this.onWebhook(req), { port: this.cfg.callbackPort ?? 0 });
    }
    await this.track(this.cycle(true));
  }

  get callbackListenUrl(): string | undefined {
    return this.hook ? `${this.hook.url}/openadr3/notify` : undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cfg.clock.clearTimeout(this.timer);
    await this.idle();
    await this.mqtt?.close();
    this.mqtt = undefined;
    await this.hook?.close();
    this.hook = undefined;
    this.setState('idle', 'stopped');
  }

  private schedule(): void {
    if (this.stopped) return;
    this.cfg.clock.clearTimeout(this.timer);
    this.timer = this.cfg.clock.setTimeout(() => void this.track(this.cycle(false)), this.cfg.pollIntervalSec * 1000);
  }

  /** One round: (re)connect when needed, read events, send due reports. Webhook mode still polls, as a safety net. */
  private async cycle(first: boolean): Promise<void> {
    // Sampled before any request, so an unreachable VTN does not leave holes in the reports' history.
    const sampled = this.sampleReports();
    try {
      if (first || !this.venID) {
        this.setState('connecting');
        await this.ensureVen();
        this.programs = await this.loadPrograms();
        if (this.cfg.notification === 'webhook') await this.subscribe();
        if (this.cfg.notification === 'mqtt') await this.subscribeMqtt();
      }
      await this.refreshEvents();
      this.sampleReports(sampled); // events first seen in this round
      await this.pushReports();
      this.setState('up');
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.emit('error', err);
      this.setState(this.venID ? 'degraded' : 'down', err.message);
    }
    this.schedule();
  }

  // ---- HTTP + OAuth2 ------------------------------------------------------------------------------------------

  private async fetchToken(): Promise<string> {
    const now = this.cfg.clock.now();
    if (this.token && now < this.token.expiresAt - 30_000) return this.token.value;
    let url = this.cfg.tokenUrl ?? `${this.cfg.baseUrl}/auth/token`;
    if (!this.cfg.tokenUrl && this.cfg.version === '3.1.0') {
      const info = await request('GET', `${this.cfg.baseUrl}/auth/server`, { ...(this.cfg.tls ? { tls: this.cfg.tls } : {}) }).catch(() => undefined);
      if (info?.status === 200) {
        const v = parseJson(info.body, 'auth/server', this.dev) as { tokenURL?: unknown };
        if (typeof v.tokenURL === 'string') url = v.tokenURL;
      }
    }
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.cfg.clientId, client_secret: this.cfg.clientSecret }).toString();
    const res = await request('POST', url, { body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, ...(this.cfg.tls ? { tls: this.cfg.tls } : {}) });
    if (res.status !== 200) throw new Oadr3Error('auth/token', `HTTP ${res.status} ${res.body.slice(0, 200)}`, res.status);
    const t = check(tokenResponseSchema, parseJson(res.body, 'auth/token', this.dev), 'auth/token');
    if (Array.isArray(t.scope)) this.dev('auth/token: scope is an array, not a space-separated string');
    if (t.token_type !== 'Bearer') this.dev(`auth/token: token_type "${t.token_type}" is not "Bearer"`);
    this.token = { value: t.access_token, expiresAt: now + (t.expires_in ?? 3600) * 1000 };
    return t.access_token;
  }

  private async api(method: string, path: string, body?: unknown): Promise<unknown> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await this.fetchToken();
      const res = await request(method, `${this.cfg.baseUrl}${path}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(this.cfg.tls ? { tls: this.cfg.tls } : {}),
      });
      // A stale or revoked token: 401 (3.1.0, RFC 6750); 3.0.1 declares only 403 for it. Fetch a new token once.
      if ((res.status === 401 || res.status === 403) && attempt === 0) {
        this.token = undefined;
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res.body ? parseJson(res.body, `${method} ${path}`, this.dev) : undefined;
      let detail = res.body.slice(0, 200);
      try {
        const p = problemSchema.parse(JSON.parse(res.body));
        if (typeof p.status === 'string') this.dev(`${method} ${path}: problem.status is a string`);
        detail = `${p.title ?? ''} ${p.detail ?? ''}`.trim() || detail;
      } catch {
        // not a problem document
      }
      throw new Oadr3Error(`${method} ${path}`, `HTTP ${res.status} ${detail}`, res.status);
    }
    throw new Oadr3Error(`${method} ${path}`, 'unauthorised', 401);
  }

  // ---- VEN, programs, subscriptions ----------------------------------------------------------------------------

  private async ensureVen(): Promise<void> {
    const list = await this.api('GET', `/vens?venName=${encodeURIComponent(this.cfg.venName)}`);
    const found = Array.isArray(list) ? list.map((v, i) => check(venSchema, v, `vens[${i}]`)).find((v) => v.venName === this.cfg.venName) : undefined;
    if (found?.id) {
      this.venID = found.id;
      return;
    }
    const created = check(venSchema, await this.api('POST', '/vens', venRequest(this.cfg.version, this.cfg.venName)), 'POST /vens');
    if (!created.id) throw new Oadr3Error('POST /vens', 'VTN returned no id');
    this.venID = created.id;
  }

  private async loadPrograms(): Promise<Program3[]> {
    const raw = await this.api('GET', '/programs');
    if (!Array.isArray(raw)) throw new Oadr3Error('GET /programs', 'expected an array');
    const all = raw.map((p, i) => check(programSchema, p, `programs[${i}]`));
    return this.cfg.programs ? all.filter((p) => this.cfg.programs!.includes(p.programName)) : all;
  }

  private async subscribe(): Promise<void> {
    const callbackUrl = this.cfg.callbackUrl ?? this.callbackListenUrl;
    if (!callbackUrl) throw new Oadr3Error('subscription', 'no callback URL');
    for (const p of this.programs) {
      if (!p.id) continue;
      await this.api('POST', '/subscriptions', {
        clientName: this.cfg.venName,
        programID: p.id,
        objectOperations: [{ objects: ['EVENT'], operations: ['CREATE', 'UPDATE', 'DELETE'], callbackUrl, bearerToken: this.hookToken }],
      });
    }
  }

  /** 3.1.0 MQTT binding: the broker from GET /notifiers, event topics for this VEN (or per program), subscribed. */
  private async subscribeMqtt(): Promise<void> {
    if (this.cfg.version !== '3.1.0') throw new Oadr3Error('notifiers', 'MQTT notifications are an OpenADR 3.1.0 feature');
    if (!this.mqtt) {
      const n = check(notifiersSchema, await this.api('GET', '/notifiers'), 'GET /notifiers');
      if (!n.MQTT) throw new Oadr3Error('GET /notifiers', 'the VTN offers no MQTT notifier binding');
      this.mqtt = new MqttNotifier(n.MQTT, {
        clientId: this.cfg.clientId,
        token: () => this.token?.value,
        dev: this.dev,
        onMessage: (topic, text) => {
          try {
            this.handleNotification(text);
          } catch (e) {
            this.emit('error', new Oadr3Error(`MQTT ${topic}`, e instanceof Error ? e.message : String(e)));
          }
        },
        onState: (up, reason) => {
          if (!up && !this.stopped && this.state === 'up') this.setState('degraded', reason);
        },
      });
      await this.mqtt.connect();
    }
    // vens/{venID}/events is the VEN's own view (read_ven_objects); per-program topics where a VTN lacks it.
    let topics: NotifierTopics | undefined;
    try {
      topics = check(topicsResponseSchema, await this.api('GET', `/notifiers/mqtt/topics/vens/${encodeURIComponent(this.venID ?? '')}/events`), 'MQTT topics').topics;
      await this.mqtt.subscribe(topicFilters(topics));
    } catch (e) {
      if (!(e instanceof Oadr3Error) || (e.status !== 403 && e.status !== 404)) throw e;
      this.dev(`notifiers: no per-VEN event topics (${e.message}); subscribing per program`);
      for (const p of this.programs) {
        if (!p.id) continue;
        const t = check(topicsResponseSchema, await this.api('GET', `/notifiers/mqtt/topics/programs/${encodeURIComponent(p.id)}/events`), 'MQTT topics').topics;
        await this.mqtt.subscribe(topicFilters(t));
      }
    }
  }

  /** One notification (webhook body or MQTT message): apply the event it carries. Throws on bad input. */
  private handleNotification(text: string): void {
    const n = check(notificationSchema, normaliseNotification(parseJson(text, 'notification', this.dev), this.dev), 'notification');
    if (n.objectType !== 'EVENT') return;
    if (n.operation === 'DELETE') {
      const id = typeof n.object['id'] === 'string' ? n.object['id'] : '';
      this.dropEvent(id, 'event deleted (notification)');
      return;
    }
    this.applyEvent(check(eventSchema, n.object, 'notification.object'));
    void this.track(this.sendReports().catch((e: unknown) => this.emit('error', e instanceof Error ? e : new Error(String(e)))));
  }

  private async onWebhook(req: IncomingRequest): Promise<{ status: number; body?: string; contentType?: string }> {
    const json = (status: number, v: unknown) => ({ status, body: JSON.stringify(v), contentType: 'application/json' });
    if (req.method === 'GET') {
      const callbackPath = new URL(this.cfg.callbackUrl ?? this.callbackListenUrl ?? 'http://x/').pathname;
      const echo = answerEchoChallenge(req.path, req.query, callbackPath, this.dev);
      if (echo) return echo;
    }
    if (req.method !== 'POST') return json(405, { title: 'Method Not Allowed', status: 405 });
    if (req.headers.authorization !== `Bearer ${this.hookToken}`) return json(403, { title: 'Forbidden', status: 403, detail: 'bad bearer token' });
    try {
      this.handleNotification(req.body);
      return json(200, {});
    } catch (e) {
      this.emit('error', e instanceof Error ? e : new Error(String(e)));
      return json(400, { title: 'Bad Request', status: 400, detail: e instanceof Error ? e.message : String(e) });
    }
  }

  // ---- events → controls --------------------------------------------------------------------------------------

  async refreshEvents(): Promise<void> {
    const ids = new Set<string>();
    for (const p of this.programs) {
      if (!p.id) continue;
      const raw = await this.api('GET', `/events?programID=${encodeURIComponent(p.id)}`);
      if (!Array.isArray(raw)) throw new Oadr3Error('GET /events', 'expected an array');
      raw.forEach((e, i) => {
        try {
          const ev = check(eventSchema, e, `events[${i}]`);
          if (ev.id) ids.add(ev.id);
          this.applyEvent(ev);
        } catch (err) {
          this.emit('error', err instanceof Error ? err : new Error(String(err)));
        }
      });
    }
    for (const id of [...this.seen.keys()]) if (!ids.has(id)) this.dropEvent(id, 'event no longer listed');
  }

  toDrEvent(e: Event3): DrEvent {
    const evStart = e.intervalPeriod ? parseDateTime3(e.intervalPeriod.start, this.dev) : undefined;
    const evDur = e.intervalPeriod?.duration ? parseDuration3(e.intervalPeriod.duration) : 0;
    const byType = new Map<string, DrSignal>();
    let t = evStart ?? NaN;
    let total = 0;
    for (const iv of [...e.intervals].sort((a, b) => a.id - b.id)) {
      const start = iv.intervalPeriod ? (parseDateTime3(iv.intervalPeriod.start, this.dev) ?? NaN) : t;
      const dur = iv.intervalPeriod?.duration !== undefined ? (parseDuration3(iv.intervalPeriod.duration) ?? NaN) : (evDur ?? NaN);
      t = start + dur * 1000;
      total = Math.max(total, Number.isFinite(start) && evStart !== undefined ? (start - evStart) / 1000 + dur : dur);
      for (const p of iv.payloads) {
        const v0 = p.values[0];
        const value = typeof v0 === 'number' ? v0 : typeof v0 === 'boolean' ? (v0 ? 1 : 0) : NaN;
        const sig = byType.get(p.type) ?? { id: p.type, name: p.type, intervals: [] };
        sig.intervals.push({ id: String(iv.id), start, durationSec: dur, value });
        byType.set(p.type, sig);
      }
    }
    return {
      id: e.id ?? 'unknown',
      modification: 0,
      source: `openadr3:${e.programID}/${e.id ?? ''}`,
      cancelled: false,
      test: false,
      ...(e.priority !== undefined && e.priority !== null ? { priority: e.priority } : {}),
      start: evStart ?? (e.intervals[0]?.intervalPeriod ? parseDateTime3(e.intervals[0].intervalPeriod.start, this.dev) : undefined) ?? NaN,
      durationSec: total,
      signals: [...byType.values()],
    };
  }

  private applyEvent(e: Event3): void {
    if (!e.id) throw new Oadr3Error('event', 'event without id');
    const version = e.modificationDateTime ?? JSON.stringify(e);
    if (this.seen.get(e.id) === version) return;
    const status = this.seen.has(e.id) ? 'modified' : 'new';
    this.seen.set(e.id, version);
    const dr = this.toDrEvent(e);
    const bad = impossibleTimes(dr);
    if (bad) {
      for (const id of this.book.remove(e.id)) this.emit('cancel', { id, reason: `event ${e.id}: ${bad}` });
      this.emit('event', { eventID: e.id, programID: e.programID, status: 'rejected', reason: bad });
      return;
    }
    const { intents, unsupported } = intentsForEvent(dr, this.cfg.signals, this.cfg.policy, this.cfg.clock.now());
    for (const id of this.book.set(e.id, this.book.known(e.id) ? this.book.known(e.id)!.modification + 1 : 0, intents)) this.emit('cancel', { id, reason: `event ${e.id} modified` });
    for (const i of intents) this.emit('control', i);
    this.events.set(e.id, e);
    this.emit('event', { eventID: e.id, programID: e.programID, status, ...(unsupported.length ? { reason: `no binding for ${unsupported.join(', ')}` } : {}) });
  }

  private readonly events = new Map<string, Event3>();

  private dropEvent(id: string, reason: string): void {
    this.seen.delete(id);
    const e = this.events.get(id);
    this.events.delete(id);
    for (const cid of this.book.remove(id)) this.emit('cancel', { id: cid, reason });
    if (e) this.emit('event', { eventID: id, programID: e.programID, status: 'deleted', reason });
  }

  activeControls(): ControlIntent[] {
    return this.book.active(this.cfg.clock.now());
  }

  // ---- reports --------------------------------------------------------------------------------------------------

  /** The mapped report bindings an event asks for (by payloadType), none when it asks for no report. */
  private reportBindings(e: Event3): ReportBinding[] {
    const descs = e.reportDescriptors ?? [];
    if (!e.id || descs.length === 0) return [];
    return this.cfg.reports.filter((b) => descs.some((d) => d.payloadType === b.payloadType));
  }

  private get log(): ReportLog {
    return (this.reportLog ??= this.cfg.reportLog ?? new MemoryReportLog());
  }

  /**
   * One interval of the current values for every known event that asks for reports (kept until the VTN has it),
   * except the events in `skip`; returns the events sampled.
   */
  sampleReports(skip: ReadonlySet<string> = new Set()): Set<string> {
    const now = this.cfg.clock.now();
    const done = new Set<string>();
    for (const e of this.events.values()) {
      const wanted = this.reportBindings(e);
      if (wanted.length === 0 || skip.has(e.id!)) continue;
      this.log.add({ key: e.id!, time: now, samples: sampleBindings(this.cfg.points, wanted, now) });
      done.add(e.id!);
    }
    return done;
  }

  /** Sample the current values, then send every report's unaccepted intervals. */
  async sendReports(): Promise<void> {
    this.sampleReports();
    await this.pushReports();
  }

  /**
   * For every known event that asks for reports, POST (first time) or PUT a report with every interval the VTN has
   * not accepted yet (oldest first, each with its own start); a 2xx answer confirms them.
   */
  private async pushReports(): Promise<void> {
    const log = this.log;
    for (const e of this.events.values()) {
      const wanted = this.reportBindings(e);
      if (wanted.length === 0 || !e.id) continue;
      const pending = log.pending(e.id, 1000);
      if (pending.length === 0) continue;
      const byDevice = new Map<string, Array<{ id: number; intervalPeriod: { start: string; duration: string }; payloads: Array<{ type: string; values: Array<number | boolean> }> }>>();
      for (const { interval } of pending) {
        const start = new Date(interval.time).toISOString();
        const perDevice = new Map<string, Array<{ type: string; values: Array<number | boolean> }>>();
        for (const s of interval.samples) {
          const b = wanted.find((w) => w.rID === s.rID);
          if (!b) continue;
          const list = perDevice.get(b.device) ?? [];
          if (s.status) list.push({ type: b.payloadType, values: [s.status.online] });
          else if (s.value !== null) list.push({ type: b.payloadType, values: [s.value] });
          list.push({ type: 'DATA_QUALITY', values: [s.quality === 'good' ? 1 : 0] });
          perDevice.set(b.device, list);
        }
        for (const [device, payloads] of perDevice) {
          const ivs = byDevice.get(device) ?? [];
          ivs.push({ id: ivs.length, intervalPeriod: { start, duration: 'PT0S' }, payloads });
          byDevice.set(device, ivs);
        }
      }
      const report: Record<string, unknown> = {
        ...(this.cfg.version === '3.0.1' ? { programID: e.programID } : {}),
        eventID: e.id,
        clientName: this.cfg.venName,
        reportName: `${this.cfg.venName}-${e.id}`,
        payloadDescriptors: [...new Set(wanted.map((b) => b.payloadType))].map((t) => {
          const b = wanted.find((w) => w.payloadType === t)!;
          return { objectType: 'REPORT_PAYLOAD_DESCRIPTOR', payloadType: t, ...(b.unit ? { units: b.unit } : {}) };
        }),
        resources: [...byDevice].map(([resourceName, intervals]) => ({
          resourceName,
          intervalPeriod: { start: intervals[0]!.intervalPeriod.start, duration: 'PT0S' },
          intervals,
        })),
      };
      const existing = this.reportIds.get(e.id);
      const res = existing ? await this.api('PUT', `/reports/${existing}`, report) : await this.api('POST', '/reports', report);
      // A 2xx answer: the VTN holds these intervals (api() threw otherwise and they stay for the next round).
      log.confirm(pending.map((p) => p.handle));
      const id = res && typeof res === 'object' && typeof (res as { id?: unknown }).id === 'string' ? (res as { id: string }).id : undefined;
      if (id) this.reportIds.set(e.id, id);
      this.emit('report', { eventID: e.id, ...(id ? { reportID: id } : {}), resources: byDevice.size, intervals: pending.length });
    }
  }

  private reportLog: ReportLog | undefined;
}
