"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.defaultNaming = defaultNaming;
exports.objectToPoint = objectToPoint;
const constants_js_1 = require("./constants.js");
const cp56time_js_1 = require("./cp56time.js");
const quality_js_1 = require("./quality.js");
/** Default naming when the mapping does not know an address: device `ca<CA>`, name `x_ioa<IOA>`. */
function defaultNaming(ca, ioa) {
    return { device: `ca${ca}`, name: `x_ioa${ioa}` };
}
function objectToPoint(u, naming, receiveTime, opts = {}) {
    const o = u.object;
    let value = typeof o.value === 'boolean' || typeof o.value === 'number' ? o.value : null;
    let quality = (0, quality_js_1.toPointQuality)(o.quality);
    const base = (0, constants_js_1.withoutTime)(u.typeId);
    if (base === constants_js_1.TypeId.M_DP_NA_1) {
        // Double point: 1 = off, 2 = on; 0 and 3 are intermediate/indeterminate.
        if (o.value === 1 || o.value === 2)
            value = o.value === 2;
        else {
            value = null;
            quality = { code: 'invalid', reason: `double point ${o.value === 0 ? 'intermediate' : 'indeterminate'} state (${String(o.value)})` };
        }
    }
    if (quality.code === 'invalid' && base !== constants_js_1.TypeId.M_DP_NA_1)
        value = value ?? null;
    const p = {
        id: opts.site ? `${opts.site}/${naming.device}/${naming.name}` : `${naming.device}/${naming.name}`,
        device: naming.device,
        name: naming.name,
        value,
        quality,
        receiveTime,
    };
    if (naming.unit)
        p.unit = naming.unit;
    if (o.time && !o.time.invalid) {
        const t = (0, cp56time_js_1.cp56ToEpoch)(o.time, opts.utcOffsetMinutes ?? 0);
        if (t !== undefined)
            p.sourceTime = t;
    }
    if (u.test)
        p.quality = { code: 'questionable', reason: 'IEC 104 test bit set' };
    return p;
}
//# sourceMappingURL=points.js.map