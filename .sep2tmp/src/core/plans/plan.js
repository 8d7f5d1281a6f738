"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.planSchema = exports.planSegmentSchema = exports.PLAN_MODES = exports.MAX_PLAN_MS = void 0;
exports.validatePlan = validatePlan;
exports.planWindow = planWindow;
/**
 * Plans (seed 001): a time-limited set of operating modes (charge, balance, discharge) pushed to a device to
 * override its local behaviour for up to 48 h, falling back when they end. Each segment has a power target (W) or a
 * state-of-charge target (%). `validatePlan` rejects with a clear reason and path; it never clips a plan (a plan is
 * a whole schedule: a silently altered schedule is worse than a refused one).
 */
const zod_1 = require("zod");
const errors_js_1 = require("../errors.js");
exports.MAX_PLAN_MS = 48 * 3600_000;
exports.PLAN_MODES = ['charge', 'balance', 'discharge'];
const isoOrMs = zod_1.z.union([zod_1.z.number().int(), zod_1.z.string().datetime({ offset: true }).transform((s) => Date.parse(s))]);
exports.planSegmentSchema = zod_1.z
    .object({
    mode: zod_1.z.enum(exports.PLAN_MODES),
    from: isoOrMs,
    to: isoOrMs,
    /** Charge or discharge power magnitude (W, > 0); for balance, an optional cap on |W|. */
    powerW: zod_1.z.number().positive().optional(),
    /** Charge up to / discharge down to this state of charge (%). */
    socPct: zod_1.z.number().min(0).max(100).optional(),
})
    .strict();
exports.planSchema = zod_1.z
    .object({
    id: zod_1.z.string().min(1).max(64),
    device: zod_1.z.string().min(1),
    source: zod_1.z.string().optional(),
    segments: zod_1.z.array(exports.planSegmentSchema).min(1).max(96),
})
    .strict();
/** Parse and validate a plan (JSON/YAML object) against device limits, the clock and the device's other plans. */
function validatePlan(input, limits, now, others = []) {
    const parsed = exports.planSchema.safeParse(input);
    if (!parsed.success)
        return { ok: false, issues: parsed.error.issues.map((i) => ({ path: (0, errors_js_1.formatPath)(i.path), message: i.message })) };
    const plan = parsed.data;
    const issues = [];
    const minSoC = limits.minSoC ?? 0;
    const maxSoC = limits.maxSoC ?? 100;
    plan.segments.forEach((s, i) => {
        const at = (f) => `segments[${i}].${f}`;
        if (s.to <= s.from)
            issues.push({ path: at('to'), message: 'segment must end after it starts' });
        if (s.mode !== 'balance' && (s.powerW === undefined) === (s.socPct === undefined))
            issues.push({ path: at('powerW'), message: `${s.mode} needs exactly one of powerW or socPct` });
        if (s.mode === 'balance' && s.socPct !== undefined)
            issues.push({ path: at('socPct'), message: 'balance takes no SoC target' });
        const maxW = s.mode === 'charge' ? limits.maxChargeW : s.mode === 'discharge' ? limits.maxDischargeW : Math.max(limits.maxChargeW, limits.maxDischargeW);
        if (s.powerW !== undefined && s.powerW > maxW)
            issues.push({ path: at('powerW'), message: `unsafe: ${s.powerW} W exceeds the device limit of ${maxW} W for ${s.mode}` });
        if (s.socPct !== undefined && (s.socPct < minSoC || s.socPct > maxSoC))
            issues.push({ path: at('socPct'), message: `unsafe: SoC target ${s.socPct} % outside the device range ${minSoC}..${maxSoC} %` });
    });
    const sorted = plan.segments.map((s, i) => ({ s, i })).sort((a, b) => a.s.from - b.s.from);
    for (let k = 1; k < sorted.length; k++) {
        const prev = sorted[k - 1];
        const cur = sorted[k];
        if (cur.s.from < prev.s.to)
            issues.push({ path: `segments[${cur.i}].from`, message: `overlaps segments[${prev.i}] (${iso(prev.s.from)}–${iso(prev.s.to)})` });
    }
    const start = Math.min(...plan.segments.map((s) => s.from));
    const end = Math.max(...plan.segments.map((s) => s.to));
    if (end - start > exports.MAX_PLAN_MS)
        issues.push({ path: 'segments', message: `plan spans ${((end - start) / 3600_000).toFixed(2)} h; at most 48 h allowed` });
    if (end <= now)
        issues.push({ path: 'segments', message: `plan ended at ${iso(end)}, before now (${iso(now)})` });
    for (const o of others) {
        if (o.device !== plan.device || o.id === plan.id)
            continue;
        const os = Math.min(...o.segments.map((s) => s.from));
        const oe = Math.max(...o.segments.map((s) => s.to));
        if (start < oe && os < end)
            issues.push({ path: 'segments', message: `overlaps plan "${o.id}" (${iso(os)}–${iso(oe)}) on device ${o.device}` });
    }
    return issues.length ? { ok: false, issues } : { ok: true, plan };
}
function planWindow(p) {
    return { from: Math.min(...p.segments.map((s) => s.from)), to: Math.max(...p.segments.map((s) => s.to)) };
}
function iso(ms) {
    return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
//# sourceMappingURL=plan.js.map