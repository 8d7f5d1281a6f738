"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.GOOD = exports.QUALITY_CODES = void 0;
exports.pointId = pointId;
exports.isGood = isGood;
exports.quality = quality;
exports.pointToJson = pointToJson;
exports.asPoints = asPoints;
exports.QUALITY_CODES = [
    'good',
    'invalid', // value cannot be trusted (decode failure, sentinel that means "invalid", IEC 104 IV)
    'questionable', // value plausibly right but not confirmed (stale, substituted, IEC 104 NT)
    'not_connected', // field link down / device offline
    'overflow', // value out of the representable range (IEC 104 OV)
    'not_implemented', // device reports the point as not implemented (SunSpec sentinel)
    'device_exception', // device answered with an exception (Modbus exception code)
    'timeout', // device did not answer in time
    'out_of_range', // value outside declared plausible limits
    'substituted', // value set manually / by operator (IEC 104 SB)
    'blocked', // value blocked for transmission (IEC 104 BL)
];
exports.GOOD = Object.freeze({ code: 'good' });
function pointId(site, device, name) {
    return site ? `${site}/${device}/${name}` : `${device}/${name}`;
}
function isGood(p) {
    return p.quality.code === 'good';
}
function quality(code, reason) {
    return reason === undefined ? { code } : { code, reason };
}
function pointToJson(p) {
    const j = {
        id: p.id,
        device: p.device,
        name: p.name,
        value: p.value,
        quality: p.quality.code,
        receiveTime: new Date(p.receiveTime).toISOString(),
    };
    if (p.kind)
        j.kind = p.kind;
    if (p.unit)
        j.unit = p.unit;
    if (p.quality.reason)
        j.reason = p.quality.reason;
    if (p.sourceTime !== undefined)
        j.sourceTime = new Date(p.sourceTime).toISOString();
    return j;
}
/** Accept a Point or an array of Points from an untyped source (a Node-RED msg.payload); say what is wrong otherwise. */
function asPoints(v) {
    const list = Array.isArray(v) ? v : [v];
    const out = [];
    for (let i = 0; i < list.length; i++) {
        const p = list[i];
        const at = Array.isArray(v) ? `[${i}]` : '';
        if (!p || typeof p !== 'object')
            return { error: `payload${at} is not a point object` };
        if (typeof p.device !== 'string' || typeof p.name !== 'string')
            return { error: `payload${at} needs string "device" and "name"` };
        if (!(p.value === null || ['number', 'boolean', 'string'].includes(typeof p.value)))
            return { error: `payload${at}.value must be a number, boolean, string or null` };
        const q = p.quality;
        if (!q || typeof q !== 'object' || !exports.QUALITY_CODES.includes(q.code))
            return { error: `payload${at}.quality.code must be one of ${exports.QUALITY_CODES.join(', ')}` };
        out.push({ ...p, id: p.id ?? pointId(undefined, p.device, p.name), receiveTime: typeof p.receiveTime === 'number' ? p.receiveTime : Date.now() });
    }
    return { points: out };
}
//# sourceMappingURL=point.js.map