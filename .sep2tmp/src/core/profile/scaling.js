"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.MAX_SF = void 0;
exports.applyScaling = applyScaling;
exports.inverseScaling = inverseScaling;
exports.readingFromDecoded = readingFromDecoded;
exports.readPoint = readPoint;
exports.encodeScaled = encodeScaled;
const point_js_1 = require("../point.js");
const datatypes_js_1 = require("./datatypes.js");
/** Largest |sf| accepted: SunSpec scale factors are documented in -10..10. */
exports.MAX_SF = 10;
function sfProblem(p, sfExponent) {
    if (p.sf === undefined)
        return undefined;
    if (sfExponent === undefined)
        return `scale factor ${p.sf} not available`;
    if (!Number.isInteger(sfExponent) || Math.abs(sfExponent) > exports.MAX_SF)
        return `scale factor ${p.sf} = ${sfExponent} is outside -${exports.MAX_SF}..${exports.MAX_SF}`;
    return undefined;
}
/** Multiply by 10^sf without binary noise (0.1 steps stay exact in decimal). */
function pow10(x, e) {
    if (e === 0)
        return x;
    return e > 0 ? Number((x * 10 ** e).toPrecision(15)) : Number((x / 10 ** -e).toPrecision(15));
}
function clean(x) {
    return Number.isFinite(x) ? Number(x.toPrecision(15)) : x;
}
/**
 * raw → engineering value. Throws a RangeError naming the point when the point has an `sf` and `sfExponent` is
 * missing or out of range (the caller marks the value invalid / not implemented).
 */
function applyScaling(p, raw, sfExponent) {
    const why = sfProblem(p, sfExponent);
    if (why)
        throw new RangeError(`${p.name}: ${why}`);
    const e = p.sf !== undefined ? sfExponent : 0;
    if (e === 0 && p.scale === 1 && p.offset === 0)
        return raw;
    return clean(pow10(raw, e) * p.scale + p.offset);
}
/**
 * engineering value → raw value (not yet rounded to an integer; `encodeScaled` rounds for integer types).
 * Throws like `applyScaling`.
 */
function inverseScaling(p, value, sfExponent) {
    const why = sfProblem(p, sfExponent);
    if (why)
        throw new RangeError(`${p.name}: ${why}`);
    const e = p.sf !== undefined ? sfExponent : 0;
    if (p.scale === 0)
        throw new RangeError(`${p.name}: scale 0 cannot be inverted`);
    return clean(pow10((value - p.offset) / p.scale, -e));
}
const SCALED_TYPES = new Set(['u16', 'i16', 'u32', 'i32', 'u64', 'i64', 'f32', 'f64', 'acc16', 'acc32']);
/**
 * Turn a decoded raw value into what is published: scaled value and quality. `sfExponent` is the decoded value of the
 * point's scale-factor point: a number, null when that point reported "not implemented", undefined when not read.
 */
function readingFromDecoded(p, d, sfExponent) {
    const r = { value: null, quality: (0, point_js_1.quality)('good'), raw: d.raw };
    if (d.label !== undefined)
        r.label = d.label;
    if (d.flags)
        r.flags = d.flags;
    if (d.notImplemented)
        return { ...r, quality: (0, point_js_1.quality)('not_implemented', `${p.name}: device reports not implemented (raw ${String(d.raw)})`) };
    if (d.invalid)
        return { ...r, quality: (0, point_js_1.quality)('invalid', `${p.name}: raw value ${d.invalid}`) };
    if (typeof d.value !== 'number' || !SCALED_TYPES.has(p.type)) {
        return { ...r, value: d.value };
    }
    if (p.sf !== undefined) {
        if (sfExponent === null)
            return { ...r, quality: (0, point_js_1.quality)('not_implemented', `${p.name}: scale factor ${p.sf} not implemented`) };
        if (sfExponent === undefined)
            return { ...r, quality: (0, point_js_1.quality)('invalid', `${p.name}: scale factor ${p.sf} not read`) };
        if (sfProblem(p, sfExponent))
            return { ...r, quality: (0, point_js_1.quality)('invalid', `${p.name}: ${sfProblem(p, sfExponent)}`) };
    }
    const value = applyScaling(p, d.value, sfExponent ?? undefined);
    if (d.overflow)
        return { ...r, value, quality: (0, point_js_1.quality)('overflow', `${p.name}: 64-bit value ${String(d.raw)} exceeds ±2^53, published rounded`) };
    if ((p.min !== undefined && value < p.min) || (p.max !== undefined && value > p.max)) {
        return { ...r, value, quality: (0, point_js_1.quality)('out_of_range', `${p.name}: ${value} outside ${p.min ?? '-∞'}..${p.max ?? '∞'}`) };
    }
    return { ...r, value };
}
/** Decode and scale in one step: the point's registers (or bits) → published value and quality. Never throws. */
function readPoint(p, regs, bits, sfExponent) {
    try {
        return readingFromDecoded(p, (0, datatypes_js_1.decodePoint)(p, regs, bits), sfExponent);
    }
    catch (e) {
        return { value: null, raw: '', quality: (0, point_js_1.quality)('invalid', e instanceof Error ? e.message : String(e)) };
    }
}
/**
 * Engineering value → registers to write: checks the point is writable and min/max, inverse-scales, rounds integers,
 * encodes. `current` is the register's present value, needed to write one bit of a register.
 * Throws a RangeError naming the point when the value is refused.
 */
function encodeScaled(p, value, sfExponent, current) {
    if (p.access === 'r')
        throw new RangeError(`${p.name}: point is read-only`);
    if (typeof value === 'number' && SCALED_TYPES.has(p.type)) {
        if (!Number.isFinite(value))
            throw new RangeError(`${p.name}: ${value} is not a finite number`);
        if (p.min !== undefined && value < p.min)
            throw new RangeError(`${p.name}: ${value} is below the write limit min ${p.min}`);
        if (p.max !== undefined && value > p.max)
            throw new RangeError(`${p.name}: ${value} is above the write limit max ${p.max}`);
        let raw = inverseScaling(p, value, sfExponent);
        if (p.type !== 'f32' && p.type !== 'f64')
            raw = Math.round(raw);
        return (0, datatypes_js_1.encodePoint)(p, raw, current);
    }
    return (0, datatypes_js_1.encodePoint)(p, value, current);
}
//# sourceMappingURL=scaling.js.map