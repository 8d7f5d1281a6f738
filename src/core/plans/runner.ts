/**
 * Executes validated plans as control intents (class `local_plan` unless told otherwise) on two targets of the
 * device: `PlanMode` (the mode string) and `WSet` (W, + discharge / - charge, GridBridge sign convention).
 * - power target: WSet = ±powerW for the segment window;
 * - SoC target: full rate (device limit) until the SoC reading reaches the target, then 0 for the rest of the segment;
 * - balance: WSet follows the site's net import (import → discharge, export → charge), capped by powerW and limits.
 * Readings arrive through `updateSoC` / `updateSiteW`; intents are resubmitted under the same id (the arbiter
 * replaces them). When a plan ends its intents expire and the arbiter falls back to the local or default plan.
 */
import type { Clock } from '../clock.js';
import type { ControlTarget, SourceClass } from '../control.js';
import type { Arbiter, ArbiterResult } from '../arbitration/arbiter.js';
import { validatePlan, type DeviceLimits, type Plan, type PlanIssue, type PlanSegment } from './plan.js';

export interface PlanRunnerOptions {
  arbiter: Arbiter;
  clock: Clock;
  device: string;
  limits: DeviceLimits;
  sourceClass?: SourceClass;
}

export type LoadResult = { ok: true; results: ArbiterResult[] } | { ok: false; issues: PlanIssue[] };

export class PlanRunner {
  private plans = new Map<string, Plan>();
  private soc: number | undefined;
  private siteW: number | undefined;

  constructor(private readonly o: PlanRunnerOptions) {}

  get modeTarget(): ControlTarget {
    return { device: this.o.device, name: 'PlanMode' };
  }
  get powerTarget(): ControlTarget {
    return { device: this.o.device, name: 'WSet' };
  }

  /** Validate and start a plan; nothing is submitted when it is refused. */
  load(input: unknown): LoadResult {
    this.prune();
    const check = validatePlan(input, this.o.limits, this.o.clock.now(), [...this.plans.values()]);
    if (!check.ok) return check;
    if (check.plan.device !== this.o.device) return { ok: false, issues: [{ path: 'device', message: `plan is for ${check.plan.device}, runner drives ${this.o.device}` }] };
    const old = this.plans.get(check.plan.id);
    if (old) this.cancel(old.id);
    this.plans.set(check.plan.id, check.plan);
    const results: ArbiterResult[] = [];
    check.plan.segments.forEach((s, i) => {
      if (s.to <= this.o.clock.now()) return;
      results.push(this.submit(check.plan, i, 'mode', s.mode), this.submit(check.plan, i, 'power', this.powerFor(s)));
    });
    return { ok: true, results };
  }

  cancel(planId: string): boolean {
    const p = this.plans.get(planId);
    if (!p) return false;
    p.segments.forEach((_, i) => {
      this.o.arbiter.cancel(this.intentId(p, i, 'mode'), this.source(p));
      this.o.arbiter.cancel(this.intentId(p, i, 'power'), this.source(p));
    });
    this.plans.delete(planId);
    return true;
  }

  updateSoC(soc: number): void {
    this.soc = soc;
    this.resubmitActive((s) => s.socPct !== undefined);
  }

  /** Site net power at the grid connection (W, + import / - export). */
  updateSiteW(w: number): void {
    this.siteW = w;
    this.resubmitActive((s) => s.mode === 'balance');
  }

  active(): Plan[] {
    this.prune();
    return [...this.plans.values()];
  }

  private resubmitActive(which: (s: PlanSegment) => boolean): void {
    const now = this.o.clock.now();
    for (const p of this.plans.values())
      p.segments.forEach((s, i) => {
        if (which(s) && s.to > now) this.submit(p, i, 'power', this.powerFor(s));
      });
  }

  private powerFor(s: PlanSegment): number {
    const { maxChargeW, maxDischargeW, minSoC = 0 } = this.o.limits;
    if (s.mode === 'balance') {
      const w = this.siteW ?? 0;
      const lim = s.powerW ?? Infinity;
      let out = Math.max(-Math.min(maxChargeW, lim), Math.min(Math.min(maxDischargeW, lim), w));
      if (out > 0 && this.soc !== undefined && this.soc <= minSoC) out = 0;
      return out;
    }
    if (s.powerW !== undefined) return s.mode === 'charge' ? -s.powerW : s.powerW;
    const target = s.socPct!;
    if (s.mode === 'charge') return this.soc !== undefined && this.soc >= target ? 0 : -maxChargeW;
    return this.soc !== undefined && this.soc <= target ? 0 : maxDischargeW;
  }

  private submit(p: Plan, i: number, part: 'mode' | 'power', value: string | number): ArbiterResult {
    const s = p.segments[i]!;
    return this.o.arbiter.submit({
      id: this.intentId(p, i, part),
      source: this.source(p),
      sourceClass: this.o.sourceClass ?? 'local_plan',
      target: part === 'mode' ? this.modeTarget : this.powerTarget,
      value,
      validFrom: s.from,
      validTo: s.to,
      randomised: true,
    });
  }

  private intentId(p: Plan, i: number, part: string): string {
    return `${p.id}#${i}.${part}`;
  }
  private source(p: Plan): string {
    return p.source ?? `plan:${p.id}`;
  }
  private prune(): void {
    const now = this.o.clock.now();
    for (const [id, p] of this.plans) if (Math.max(...p.segments.map((s) => s.to)) <= now) this.plans.delete(id);
  }
}
