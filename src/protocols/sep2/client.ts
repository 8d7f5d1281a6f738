/**
 * CSIP client: discovery (dcap → Time → EndDeviceList → own EndDevice by LFDI → Registration PIN → FSA → DERPrograms
 * → DERControls/DefaultDERControl), each list re-polled at its own pollRate, controls scheduled and turned into
 * ControlIntents, Responses posted as asked, telemetry posted as seed 002 asks. On any error the last good state is
 * kept (the scheduler keeps running the controls it knows, and they expire on their own).
 *
 * Only DeviceCapability and our EndDevice are needed by everything else. After them each function set — Time, DER
 * programs, DERCapability, DERSettings, DERStatus, DERAvailability, each MirrorUsagePoint and its readings — runs as
 * its own task: a server refusing one (e.g. 400 for a DERCapability it finds incomplete) does not stop the others;
 * the refusal is visible in `health()` / the `resource` event / the status reason and retried with backoff.
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { ControlIntent } from '../../core/control.js';
import { errorMessage } from '../../core/errors.js';
import { Sep2Http, Sep2HttpError } from './http.js';
import type { ClientState, Ratings, ReadingPostOutcome, Sep2ClientOptions } from './clientOptions.js';
import { identityFromCertificate, type DeviceIdentity } from './identity.js';
import { DeviceCapabilityResource, type DeviceCapability } from './deviceCapability.js';
import { TimeResource } from './time.js';
import { EndDeviceListResource, type EndDevice } from './endDevice.js';
import { RegistrationResource } from './registration.js';
import { FunctionSetAssignmentsListResource } from './functionSetAssignments.js';
import { DERProgramListResource, type DERProgram } from './derProgram.js';
import { DERControlListResource, DefaultDERControlResource, type DERControl, type DefaultDERControl } from './derControl.js';
import { DERListResource, type DER } from './der.js';
import { DERAvailabilityResource } from './derAvailability.js';
import { derAvailabilityFor, derCapabilityXml, derSettingsXml, registerInBand } from './derReports.js';
import { HealthBoard, type ResourceHealth } from './health.js';
import { DERStatusResource, type DERStatus } from './derStatus.js';
import { MirrorUsagePointResource } from './mirrorUsagePoint.js';
import { MirrorMeterReadingResource, type MirrorMeterReading } from './mirrorMeterReading.js';
import { DERControlResponseResource } from './response.js';
import { DerControlScheduler, type ControlMode, type ResponseToSend, type ScheduleState } from './scheduler.js';
import { controlsToIntents } from './controls.js';
import { TelemetryBuffer, mirrorUsagePointFor } from './telemetry.js';
import { CSIPAUS_NS, type Sep2Resource } from './xml.js';
import type { z } from 'zod';


const DEFAULT_POLL = 900;

interface ProgramEntry {
  program: DERProgram;
  controls: DERControl[];
  dflt?: DefaultDERControl;
  pollS: number;
}

export class Sep2Client extends EventEmitter {
  readonly identity: DeviceIdentity;
  readonly scheduler: DerControlScheduler;
  readonly telemetry: TelemetryBuffer;
  private readonly http: Sep2Http;
  private readonly clock: Clock;
  private readonly board: HealthBoard;
  private timers = new Map<string, TimerHandle>();
  private stopped = false;
  private state: ClientState = 'connecting';
  private dcap?: DeviceCapability;
  private endDevice?: EndDevice;
  private der?: DER;
  private programs = new Map<string, ProgramEntry>();
  /** Locations of resources we created (MirrorUsagePoints by point key). */
  readonly locations = new Map<string, string>();
  private postRates = new Map<string, number>();
  private responses: ResponseToSend[] = [];
  private sendingResponses = false;
  private lastValues = new Map<string, number>();
  private sent = new Map<string, string>();
  private csipAusSeen = false;
  intents: ControlIntent[] = [];
  private trusted = false;

  constructor(private readonly opts: Sep2ClientOptions) {
    super();
    this.clock = opts.clock;
    this.identity = identityFromCertificate(typeof opts.cert === 'string' ? opts.cert : new Uint8Array(opts.cert));
    this.http = new Sep2Http({ ...opts, clock: opts.clock });
    this.board = new HealthBoard(opts.refusedBackoffSeconds ?? 30);
    this.telemetry = new TelemetryBuffer(opts.telemetry ?? [], this.identity.lfdi, opts.intervalSeconds ?? 30);
    this.scheduler = new DerControlScheduler({
      clock: opts.clock,
      ...(opts.random ? { random: opts.random } : {}),
      onResponse: (r) => this.queueResponse(r),
      onChange: (s) => this.onSchedule(s),
      onLog: (message) => this.emit('log', { step: 'scheduler', message }),
    });
  }

  get status(): ClientState {
    return this.state;
  }

  /** Health of every function set / resource the client reads or writes. */
  health(): ResourceHealth[] {
    return this.board.all();
  }

  /** Whether the CSIP-AUS elements are being sent. */
  get csipAus(): boolean {
    const o = this.opts.csipAus ?? 'auto';
    return o === 'auto' ? this.csipAusSeen : o;
  }

  start(): void {
    this.emit('identity', this.identity);
    void this.discover();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
    this.scheduler.stop();
    this.http.close();
  }

  /** A telemetry sample (local epoch ms). Keys are `device/name`. */
  record(key: string, value: number, at = this.clock.now()): void {
    const firstSoc = key === this.opts.stateOfChargeKey && !this.lastValues.has(key);
    this.lastValues.set(key, value);
    // The first state of charge goes out at once (DERStatus/DERAvailability were sent without it at start-up).
    if (firstSoc && this.der && !this.stopped) {
      const period = this.opts.statusSeconds ?? 60;
      this.task('ders', () => this.putStatus(), 0, period);
      this.task('dera', () => this.putAvailability(), 0, period);
    }
    this.telemetry.record(key, value, at + this.scheduler.serverOffsetMs);
  }

  /** New ratings (e.g. from the battery inverter): DERCapability/DERSettings are re-sent when they changed. */
  updateRatings(r: Ratings): void {
    this.opts.ratings = r;
    if (!this.der) return;
    this.task('dercap', () => this.putCapability());
    this.task('derg', () => this.putSettings());
  }

  private setState(s: ClientState, reason?: string): void {
    if (s === this.state && !reason) return;
    this.state = s;
    this.emit('state', { state: s, reason });
  }

  private url(href: string): string {
    return new URL(href, this.opts.dcapUrl).toString();
  }

  private async get<S extends z.ZodType>(href: string, res: Sep2Resource<S>): Promise<z.output<S>> {
    const r = await this.http.request('GET', this.url(href));
    if (!this.csipAusSeen && r.body.includes(CSIPAUS_NS)) {
      this.csipAusSeen = true;
      this.emit('log', { step: 'csip-aus', message: `${href} uses the CSIP-AUS namespace: sending csipaus elements${this.opts.csipAus === false ? ' (disabled by configuration)' : ''}` });
    }
    return res.parse(r.body);
  }

  /** GET every page of a list (`s` start, `l` limit). */
  private async getAll<S extends z.ZodType, T>(href: string, res: Sep2Resource<S>, items: (l: z.output<S>) => T[]): Promise<{ first: z.output<S>; items: T[] }> {
    const out: T[] = [];
    let first: z.output<S> | undefined;
    for (let page = 0; page < 100; page++) {
      const sep = href.includes('?') ? '&' : '?';
      const l = await this.get(`${href}${sep}s=${out.length}&l=255`, res);
      first ??= l;
      const got = items(l);
      out.push(...got);
      const all = (l as { all?: number }).all ?? 0;
      if (got.length === 0 || out.length >= all) break;
    }
    return { first: first!, items: out };
  }

  private arm(key: string, seconds: number, fn: () => void): void {
    if (this.stopped) return;
    this.clock.clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      this.clock.setTimeout(() => {
        this.timers.delete(key);
        fn();
      }, seconds * 1000),
    );
  }

  /**
   * Run `fn` as the task `key` after `delayS`: on success it runs again after the period it returns (none: done); on
   * failure its health records why and it runs again after the backoff the failure calls for.
   */
  private task(key: string, fn: () => Promise<number | undefined>, delayS = 0, periodS = 60): void {
    let period = periodS;
    const run = (): void => {
      fn().then(
        (next) => {
          if (next !== undefined) period = next;
          if (this.board.ok(key)) this.emit('resource', this.board.get(key));
          this.refreshState();
          if (next !== undefined) this.arm(key, this.floor(next), run);
        },
        (e: unknown) => {
          if (this.stopped) return;
          const h = this.board.failed(key, e, this.floor(period));
          this.emit('problem', { step: key, message: errorMessage(e), kind: e instanceof Sep2HttpError ? e.kind : (e as { name?: string }).name, ...(h.status !== undefined ? { status: h.status } : {}) });
          this.emit('resource', h);
          if (e instanceof Sep2HttpError && e.kind === 'tls') this.setState('down', `${key}: ${errorMessage(e)}`);
          else this.refreshState();
          this.arm(key, h.retryInS ?? 60, run);
        },
      );
    };
    if (delayS <= 0) run();
    else this.arm(key, this.floor(delayS), run);
  }

  private floor(s: number): number {
    return Math.max(this.opts.minPollSeconds ?? 1, s);
  }

  private refreshState(): void {
    if (this.stopped || !this.endDevice || !this.trusted) return;
    const failing = this.board.summary();
    if (failing) this.setState('degraded', failing);
    else if (this.state !== 'up') this.setState('up');
  }

  private fail(step: string, e: unknown): void {
    const message = errorMessage(e);
    this.emit('problem', { step, message, kind: e instanceof Sep2HttpError ? e.kind : (e as { name?: string }).name });
    this.setState(e instanceof Sep2HttpError && e.kind === 'tls' ? 'down' : 'degraded', `${step}: ${message}`);
  }

  private async discover(): Promise<void> {
    if (this.stopped) return;
    try {
      this.setState('connecting');
      const dcap = await this.get(this.opts.dcapUrl, DeviceCapabilityResource);
      this.dcap = dcap;
      this.emit('discovery', { step: 'dcap', href: this.opts.dcapUrl, pollRate: dcap.pollRate ?? DEFAULT_POLL });
      // Time first, so controls are judged on server time; a Time failure is its own problem, not discovery's.
      if (dcap.TimeLink) await this.timeTask(dcap.TimeLink.href);
      await this.findEndDevice();
    } catch (e) {
      this.fail('discovery', e);
      // Retried at the EndDeviceList's pollRate (at most a minute; 4xx back off): in-band registration polls this way.
      const h = this.board.failed('discovery', e, this.floor(this.dcap?.pollRate ?? 30));
      this.arm('discover', h.retryInS ?? 30, () => void this.discover());
      return;
    }
    this.board.ok('discovery');
    const dcap = this.dcap;
    this.setState('up');
    // Independent function sets: each succeeds, fails and retries on its own.
    this.task('programs', () => this.refreshPrograms());
    this.task('der', () => this.setupDer());
    this.setupMirrors();
    this.task('edev', () => this.findEndDevice(), dcap.pollRate ?? DEFAULT_POLL);
    this.task('dcap', () => this.rediscover(), dcap.pollRate ?? DEFAULT_POLL);
  }

  /** Run the Time task now and wait for its first outcome (success or a recorded failure with its retry armed). */
  private timeTask(href: string): Promise<void> {
    return new Promise((resolve) => {
      let first = true;
      this.task('time', async () => {
        try {
          return await this.syncTime(href);
        } finally {
          if (first) {
            first = false;
            queueMicrotask(resolve);
          }
        }
      });
    });
  }

  private async rediscover(): Promise<number> {
    const dcap = await this.get(this.opts.dcapUrl, DeviceCapabilityResource);
    this.dcap = dcap;
    return dcap.pollRate ?? DEFAULT_POLL;
  }

  private async syncTime(href: string): Promise<number> {
    const before = this.clock.now();
    const t = await this.get(href, TimeResource);
    const after = this.clock.now();
    const offset = t.currentTime * 1000 - Math.round((before + after) / 2);
    // Whole seconds on the wire: ignore sub-second offsets.
    this.scheduler.setServerOffset(Math.abs(offset) < 1000 ? 0 : offset);
    this.emit('discovery', { step: 'time', href, offsetMs: this.scheduler.serverOffsetMs, pollRate: t.pollRate ?? DEFAULT_POLL });
    return t.pollRate ?? DEFAULT_POLL;
  }

  private async findEndDevice(): Promise<number> {
    const link = this.dcap?.EndDeviceListLink;
    if (!link) throw new Error('DeviceCapability has no EndDeviceListLink');
    const { first, items } = await this.getAll(link.href, EndDeviceListResource, (l) => l.EndDevice);
    let mine = items.find((d) => d.lFDI?.toUpperCase() === this.identity.lfdi || d.sFDI === this.identity.sfdi);
    if (!mine && this.opts.registration === 'in-band') mine = await registerInBand(this.http, this.url(link.href), this.identity, Math.floor(this.scheduler.serverNow() / 1000), (e) => this.emit('discovery', e));
    if (!mine) throw new Error(`no EndDevice with LFDI ${this.identity.lfdi} (registration is out of band)`);
    if (mine.enabled === false) {
      this.distrust();
      throw new Error('EndDevice is disabled by the server');
    }
    this.endDevice = mine;
    this.emit('discovery', { step: 'enddevice', href: mine.href, lfdi: this.identity.lfdi, sfdi: this.identity.sfdi, pollRate: first.pollRate ?? DEFAULT_POLL });
    if (mine.RegistrationLink) {
      const reg = await this.get(mine.RegistrationLink.href, RegistrationResource);
      if (this.opts.pin !== undefined && reg.pIN !== this.opts.pin) {
        this.distrust();
        throw new Error(`Registration PIN ${reg.pIN} does not match the configured PIN: server not trusted`);
      }
      this.emit('discovery', { step: 'registration', href: mine.RegistrationLink.href, pinOk: this.opts.pin === undefined ? null : true });
    } else if (this.opts.pin !== undefined) {
      this.distrust();
      throw new Error(`EndDevice has no RegistrationLink but a PIN is configured${this.opts.registration === 'in-band' ? ' (in-band registration: waiting for the server to register us)' : ''}`);
    }
    if (!this.trusted) {
      this.trusted = true;
      this.pushPrograms();
    }
    return first.pollRate ?? DEFAULT_POLL;
  }

  private async refreshPrograms(): Promise<number> {
    const fsaLink = this.endDevice?.FunctionSetAssignmentsListLink;
    const seen = new Set<string>();
    let fsaPoll = DEFAULT_POLL;
    if (fsaLink) {
      const { first, items } = await this.getAll(fsaLink.href, FunctionSetAssignmentsListResource, (l) => l.FunctionSetAssignments);
      fsaPoll = first.pollRate ?? DEFAULT_POLL;
      this.emit('discovery', { step: 'fsa', href: fsaLink.href, count: items.length, pollRate: fsaPoll });
      for (const fsa of items) {
        if (!fsa.DERProgramListLink) continue;
        const { first: pl, items: progs } = await this.getAll(fsa.DERProgramListLink.href, DERProgramListResource, (l) => l.DERProgram);
        for (const p of progs) {
          const href = p.href ?? `${fsa.DERProgramListLink.href}#${p.mRID}`;
          seen.add(href);
          const pollS = pl.pollRate ?? DEFAULT_POLL;
          const known = this.programs.get(href);
          this.programs.set(href, { program: p, controls: known?.controls ?? [], ...(known?.dflt ? { dflt: known.dflt } : {}), pollS });
          this.emit('discovery', { step: 'derprogram', href, primacy: p.primacy, pollRate: pollS });
          if (!known) this.task(`derc:${href}`, () => this.refreshControls(href));
        }
      }
    }
    for (const href of [...this.programs.keys()]) {
      if (seen.has(href)) continue;
      this.programs.delete(href);
      this.clock.clearTimeout(this.timers.get(`derc:${href}`));
      this.timers.delete(`derc:${href}`);
      this.board.forget(`derc:${href}`);
    }
    this.pushPrograms();
    return fsaPoll;
  }

  private async refreshControls(href: string): Promise<number | undefined> {
    const entry = this.programs.get(href);
    if (!entry) return undefined;
    const p = entry.program;
    if (p.DERControlListLink) entry.controls = (await this.getAll(p.DERControlListLink.href, DERControlListResource, (l) => l.DERControl)).items;
    if (p.DefaultDERControlLink) entry.dflt = await this.get(p.DefaultDERControlLink.href, DefaultDERControlResource);
    this.emit('discovery', { step: 'dercontrols', href, controls: entry.controls.map((c) => ({ mRID: c.mRID, status: c.EventStatus.currentStatus, start: c.interval.start, duration: c.interval.duration })), hasDefault: !!entry.dflt });
    this.pushPrograms();
    return entry.pollS;
  }

  /** The server failed the PIN check or disabled us: drop every control it gave (no control from an untrusted server). */
  private distrust(): void {
    this.trusted = false;
    this.scheduler.setPrograms([]);
  }

  private pushPrograms(): void {
    if (!this.trusted) return;
    this.scheduler.setPrograms(
      [...this.programs.entries()].map(([href, e]) => ({ href, primacy: e.program.primacy, controls: e.controls, ...(e.dflt ? { defaultControl: e.dflt } : {}) })),
    );
  }

  private onSchedule(s: ScheduleState): void {
    const intents = controlsToIntents(s.controls, {
      device: this.opts.device,
      sourceClass: this.opts.sourceClass ?? 'dso',
      ...(this.opts.overrides ? { overrides: this.opts.overrides } : {}),
      ratings: this.opts.ratings,
      serverOffsetMs: this.scheduler.serverOffsetMs,
    });
    this.intents = intents;
    this.emit('controls', { state: s, intents });
  }

  private queueResponse(r: ResponseToSend): void {
    this.responses.push(r);
    if (this.responses.length > 1000) {
      this.responses.shift();
      this.emit('problem', { step: 'response', message: 'response queue full: oldest dropped' });
    }
    void this.sendResponses();
  }

  private async sendResponses(): Promise<void> {
    if (this.sendingResponses || this.stopped) return;
    this.sendingResponses = true;
    try {
      while (this.responses.length > 0) {
        const r = this.responses[0]!;
        const body = DERControlResponseResource.serialize({ createdDateTime: r.createdDateTime, endDeviceLFDI: this.identity.lfdi, status: r.status, subject: r.subject });
        try {
          const res = await this.http.request('POST', this.url(r.replyTo), body);
          this.responses.shift();
          this.board.ok('response');
          this.emit('post', { resource: 'DERControlResponse', href: r.replyTo, status: res.status, subject: r.subject, responseStatus: r.status });
        } catch (e) {
          this.fail('response', e);
          if (e instanceof Sep2HttpError && e.kind === 'status' && (e.status ?? 0) < 500) this.responses.shift();
          else {
            // Network/5xx: kept in order and retried at the server's pollRate (at most a minute).
            const h = this.board.failed('response', e, this.floor(this.dcap?.pollRate ?? 30));
            this.arm('responses', h.retryInS ?? 30, () => void this.sendResponses());
            return;
          }
        }
      }
    } finally {
      this.sendingResponses = false;
    }
  }

  private async setupDer(): Promise<undefined> {
    const link = this.endDevice?.DERListLink;
    if (!link) return undefined;
    const { items } = await this.getAll(link.href, DERListResource, (l) => l.DER);
    this.der = items[0];
    this.sent.clear();
    const status = this.opts.statusSeconds ?? 60;
    this.task('dercap', () => this.putCapability());
    this.task('derg', () => this.putSettings());
    this.task('ders', () => this.putStatus(), 0, status);
    this.task('dera', () => this.putAvailability(), 0, status);
    return undefined;
  }

  /** PUT `body` unless the same body was last accepted at `href`. */
  private async put(resource: string, href: string | undefined, body: string, key = body): Promise<void> {
    if (!href || this.sent.get(href) === key) return;
    const r = await this.http.request('PUT', this.url(href), body);
    this.sent.set(href, key);
    this.emit('post', { resource, href, status: r.status, method: 'PUT' });
  }

  private async putCapability(): Promise<undefined> {
    const href = this.der?.DERCapabilityLink?.href;
    const send = (aus: boolean) => this.put('DERCapability', href, derCapabilityXml(this.opts.ratings, aus));
    try {
      await send(this.csipAus);
    } catch (e) {
      // A CSIP-AUS server refuses a DERCapability without csipaus:doeModesSupported: learn it and send it at once.
      if ((this.opts.csipAus ?? 'auto') !== 'auto' || this.csipAusSeen || !(e instanceof Sep2HttpError) || e.status !== 400) throw e;
      this.csipAusSeen = true;
      this.emit('log', { step: 'csip-aus', message: `DERCapability refused (${errorMessage(e)}): retrying with the CSIP-AUS elements` });
      await send(true);
      this.task('derg', () => this.putSettings());
    }
    return undefined;
  }

  private async putSettings(): Promise<undefined> {
    const now = Math.floor(this.scheduler.serverNow() / 1000);
    const aus = this.csipAus;
    // updatedTime changes each time: compare without it so unchanged settings are not re-sent.
    await this.put('DERSettings', this.der?.DERSettingsLink?.href, derSettingsXml(this.opts.ratings, aus, now), JSON.stringify([this.opts.ratings, aus]));
    return undefined;
  }

  private async putStatus(): Promise<number> {
    const period = this.opts.statusSeconds ?? 60;
    if (!this.der?.DERStatusLink) return period;
    const now = Math.floor(this.scheduler.serverNow() / 1000);
    const st: DERStatus = { readingTime: now };
    const soc = this.soc();
    if (soc !== undefined) st.stateOfChargeStatus = { dateTime: now, value: Math.max(0, Math.min(10000, Math.round(soc * 100))) };
    const connected = !this.intents.some((i) => i.target.name === 'Conn' && i.value === false);
    st.genConnectStatus = { dateTime: now, value: connected ? '07' : '00' };
    const body = DERStatusResource.serialize(st);
    const r = await this.http.request('PUT', this.url(this.der.DERStatusLink.href), body);
    this.emit('post', { resource: 'DERStatus', href: this.der.DERStatusLink.href, status: r.status, method: 'PUT' });
    return period;
  }

  private soc(): number | undefined {
    return this.opts.stateOfChargeKey ? this.lastValues.get(this.opts.stateOfChargeKey) : undefined;
  }

  private async putAvailability(): Promise<number> {
    const period = this.opts.statusSeconds ?? 60;
    const href = this.der?.DERAvailabilityLink?.href;
    if (!href) return period;
    const body = DERAvailabilityResource.serialize(derAvailabilityFor(this.opts.ratings, this.soc(), Math.floor(this.scheduler.serverNow() / 1000)));
    const r = await this.http.request('PUT', this.url(href), body);
    this.emit('post', { resource: 'DERAvailability', href, status: r.status, method: 'PUT' });
    return period;
  }

  private setupMirrors(): void {
    const link = this.dcap?.MirrorUsagePointListLink;
    if (!link) return;
    for (const key of this.telemetry.keys()) this.task(`mup:${key}`, () => this.createMirror(key, link.href));
  }

  private async createMirror(key: string, listHref: string): Promise<undefined> {
    const p = this.telemetry.point(key)!;
    const mup = mirrorUsagePointFor(p, this.identity.lfdi, this.opts.intervalSeconds ?? 30);
    const res = await this.http.request('POST', this.url(listHref), MirrorUsagePointResource.serialize(mup));
    const loc = res.location ?? this.locations.get(key);
    if (!loc) throw new Error(`server did not return a Location for MirrorUsagePoint ${key}`);
    this.locations.set(key, loc);
    // MirrorUsagePoint.postRate, else EndDevice.postRate (2018), else a minute.
    let postRate = this.endDevice?.postRate ?? 60;
    try {
      const back = await this.get(loc, MirrorUsagePointResource);
      postRate = back.postRate ?? postRate;
    } catch {
      // Location may not be readable; keep the default post rate.
    }
    this.postRates.set(key, postRate);
    this.emit('post', { resource: 'MirrorUsagePoint', href: listHref, location: loc, status: res.status, key, postRate });
    if (!this.timers.has(`mmr:${key}`)) this.task(`mmr:${key}`, () => this.postReadings(key, listHref), postRate, postRate);
    return undefined;
  }

  /**
   * POST one MirrorMeterReading (or list) to the mirror of `key` and say what happened, without throwing: for callers
   * that keep readings in their own durable queue (acknowledge on ok, keep on !ok, retry later if `retryable`).
   */
  async postMirrorReading(key: string, body: MirrorMeterReading): Promise<ReadingPostOutcome> {
    const loc = this.locations.get(key);
    if (!loc) return { ok: false, retryable: true, message: `no MirrorUsagePoint for ${key} yet` };
    try {
      const res = await this.http.request('POST', loc, MirrorMeterReadingResource.serialize(body));
      return { ok: true, status: res.status };
    } catch (e) {
      const status = e instanceof Sep2HttpError ? e.status : undefined;
      // A 4xx other than 404 (mirror forgotten: re-created, then the same batch goes again) will not pass unchanged.
      const retryable = !(e instanceof Sep2HttpError) || e.retryable || status === 404 || e.kind !== 'status';
      if (status === 404) this.locations.delete(key);
      return { ok: false, retryable, message: errorMessage(e), ...(status !== undefined ? { status } : {}) };
    }
  }

  private async postReadings(key: string, listHref: string): Promise<number> {
    const period = this.postRates.get(key) ?? 60;
    this.telemetry.flush(this.scheduler.serverNow());
    let recreated = false;
    for (;;) {
      const batch = this.telemetry.take(key);
      if (!batch) return period;
      const r = await this.postMirrorReading(key, batch.reading);
      if (r.ok) {
        this.telemetry.ack(key);
        this.emit('post', { resource: 'MirrorMeterReading', href: this.locations.get(key), status: r.status, key, readings: batch.count });
        continue;
      }
      // Kept buffered in every case: a refused batch is reported and retried with backoff, never dropped silently.
      this.telemetry.nack(key);
      if (r.status === 404 && !recreated) {
        // The server forgot the mirror: create it again and send the same batch to it now, not a backoff later.
        await this.createMirror(key, listHref);
        recreated = true;
        continue;
      }
      throw new Sep2HttpError('status', r.message, this.locations.get(key) ?? listHref, r.status);
    }
  }
}

export type { ControlMode };
export { clientOptionsFromMapping } from './clientOptions.js';
export type { ClientState, Ratings, ReadingPostOutcome, Sep2ClientOptions } from './clientOptions.js';
