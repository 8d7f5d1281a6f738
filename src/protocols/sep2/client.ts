/**
 * CSIP client: discovery (dcap → Time → EndDeviceList → own EndDevice by LFDI → Registration PIN → FSA → DERPrograms
 * → DERControls/DefaultDERControl), each list re-polled at its own pollRate, controls scheduled and turned into
 * ControlIntents, Responses posted as asked, telemetry posted as seed 002 asks. On any error the last good state is
 * kept (the scheduler keeps running the controls it knows, and they expire on their own).
 */
import type { Sep2Mapping } from './mapping.js';
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { ControlIntent, ControlTarget, SourceClass } from '../../core/control.js';
import { errorMessage } from '../../core/errors.js';
import { Sep2Http, Sep2HttpError, type HttpOptions } from './http.js';
import { identityFromCertificate, type DeviceIdentity } from './identity.js';
import { DeviceCapabilityResource, type DeviceCapability } from './deviceCapability.js';
import { TimeResource } from './time.js';
import { EndDeviceListResource, type EndDevice } from './endDevice.js';
import { RegistrationResource } from './registration.js';
import { FunctionSetAssignmentsListResource } from './functionSetAssignments.js';
import { DERProgramListResource, type DERProgram } from './derProgram.js';
import { DERControlListResource, DefaultDERControlResource, type DERControl, type DefaultDERControl } from './derControl.js';
import { DERListResource, type DER } from './der.js';
import { DERCapabilityResource, modesHex } from './derCapability.js';
import { DERSettingsResource } from './derSettings.js';
import { DERStatusResource, type DERStatus } from './derStatus.js';
import { MirrorUsagePointResource } from './mirrorUsagePoint.js';
import { MirrorMeterReadingResource } from './mirrorMeterReading.js';
import { DERControlResponseResource } from './response.js';
import { DerControlScheduler, type ControlMode, type ResponseToSend, type ScheduleState } from './scheduler.js';
import { controlsToIntents } from './controls.js';
import { TelemetryBuffer, mirrorUsagePointFor, type TelemetryPoint } from './telemetry.js';
import { toScaled } from './primitives.js';
import type { Sep2Resource } from './xml.js';
import type { z } from 'zod';

export interface Ratings {
  maxW: number;
  maxChargeRateW: number;
  maxDischargeRateW: number;
  maxWh: number;
  type?: number;
}

export interface Sep2ClientOptions extends Omit<HttpOptions, 'clock'> {
  dcapUrl: string;
  clock: Clock;
  pin?: number;
  device: string;
  sourceClass?: SourceClass;
  overrides?: Partial<Record<string, ControlTarget>>;
  ratings: Ratings;
  telemetry?: TelemetryPoint[];
  /** `device/name` key whose value is the state of charge in %. */
  stateOfChargeKey?: string;
  intervalSeconds?: number;
  statusSeconds?: number;
  random?: () => number;
  /** Floor for any pollRate/postRate (s), so a hostile server (pollRate 0) cannot make us spin. Default 1. */
  minPollSeconds?: number;
}

/** The client options a mapping's `sep2` block decides (the rest — TLS, clock, tuning — come from the caller). */
export function clientOptionsFromMapping(m: Sep2Mapping): Pick<Sep2ClientOptions, 'dcapUrl' | 'pin' | 'device' | 'sourceClass' | 'overrides' | 'ratings' | 'telemetry' | 'stateOfChargeKey' | 'intervalSeconds' | 'statusSeconds'> {
  return {
    dcapUrl: m.server,
    ...(m.pin !== undefined ? { pin: m.pin } : {}),
    device: m.device,
    sourceClass: m.sourceClass,
    overrides: m.controls,
    ratings: m.ratings,
    telemetry: m.telemetry.map((t) => ({ key: `${t.device}/${t.name}`, quantity: t.quantity, ...(t.description ? { description: t.description } : {}) })),
    ...(m.stateOfCharge ? { stateOfChargeKey: `${m.stateOfCharge.device}/${m.stateOfCharge.name}` } : {}),
    intervalSeconds: m.intervalSeconds,
    statusSeconds: m.statusSeconds,
  };
}

export type ClientState = 'connecting' | 'up' | 'degraded' | 'down';

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
  private sentSettingsKey = '';
  intents: ControlIntent[] = [];
  private trusted = false;

  constructor(private readonly opts: Sep2ClientOptions) {
    super();
    this.clock = opts.clock;
    this.identity = identityFromCertificate(typeof opts.cert === 'string' ? opts.cert : new Uint8Array(opts.cert));
    this.http = new Sep2Http({ ...opts, clock: opts.clock });
    this.telemetry = new TelemetryBuffer(opts.telemetry ?? [], this.identity.lfdi, opts.intervalSeconds ?? 30);
    this.scheduler = new DerControlScheduler({
      clock: opts.clock,
      ...(opts.random ? { random: opts.random } : {}),
      onResponse: (r) => this.queueResponse(r),
      onChange: (s) => this.onSchedule(s),
    });
  }

  get status(): ClientState {
    return this.state;
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
    this.lastValues.set(key, value);
    this.telemetry.record(key, value, at + this.scheduler.serverOffsetMs);
  }

  /** New ratings (e.g. from the battery inverter): DERCapability/DERSettings are re-sent when they changed. */
  updateRatings(r: Ratings): void {
    this.opts.ratings = r;
    void this.putSettings();
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

  private poll(key: string, seconds: number, fn: () => Promise<void>): void {
    if (this.stopped) return;
    this.clock.clearTimeout(this.timers.get(key));
    const s = Math.max(this.opts.minPollSeconds ?? 1, seconds);
    this.timers.set(
      key,
      this.clock.setTimeout(() => {
        this.timers.delete(key);
        fn().then(
          () => this.poll(key, seconds, fn),
          (e: unknown) => {
            this.fail(key, e);
            this.poll(key, Math.min(seconds, 60), fn);
          },
        );
      }, s * 1000),
    );
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
      if (dcap.TimeLink) {
        await this.syncTime(dcap.TimeLink.href);
      }
      await this.findEndDevice();
      await this.refreshPrograms();
      await this.setupDer();
      await this.setupMirrors();
      this.setState('up');
      this.poll('dcap', dcap.pollRate ?? DEFAULT_POLL, () => this.rediscover());
      this.poll('status', this.opts.statusSeconds ?? 60, () => this.putStatus());
    } catch (e) {
      this.fail('discovery', e);
      if (!this.stopped) {
        const t = this.clock.setTimeout(() => void this.discover(), 30_000);
        this.timers.set('discover', t);
      }
    }
  }

  private async rediscover(): Promise<void> {
    const dcap = await this.get(this.opts.dcapUrl, DeviceCapabilityResource);
    this.dcap = dcap;
    this.setState('up');
  }

  private async syncTime(href: string): Promise<void> {
    const before = this.clock.now();
    const t = await this.get(href, TimeResource);
    const after = this.clock.now();
    const offset = t.currentTime * 1000 - Math.round((before + after) / 2);
    // Whole seconds on the wire: ignore sub-second offsets.
    this.scheduler.setServerOffset(Math.abs(offset) < 1000 ? 0 : offset);
    this.emit('discovery', { step: 'time', href, offsetMs: this.scheduler.serverOffsetMs, pollRate: t.pollRate ?? DEFAULT_POLL });
    this.poll('time', t.pollRate ?? DEFAULT_POLL, () => this.syncTime(href));
  }

  private async findEndDevice(): Promise<void> {
    const link = this.dcap?.EndDeviceListLink;
    if (!link) throw new Error('DeviceCapability has no EndDeviceListLink');
    const { first, items } = await this.getAll(link.href, EndDeviceListResource, (l) => l.EndDevice);
    const mine = items.find((d) => d.lFDI?.toUpperCase() === this.identity.lfdi || d.sFDI === this.identity.sfdi);
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
      throw new Error('EndDevice has no RegistrationLink but a PIN is configured');
    }
    this.trusted = true;
    this.poll('edev', first.pollRate ?? DEFAULT_POLL, () => this.findEndDevice());
  }

  private async refreshPrograms(): Promise<void> {
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
          await this.refreshControls(href);
          this.poll(`derc:${href}`, pollS, () => this.refreshControls(href));
        }
      }
    }
    for (const href of [...this.programs.keys()]) {
      if (seen.has(href)) continue;
      this.programs.delete(href);
      this.clock.clearTimeout(this.timers.get(`derc:${href}`));
      this.timers.delete(`derc:${href}`);
    }
    this.pushPrograms();
    this.poll('fsa', fsaPoll, () => this.refreshPrograms());
  }

  private async refreshControls(href: string): Promise<void> {
    const entry = this.programs.get(href);
    if (!entry) return;
    const p = entry.program;
    if (p.DERControlListLink) entry.controls = (await this.getAll(p.DERControlListLink.href, DERControlListResource, (l) => l.DERControl)).items;
    if (p.DefaultDERControlLink) entry.dflt = await this.get(p.DefaultDERControlLink.href, DefaultDERControlResource);
    this.emit('discovery', { step: 'dercontrols', href, controls: entry.controls.map((c) => ({ mRID: c.mRID, status: c.EventStatus.currentStatus, start: c.interval.start, duration: c.interval.duration })), hasDefault: !!entry.dflt });
    this.pushPrograms();
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
          this.emit('post', { resource: 'DERControlResponse', href: r.replyTo, status: res.status, subject: r.subject, responseStatus: r.status });
        } catch (e) {
          this.fail('response', e);
          if (e instanceof Sep2HttpError && e.kind === 'status' && (e.status ?? 0) < 500) this.responses.shift();
          else {
            this.clock.setTimeout(() => void this.sendResponses(), 30_000);
            return;
          }
        }
      }
    } finally {
      this.sendingResponses = false;
    }
  }

  private async setupDer(): Promise<void> {
    const link = this.endDevice?.DERListLink;
    if (!link) return;
    const { items } = await this.getAll(link.href, DERListResource, (l) => l.DER);
    this.der = items[0];
    this.sentSettingsKey = '';
    await this.putSettings();
    await this.putStatus();
  }

  private async put(resource: string, href: string | undefined, body: string): Promise<void> {
    if (!href) return;
    const r = await this.http.request('PUT', this.url(href), body);
    this.emit('post', { resource, href, status: r.status, method: 'PUT' });
  }

  private async putSettings(): Promise<void> {
    const r = this.opts.ratings;
    const key = JSON.stringify(r);
    if (!this.der || key === this.sentSettingsKey) return;
    const modes = modesHex(['charge', 'discharge', 'opModConnect', 'opModEnergize', 'opModFixedW', 'opModMaxLimW', 'opModTargetW']);
    const now = Math.floor(this.scheduler.serverNow() / 1000);
    await this.put('DERCapability', this.der.DERCapabilityLink?.href, DERCapabilityResource.serialize({
      modesSupported: modes,
      rtgMaxChargeRateW: toScaled(r.maxChargeRateW),
      rtgMaxDischargeRateW: toScaled(r.maxDischargeRateW),
      rtgMaxW: toScaled(r.maxW),
      rtgMaxWh: toScaled(r.maxWh, true),
      type: r.type ?? 80,
    }));
    await this.put('DERSettings', this.der.DERSettingsLink?.href, DERSettingsResource.serialize({
      modesEnabled: modes,
      setGradW: 0,
      setMaxChargeRateW: toScaled(r.maxChargeRateW),
      setMaxDischargeRateW: toScaled(r.maxDischargeRateW),
      setMaxW: toScaled(r.maxW),
      setMaxWh: toScaled(r.maxWh, true),
      updatedTime: now,
    }));
    this.sentSettingsKey = key;
  }

  private async putStatus(): Promise<void> {
    if (!this.der?.DERStatusLink) return;
    const now = Math.floor(this.scheduler.serverNow() / 1000);
    const st: DERStatus = { readingTime: now };
    const soc = this.opts.stateOfChargeKey ? this.lastValues.get(this.opts.stateOfChargeKey) : undefined;
    if (soc !== undefined) st.stateOfChargeStatus = { dateTime: now, value: Math.max(0, Math.min(10000, Math.round(soc * 100))) };
    const connected = !this.intents.some((i) => i.target.name === 'Conn' && i.value === false);
    st.genConnectStatus = { dateTime: now, value: connected ? '07' : '00' };
    await this.put('DERStatus', this.der.DERStatusLink.href, DERStatusResource.serialize(st));
  }

  private async setupMirrors(): Promise<void> {
    const link = this.dcap?.MirrorUsagePointListLink;
    if (!link) return;
    for (const key of this.telemetry.keys()) await this.createMirror(key, link.href);
  }

  private async createMirror(key: string, listHref: string): Promise<void> {
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
    this.poll(`mmr:${key}`, postRate, () => this.postReadings(key, listHref));
  }

  private async postReadings(key: string, listHref: string): Promise<void> {
    this.telemetry.flush(this.scheduler.serverNow());
    for (;;) {
      const batch = this.telemetry.take(key);
      if (!batch) return;
      const loc = this.locations.get(key)!;
      try {
        const res = await this.http.request('POST', loc, MirrorMeterReadingResource.serialize(batch.reading));
        this.telemetry.ack(key);
        this.emit('post', { resource: 'MirrorMeterReading', href: loc, status: res.status, key, readings: batch.count });
      } catch (e) {
        this.telemetry.nack(key);
        if (e instanceof Sep2HttpError && e.status === 404) {
          // The server forgot the mirror (restart): create it again, the readings stay buffered.
          await this.createMirror(key, listHref);
        }
        throw e;
      }
    }
  }
}

export type { ControlMode };
