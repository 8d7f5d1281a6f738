"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.decodeSunSpecModel = decodeSunSpecModel;
exports.flattenSunSpec = flattenSunSpec;
/**
 * Decode one SunSpec model block (the registers from the model's ID register through ID + 2 + L) into points named
 * with their SunSpec names, scale factors applied and not-implemented sentinels turned into quality
 * `not_implemented`. Repeating groups (e.g. model 160 modules, 803 strings) come back as arrays. Discovery (finding
 * "SunS" and walking the model chain) belongs to the transport side; it calls this per model.
 */
const errors_js_1 = require("../../../core/errors.js");
const datatypes_js_1 = require("../../../core/profile/datatypes.js");
const scaling_js_1 = require("../../../core/profile/scaling.js");
const models_js_1 = require("./models.js");
const P = 'sunspec';
function decodeList(defs, regs, start, sf, out, skipHeader) {
    let off = start;
    const points = [];
    for (const d of defs) {
        const p = skipHeader && off - start < 2 ? undefined : (0, models_js_1.sunspecProfilePoint)(d, off);
        if (p)
            points.push([p, off]);
        off += d.size;
    }
    for (const [p, o] of points) {
        const slice = [];
        for (let i = 0; i < p.length; i++)
            slice.push(regs[o + i]);
        let v;
        try {
            const r = (0, scaling_js_1.readingFromDecoded)(p, (0, datatypes_js_1.decodePoint)(p, slice), p.sf !== undefined ? (sf.has(p.sf) ? sf.get(p.sf) : undefined) : undefined);
            v = { value: r.value, quality: r.quality, raw: r.raw };
            if (r.label !== undefined)
                v.label = r.label;
            if (r.flags)
                v.flags = r.flags;
        }
        catch (e) {
            throw new errors_js_1.DecodeError(`point ${p.name}: ${e instanceof Error ? e.message : String(e)}`, o, P);
        }
        if (p.unit)
            v.unit = p.unit;
        out[p.name] = v;
    }
}
function scaleFactors(defs, regs, start) {
    const sf = new Map();
    let off = start;
    for (const d of defs) {
        if (d.type === 'sunssf') {
            const r = regs[off];
            const v = r >= 0x8000 ? r - 0x10000 : r;
            sf.set(d.name, r === 0x8000 ? null : v);
        }
        off += d.size;
    }
    return sf;
}
/**
 * `regs[0]` must be the model ID and `regs[1]` its length L; at least L + 2 registers are needed. Throws
 * DecodeError (offset = register index in `regs`) for an unknown model, a wrong ID, a short block or a length that
 * does not fit the model.
 */
function decodeSunSpecModel(id, regs) {
    const m = (0, models_js_1.getSunSpecModel)(id);
    if (!m)
        throw new errors_js_1.DecodeError(`model ${id} is not known (known: ${models_js_1.SUNSPEC_MODEL_IDS.join(', ')})`, 0, P);
    if (regs.length < 2)
        throw new errors_js_1.DecodeError('block shorter than the ID and L registers', regs.length, P);
    for (let i = 0; i < regs.length; i++) {
        const r = regs[i];
        if (r === undefined || !Number.isInteger(r) || r < 0 || r > 0xffff)
            throw new errors_js_1.DecodeError(`register value ${String(r)} is not 0..65535`, i, P);
    }
    if (regs[0] !== id)
        throw new errors_js_1.DecodeError(`block starts with model ID ${regs[0]}, expected ${id}`, 0, P);
    const length = regs[1];
    if (regs.length < length + 2)
        throw new errors_js_1.DecodeError(`model ${id} declares L=${length} but only ${regs.length - 2} registers follow`, regs.length, P);
    const fixed = (0, models_js_1.blockSize)(m.points);
    if (length + 2 < fixed)
        throw new errors_js_1.DecodeError(`model ${id} L=${length} is shorter than its fixed block (${fixed - 2})`, 1, P);
    const sf = scaleFactors(m.points, regs, 0);
    const out = { id, name: m.name, length, points: {}, groups: {} };
    decodeList(m.points, regs, 0, sf, out.points, true);
    let off = fixed;
    for (const g of m.groups ?? []) {
        const size = (0, models_js_1.blockSize)(g.points);
        let n;
        if (typeof g.count === 'string') {
            const c = out.points[g.count];
            if (!c || typeof c.value !== 'number')
                throw new errors_js_1.DecodeError(`repeat count ${g.count} of group ${g.name} is not readable`, off, P);
            n = c.value;
        }
        else {
            const rest = length + 2 - off;
            if (rest % size !== 0)
                throw new errors_js_1.DecodeError(`model ${id}: ${rest} registers left for group ${g.name} is not a multiple of its size ${size}`, off, P);
            n = rest / size;
        }
        if (off + n * size > length + 2)
            throw new errors_js_1.DecodeError(`model ${id}: ${n} × ${g.name} (${size} registers each) do not fit in L=${length}`, off, P);
        const list = [];
        for (let i = 0; i < n; i++) {
            const rec = {};
            decodeList(g.points, regs, off, sf, rec, false);
            list.push(rec);
            off += size;
        }
        out.groups[g.name] = list;
    }
    return out;
}
/** Flatten a decoded model to `name → value` plus `group[i].name → value` (handy for logs and MQTT). */
function flattenSunSpec(b) {
    const out = { ...b.points };
    for (const [g, list] of Object.entries(b.groups))
        list.forEach((rec, i) => {
            for (const [k, v] of Object.entries(rec))
                out[`${g}[${i}].${k}`] = v;
        });
    return out;
}
//# sourceMappingURL=decode.js.map