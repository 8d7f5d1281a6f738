"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.parseTargets = parseTargets;
exports.parseClasses = parseClasses;
/** Parse arbiter settings as typed by a person (Node-RED editor, CLI): targets JSON and random-delay classes. */
const control_js_1 = require("../control.js");
/** `[{"device":"ev1","name":"SAPCLevel","min":0,"max":100,"default":100}]`; throws naming the index on error. */
function parseTargets(text) {
    if (!text || !text.trim())
        return [];
    const v = JSON.parse(text);
    if (!Array.isArray(v))
        throw new Error('targets must be a JSON array');
    return v.map((t, i) => {
        const o = t;
        if (!o || typeof o.device !== 'string' || typeof o.name !== 'string')
            throw new Error(`targets[${i}]: device and name are required`);
        for (const k of ['min', 'max'])
            if (o[k] !== undefined && typeof o[k] !== 'number')
                throw new Error(`targets[${i}].${k} must be a number`);
        const out = { device: o.device, name: o.name };
        if (typeof o.min === 'number')
            out.min = o.min;
        if (typeof o.max === 'number')
            out.max = o.max;
        if (typeof o.default === 'number' || typeof o.default === 'string' || typeof o.default === 'boolean')
            out.default = o.default;
        return out;
    });
}
/** `supplier, aggregator` → those classes; unknown names throw. */
function parseClasses(text) {
    const names = (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    for (const n of names)
        if (!control_js_1.SOURCE_CLASSES.includes(n))
            throw new Error(`unknown source class "${n}" (${control_js_1.SOURCE_CLASSES.join(', ')})`);
    return names;
}
//# sourceMappingURL=config.js.map