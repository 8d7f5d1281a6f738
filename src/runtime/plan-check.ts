/**
 * The `plans:` of a mapping (local charge/balance/discharge schedules, src/core/plans) checked by `gridbridge
 * validate` with the rules a pushed plan meets: its shape, segments that end after they start and do not overlap,
 * at most 48 h in all, no two plans of one device at the same time, and a device the mapping has. Device power and
 * SoC limits and the clock (a plan already over) are checked when the plan is loaded at run time.
 */
import { validatePlan, type Plan } from '../core/plans/index.js';
import type { Issue } from '../core/yaml.js';

/** "segments[0].to" → ['segments', 0, 'to'] (the paths validatePlan reports). */
function pathOf(s: string): PropertyKey[] {
  const out: PropertyKey[] = [];
  for (const m of s.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

const UNLIMITED = { maxChargeW: Infinity, maxDischargeW: Infinity };

export function mappingPlanIssues(plans: readonly unknown[] | undefined, knownDevice: (id: string) => boolean): Issue[] {
  const issues: Issue[] = [];
  const ok: Plan[] = [];
  const ids = new Map<string, number>();
  (plans ?? []).forEach((raw, i) => {
    const r = validatePlan(raw, UNLIMITED, -Infinity, ok);
    const at = (p: PropertyKey[]): PropertyKey[] => ['plans', i, ...p];
    if (!r.ok) {
      for (const x of r.issues) issues.push({ path: at(pathOf(x.path)), message: x.message });
    }
    const plan = r.ok ? r.plan : (raw as Partial<Plan> | undefined);
    if (plan && typeof plan === 'object') {
      if (typeof plan.device === 'string' && !knownDevice(plan.device)) issues.push({ path: at(['device']), message: `unknown device "${plan.device}"` });
      if (typeof plan.id === 'string') {
        const other = ids.get(plan.id);
        if (other !== undefined) issues.push({ path: at(['id']), message: `duplicate plan id "${plan.id}" (also plans[${other}])` });
        else ids.set(plan.id, i);
      }
    }
    if (r.ok) ok.push(r.plan);
  });
  return issues;
}
