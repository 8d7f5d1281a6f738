"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.WriteRefused = void 0;
exports.findPoint = findPoint;
exports.checkWritable = checkWritable;
exports.buildWrite = buildWrite;
exports.sentValues = sentValues;
const scaling_js_1 = require("../../core/profile/scaling.js");
const units_js_1 = require("../../core/units.js");
class WriteRefused extends Error {
    point;
    reason;
    constructor(point, reason) {
        super(`${point}: ${reason}`);
        this.point = point;
        this.reason = reason;
        this.name = 'WriteRefused';
    }
}
exports.WriteRefused = WriteRefused;
function findPoint(profile, name) {
    const p = profile.points.find((q) => q.name === name);
    if (!p)
        throw new WriteRefused(name, `no point named "${name}" in profile ${profile.id}`);
    return p;
}
/** Checks that depend only on the profile (before reading a scale factor or a current register). */
function checkWritable(profile, p) {
    if (p.access === 'r')
        throw new WriteRefused(p.name, 'point is read-only (access r)');
    if (p.function === 'input' || p.function === 'discrete')
        throw new WriteRefused(p.name, `${p.function} points cannot be written`);
    if (p.length > profile.limits.maxWriteRegisters)
        throw new WriteRefused(p.name, `${p.length} registers exceed maxWriteRegisters ${profile.limits.maxWriteRegisters}`);
}
/** Build the request for writing `value` to point `p`. Throws WriteRefused. */
function buildWrite(profile, p, value, ctx) {
    checkWritable(profile, p);
    let v = value;
    if (typeof v === 'number' && ctx.valueUnit && p.unit && ctx.valueUnit !== p.unit) {
        if (!(0, units_js_1.unitsCompatible)(ctx.valueUnit, p.unit))
            throw new WriteRefused(p.name, `value in ${ctx.valueUnit} cannot be converted to ${p.unit}`);
        v = (0, units_js_1.convertUnit)(v, ctx.valueUnit, p.unit);
    }
    if (typeof v === 'string' && p.type !== 'string' && p.type !== 'enum') {
        const n = Number(v);
        if (v.trim() === '' || !Number.isFinite(n))
            throw new WriteRefused(p.name, `"${v}" is not a number`);
        v = n;
    }
    if (p.type === 'enum' && typeof v === 'string' && p.enum) {
        const code = Object.entries(p.enum).find(([, label]) => label === v)?.[0];
        if (code === undefined)
            throw new WriteRefused(p.name, `"${v}" is not one of ${Object.values(p.enum).join(', ')}`);
        v = Number(code);
    }
    let regs;
    try {
        regs = (0, scaling_js_1.encodeScaled)(p, v, ctx.sfExponent, ctx.current);
    }
    catch (e) {
        throw new WriteRefused(p.name, (e instanceof Error ? e.message : String(e)).replace(`${p.name}: `, ''));
    }
    if (p.function === 'coil') {
        const on = regs[0] === 1;
        return { fc: 5, unitId: ctx.unitId, address: p.address, value: on };
    }
    if (regs.length === 1)
        return { fc: 6, unitId: ctx.unitId, address: p.address, value: regs[0] };
    return { fc: 16, unitId: ctx.unitId, address: p.address, values: regs };
}
function sentValues(r) {
    switch (r.fc) {
        case 5:
            return [r.value ? 1 : 0];
        case 6:
            return [r.value];
        case 15:
            return r.values.map((b) => (b ? 1 : 0));
        case 16:
            return r.values;
    }
}
//# sourceMappingURL=writer.js.map