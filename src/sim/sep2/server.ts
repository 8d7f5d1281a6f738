/**
 * IEEE 2030.5 test server: mTLS (client certificate required and chain-checked), the CSIP discovery tree, DER
 * programs with scripted controls, and endpoints that accept mirrors, DER status/settings/capability and Responses,
 * recording everything. Every answer has Content-Length; idle connections are kept for minutes (embedded clients
 * stop when the server closes them). `legacy` emits the pre-2018 namespace and the common subset.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { SEP2_CIPHERS } from '../../protocols/sep2/http.js';
import { lfdiFromDer, sfdiFromLfdi } from '../../protocols/sep2/identity.js';
import { RESOURCES } from '../../protocols/sep2/resources.js';
import { SEP2_CONTENT_TYPE, Sep2XmlError, parseXmlTree, type SerializeOptions } from '../../protocols/sep2/xml.js';
import type { DERControl, DERControlBase, DefaultDERControl } from '../../protocols/sep2/derControl.js';
import type { MirrorUsagePoint } from '../../protocols/sep2/mirrorUsagePoint.js';
import type { MirrorMeterReading } from '../../protocols/sep2/mirrorMeterReading.js';
import { mridFor } from '../../protocols/sep2/telemetry.js';
import type { TestPki } from './pki.js';
import type { ControlStep, Scenario } from './scenario.js';
import { ScenarioSchema } from './scenario.js';

/** Largest request body the server reads (a DERControlResponse or a reading batch is a few kB). */
const MAX_BODY = 4 * 1024 * 1024;

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  status: number;
  lfdi?: string;
  resource?: string;
  value?: unknown;
  error?: string;
}

export interface Sep2ServerOptions {
  pki: TestPki;
  port?: number;
  host?: string;
  clock?: Clock;
  scenario?: Scenario;
  legacy?: boolean;
  /** Page size cap for lists (tests use small pages to exercise paging). */
  maxPage?: number;
  /** Extra EndDevices listed before ours (paging tests). */
  otherDevices?: number;
}

/** An injected misbehaviour for one path (rehearse bad servers): status, raw body, content type. */
export interface Fault {
  status?: number;
  body?: string;
  contentType?: string;
}

interface Program {
  primacy: number;
  description?: string;
  controls: DERControl[];
  dflt?: DefaultDERControl;
}

export class Sep2TestServer extends EventEmitter {
  readonly records: RecordedRequest[] = [];
  /** Readings received per mirror, keyed `mupHref|start`, with how many times each arrived. */
  readonly readings = new Map<string, { value: number | undefined; count: number }>();
  readonly mirrors = new Map<string, MirrorUsagePoint>();
  readonly derResources = new Map<string, unknown>();
  private server?: https.Server;
  private sockets = new Set<Socket>();
  private readonly clock: Clock;
  private readonly scenario: Scenario;
  private programs: Program[];
  private timers: TimerHandle[] = [];
  private seq = 0;
  private startedAt = 0;
  private readonly ser: SerializeOptions;
  private faults = new Map<string, Fault>();
  /** In-band registration: when the client POSTed its EndDevice (ms), undefined before. */
  private registeredAt: number | undefined;

  constructor(private readonly opts: Sep2ServerOptions) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.scenario = opts.scenario ?? ScenarioSchema.parse({});
    this.ser = opts.legacy ? { legacy: true } : {};
    this.programs = this.scenario.programs.map((p) => ({
      primacy: p.primacy,
      ...(p.description ? { description: p.description } : {}),
      controls: [],
      ...(p.default ? { dflt: { mRID: mridFor('dderc', p.primacy, p.description ?? ''), DERControlBase: p.default as DERControlBase } } : {}),
    }));
  }

  get port(): number {
    const a = this.server?.address();
    return typeof a === 'object' && a ? a.port : 0;
  }
  get url(): string {
    return `https://127.0.0.1:${this.port}/dcap`;
  }
  /** Server time in seconds (real clock + scenario offset). */
  nowS(): number {
    return Math.floor(this.clock.now() / 1000) + this.scenario.timeOffsetSeconds;
  }

  async start(): Promise<number> {
    const { pki } = this.opts;
    this.server = https.createServer(
      { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: true, ciphers: SEP2_CIPHERS, minVersion: 'TLSv1.2' },
      (req, res) => this.handle(req, res),
    );
    this.server.keepAliveTimeout = 300_000;
    this.server.headersTimeout = 310_000;
    this.server.on('tlsClientError', (e) => this.emit('tlsError', errorMessage(e)));
    this.server.on('connection', (sock: Socket) => {
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => resolve());
    });
    // A restart of the same instance comes back on the same port with its state (like a server with a database).
    this.opts.port = this.port;
    if (this.startedAt) return this.port;
    this.startedAt = this.clock.now();
    for (const step of this.scenario.steps) {
      this.timers.push(
        this.clock.setTimeout(() => {
          if ('control' in step) this.addControl(step.control);
          else if ('cancel' in step) this.cancel(step.cancel, step.status);
          else {
            this.inject(step.path, step.fault ?? undefined);
            this.emit('fault', { path: step.path, fault: step.fault });
          }
        }, step.at * 1000),
      );
    }
    return this.port;
  }

  /** Stop listening. `pause` keeps the scenario running so `start()` resumes it (a server restart). */
  async stop(pause = false): Promise<void> {
    if (!pause) {
      for (const t of this.timers) this.clock.clearTimeout(t);
      this.timers = [];
    }
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    // Raw sockets too: a connection still in its TLS handshake is not an HTTP connection yet.
    for (const sock of this.sockets) sock.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Add a DERControl now (times relative to now); returns it. */
  addControl(step: Partial<ControlStep> & { duration: number; base: ControlStep['base'] }): DERControl {
    const p = step.program ?? 0;
    const prog = this.programs[p];
    if (!prog) throw new Error(`no program ${p}`);
    const now = this.nowS();
    const n = ++this.seq;
    const ctl: DERControl = {
      href: `/derp/${p}/derc/${n}`,
      replyTo: '/rsp',
      responseRequired: step.responseRequired ?? '03',
      mRID: (step.mRID ?? mridFor('derc', this.startedAt, n)).toUpperCase(),
      description: step.description ?? `control ${n}`,
      creationTime: now,
      EventStatus: { currentStatus: 0, dateTime: now, potentiallySuperseded: false },
      interval: { start: now + (step.start ?? 0), duration: step.duration },
      ...(step.randomizeStart !== undefined ? { randomizeStart: step.randomizeStart } : {}),
      ...(step.randomizeDuration !== undefined ? { randomizeDuration: step.randomizeDuration } : {}),
      DERControlBase: step.base as DERControlBase,
    };
    prog.controls.push(ctl);
    this.emit('control', { program: p, mRID: ctl.mRID, start: ctl.interval.start, duration: ctl.interval.duration, base: ctl.DERControlBase });
    return ctl;
  }

  cancel(mRID: string, status: 2 | 3 | 4 = 2): boolean {
    for (const p of this.programs)
      for (const c of p.controls)
        if (c.mRID === mRID.toUpperCase()) {
          c.EventStatus = { ...c.EventStatus, currentStatus: status, dateTime: this.nowS() };
          this.emit('cancel', { mRID: c.mRID, status });
          return true;
        }
    return false;
  }

  /** Make `path` misbehave until `inject(path)` is called without a fault. */
  inject(path: string, fault?: Fault): void {
    if (fault) this.faults.set(path, fault);
    else this.faults.delete(path);
  }

  responses(): Array<{ subject: string; status: number }> {
    return this.records.filter((r) => r.path === '/rsp' && r.value).map((r) => r.value as { subject: string; status: number });
  }

  private liveStatus(c: DERControl): DERControl {
    const st = c.EventStatus.currentStatus;
    if (st >= 2) return c;
    const now = this.nowS();
    const active = now >= c.interval.start && now < c.interval.start + c.interval.duration;
    return { ...c, EventStatus: { ...c.EventStatus, currentStatus: active ? 1 : 0 } };
  }

  private send(res: ServerResponse, status: number, resource?: string, value?: unknown, headers: Record<string, string> = {}): number {
    const body = resource ? Buffer.from(RESOURCES[resource]!.serialize(value, this.ser), 'utf8') : Buffer.alloc(0);
    const h: Record<string, string | number> = { 'content-length': body.length, ...headers };
    if (body.length) h['content-type'] = SEP2_CONTENT_TYPE;
    res.writeHead(status, h);
    res.end(body);
    return status;
  }

  private page<T>(url: URL, items: T[]): { items: T[]; all: number; results: number } {
    const s = Math.max(0, Number(url.searchParams.get('s') ?? 0) || 0);
    const l = Math.min(this.opts.maxPage ?? 255, Math.max(1, Number(url.searchParams.get('l') ?? 255) || 255));
    const slice = items.slice(s, s + l);
    return { items: slice, all: items.length, results: slice.length };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const cert = (req.socket as TLSSocket).getPeerCertificate?.();
    const lfdi = cert?.raw ? lfdiFromDer(cert.raw) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'https://localhost');
      } catch {
        url = new URL('https://localhost/');
      }
      const rec: RecordedRequest = { at: this.clock.now(), method: req.method ?? 'GET', path: url.pathname, status: 0, ...(lfdi ? { lfdi } : {}) };
      try {
        if (size > MAX_BODY) {
          rec.error = `request body of ${size} bytes is over ${MAX_BODY}`;
          rec.status = this.send(res, 413);
          this.records.push(rec);
          this.emit('request', rec);
          return;
        }
        const body = Buffer.concat(chunks).toString('utf8');
        rec.status = this.route(req.method ?? 'GET', url, body, lfdi, res, rec);
      } catch (e) {
        rec.error = errorMessage(e);
        rec.status = this.send(res, e instanceof Sep2XmlError ? 400 : 500);
      }
      this.records.push(rec);
      // Long rehearsals: keep the most recent history only.
      if (this.records.length > 20_000) this.records.splice(0, this.records.length - 10_000);
      this.emit('request', rec);
    });
  }

  private route(method: string, url: URL, body: string, lfdi: string | undefined, res: ServerResponse, rec: RecordedRequest): number {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const fault = this.faults.get(path);
    if (fault) {
      const b = Buffer.from(fault.body ?? '', 'utf8');
      const h: Record<string, string | number> = { 'content-length': b.length };
      if (b.length) h['content-type'] = fault.contentType ?? SEP2_CONTENT_TYPE;
      res.writeHead(fault.status ?? 200, h);
      res.end(b);
      return fault.status ?? 200;
    }
    const pki = this.opts.pki;
    const ours = lfdi === pki.client.lfdi;
    const pollRate = this.scenario.pollRate;
    if (method === 'POST' || method === 'PUT') {
      const ct = String((res.req.headers['content-type'] ?? '')).toLowerCase();
      if (!ct.startsWith(SEP2_CONTENT_TYPE)) return this.send(res, 415);
    }
    if (method === 'GET' && path === '/dcap')
      return this.send(res, 200, 'DeviceCapability', { href: '/dcap', pollRate, TimeLink: { href: '/tm' }, EndDeviceListLink: { href: '/edev', all: 1 + (this.opts.otherDevices ?? 0) }, MirrorUsagePointListLink: { href: '/mup', all: this.mirrors.size } });
    if (method === 'GET' && path === '/tm') {
      const now = this.nowS();
      return this.send(res, 200, 'Time', { href: '/tm', pollRate, currentTime: now, dstEndTime: 0, dstOffset: 0, dstStartTime: 0, quality: 7, tzOffset: 0 });
    }
    if (!ours) return this.send(res, 403);
    const inBand = this.scenario.registration === 'in-band';
    const registered = !inBand || (this.registeredAt !== undefined && this.clock.now() - this.registeredAt >= this.scenario.registrationDelay * 1000);
    const edev = {
      href: '/edev/1',
      DERListLink: { href: '/edev/1/der', all: 1 },
      lFDI: pki.client.lfdi,
      sFDI: pki.client.sfdi,
      changedTime: Math.floor(this.startedAt / 1000),
      enabled: true,
      FunctionSetAssignmentsListLink: { href: '/edev/1/fsa', all: 1 },
      postRate: this.scenario.postRate,
      ...(registered ? { RegistrationLink: { href: '/edev/1/rg' } } : {}),
    };
    if (method === 'POST' && path === '/edev') {
      const v = RESOURCES.EndDevice!.parse(body) as { lFDI?: string; sFDI: number };
      rec.resource = 'EndDevice';
      rec.value = v;
      if (v.sFDI !== pki.client.sfdi || (v.lFDI !== undefined && v.lFDI.toUpperCase() !== pki.client.lfdi)) return this.send(res, 400);
      this.registeredAt ??= this.clock.now();
      return this.send(res, 201, undefined, undefined, { location: '/edev/1' });
    }
    const listed = !inBand || this.registeredAt !== undefined;
    if (method === 'GET' && path === '/edev') {
      const others = Array.from({ length: this.opts.otherDevices ?? 0 }, (_, i) => {
        const l = mridFor('other', i).slice(0, 40);
        return { href: `/edev/${i + 2}`, lFDI: l, sFDI: sfdiFromLfdi(l), changedTime: 0 };
      });
      const pg = this.page(url, [...others, ...(listed ? [edev] : [])]);
      return this.send(res, 200, 'EndDeviceList', { href: '/edev', all: pg.all, results: pg.results, pollRate, EndDevice: pg.items });
    }
    if (!listed && path.startsWith('/edev/1')) return this.send(res, 404);
    if (method === 'GET' && path === '/edev/1') return this.send(res, 200, 'EndDevice', edev);
    if (method === 'GET' && path === '/edev/1/rg' && registered) return this.send(res, 200, 'Registration', { href: '/edev/1/rg', pollRate, dateTimeRegistered: Math.floor(this.startedAt / 1000), pIN: this.scenario.pin ?? 111115 });
    if (method === 'GET' && path === '/edev/1/fsa')
      return this.send(res, 200, 'FunctionSetAssignmentsList', { href: '/edev/1/fsa', all: 1, results: 1, pollRate, FunctionSetAssignments: [{ href: '/edev/1/fsa/1', DERProgramListLink: { href: '/derp', all: this.programs.length }, TimeLink: { href: '/tm' }, mRID: mridFor('fsa', 1), description: 'FSA 1' }] });
    const program = (i: number, p: Program) => ({
      href: `/derp/${i}`,
      mRID: mridFor('derp', i),
      ...(p.description ? { description: p.description } : {}),
      ...(p.dflt ? { DefaultDERControlLink: { href: `/derp/${i}/dderc` } } : {}),
      DERControlListLink: { href: `/derp/${i}/derc`, all: p.controls.length },
      primacy: p.primacy,
    });
    if (method === 'GET' && path === '/derp') {
      const pg = this.page(url, this.programs.map((p, i) => program(i, p)));
      return this.send(res, 200, 'DERProgramList', { href: '/derp', all: pg.all, results: pg.results, pollRate, DERProgram: pg.items });
    }
    let m = /^\/derp\/(\d+)(\/derc|\/dderc)?(?:\/(\d+))?$/.exec(path);
    if (m && method === 'GET') {
      const i = Number(m[1]);
      const p = this.programs[i];
      if (!p) return this.send(res, 404);
      if (!m[2]) return this.send(res, 200, 'DERProgram', program(i, p));
      if (m[2] === '/dderc') return p.dflt ? this.send(res, 200, 'DefaultDERControl', { href: path, ...p.dflt }) : this.send(res, 404);
      if (m[3]) {
        const c = p.controls.find((x) => x.href === path);
        return c ? this.send(res, 200, 'DERControl', this.liveStatus(c)) : this.send(res, 404);
      }
      // Newest first, as servers list them; paging honoured.
      const pg = this.page(url, [...p.controls].reverse().map((c) => this.liveStatus(c)));
      return this.send(res, 200, 'DERControlList', { href: path, all: pg.all, results: pg.results, DERControl: pg.items });
    }
    if (method === 'GET' && path === '/edev/1/der')
      return this.send(res, 200, 'DERList', { href: path, all: 1, results: 1, pollRate, DER: [{ href: '/edev/1/der/1', DERAvailabilityLink: { href: '/edev/1/der/1/dera' }, DERCapabilityLink: { href: '/edev/1/der/1/dercap' }, DERSettingsLink: { href: '/edev/1/der/1/derg' }, DERStatusLink: { href: '/edev/1/der/1/ders' } }] });
    m = /^\/edev\/1\/der\/1\/(dercap|derg|ders|dera)$/.exec(path);
    if (m) {
      const name = { dercap: 'DERCapability', derg: 'DERSettings', ders: 'DERStatus', dera: 'DERAvailability' }[m[1] as 'dercap']!;
      if (method === 'PUT') {
        const v = RESOURCES[name]!.parse(body);
        if (name === 'DERCapability' && this.scenario.csipAus && (v as { doeModesSupported?: string }).doeModesSupported === undefined) {
          rec.error = 'DERCapability without csipaus:doeModesSupported (required by CSIP-AUS)';
          return this.send(res, 400);
        }
        this.derResources.set(name, v);
        rec.resource = name;
        rec.value = v;
        return this.send(res, 204);
      }
      if (method === 'GET') return this.derResources.has(name) ? this.send(res, 200, name, { href: path, ...(this.derResources.get(name) as object) }) : this.send(res, 404);
    }
    if (path === '/mup' && method === 'GET') {
      const pg = this.page(url, [...this.mirrors.entries()].map(([href, v]) => ({ ...v, href })));
      return this.send(res, 200, 'MirrorUsagePointList', { href: '/mup', all: pg.all, results: pg.results, pollRate, MirrorUsagePoint: pg.items });
    }
    if (path === '/mup' && method === 'POST') {
      const v = RESOURCES.MirrorUsagePoint!.parse(body) as MirrorUsagePoint;
      rec.resource = 'MirrorUsagePoint';
      rec.value = v;
      const existing = [...this.mirrors.entries()].find(([, x]) => x.mRID === v.mRID);
      const href = existing?.[0] ?? `/mup/${this.mirrors.size + 1}`;
      this.mirrors.set(href, { ...v, postRate: this.scenario.postRate });
      return this.send(res, existing ? 204 : 201, undefined, undefined, { location: href });
    }
    m = /^\/mup\/(\d+)$/.exec(path);
    if (m) {
      const mup = this.mirrors.get(path);
      if (!mup) return this.send(res, 404);
      if (method === 'GET') return this.send(res, 200, 'MirrorUsagePoint', { ...mup, href: path });
      if (method === 'POST') {
        const { root } = parseXmlTree(body);
        const v = RESOURCES[root === 'MirrorMeterReadingList' ? 'MirrorMeterReadingList' : 'MirrorMeterReading']!.parse(body);
        const list = root === 'MirrorMeterReadingList' ? (v as { MirrorMeterReading: MirrorMeterReading[] }).MirrorMeterReading : [v as MirrorMeterReading];
        for (const mmr of list) {
          const readings = [...(mmr.MirrorReadingSet ?? []).flatMap((s) => s.Reading), ...(mmr.Reading ? [mmr.Reading] : [])];
          for (const r of readings) {
            const key = `${path}|${r.timePeriod?.start ?? 'now'}`;
            const prev = this.readings.get(key);
            this.readings.set(key, { value: r.value, count: (prev?.count ?? 0) + 1 });
            if (!prev && this.readings.size > 200_000) this.readings.delete(this.readings.keys().next().value!);
          }
        }
        rec.resource = root;
        rec.value = v;
        return this.send(res, 201);
      }
    }
    if (path === '/rsp' && method === 'POST') {
      const v = RESOURCES.DERControlResponse!.parse(body);
      rec.resource = 'DERControlResponse';
      rec.value = v;
      return this.send(res, 201, undefined, undefined, { location: `/rsp/${this.records.length + 1}` });
    }
    return this.send(res, 404);
  }
}
