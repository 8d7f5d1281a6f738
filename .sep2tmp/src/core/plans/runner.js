"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.PlanRunner = void 0;
const plan_js_1 = require("./plan.js");
class PlanRunner {
    o;
    plans = new Map();
    soc;
    siteW;
    constructor(o) {
        this.o = o;
    }
    get modeTarget() {
        return { device: this.o.device, name: 'PlanMode' };
    }
    get powerTarget() {
        return { device: this.o.device, name: 'WSet' };
    }
    /** Validate and start a plan; nothing is submitted when it is refused. */
    load(input) {
        this.prune();
        const check = (0, plan_js_1.validatePlan)(input, this.o.limits, this.o.clock.now(), [...this.plans.values()]);
        if (!check.ok)
            return check;
        if (check.plan.device !== this.o.device)
            return { ok: false, issues: [{ path: 'device', message: `plan is for ${check.plan.device}, runner drives ${this.o.device}` }] };
        const old = this.plans.get(check.plan.id);
        if (old)
            this.cancel(old.id);
        this.plans.set(check.plan.id, check.plan);
        const results = [];
        check.plan.segments.forEach((s, i) => {
            if (s.to <= this.o.clock.now())
                return;
            results.push(this.submit(check.plan, i, 'mode', s.mode), this.submit(check.plan, i, 'power', this.powerFor(s)));
        });
        return { ok: true, results };
    }
    cancel(planId) {
        const p = this.plans.get(planId);
        if (!p)
            return false;
        p.segments.forEach((_, i) => {
            this.o.arbiter.cancel(this.intentId(p, i, 'mode'), this.source(p));
            this.o.arbiter.cancel(this.intentId(p, i, 'power'), this.source(p));
        });
        this.plans.delete(planId);
        return true;
    }
    updateSoC(soc) {
        this.soc = soc;
        this.resubmitActive((s) => s.socPct !== undefined);
    }
    /** Site net power at the grid connection (W, + import / - export). */
    updateSiteW(w) {
        this.siteW = w;
        this.resubmitActive((s) => s.mode === 'balance');
    }
    active() {
        this.prune();
        return [...this.plans.values()];
    }
    resubmitActive(which) {
        const now = this.o.clock.now();
        for (const p of this.plans.values())
            p.segments.forEach((s, i) => {
                if (which(s) && s.to > now)
                    this.submit(p, i, 'power', this.powerFor(s));
            });
    }
    powerFor(s) {
        const { maxChargeW, maxDischargeW, minSoC = 0 } = this.o.limits;
        if (s.mode === 'balance') {
            const w = this.siteW ?? 0;
            const lim = s.powerW ?? Infinity;
            let out = Math.max(-Math.min(maxChargeW, lim), Math.min(Math.min(maxDischargeW, lim), w));
            if (out > 0 && this.soc !== undefined && this.soc <= minSoC)
                out = 0;
            return out;
        }
        if (s.powerW !== undefined)
            return s.mode === 'charge' ? -s.powerW : s.powerW;
        const target = s.socPct;
        if (s.mode === 'charge')
            return this.soc !== undefined && this.soc >= target ? 0 : -maxChargeW;
        return this.soc !== undefined && this.soc <= target ? 0 : maxDischargeW;
    }
    submit(p, i, part, value) {
        const s = p.segments[i];
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
    intentId(p, i, part) {
        return `${p.id}#${i}.${part}`;
    }
    source(p) {
        return p.source ?? `plan:${p.id}`;
    }
    prune() {
        const now = this.o.clock.now();
        for (const [id, p] of this.plans)
            if (Math.max(...p.segments.map((s) => s.to)) <= now)
                this.plans.delete(id);
    }
}
exports.PlanRunner = PlanRunner;
//# sourceMappingURL=runner.js.map