/**
 * A SAPC appliance as a field connection of a site: GridBridge is the **meter end** of an SSP-1 line
 * (docs/sapc-ssp1.md) on a serial port or a TCP-serial bridge. Each slot drives one device's level point:
 *
 * - A field write (the arbiter's effective value) while a control governs becomes a `CMD` at that level, from the
 *   connection's source, with no random delay, whose window ends with the control (at most `commandWindowS`; renewed
 *   before it ends while the control lasts). So if GridBridge or the line dies, the appliance falls back by itself
 *   when the window ends (§4.3). One event id per slot and control period: changes are updates of the same event.
 * - When no control governs (the arbiter's fail-safe default), the command is cancelled (`CAN`) and the appliance
 *   returns to its own default plan.
 * - A write counts as **held** only when the appliance acknowledged it and its status (`STA`) shows the level in
 *   force: at or below the limit (`as: cap`), or equal (`as: setpoint`). Otherwise the reason (NAK, no answer, the
 *   appliance governed by another source such as an emergency override) is reported, and the site re-asserts.
 * - The appliance counts as present from the first frame heard; it is gone after a request goes unanswered (retries
 *   exhausted), after 3 silent heartbeat periods, or when the port closes: its devices go offline (values not held),
 *   and come back online with the next frame heard, when the site re-asserts every value. A restart of the
 *   appliance (its `HB up` going backwards, §4.2) is handled the same way.
 * - Status is read every `statusS` and after every command: the level, its direction, the governing source and event
 *   become device points as the device's SAPC profile names them, as do the appliance's plans (PLN); SSP-1 carries
 *   no measurement.
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Effective } from '../../core/arbitration/arbiter.js';
import type { DeviceKind } from '../../core/kinds.js';
import type { SapcConnectionConfig } from '../../core/mapping/schema.js';
import { pointId, quality, type Point, type PointValue, type QualityCode } from '../../core/point.js';
import { errorMessage } from '../../core/errors.js';
import { newEventId } from '../../protocols/sapc/client.js';
import { formatTime, type SapcCommand, type SapcFrame } from '../../protocols/sapc/frame.js';
import type { LineEnd } from '../../protocols/sapc/loopback.js';
import type { SapcProfile, SapcPointSource } from '../../protocols/sapc/profile.js';
import { PlanCollector, type AppliancePlan } from '../../protocols/sapc/plan.js';
import { SapcSession, SapcTimeoutError, type Reply, type RequestBody } from '../../protocols/sapc/session.js';
import { SerialTransport } from '../../protocols/sapc/transport.js';
import type { WriteResult } from '../../protocols/modbus/writer.js';

export interface SapcFieldEvents {
  points: [Point[]];
  status: [{ state: 'connecting' | 'up' | 'down'; reason?: string }];
  device: [{ device: string; state: 'online' | 'offline'; reason?: string }];
  warning: [string];
}

export interface SapcFieldOptions {
  clock: Clock;
  site: string;
  /** The arbiter's effective value of a point: tells a control in force from the fail-safe default. */
  effective: (device: string, name: string) => Effective;
  /** An in-memory line end (tests, benches) instead of opening `path`. */
  line?: LineEnd;
}

type Sta = Extract<SapcFrame, { type: 'STA' }>;
type Slot = SapcConnectionConfig['slots'][number];

interface SlotState {
  cfg: Slot;
  device: string;
  kind: DeviceKind;
  profile: SapcProfile;
  /** The event id of the command in force at the appliance (undefined after a cancel). */
  eventId: string | undefined;
  /** The last command acknowledged, for renewals. */
  commanded: SapcCommand | undefined;
  renew: TimerHandle | undefined;
}

/** Clock difference (s) to the appliance beyond which a heartbeat is warned about. */
const SKEW_WARN_S = 60;

const SOURCE_CODES: Record<string, string> = { load_controller: 'LC', supplier: 'SUP', owner: 'OWN', aggregator: 'AGG', emergency: 'EMG', local: 'LOC' };

export class SapcField extends EventEmitter<SapcFieldEvents> {
  session: SapcSession | undefined;
  private transport: SerialTransport | undefined;
  private readonly slots = new Map<string, SlotState>();
  private readonly latestPoints = new Map<string, Point>();
  private present = false;
  private lastUptimeS: number | undefined;
  private statusTimer: TimerHandle | undefined;
  private stopped = true;
  private lineHooked = false;
  private absentReason: string | undefined;
  private skewWarned = false;
  private readonly plans = new PlanCollector((plan) => this.publishPlan(plan));

  constructor(
    readonly id: string,
    private readonly conn: SapcConnectionConfig,
    devices: ReadonlyMap<string, { kind: DeviceKind; profile: SapcProfile }>,
    private readonly opts: SapcFieldOptions,
  ) {
    super();
    for (const cfg of conn.slots) {
      const d = devices.get(cfg.device);
      if (d) this.slots.set(cfg.device, { cfg, device: cfg.device, kind: d.kind, profile: d.profile, eventId: undefined, commanded: undefined, renew: undefined });
    }
  }

  get up(): boolean {
    return this.present;
  }

  latest(device: string, name: string): Point | undefined {
    return this.latestPoints.get(`${device}/${name}`);
  }

  start(): void {
    this.stopped = false;
    const sn = new SapcSession({
      write: (text) => (this.opts.line ? this.opts.line.write(text) : this.transport?.write(text)),
      clock: this.opts.clock,
      ackTimeoutMs: this.conn.ackTimeoutMs,
      retries: this.conn.retries,
      heartbeatMs: this.conn.heartbeatSeconds * 1000,
      echo: this.conn.echo,
      baudRate: this.conn.baudRate,
      // SSP-1 §2.3: a restarted meter end starts its SEQ at a random value.
      firstSeq: Math.floor(Math.random() * 65536),
      // Plans from the appliance (PLN, SSP-1 1.1, the report's Proposal 2) for a slot of ours are taken.
      handler: {
        onPlan: (part) => {
          if (![...this.slots.values()].some((x) => x.cfg.slot === part.slot && x.cfg.direction === part.direction)) return { ok: false, reason: 'SLOT', field: 'slot', text: `slot ${part.slot} ${part.direction} not configured` };
          return this.plans.onPlan(part);
        },
      },
    });
    this.session = sn;
    sn.on('frame', () => this.heard());
    sn.on('link', (l) => l === 'down' && this.gone(`no frame from the appliance for ${3 * this.conn.heartbeatSeconds} s`));
    sn.on('heartbeat', (hb) => this.onHeartbeat(hb));
    let rxErrors = 0;
    sn.on('rxError', (e) => {
      if (rxErrors++ % 100 === 0) this.emit('warning', `connection ${this.id}: frame dropped (${rxErrors} so far): ${e.message}`);
    });
    this.emit('status', { state: 'connecting', reason: `waiting for the appliance on ${this.conn.path}` });
    this.scheduleStatus();
    if (this.opts.line) {
      if (!this.lineHooked) this.opts.line.onData((chunk) => this.session?.receive(chunk));
      this.lineHooked = true;
      this.greet();
      return;
    }
    const t = new SerialTransport({ path: this.conn.path, baudRate: this.conn.baudRate, dataBits: this.conn.dataBits, parity: this.conn.parity, stopBits: this.conn.stopBits, clock: this.opts.clock });
    this.transport = t;
    t.on('data', (b) => this.session?.receive(b));
    t.on('state', (s, reason) => {
      if (s === 'up') this.greet();
      else if (s === 'down') this.gone(`${t.description}: ${reason ?? 'closed'}`);
    });
    t.open().catch((e: unknown) => this.emit('warning', `connection ${this.id}: cannot open ${this.conn.path}: ${errorMessage(e)}; retrying`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.opts.clock.clearTimeout(this.statusTimer);
    for (const s of this.slots.values()) this.opts.clock.clearTimeout(s.renew);
    this.session?.close();
    this.session = undefined;
    await this.transport?.close();
    this.transport = undefined;
  }

  /** A checked write of a slot's level: CMD (control in force) or CAN (fail-safe default), then STA to confirm. */
  async write(device: string, name: string, value: PointValue): Promise<WriteResult> {
    const base = { device, name, value };
    const s = this.slots.get(device);
    if (!s) return { ...base, ok: false, failure: 'refused', reason: `device ${device} is not driven by a slot of sapc connection ${this.id}` };
    if (name !== s.cfg.point) return { ...base, ok: false, failure: 'refused', reason: `${device}/${name} is not written over SSP-1; slot ${s.cfg.slot} sets ${s.cfg.point}` };
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) return { ...base, ok: false, failure: 'refused', reason: `SAPC level must be a number 0..100 %, got ${JSON.stringify(value)}` };
    const sn = this.session;
    if (!sn || this.stopped) return { ...base, ok: false, failure: 'not_connected', reason: `connection ${this.id} is not started` };
    if (this.transport && this.transport.state !== 'up') return { ...base, ok: false, failure: 'not_connected', reason: `connection ${this.id}: ${this.transport.description} is ${this.transport.state}` };
    const level = Math.round(value);
    const e = this.opts.effective(device, name);
    const release = e.basis === 'default' || e.basis === 'none' || e.governing.length === 0;
    try {
      const failed = release ? await this.cancel(s) : await this.command(s, level, e);
      if (failed) return { ...base, ...failed, ok: false };
      return this.confirm(s, level, base, release);
    } catch (err) {
      return { ...base, ok: false, ...this.requestFailure(err) };
    }
  }

  // ------------------------------------------------------------------ commands

  private async request(body: RequestBody): Promise<Reply> {
    if (!this.session) throw new Error(`connection ${this.id} stopped`);
    return this.session.request(body);
  }

  /** A request that got no answer: the appliance is gone until heard again. */
  private requestFailure(err: unknown): { failure: WriteResult['failure']; reason: string } {
    if (err instanceof SapcTimeoutError) {
      const reason = `no answer from the appliance after ${err.attempts} attempts`;
      this.gone(reason);
      return { failure: 'timeout', reason: `SSP-1: ${reason}` };
    }
    return { failure: 'error', reason: errorMessage(err) };
  }

  /** The command's window: to the end of the control's current window, at most commandWindowS, whole seconds. */
  private window(e: Effective): number {
    const now = this.opts.clock.now();
    const end = Math.min(e.nextChange ?? Infinity, now + this.conn.commandWindowS * 1000);
    return Math.max(Math.floor(end / 1000) * 1000, Math.ceil((now + 2000) / 1000) * 1000);
  }

  private async command(s: SlotState, level: number, e: Effective): Promise<Omit<WriteResult, 'ok' | 'device' | 'name' | 'value'> | undefined> {
    const now = this.opts.clock.now();
    s.eventId ??= newEventId(now);
    const c: SapcCommand = {
      slot: s.cfg.slot,
      direction: s.cfg.direction,
      level,
      source: this.conn.source,
      validTo: this.window(e),
      randomDelayS: 0,
      randomised: false,
      eventId: s.eventId,
      timestamp: Math.floor(now / 1000) * 1000,
    };
    const r = await this.request({ type: 'CMD', command: c });
    if (r.type === 'NAK') {
      const why = `SSP-1 NAK ${r.reason}${r.field ? ` (${r.field})` : ''}${r.text ? `: ${r.text}` : ''}`;
      // The appliance refuses this command as it is (range, slot, source policy): resending it changes nothing.
      return { failure: 'refused', reason: why };
    }
    if (r.type !== 'ACK') return { failure: 'error', reason: `SSP-1: unexpected ${r.type} to a CMD` };
    s.commanded = c;
    this.scheduleRenewal(s);
    if (r.state === 'scheduled') return { failure: 'verify_failed', reason: 'the appliance scheduled the command for later (ACK st=scheduled); not in force yet' };
    return undefined;
  }

  private async cancel(s: SlotState): Promise<Omit<WriteResult, 'ok' | 'device' | 'name' | 'value'> | undefined> {
    this.opts.clock.clearTimeout(s.renew);
    s.renew = undefined;
    const evt = s.eventId;
    if (evt === undefined) return undefined; // nothing of ours in force: confirm the appliance's own plan
    const r = await this.request({ type: 'CAN', eventId: evt, source: this.conn.source, slot: s.cfg.slot });
    // NOT_FOUND: the command already ended (its window) or the appliance lost it; either way it is not in force.
    if (r.type === 'ACK' || (r.type === 'NAK' && r.reason === 'NOT_FOUND')) {
      s.eventId = undefined;
      s.commanded = undefined;
      return undefined;
    }
    return { failure: 'exception', reason: r.type === 'NAK' ? `SSP-1 NAK ${r.reason} to the cancel of ${evt}${r.text ? `: ${r.text}` : ''}` : `SSP-1: unexpected ${r.type} to a CAN` };
  }

  /** Ask the appliance what it applies; held only when its status shows the level in force. */
  private async confirm(s: SlotState, level: number, base: { device: string; name: string; value: PointValue }, release: boolean): Promise<WriteResult> {
    const sta = await this.status(s);
    if (!sta) return { ...base, ok: false, failure: 'verify_failed', reason: 'SSP-1: the status request was refused' };
    const ok = s.cfg.as === 'cap' ? sta.level <= level : sta.level === level;
    if (ok) return { ...base, ok: true };
    const by = sta.source ? ` governed by ${SOURCE_CODES[sta.source] ?? sta.source}${sta.eventId ? ` event ${sta.eventId}` : ''}` : '';
    const want = s.cfg.as === 'cap' ? `at most ${level} %` : `${level} %`;
    return { ...base, ok: false, failure: 'verify_failed', reason: `the appliance runs slot ${s.cfg.slot} at ${sta.level} %${by}, not ${want}${release ? ' (after the release to its own plan)' : ''}` };
  }

  private async status(s: SlotState): Promise<Sta | undefined> {
    const r = await this.request({ type: 'STQ', slot: s.cfg.slot });
    if (r.type !== 'STA') return undefined;
    this.publishStatus(s, r);
    return r;
  }

  /** Renew the command before its window ends while the control it carries lasts longer. */
  private scheduleRenewal(s: SlotState): void {
    this.opts.clock.clearTimeout(s.renew);
    const c = s.commanded;
    if (!c) return;
    const left = c.validTo - this.opts.clock.now();
    const lead = Math.min(30_000, left / 2);
    s.renew = this.opts.clock.setTimeout(() => {
      s.renew = undefined;
      void this.renew(s);
    }, left - lead);
  }

  private async renew(s: SlotState): Promise<void> {
    const c = s.commanded;
    if (!c || this.stopped) return;
    const e = this.opts.effective(s.device, s.cfg.point);
    if (e.basis === 'default' || e.basis === 'none' || typeof e.value !== 'number' || Math.round(e.value) !== c.level) return; // the site writes the change
    if (this.window(e) <= c.validTo) {
      // The value may change at the window's end (the arbiter then writes it). If it does not (another intent
      // carries the same level on), look again just after the end and send the command anew.
      s.renew = this.opts.clock.setTimeout(() => {
        s.renew = undefined;
        void this.renew(s);
      }, c.validTo - this.opts.clock.now() + 200);
      return;
    }
    try {
      const failed = await this.command(s, c.level, e);
      if (failed) {
        this.emit('warning', `connection ${this.id}: renewal of slot ${s.cfg.slot} failed: ${failed.reason ?? ''}`);
        this.gone(`renewal of the command on slot ${s.cfg.slot} failed`);
      }
    } catch (err) {
      this.emit('warning', `connection ${this.id}: renewal of slot ${s.cfg.slot}: ${this.requestFailure(err).reason}`);
    }
  }

  // ------------------------------------------------------------------ link and status

  /** Line open: say hello (heartbeat) and ask for status, so a present appliance is heard at once. */
  private greet(): void {
    this.session?.heartbeat();
    this.pollStatus();
  }

  private scheduleStatus(): void {
    if (!this.conn.statusS) return;
    this.statusTimer = this.opts.clock.setTimeout(() => {
      if (this.stopped) return;
      this.pollStatus();
      this.scheduleStatus();
    }, this.conn.statusS * 1000);
  }

  private pollStatus(): void {
    for (const s of this.slots.values()) {
      this.status(s).catch((err: unknown) => {
        if (!this.stopped) this.requestFailure(err);
      });
    }
  }

  private heard(): void {
    if (this.present || this.stopped) return;
    this.present = true;
    this.absentReason = undefined;
    this.emit('status', { state: 'up', reason: `appliance heard on ${this.transport?.description ?? this.conn.path}` });
    for (const s of this.slots.values()) this.emit('device', { device: s.device, state: 'online' });
  }

  private gone(reason: string): void {
    if (this.stopped) return;
    if (!this.present) {
      // Still absent: say so once per reason, not on every unanswered poll.
      if (reason !== this.absentReason) this.emit('status', { state: 'down', reason });
      this.absentReason = reason;
      return;
    }
    this.present = false;
    this.absentReason = reason;
    this.emit('status', { state: 'down', reason });
    const now = this.opts.clock.now();
    const lost: Point[] = [];
    for (const s of this.slots.values()) {
      this.emit('device', { device: s.device, state: 'offline', reason });
      for (const p of s.profile.points) if (p.from !== 'link' && p.from !== 'PLN') lost.push(this.point(s, p.name, null, now, 'not_connected', reason));
    }
    lost.push(...this.linkPoints('down', now));
    this.emit('points', lost);
  }

  private onHeartbeat(hb: Extract<SapcFrame, { type: 'HB' }>): void {
    const before = this.lastUptimeS;
    if (hb.uptimeS !== undefined) this.lastUptimeS = hb.uptimeS;
    const now = this.opts.clock.now();
    // SSP-1 §5.5: the appliance judges command windows by its own clock; a large skew makes them wrong (§10).
    const skewS = Math.round((hb.timestamp - now) / 1000);
    if (Math.abs(skewS) > SKEW_WARN_S && !this.skewWarned) this.emit('warning', `connection ${this.id}: the appliance clock is ${skewS} s off ours; command windows are judged by its clock`);
    this.skewWarned = Math.abs(skewS) > SKEW_WARN_S;
    const pts: Point[] = [];
    for (const s of this.slots.values()) {
      for (const p of s.profile.points) if (p.from === 'HB.up' && hb.uptimeS !== undefined) pts.push(this.point(s, p.name, hb.uptimeS, now));
    }
    pts.push(...this.linkPoints('up', now));
    this.emit('points', pts);
    if (before !== undefined && hb.uptimeS !== undefined && hb.uptimeS < before) {
      // SSP-1 §4.2: the appliance restarted and may have lost what it held; the site re-asserts every value.
      this.emit('warning', `connection ${this.id}: the appliance restarted (uptime ${before} s → ${hb.uptimeS} s)`);
      for (const s of this.slots.values()) {
        this.emit('device', { device: s.device, state: 'offline', reason: 'appliance restarted' });
        this.emit('device', { device: s.device, state: 'online' });
      }
    }
  }

  private linkPoints(state: 'up' | 'down', now: number): Point[] {
    const out: Point[] = [];
    for (const s of this.slots.values()) for (const p of s.profile.points) if (p.from === 'link') out.push(this.point(s, p.name, state, now));
    return out;
  }

  private publishPlan(plan: AppliancePlan): void {
    const s = [...this.slots.values()].find((x) => x.cfg.slot === plan.slot && x.cfg.direction === plan.direction);
    if (!s) return;
    const text = JSON.stringify({ id: plan.eventId, from: new Date(plan.validFrom).toISOString(), to: new Date(plan.validTo).toISOString(), steps: plan.steps.map((x) => [x.offsetMin, x.level]), ...(plan.ratedW !== undefined ? { ratedW: plan.ratedW } : {}) });
    const now = this.opts.clock.now();
    this.emit('points', s.profile.points.filter((p) => p.from === 'PLN').map((p) => this.point(s, p.name, text, now)));
  }

  private publishStatus(s: SlotState, sta: Sta): void {
    const now = this.opts.clock.now();
    const values: Record<SapcPointSource, PointValue | undefined> = {
      'STA.lvl': sta.level,
      'STA.dir': sta.direction,
      'STA.src': sta.source === undefined ? undefined : (SOURCE_CODES[sta.source] ?? sta.source),
      'STA.evt': sta.eventId ?? '',
      'STA.to': sta.validTo === undefined ? '' : formatTime(sta.validTo),
      'HB.up': undefined,
      link: 'up',
      PLN: undefined,
    };
    const pts: Point[] = [];
    for (const p of s.profile.points) {
      const v = values[p.from];
      if (v !== undefined && p.from !== 'HB.up') pts.push(this.point(s, p.name, v, now, 'good', undefined, sta.timestamp));
    }
    this.emit('points', pts);
  }

  private point(s: SlotState, name: string, value: PointValue | null, now: number, code: QualityCode = 'good', reason?: string, sourceTime?: number): Point {
    const unit = s.profile.points.find((p) => p.name === name)?.unit;
    const p: Point = { id: pointId(this.opts.site, s.device, name), device: s.device, kind: s.kind, name, value, quality: quality(code, reason), receiveTime: now, ...(unit ? { unit } : {}), ...(sourceTime !== undefined ? { sourceTime } : {}) };
    if (code === 'good') this.latestPoints.set(`${s.device}/${name}`, p);
    return p;
  }
}
