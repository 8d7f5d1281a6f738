/**
 * The arbiter shared by every control source (SAPC, 2030.5, OpenADR, MQTT, IEC 104, local plans).
 *
 * Per target (device + canonical point) at time t, with the intents whose window holds t (validFrom <= t < validTo):
 * - caps from any source class combine by minimum (the most restrictive limit binds);
 * - setpoints are ranked by source class (SOURCE_CLASSES order: safety, load_controller, dso, supplier, aggregator,
 *   owner, local_plan, default), then `priority` (lower wins), then the later validFrom, then the later submission;
 * - the value written is the winning setpoint (or the target's default) clipped to the cap; with no setpoint and no
 *   default it is the cap itself; with nothing active it is undefined (no control: the device's own behaviour).
 * Values outside a target's [min, max] are clipped, not rejected; only malformed intents are rejected.
 * Every window is capped at the site-wide maximum validity (`maxValidityMs`, default 48 h: the longest legitimate
 * window, a SAPC plan): a longer intent is kept but ends at max(now, validFrom) + maxValidityMs (outcome `clipped`),
 * so a source that wants more must renew it. Nothing in the arbiter lives forever.
 * Random delay is drawn once per intent id and never for intents marked `randomised`.
 * Every decision lands in `audit` (bounded) and is emitted as an `audit` event; `change` is emitted only when the
 * effective value changes (a hand-over between intents that keeps the value is audited, not emitted).
 * Whether the field really holds the effective value is reported back by the runtime (`noteField`): it is part of
 * `effective()`, of `list()` for the governing intents, and of the audit (`field` entries).
 * With `persistence`, held intents survive a restart of the runtime (see persistence.ts).
 */
import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { SOURCE_CLASSES, type ControlIntent, type ControlOutcome, type ControlResult, type ControlTarget, type SourceClass } from '../control.js';
import type { PointValue } from '../point.js';
import type { IntentPersistence } from './persistence.js';

/** Default site-wide maximum validity of any control intent (48 h, the longest SAPC plan). */
export const DEFAULT_MAX_VALIDITY_MS = 48 * 3600_000;

export interface TargetConfig extends ControlTarget {
  min?: number;
  max?: number;
  /** Value when no setpoint is active (the "default plan"), e.g. SAPCLevel 100. */
  default?: PointValue;
}

export interface ArbiterOptions {
  clock?: Clock;
  targets?: TargetConfig[];
  /** Maximum random delay (ms) per source class for intents not already randomised. */
  randomDelayMaxMs?: Partial<Record<SourceClass, number>>;
  /** Uniform [0, 1) source; injected for tests. */
  random?: () => number;
  auditLimit?: number;
  /** Site-wide maximum validity of an intent (ms); longer windows are cut. Default 48 h. */
  maxValidityMs?: number;
  /** Durable store of held intents; loaded at construction (expired ones dropped). */
  persistence?: IntentPersistence;
  /**
   * Why an intent on a target that is not configured cannot be held (e.g. a read-only or unknown point): the intent
   * is then rejected with that reason. Undefined (or no function): unconfigured targets are accepted.
   */
  targetProblem?: (target: ControlTarget) => string | undefined;
}

/** Whether the field holds the effective value: written and confirmed, being written, or not (with why). */
export type FieldState = 'held' | 'pending' | 'not_held';
export interface FieldStatus {
  state: FieldState;
  /** The value this status is about (the effective value when it was written). */
  value: PointValue | undefined;
  at: number;
  reason?: string;
}

export interface SubmitOptions {
  /** Overrides the per-class maximum random delay for this intent. */
  randomDelayMaxMs?: number;
}

export interface Effective {
  target: ControlTarget;
  /** Value to write now; undefined = no control active and no default. */
  value: PointValue | undefined;
  basis: 'setpoint' | 'cap' | 'default' | 'none';
  /** Minimum of the active caps, if any. */
  cap?: number;
  /** The winning setpoint before clipping, if any. */
  setpoint?: PointValue;
  /** Intents that determine `value` (winning setpoint and/or binding cap). */
  governing: string[];
  /** Source class of the winning setpoint, or of the binding cap. */
  sourceClass?: SourceClass;
  /** Next window boundary for this target (epoch ms), when the value may change. */
  nextChange?: number;
  at: number;
  /** Whether the field holds `value` (as last reported by the runtime); absent when nothing was reported yet. */
  field?: FieldStatus;
}

/** An intent as held, with whether it governs its target now and whether the field holds the result. */
export interface HeldIntent extends ControlIntent {
  active: boolean;
  governing: boolean;
  /** For governing intents: the field status of the target's effective value. */
  field?: FieldStatus;
}

export interface ArbiterResult extends ControlResult {
  target: ControlTarget;
  /** Window after randomisation. */
  validFrom: number;
  validTo: number;
  /** True when the window starts in the future; the outcome is the one expected at validFrom. */
  scheduled?: boolean;
  randomDelayMs?: number;
  /** Intents that override this one (a higher-ranked setpoint, or a lower cap). */
  supersededBy?: string[];
  /** Intents this one overrides from now on. */
  supersedes?: string[];
  /** True when this was an identical resubmission: nothing was applied again. */
  duplicate?: boolean;
}

export type AuditAction = 'submit' | 'duplicate' | 'cancel' | 'expire' | 'change' | 'handover' | 'field' | 'restore';
export interface AuditEntry {
  at: number;
  action: AuditAction;
  intentId?: string;
  source?: string;
  sourceClass?: SourceClass;
  target: ControlTarget;
  value?: PointValue;
  cap?: number;
  validFrom?: number;
  validTo?: number;
  outcome?: ControlOutcome | 'scheduled' | FieldState;
  reason?: string;
  effective?: PointValue;
  superseded?: string[];
  randomDelayMs?: number;
}

interface Stored {
  intent: ControlIntent;
  tkey: string;
  order: number;
  randomDelayMs: number;
  result: ArbiterResult;
  fingerprint: string;
}

export interface ArbiterEvents {
  change: [Effective];
  audit: [AuditEntry];
}

const RANK = new Map<SourceClass, number>(SOURCE_CLASSES.map((c, i) => [c, i]));
export const targetKey = (t: ControlTarget): string => `${t.device}/${t.name}`;

export class Arbiter extends EventEmitter<ArbiterEvents> {
  readonly audit: AuditEntry[] = [];
  private readonly clock: Clock;
  private readonly targets = new Map<string, TargetConfig>();
  private readonly intents = new Map<string, Stored>();
  private readonly byTarget = new Map<string, Set<Stored>>();
  private readonly last = new Map<string, Effective>();
  private readonly delays = new Map<string, number>();
  private readonly field = new Map<string, FieldStatus>();
  private readonly maxValidityMs: number;
  private order = 0;
  private timer: TimerHandle | undefined;
  private timerAt: number | undefined;

  constructor(private readonly opts: ArbiterOptions = {}) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.maxValidityMs = opts.maxValidityMs ?? DEFAULT_MAX_VALIDITY_MS;
    if (!(this.maxValidityMs > 0)) throw new Error(`maxValidityMs must be positive (got ${String(opts.maxValidityMs)})`);
    for (const t of opts.targets ?? []) this.targets.set(targetKey(t), { ...t });
    this.restore();
    this.refresh();
  }

  /** Reload held intents from the persistence (a restart): expired ones are dropped, the rest held as they were. */
  private restore(): void {
    const p = this.opts.persistence;
    if (!p) return;
    const now = this.clock.now();
    for (const r of p.load()) {
      const key = this.storeKey(r.intent);
      if (r.intent.validTo <= now || this.validate(r.intent, -Infinity)) {
        p.remove(key);
        continue;
      }
      const entry: Stored = { intent: r.intent, tkey: targetKey(r.intent.target), order: ++this.order, randomDelayMs: r.randomDelayMs, fingerprint: r.fingerprint, result: { ...r.result, target: r.intent.target } };
      this.delays.set(key, r.randomDelayMs);
      this.put(key, entry);
      this.record({ action: 'restore', ...describe(r.intent), outcome: r.result.outcome, reason: 'held across a restart of the runtime' });
    }
  }

  configureTarget(t: TargetConfig): void {
    this.targets.set(targetKey(t), { ...t });
    this.refresh();
  }

  submit(intent: ControlIntent, options: SubmitOptions = {}): ArbiterResult {
    const now = this.clock.now();
    const key = this.storeKey(intent);
    const invalid = this.validate(intent, now);
    if (invalid) {
      const result: ArbiterResult = { intentId: intent.id, outcome: 'rejected', reason: invalid, target: intent.target, validFrom: intent.validFrom, validTo: intent.validTo };
      this.record({ action: 'submit', ...describe(intent), outcome: 'rejected', reason: invalid });
      return result;
    }
    const fingerprint = JSON.stringify([intent.source, intent.sourceClass, intent.target, intent.value, intent.cap, intent.validFrom, intent.validTo, intent.priority, intent.randomised]);
    const existing = this.intents.get(key);
    if (existing && existing.fingerprint === fingerprint) {
      this.record({ action: 'duplicate', ...describe(existing.intent), outcome: existing.result.outcome, reason: 'identical resubmission; not applied again' });
      return { ...existing.result, duplicate: true };
    }
    // Clip to the target's bounds rather than reject.
    const cfg = this.targets.get(targetKey(intent.target));
    const stored: ControlIntent = { ...intent, target: { device: intent.target.device, name: intent.target.name } };
    let clipReason: string | undefined;
    const clip = (v: number, what: string): number => {
      const c = Math.min(cfg?.max ?? Infinity, Math.max(cfg?.min ?? -Infinity, v));
      if (c !== v) clipReason = `${what} ${v} clipped to ${c} (target bounds ${cfg?.min ?? '-∞'}..${cfg?.max ?? '∞'})`;
      return c;
    };
    if (stored.cap !== undefined) stored.cap = clip(stored.cap, 'cap');
    if (typeof stored.value === 'number') stored.value = clip(stored.value, 'value');
    // Randomise once per intent id.
    let delay = this.delays.get(key);
    if (delay === undefined) {
      const max = intent.randomised ? 0 : (options.randomDelayMaxMs ?? this.opts.randomDelayMaxMs?.[intent.sourceClass] ?? 0);
      delay = max > 0 ? Math.floor((this.opts.random ?? Math.random)() * max) : 0;
      this.delays.set(key, delay);
      // Remember draws well beyond any intent's life, but bounded.
      if (this.delays.size > 100_000) this.delays.delete(this.delays.keys().next().value!);
    }
    if (delay > 0) {
      stored.validFrom = Math.max(intent.validFrom, now) + delay;
      stored.validTo = intent.validTo + delay;
      stored.randomised = true;
    }
    const latest = Math.max(stored.validFrom, now) + this.maxValidityMs;
    if (stored.validTo > latest) {
      const asked = (stored.validTo - Math.max(stored.validFrom, now)) / 1000;
      stored.validTo = latest;
      const why = `validity ${asked} s cut to the site maximum of ${this.maxValidityMs / 1000} s (renew to extend)`;
      clipReason = clipReason ? `${clipReason}; ${why}` : why;
    }
    const entry: Stored = { intent: stored, tkey: targetKey(stored.target), order: ++this.order, randomDelayMs: delay, fingerprint, result: undefined as unknown as ArbiterResult };
    const before = this.evaluate(intent.target, Math.max(now, stored.validFrom));
    this.put(key, entry);
    const at = Math.max(now, stored.validFrom);
    const after = this.evaluate(intent.target, at);
    entry.result = this.outcomeOf(entry, before, after, at > now, clipReason);
    this.record({
      action: 'submit',
      ...describe(stored),
      outcome: entry.result.scheduled ? 'scheduled' : entry.result.outcome,
      ...(entry.result.reason ? { reason: entry.result.reason } : {}),
      effective: after.value,
      ...(entry.result.supersedes?.length ? { superseded: entry.result.supersedes } : {}),
      ...(delay ? { randomDelayMs: delay } : {}),
    });
    this.opts.persistence?.put(key, { intent: stored, randomDelayMs: delay, fingerprint, result: entry.result });
    if (existing && existing.tkey !== entry.tkey) this.refresh();
    else this.refresh(stored.target);
    return entry.result;
  }

  cancel(id: string, source?: string): ArbiterResult | undefined {
    for (const [key, s] of this.intents) {
      if (s.intent.id !== id || (source !== undefined && s.intent.source !== source)) continue;
      this.drop(key);
      this.record({ action: 'cancel', ...describe(s.intent), outcome: 'cancelled' });
      this.refresh(s.intent.target);
      return { intentId: id, outcome: 'cancelled', target: s.intent.target, validFrom: s.intent.validFrom, validTo: s.intent.validTo };
    }
    return undefined;
  }

  /** The effective value for a target now (pure; exact at window boundaries), with the field's status of it. */
  effective(target: ControlTarget): Effective {
    const e = this.evaluate(target, this.clock.now());
    const f = this.field.get(targetKey(target));
    if (f) e.field = f.value === e.value ? { ...f } : { state: 'pending', value: e.value, at: f.at, reason: `field last reported for ${String(f.value)}` };
    return e;
  }

  /** Intents held (active or pending), optionally for one target, with whether they govern and the field holds them. */
  list(target?: ControlTarget): HeldIntent[] {
    const k = target && targetKey(target);
    const effs = new Map<string, Effective>();
    const now = this.clock.now();
    return [...this.intents.values()]
      .filter((s) => !k || s.tkey === k)
      .map((s) => {
        let e = effs.get(s.tkey);
        if (!e) effs.set(s.tkey, (e = this.effective(s.intent.target)));
        const governing = e.governing.includes(s.intent.id);
        const h: HeldIntent = { ...s.intent, active: s.intent.validFrom <= now && now < s.intent.validTo, governing };
        if (governing && e.field) h.field = e.field;
        return h;
      });
  }

  /**
   * The runtime reports whether the field holds a value of a target (a confirmed write, a write in progress, or a
   * failed one with its reason). Audited when the state changes; shown by `effective()` and `list()`.
   */
  noteField(target: ControlTarget, value: PointValue | undefined, state: FieldState, reason?: string): void {
    const k = targetKey(target);
    const prev = this.field.get(k);
    const f: FieldStatus = { state, value, at: this.clock.now(), ...(reason ? { reason } : {}) };
    this.field.set(k, f);
    if (prev && prev.state === state && prev.value === value && prev.reason === reason) return;
    if (state === 'pending' && !prev) return; // the first write of a value: audited once it is held or not
    this.record({ action: 'field', target: { device: target.device, name: target.name }, ...(value !== undefined ? { value } : {}), outcome: state, ...(reason ? { reason } : {}), effective: this.evaluate(target, this.clock.now()).value });
  }

  close(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }

  // ------------------------------------------------------------------ internals

  private put(key: string, e: Stored): void {
    this.drop(key);
    this.intents.set(key, e);
    let set = this.byTarget.get(e.tkey);
    if (!set) this.byTarget.set(e.tkey, (set = new Set()));
    set.add(e);
  }

  private drop(key: string): void {
    const old = this.intents.get(key);
    if (!old) return;
    this.intents.delete(key);
    this.opts.persistence?.remove(key);
    const set = this.byTarget.get(old.tkey);
    set?.delete(old);
    if (set && set.size === 0) this.byTarget.delete(old.tkey);
  }

  private storeKey(i: ControlIntent): string {
    return `${i.source}\u0000${i.id}`;
  }

  private validate(i: ControlIntent, now: number): string | undefined {
    if (!RANK.has(i.sourceClass)) return `unknown source class "${String(i.sourceClass)}"`;
    if (!i.id) return 'missing intent id';
    if (!i.target?.device || !i.target?.name) return 'missing target device/name';
    if ((i.value === undefined) === (i.cap === undefined)) return 'exactly one of value or cap is required';
    if (i.cap !== undefined && !Number.isFinite(i.cap)) return `cap ${i.cap} is not a finite number`;
    if (typeof i.value === 'number' && !Number.isFinite(i.value)) return `value ${i.value} is not a finite number`;
    if (!Number.isFinite(i.validFrom) || !Number.isFinite(i.validTo)) return 'validFrom/validTo must be epoch ms';
    if (i.validTo <= i.validFrom) return 'validTo must be after validFrom';
    if (i.validTo <= now) return 'window already ended';
    const cfg = this.targets.get(targetKey(i.target));
    const problem = cfg ? undefined : this.opts.targetProblem?.(i.target);
    if (problem) return problem;
    if (cfg && (cfg.min !== undefined || cfg.max !== undefined) && i.value !== undefined && typeof i.value !== 'number') return `value must be a number for ${targetKey(i.target)}`;
    return undefined;
  }

  private evaluate(target: ControlTarget, t: number): Effective {
    const key = targetKey(target);
    let cap: Stored | undefined;
    let sp: Stored | undefined;
    let next: number | undefined;
    for (const s of this.byTarget.get(key) ?? []) {
      const i = s.intent;
      if (i.validFrom > t && (next === undefined || i.validFrom < next)) next = i.validFrom;
      if (i.validTo > t && (next === undefined || i.validTo < next)) next = i.validTo;
      if (!(i.validFrom <= t && t < i.validTo)) continue;
      if (i.cap !== undefined) {
        if (!cap || i.cap < cap.intent.cap! || (i.cap === cap.intent.cap && outranks(s, cap))) cap = s;
      } else if (!sp || outranks(s, sp)) sp = s;
    }
    const cfg = this.targets.get(key);
    const e: Effective = { target: { device: target.device, name: target.name }, value: undefined, basis: 'none', governing: [], at: t };
    if (next !== undefined) e.nextChange = next;
    const base = sp ? sp.intent.value : cfg?.default;
    if (cap) e.cap = cap.intent.cap!;
    if (sp) e.setpoint = sp.intent.value!;
    if (base !== undefined) {
      e.basis = sp ? 'setpoint' : 'default';
      e.value = base;
      if (sp) {
        e.governing.push(sp.intent.id);
        e.sourceClass = sp.intent.sourceClass;
      }
      if (cap && typeof base === 'number' && cap.intent.cap! < base) {
        e.value = cap.intent.cap!;
        e.basis = 'cap';
        e.governing.push(cap.intent.id);
        e.sourceClass = cap.intent.sourceClass;
      }
    } else if (cap) {
      e.value = cap.intent.cap!;
      e.basis = 'cap';
      e.governing.push(cap.intent.id);
      e.sourceClass = cap.intent.sourceClass;
    }
    return e;
  }

  private outcomeOf(s: Stored, before: Effective, after: Effective, scheduled: boolean, clipReason?: string): ArbiterResult {
    const i = s.intent;
    const r: ArbiterResult = { intentId: i.id, outcome: 'applied', target: i.target, validFrom: i.validFrom, validTo: i.validTo, effective: after.value as PointValue };
    if (after.value === undefined) delete r.effective;
    if (scheduled) r.scheduled = true;
    if (s.randomDelayMs) r.randomDelayMs = s.randomDelayMs;
    const others = after.governing.filter((g) => g !== i.id);
    if (!after.governing.includes(i.id)) {
      r.outcome = 'superseded';
      r.supersededBy = others;
      r.reason = i.cap !== undefined ? `a lower cap (${after.cap}) is active` : `a higher-ranked setpoint is active (${after.sourceClass})`;
    } else if (i.value !== undefined && after.basis === 'cap') {
      r.outcome = 'clipped';
      r.supersededBy = others;
      r.reason = `value ${String(i.value)} clipped to cap ${after.cap} (${after.sourceClass})`;
    } else if (clipReason) {
      r.outcome = 'clipped';
      r.reason = clipReason;
    }
    const displaced = before.governing.filter((g) => !after.governing.includes(g));
    if (displaced.length && after.governing.includes(i.id)) r.supersedes = displaced;
    return r;
  }

  /**
   * Drop expired intents, re-evaluate (only `only`'s target plus expired ones after a submit/cancel; everything on a
   * timer or configuration change), emit changes, and arm the timer for the next boundary of any target.
   */
  private refresh(only?: ControlTarget): void {
    const now = this.clock.now();
    const todo = new Map<string, ControlTarget>();
    if (only) {
      todo.set(targetKey(only), only);
      // Boundaries of other targets already passed (a late timer on a real clock) are caught up too.
      for (const [k, e] of this.last) if (e.nextChange !== undefined && e.nextChange <= now) todo.set(k, e.target);
    } else {
      for (const [k, e] of this.last) todo.set(k, e.target);
      for (const [k, t] of this.targets) todo.set(k, t);
      for (const set of this.byTarget.values()) for (const s of set) todo.set(s.tkey, s.intent.target);
    }
    for (const [key, s] of this.intents) {
      if (s.intent.validTo <= now) {
        this.drop(key);
        todo.set(s.tkey, s.intent.target);
        this.record({ action: 'expire', ...describe(s.intent), outcome: 'expired' });
      }
    }
    for (const [k, target] of todo) {
      const e = this.evaluate(target, now);
      const prev = this.last.get(k);
      this.last.set(k, e);
      const why = `${e.basis}${e.sourceClass ? ` from ${e.sourceClass}` : ''}${e.governing.length ? ` (${e.governing.join(', ')})` : ''}`;
      if (prev ? prev.value !== e.value : e.value !== undefined) {
        this.record({ action: 'change', target: e.target, effective: e.value, reason: why });
        this.emit('change', e);
      } else if (prev && prev.governing.join() !== e.governing.join()) {
        this.record({ action: 'handover', target: e.target, effective: e.value, reason: `${why}; value unchanged` });
      }
    }
    let next: number | undefined;
    for (const e of this.last.values()) if (e.nextChange !== undefined && e.nextChange > now && (next === undefined || e.nextChange < next)) next = e.nextChange;
    if (next !== this.timerAt) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = next;
      if (next !== undefined) this.timer = this.clock.setTimeout(() => ((this.timer = undefined), (this.timerAt = undefined), this.refresh()), Math.max(0, next - now));
    }
  }

  private record(e: Omit<AuditEntry, 'at'>): void {
    const entry: AuditEntry = { at: this.clock.now(), ...e };
    this.audit.push(entry);
    const limit = this.opts.auditLimit ?? 10_000;
    // Trim in batches so a full log costs O(1) per entry.
    if (this.audit.length > limit + Math.max(1, limit >> 4)) this.audit.splice(0, this.audit.length - limit);
    this.emit('audit', entry);
  }
}

function outranks(a: Stored, b: Stored): boolean {
  const ra = RANK.get(a.intent.sourceClass)!;
  const rb = RANK.get(b.intent.sourceClass)!;
  if (ra !== rb) return ra < rb;
  const pa = a.intent.priority ?? Infinity;
  const pb = b.intent.priority ?? Infinity;
  if (pa !== pb) return pa < pb;
  if (a.intent.validFrom !== b.intent.validFrom) return a.intent.validFrom > b.intent.validFrom;
  return a.order > b.order;
}

function describe(i: ControlIntent): Omit<AuditEntry, 'at' | 'action'> {
  const d: Omit<AuditEntry, 'at' | 'action'> = { intentId: i.id, source: i.source, sourceClass: i.sourceClass, target: i.target, validFrom: i.validFrom, validTo: i.validTo };
  if (i.value !== undefined) d.value = i.value;
  if (i.cap !== undefined) d.cap = i.cap;
  return d;
}
