"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DEFAULT_MODE_TARGETS = void 0;
exports.modeSetpoint = modeSetpoint;
exports.controlsToIntents = controlsToIntents;
const primitives_js_1 = require("./primitives.js");
exports.DEFAULT_MODE_TARGETS = {
    opModConnect: 'Conn',
    opModEnergize: 'x_Energize',
    opModFixedW: 'WSet',
    opModTargetW: 'WSet',
    opModMaxLimW: 'WMaxLimPct',
    opModTargetVar: 'x_VArSet',
    opModFixedVar: 'VArPct',
    opModImpLimW: 'x_ImpLimW',
    opModExpLimW: 'x_ExpLimW',
    opModGenLimW: 'WMax',
    opModLoadLimW: 'WChaMax',
    rampTms: 'WMaxLimPct_RmpTms',
};
/** The value/cap a mode asks for, in GridBridge units; undefined when it cannot be expressed. */
function modeSetpoint(c, ratings) {
    const v = c.value;
    switch (c.mode) {
        case 'opModConnect':
        case 'opModEnergize':
            return typeof v === 'boolean' ? { value: v } : undefined;
        case 'opModFixedW': {
            if (typeof v !== 'number')
                return undefined;
            const base = v >= 0 ? ratings.maxDischargeRateW || ratings.maxW : ratings.maxChargeRateW || ratings.maxW;
            return { value: Math.round((v / 10000) * base * 1000) / 1000 };
        }
        case 'opModMaxLimW':
            return typeof v === 'number' ? { cap: v / 100 } : undefined;
        case 'opModFixedVar': {
            const fv = v;
            return typeof fv?.value === 'number' ? { value: fv.value / 100 } : undefined;
        }
        case 'rampTms':
            return typeof v === 'number' ? { value: v / 100 } : undefined;
        case 'opModTargetW':
        case 'opModTargetVar':
            return isPower(v) ? { value: (0, primitives_js_1.scaled)(v) } : undefined;
        case 'opModImpLimW':
        case 'opModExpLimW':
        case 'opModGenLimW':
        case 'opModLoadLimW':
            return isPower(v) ? { cap: (0, primitives_js_1.scaled)(v) } : undefined;
    }
}
function isPower(v) {
    return !!v && typeof v === 'object' && typeof v.value === 'number' && typeof v.multiplier === 'number';
}
function controlsToIntents(controls, ctx) {
    const out = [];
    for (const c of controls) {
        const sp = modeSetpoint(c, ctx.ratings);
        if (!sp)
            continue;
        const target = ctx.overrides?.[c.mode] ?? { device: ctx.device, name: exports.DEFAULT_MODE_TARGETS[c.mode] };
        const intent = {
            id: `${c.mRID}:${c.mode}`,
            source: `sep2:${c.programHref}${c.isDefault ? '/dderc' : ''}`,
            sourceClass: ctx.sourceClass,
            target: { device: target.device, name: target.name },
            validFrom: c.validFrom - ctx.serverOffsetMs,
            validTo: c.validTo - ctx.serverOffsetMs,
            randomised: true,
            priority: c.primacy,
        };
        if (sp.value !== undefined)
            intent.value = sp.value;
        if (sp.cap !== undefined)
            intent.cap = sp.cap;
        out.push(intent);
    }
    return out;
}
//# sourceMappingURL=controls.js.map