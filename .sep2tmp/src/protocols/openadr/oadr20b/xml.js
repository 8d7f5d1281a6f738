"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.NS = void 0;
exports.el = el;
exports.opt = opt;
exports.escapeXml = escapeXml;
exports.render = render;
exports.envelope = envelope;
exports.formatDateTime = formatDateTime;
exports.parseDateTime = parseDateTime;
exports.parseDuration = parseDuration;
exports.formatDuration = formatDuration;
/**
 * Minimal XML writer for OpenADR 2.0b payloads, plus the duration and date-time value formats of the 2.0b schema
 * set (xcal:DurationValueType, xcal:DateTimeType). Element order is decided by the builders, which follow the XSD.
 */
exports.NS = {
    oadr: 'http://openadr.org/oadr-2.0b/2012/07',
    ei: 'http://docs.oasis-open.org/ns/energyinterop/201110',
    pyld: 'http://docs.oasis-open.org/ns/energyinterop/201110/payloads',
    emix: 'http://docs.oasis-open.org/ns/emix/2011/06',
    xcal: 'urn:ietf:params:xml:ns:icalendar-2.0',
    strm: 'urn:ietf:params:xml:ns:icalendar-2.0:stream',
    scale: 'http://docs.oasis-open.org/ns/emix/2011/06/siscale',
    power: 'http://docs.oasis-open.org/ns/emix/2011/06/power',
};
function el(n, ...c) {
    const children = [];
    for (const x of c) {
        if (Array.isArray(x))
            children.push(...x);
        else if (typeof x === 'number' || typeof x === 'boolean')
            children.push(String(x));
        else
            children.push(x);
    }
    return { n, c: children };
}
/** Element only when the value is defined. */
function opt(n, v) {
    return v === undefined ? undefined : el(n, v);
}
function escapeXml(s) {
    return s.replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch]);
}
function render(node) {
    let s = `<${node.n}`;
    if (node.a)
        for (const [k, v] of Object.entries(node.a))
            s += ` ${k}="${escapeXml(v)}"`;
    const kids = (node.c ?? []).filter((k) => k !== undefined);
    if (kids.length === 0)
        return s + '/>';
    s += '>';
    for (const k of kids)
        s += typeof k === 'string' ? escapeXml(k) : render(k);
    return s + `</${node.n}>`;
}
/** Wrap one payload element into oadrPayload/oadrSignedObject with all namespaces declared on the root. */
function envelope(payload) {
    const root = {
        n: 'oadr:oadrPayload',
        a: Object.fromEntries(Object.entries(exports.NS).map(([p, u]) => [`xmlns:${p}`, u])),
        c: [{ n: 'oadr:oadrSignedObject', a: { 'oadr:Id': 'oadrSignedObject' }, c: [payload] }],
    };
    return '<?xml version="1.0" encoding="utf-8"?>\n' + render(root);
}
/** xcal:DateTimeType: UTC, `Z`, milliseconds only when non-zero. */
function formatDateTime(ms) {
    if (!Number.isFinite(ms))
        throw new RangeError(`invalid time ${ms}`);
    const iso = new Date(ms).toISOString();
    return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
}
const DT_RE = /^([+-]?\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
/** Parse an xcal date-time (tolerates an offset); returns epoch ms or undefined. Times without a zone are UTC. */
function parseDateTime(s) {
    const m = DT_RE.exec(s.trim());
    if (!m)
        return undefined;
    const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}${m[8] ?? 'Z'}`);
    return Number.isFinite(t) ? t : undefined;
}
/** RFC 5545 / ISO 8601 duration to seconds (Y = 365 d, M = 30 d, as the 2.0b profile does not define calendar math). */
function parseDuration(s) {
    const m = /^([+-])?P(?:(\d+)W|(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?)$/.exec(s.trim());
    if (!m || s.trim() === 'P' || s.trim().endsWith('T'))
        return undefined;
    const n = (i) => (m[i] ? Number(m[i]) : 0);
    const secs = n(2) * 604800 + n(3) * 31536000 + n(4) * 2592000 + n(5) * 86400 + n(6) * 3600 + n(7) * 60 + n(8);
    return m[1] === '-' ? -secs : secs;
}
/** Seconds to an ISO 8601 duration (`PT0S` for zero). */
function formatDuration(totalSeconds) {
    if (!Number.isFinite(totalSeconds))
        throw new RangeError(`invalid duration ${totalSeconds}`);
    const neg = totalSeconds < 0;
    let s = Math.round(Math.abs(totalSeconds));
    const d = Math.floor(s / 86400);
    s -= d * 86400;
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    let out = 'P' + (d ? `${d}D` : '');
    if (h || m || s || !d)
        out += 'T' + (h ? `${h}H` : '') + (m ? `${m}M` : '') + (s || (!h && !m) ? `${s}S` : '');
    return (neg ? '-' : '') + out;
}
//# sourceMappingURL=xml.js.map