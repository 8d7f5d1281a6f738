/**
 * Appliance plans on the SSP-1 line (PLN, version 1.1; the SAPC report's Proposal 2): the appliance tells the meter
 * what it intends to do for up to 48 h, as level steps; a plan longer than one 200-byte frame is sent in parts
 * (`part=i/n`), each acknowledged `st=received`. The meter end assembles the parts (PlanCollector).
 */
import { encodeFrame, MAX_PLAN_STEPS, type Direction, type PlanStep, type SapcPlanPart } from './frame.js';
import type { CommandAnswer } from './session.js';

export interface AppliancePlan {
  slot: number;
  direction: Direction;
  eventId: string;
  /** Epoch ms, whole seconds. */
  validFrom: number;
  validTo: number;
  steps: PlanStep[];
  ratedW?: number;
}

/** Split a plan into PLN parts that each fit one frame (even with a 5-digit SEQ). */
export function planParts(plan: AppliancePlan, timestamp: number): SapcPlanPart[] {
  const chunks: PlanStep[][] = [];
  let cur: PlanStep[] = [];
  const fits = (steps: PlanStep[]) => {
    try {
      encodeFrame({ type: 'PLN', seq: 65535, ...plan, part: 99, parts: 99, steps, timestamp });
      return steps.length <= MAX_PLAN_STEPS;
    } catch {
      return false;
    }
  };
  for (const step of plan.steps) {
    if (cur.length && !fits([...cur, step])) {
      chunks.push(cur);
      cur = [];
    }
    cur.push(step);
  }
  if (cur.length) chunks.push(cur);
  if (chunks.length > 99) throw new RangeError(`plan ${plan.eventId} needs ${chunks.length} parts (at most 99)`);
  const base = { slot: plan.slot, direction: plan.direction, eventId: plan.eventId, validFrom: plan.validFrom, validTo: plan.validTo, timestamp, ...(plan.ratedW !== undefined ? { ratedW: plan.ratedW } : {}) };
  return chunks.map((steps, i) => ({ ...base, part: i + 1, parts: chunks.length, steps }));
}

/** Meter end: collects PLN parts into whole plans. Use `onPlan` as the session handler's. */
export class PlanCollector {
  /** Complete plans, newest last (bounded). */
  readonly plans: AppliancePlan[] = [];
  private readonly partial = new Map<string, { first: SapcPlanPart; parts: Map<number, PlanStep[]> }>();

  constructor(private readonly onComplete?: (plan: AppliancePlan) => void) {}

  readonly onPlan = (p: SapcPlanPart): CommandAnswer => {
    const key = `${p.slot}/${p.direction}/${p.eventId}`;
    let entry = this.partial.get(key);
    if (entry && (entry.first.parts !== p.parts || entry.first.validFrom !== p.validFrom || entry.first.validTo !== p.validTo)) {
      // A new version of the plan (same id, different window or size) replaces the parts collected so far.
      entry = undefined;
    }
    if (!entry) {
      entry = { first: p, parts: new Map() };
      this.partial.set(key, entry);
      while (this.partial.size > 16) this.partial.delete(this.partial.keys().next().value!);
    }
    entry.parts.set(p.part, p.steps);
    if (entry.parts.size === p.parts) {
      this.partial.delete(key);
      const steps = [...entry.parts.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, s]) => s);
      for (let i = 1; i < steps.length; i++) {
        if (steps[i]!.offsetMin <= steps[i - 1]!.offsetMin) return { ok: false, reason: 'BAD_FIELD', field: 'stp', text: 'step offsets must increase across parts' };
      }
      const f = entry.first;
      const plan: AppliancePlan = { slot: f.slot, direction: f.direction, eventId: f.eventId, validFrom: f.validFrom, validTo: f.validTo, steps, ...(f.ratedW !== undefined ? { ratedW: f.ratedW } : {}) };
      this.plans.push(plan);
      if (this.plans.length > 32) this.plans.shift();
      this.onComplete?.(plan);
    }
    return { ok: true, state: 'received' };
  };
}
