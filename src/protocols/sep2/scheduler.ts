/**
 * DER control scheduler (IEEE 2030.5-2018 §10.10 / §12.1 event rules, CSIP §5): turns the DERControls and
 * DefaultDERControls of several programs into the control in force per mode, and tells the caller which Responses
 * to post. All time is server time (local clock + offset learnt from the Time resource); timers use the injected
 * Clock and never wait more than `maxWaitMs`, so a wall-clock step is corrected within that bound.
 *
 * Rules implemented:
 * - randomizeStart / randomizeDuration are drawn once per event (uniform in [0, r] or [r, 0] seconds) and kept.
 * - EventStatus 2/3 cancels (response 6), 4 supersedes (response 7).
 * - Same program, overlapping in time and sharing a control mode: the newer creationTime supersedes the older
 *   (response 7) — but a running event is superseded only once the newer one has started. Equal creationTimes
 *   (undefined in 2030.5): the more restrictive event wins, then the greater mRID; the decision is logged.
 * - Across programs, per mode, the lower `primacy` wins; an event that reaches its start (or is running) without
 *   winning any of its modes is aborted with response 14 (alternate program event).
 * - Events past their end when first seen are rejected (254); events with no mode we can apply are rejected (252).
 * - Modes no event controls fall back to the DefaultDERControl of the lowest-primacy program that sets them.
 * - responseRequired bit 0 asks for "received", bit 1 for the specific responses (started, completed, cancelled,
 *   superseded, aborted, rejections).
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { DERControl, DERControlBase, DefaultDERControl } from './derControl.js';
import { EVENT_STATUS } from './derControl.js';
import { RESPONSE_STATUS } from './response.js';

export const CONTROL_MODES = [
  'opModConnect',
  'opModEnergize',
  'opModFixedW',
  'opModMaxLimW',
  'opModTargetW',
  'opModTargetVar',
  'opModFixedVar',
  'opModImpLimW',
  'opModExpLimW',
  'opModGenLimW',
  'opModLoadLimW',
  'rampTms',
] as const;
export type ControlMode = (typeof CONTROL_MODES)[number];

export interface ProgramSnapshot {
  href: string;
  primacy: number;
  controls: DERControl[];
  defaultControl?: DefaultDERControl;
}

export interface ResponseToSend {
  replyTo: string;
  subject: string;
  status: number;
  /** Server time, seconds. */
  createdDateTime: number;
  eventHref?: string;
}

export interface ModeControl {
  mode: ControlMode;
  value: DERControlBase[ControlMode];
  /** Event mRID, or the DefaultDERControl's mRID. */
  mRID: string;
  programHref: string;
  primacy: number;
  isDefault: boolean;
  /** Server-time ms. For defaults: the end of the hold window (refreshed while nothing else is active). */
  validFrom: number;
  validTo: number;
}

export interface ScheduleState {
  /** Server time of the evaluation, ms. */
  at: number;
  controls: ModeControl[];
  /** Events currently running (winning at least one mode). */
  activeEvents: string[];
}

export interface SchedulerOptions {
  clock: Clock;
  /** Uniform [0,1) source; injected for tests. */
  random?: () => number;
  /** Modes the device can apply; others are rejected with 252 when an event has none of these. */
  supportedModes?: readonly ControlMode[];
  /** How long a DefaultDERControl value is held before it must be re-confirmed (ms). Default 15 min. */
  defaultHoldMs?: number;
  /** Upper bound on any timer, so wall-clock steps are corrected (ms). Default 60 s. */
  maxWaitMs?: number;
  onResponse?: (r: ResponseToSend) => void;
  onChange?: (s: ScheduleState) => void;
  /** Decisions worth a line in the log (ties the standard leaves open, refused modes). */
  onLog?: (message: string) => void;
}

type Phase = 'pending' | 'active' | 'completed' | 'cancelled' | 'superseded' | 'aborted' | 'rejected';
const FINAL: ReadonlySet<Phase> = new Set(['completed', 'cancelled', 'superseded', 'aborted', 'rejected']);

interface EventRecord {
  ctl: DERControl;
  programHref: string;
  primacy: number;
  randStartS: number;
  randDurS: number;
  phase: Phase;
  sent: Set<number>;
  seen: boolean;
  /** Server ms at which a status-3 cancellation takes effect. */
  cancelAt?: number;
}

function modesOf(base: DERControlBase): ControlMode[] {
  return CONTROL_MODES.filter((m) => base[m] !== undefined);
}

function restriction(mode: ControlMode, v: unknown): number | undefined {
  if (typeof v === 'boolean') return mode === 'opModConnect' || mode === 'opModEnergize' ? (v ? 1 : 0) : undefined;
  if (typeof v === 'number') return mode === 'opModFixedW' ? Math.abs(v) : mode === 'opModMaxLimW' ? v : undefined;
  if (v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'number') {
    const p = v as { value: number; multiplier?: number };
    const w = p.value * 10 ** (p.multiplier ?? 0);
    return mode === 'opModTargetW' ? Math.abs(w) : /^opMod(Imp|Exp|Gen|Load)LimW$/.test(mode) ? w : undefined;
  }
  return undefined;
}

/** Why a mode's value makes no sense (never applied), or undefined. */
export function invalidValue(mode: ControlMode, v: unknown): string | undefined {
  if (typeof v === 'number') {
    if (mode === 'opModMaxLimW' && v > 10000) return `${mode} ${v} is more than 100 % (hundredths of a percent)`;
    if (mode === 'opModFixedW' && Math.abs(v) > 10000) return `${mode} ${v} is beyond ±100 % (hundredths of a percent)`;
    return undefined;
  }
  if (v && typeof v === 'object' && /^opMod(Imp|Exp|Gen|Load)LimW$/.test(mode)) {
    const p = v as { value?: number };
    if (typeof p.value === 'number' && p.value < 0) return `${mode} ${p.value} is a negative limit`;
  }
  return undefined;
}

/** Why a DERControl must be rejected as invalid (253), or undefined: a zero duration or a nonsense value. */
export function invalidControl(base: DERControlBase, durationS: number): string | undefined {
  if (durationS <= 0) return 'interval.duration is 0';
  for (const m of modesOf(base)) {
    const why = invalidValue(m, base[m]);
    if (why) return why;
  }
  return undefined;
}

/** DERControlBase modes the client does not apply, each with a reason that names the mode. */
export const UNSUPPORTED_MODE_NAMES: Readonly<Record<string, string>> = {
  opModFixedPFAbsorbW: 'fixed power factor (absorbing)',
  opModFixedPFInjectW: 'fixed power factor (injecting)',
  opModFreqDroop: 'frequency droop',
  opModFreqWatt: 'frequency-watt curve',
  opModHFRTMayTrip: 'high-frequency ride-through (may trip) curve',
  opModHFRTMustTrip: 'high-frequency ride-through (must trip) curve',
  opModHVRTMayTrip: 'high-voltage ride-through (may trip) curve',
  opModHVRTMomentaryCessation: 'high-voltage momentary cessation curve',
  opModHVRTMustTrip: 'high-voltage ride-through (must trip) curve',
  opModLFRTMayTrip: 'low-frequency ride-through (may trip) curve',
  opModLFRTMustTrip: 'low-frequency ride-through (must trip) curve',
  opModLVRTMayTrip: 'low-voltage ride-through (may trip) curve',
  opModLVRTMomentaryCessation: 'low-voltage momentary cessation curve',
  opModLVRTMustTrip: 'low-voltage ride-through (must trip) curve',
  opModVoltVar: 'volt-var curve',
  opModVoltWatt: 'volt-watt curve',
  opModWattPF: 'watt-power factor curve',
  opModWattVar: 'watt-var curve',
};

export function refusedModes(base: DERControlBase, supported: ReadonlySet<ControlMode>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined) continue;
    if (k in UNSUPPORTED_MODE_NAMES) out.push(`${k} (${UNSUPPORTED_MODE_NAMES[k]}) refused: the device's settings for it are local (IEEE 1547 / AS 4777.2) and GridBridge does not apply it remotely`);
    else if ((CONTROL_MODES as readonly string[]).includes(k) && !supported.has(k as ControlMode)) out.push(`${k} refused: not supported by this device`);
  }
  return out;
}

/** -1 when `a` restricts the DER more than `b` for `mode`, 1 when less, 0 when equal or not comparable. */
export function compareRestriction(mode: ControlMode, a: unknown, b: unknown): number {
  const ra = restriction(mode, a);
  const rb = restriction(mode, b);
  if (ra === undefined || rb === undefined || ra === rb) return 0;
  return ra < rb ? -1 : 1;
}

/** Uniform draw bounded by a OneHourRangeType (seconds; sign gives the direction). */
export function drawRandomization(range: number | undefined, random: () => number): number {
  if (!range) return 0;
  const r = Math.max(-3600, Math.min(3600, range));
  return Math.round(random() * r);
}

export class DerControlScheduler {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly supported: ReadonlySet<ControlMode>;
  private readonly defaultHoldMs: number;
  private readonly maxWaitMs: number;
  private offsetMs = 0;
  private programs: ProgramSnapshot[] = [];
  private events = new Map<string, EventRecord>();
  private timer: TimerHandle | undefined;
  private last = '';
  private lastState: ScheduleState = { at: 0, controls: [], activeEvents: [] };
  private stopped = false;
  private readonly tiesLogged = new Set<string>();

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock;
    this.random = opts.random ?? Math.random;
    this.supported = new Set(opts.supportedModes ?? CONTROL_MODES);
    this.defaultHoldMs = opts.defaultHoldMs ?? 15 * 60_000;
    this.maxWaitMs = opts.maxWaitMs ?? 60_000;
  }

  /** Server clock minus local clock, ms (from the Time resource). */
  setServerOffset(ms: number): void {
    this.offsetMs = ms;
    this.evaluate();
  }
  get serverOffsetMs(): number {
    return this.offsetMs;
  }
  serverNow(): number {
    return this.clock.now() + this.offsetMs;
  }

  /** Replace the known programs (each with its full control list) and re-evaluate. */
  setPrograms(programs: ProgramSnapshot[]): void {
    this.programs = programs;
    this.evaluate();
  }

  /** Update one program's control list (other programs kept). */
  updateProgram(p: ProgramSnapshot): void {
    const i = this.programs.findIndex((x) => x.href === p.href);
    if (i >= 0) this.programs[i] = p;
    else this.programs.push(p);
    this.evaluate();
  }

  state(): ScheduleState {
    return this.lastState;
  }

  /** The effective randomized interval of an event (server ms), if known. */
  effectiveInterval(mRID: string): { start: number; end: number } | undefined {
    const r = this.events.get(mRID);
    return r ? this.interval(r) : undefined;
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private interval(r: EventRecord): { start: number; end: number } {
    const start = (r.ctl.interval.start + r.randStartS) * 1000;
    const dur = Math.max(0, r.ctl.interval.duration + r.randDurS) * 1000;
    return { start, end: start + dur };
  }

  private respond(r: EventRecord, status: number, nowMs: number): void {
    if (r.sent.has(status) || !r.ctl.replyTo) return;
    const bits = parseInt(r.ctl.responseRequired ?? '0', 16) || 0;
    const wanted = status === RESPONSE_STATUS.received ? (bits & 1) !== 0 : (bits & 2) !== 0;
    r.sent.add(status);
    if (!wanted) return;
    const resp: ResponseToSend = { replyTo: r.ctl.replyTo, subject: r.ctl.mRID, status, createdDateTime: Math.floor(nowMs / 1000) };
    if (r.ctl.href) resp.eventHref = r.ctl.href;
    this.opts.onResponse?.(resp);
  }

  private finish(r: EventRecord, phase: Phase, status: number, now: number): void {
    if (FINAL.has(r.phase)) return;
    r.phase = phase;
    this.respond(r, status, now);
  }

  /** Recompute now; called on every input change and by the timer. */
  evaluate(): void {
    if (this.stopped) return;
    const now = this.serverNow();
    this.ingest(now);
    this.supersedeWithinPrograms(now);
    const winners = this.pickWinners(now);
    this.completeAndAbort(now, winners);
    this.emit(now, winners);
    this.arm(now);
  }

  private ingest(now: number): void {
    for (const r of this.events.values()) r.seen = false;
    for (const p of this.programs) {
      for (const ctl of p.controls) {
        let r = this.events.get(ctl.mRID);
        if (!r) {
          r = {
            ctl,
            programHref: p.href,
            primacy: p.primacy,
            randStartS: drawRandomization(ctl.randomizeStart, this.random),
            randDurS: drawRandomization(ctl.randomizeDuration, this.random),
            phase: 'pending',
            sent: new Set(),
            seen: true,
          };
          this.events.set(ctl.mRID, r);
          this.respond(r, RESPONSE_STATUS.received, now);
          const modes = modesOf(ctl.DERControlBase);
          const st = ctl.EventStatus.currentStatus;
          if (st === EVENT_STATUS.scheduled || st === EVENT_STATUS.active) {
            const invalid = invalidControl(ctl.DERControlBase, ctl.interval.duration);
            const refused = refusedModes(ctl.DERControlBase, this.supported);
            if (refused.length > 0) this.opts.onLog?.(`DERControl ${ctl.mRID}: ${refused.join('; ')}${modes.some((m) => this.supported.has(m)) && !invalid ? ' (its other modes are applied)' : ''}`);
            if (invalid) {
              this.opts.onLog?.(`DERControl ${ctl.mRID} rejected (253): ${invalid}`);
              this.finish(r, 'rejected', RESPONSE_STATUS.rejectedInvalid, now);
            } else if (this.interval(r).end <= now) this.finish(r, 'rejected', RESPONSE_STATUS.rejectedLate, now);
            else if (!modes.some((m) => this.supported.has(m))) this.finish(r, 'rejected', RESPONSE_STATUS.rejectedNotApplicable, now);
          }
        }
        r.ctl = ctl;
        r.programHref = p.href;
        r.primacy = p.primacy;
        r.seen = true;
        const st = ctl.EventStatus.currentStatus;
        if (st === EVENT_STATUS.cancelledRandom && r.phase === 'active' && r.randStartS !== 0) {
          // Cancelled with randomization: a running event stops after its own random offset, so devices spread out.
          r.cancelAt ??= now + Math.abs(r.randStartS) * 1000;
          if (now >= r.cancelAt) this.finish(r, 'cancelled', RESPONSE_STATUS.cancelled, now);
        } else if (st === EVENT_STATUS.cancelled || st === EVENT_STATUS.cancelledRandom) this.finish(r, 'cancelled', RESPONSE_STATUS.cancelled, now);
        else if (st === EVENT_STATUS.superseded) this.finish(r, 'superseded', RESPONSE_STATUS.superseded, now);
      }
    }
    // Events the server no longer lists stop applying (no response: the server removed them itself).
    for (const [k, r] of this.events) if (!r.seen) this.events.delete(k);
  }

  private supersedeWithinPrograms(now: number): void {
    const live = [...this.events.values()].filter((r) => !FINAL.has(r.phase));
    for (const a of live) {
      for (const b of live) {
        if (a === b || a.programHref !== b.programHref || FINAL.has(a.phase) || FINAL.has(b.phase)) continue;
        const ia = this.interval(a);
        const ib = this.interval(b);
        if (!(ia.start < ib.end && ib.start < ia.end)) continue;
        const ma = modesOf(a.ctl.DERControlBase);
        const shared = modesOf(b.ctl.DERControlBase).filter((m) => ma.includes(m));
        if (shared.length === 0) continue;
        if (this.supersedes(b, a, shared, now) !== b) continue;
        // A running event (started, or due now) is never superseded by one that has not started yet: it runs until
        // the newer one begins.
        if (now >= ia.start && now < ib.start) continue;
        this.finish(a, 'superseded', RESPONSE_STATUS.superseded, now);
      }
    }
  }

  /**
   * Of two overlapping events of one program sharing `shared` modes, the one that supersedes the other: the newer
   * creationTime (2030.5 §12.1.3.1). 2030.5 leaves equal creationTimes undefined: then the more restrictive event wins
   * (lower limits, disconnect over connect, setpoints nearer zero), the mRID only when they are equally restrictive,
   * and the decision is logged once.
   */
  private supersedes(a: EventRecord, b: EventRecord, shared: readonly ControlMode[], now: number): EventRecord {
    if (a.ctl.creationTime !== b.ctl.creationTime) return a.ctl.creationTime > b.ctl.creationTime ? a : b;
    let score = 0;
    for (const m of shared) score += compareRestriction(m, a.ctl.DERControlBase[m], b.ctl.DERControlBase[m]);
    const winner = score !== 0 ? (score < 0 ? a : b) : a.ctl.mRID > b.ctl.mRID ? a : b;
    const loser = winner === a ? b : a;
    const key = `${winner.ctl.mRID}>${loser.ctl.mRID}`;
    if (!this.tiesLogged.has(key)) {
      this.tiesLogged.add(key);
      const why = score !== 0 ? 'it is the more restrictive' : 'they are equally restrictive, so the greater mRID wins';
      const waits = now >= this.interval(loser).start && now < this.interval(winner).start ? `; ${loser.ctl.mRID} keeps running until ${winner.ctl.mRID} starts` : '';
      this.opts.onLog?.(`DERControls ${winner.ctl.mRID} and ${loser.ctl.mRID} overlap on ${shared.join(', ')} with the same creationTime ${a.ctl.creationTime} (2030.5 leaves this open): ${winner.ctl.mRID} supersedes ${loser.ctl.mRID} because ${why}${waits}`);
    }
    return winner;
  }

  private better(a: EventRecord, b: EventRecord, mode: ControlMode): boolean {
    if (a.primacy !== b.primacy) return a.primacy < b.primacy;
    if (a.ctl.creationTime !== b.ctl.creationTime) return a.ctl.creationTime > b.ctl.creationTime;
    // Equal primacy and creationTime (undefined in 2030.5): the more restrictive value, then the mRID.
    const c = compareRestriction(mode, a.ctl.DERControlBase[mode], b.ctl.DERControlBase[mode]);
    return c !== 0 ? c < 0 : a.ctl.mRID > b.ctl.mRID;
  }

  private pickWinners(now: number): Map<ControlMode, EventRecord> {
    const winners = new Map<ControlMode, EventRecord>();
    for (const r of this.events.values()) {
      if (FINAL.has(r.phase)) continue;
      const iv = this.interval(r);
      if (!(iv.start <= now && now < iv.end)) continue;
      for (const m of modesOf(r.ctl.DERControlBase)) {
        if (!this.supported.has(m)) continue;
        const cur = winners.get(m);
        if (!cur || this.better(r, cur, m)) winners.set(m, r);
      }
    }
    return winners;
  }

  private completeAndAbort(now: number, winners: Map<ControlMode, EventRecord>): void {
    const winning = new Set(winners.values());
    for (const r of this.events.values()) {
      if (FINAL.has(r.phase)) continue;
      const iv = this.interval(r);
      if (now >= iv.end) {
        if (r.phase === 'active') this.finish(r, 'completed', RESPONSE_STATUS.completed, now);
        else this.finish(r, 'aborted', RESPONSE_STATUS.abortedProgram, now);
        continue;
      }
      if (now < iv.start) continue;
      if (winning.has(r)) {
        if (r.phase === 'pending') {
          r.phase = 'active';
          this.respond(r, RESPONSE_STATUS.started, now);
        }
      } else {
        this.finish(r, 'aborted', RESPONSE_STATUS.abortedProgram, now);
      }
    }
  }

  private emit(now: number, winners: Map<ControlMode, EventRecord>): void {
    const controls: ModeControl[] = [];
    for (const [mode, r] of winners) {
      const iv = this.interval(r);
      controls.push({ mode, value: r.ctl.DERControlBase[mode], mRID: r.ctl.mRID, programHref: r.programHref, primacy: r.primacy, isDefault: false, validFrom: iv.start, validTo: iv.end });
    }
    const byPrimacy = [...this.programs].filter((p) => p.defaultControl).sort((a, b) => a.primacy - b.primacy);
    const holdTo = Math.floor(now / this.defaultHoldMs) * this.defaultHoldMs + this.defaultHoldMs;
    for (const mode of CONTROL_MODES) {
      if (winners.has(mode) || !this.supported.has(mode)) continue;
      const p = byPrimacy.find((x) => x.defaultControl!.DERControlBase[mode] !== undefined && !invalidValue(mode, x.defaultControl!.DERControlBase[mode]));
      if (!p) continue;
      const d = p.defaultControl!;
      // A default is held until the next event boundary or the hold window end, whichever is first.
      controls.push({ mode, value: d.DERControlBase[mode], mRID: d.mRID, programHref: p.href, primacy: p.primacy, isDefault: true, validFrom: now, validTo: Math.min(holdTo + this.defaultHoldMs, this.nextBoundary(now) ?? Infinity) });
    }
    controls.sort((a, b) => a.mode.localeCompare(b.mode));
    const activeEvents = [...new Set([...winners.values()].map((r) => r.ctl.mRID))].sort();
    const key = JSON.stringify([controls.map((c) => [c.mode, c.value, c.mRID, c.validTo]), activeEvents]);
    this.lastState = { at: now, controls, activeEvents };
    if (key !== this.last) {
      this.last = key;
      this.opts.onChange?.(this.lastState);
    }
  }

  private nextBoundary(now: number): number | undefined {
    let next: number | undefined;
    for (const r of this.events.values()) {
      if (FINAL.has(r.phase)) continue;
      const iv = this.interval(r);
      for (const t of [iv.start, iv.end, r.cancelAt ?? 0]) if (t > now && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  private arm(now: number): void {
    this.clock.clearTimeout(this.timer);
    const next = this.nextBoundary(now);
    const holdNext = Math.floor(now / this.defaultHoldMs) * this.defaultHoldMs + this.defaultHoldMs;
    const at = Math.min(next ?? Infinity, holdNext);
    const wait = Math.max(1, Math.min(this.maxWaitMs, at - now));
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.evaluate();
    }, wait);
  }
}
