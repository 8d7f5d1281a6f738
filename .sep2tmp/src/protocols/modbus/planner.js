"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.FUNCTION_CODE = void 0;
exports.planReadBlocks = planReadBlocks;
exports.decodeBlockResults = decodeBlockResults;
exports.writeFunctionCode = writeFunctionCode;
/**
 * Read planning: turn a profile's points into as few Modbus read requests as the device allows, and turn the
 * answers back into point readings.
 *
 * Cost model (RS485, 9600 baud 8N1): a read of N registers costs ≈ 21 ms + 2.1 ms × N, so reading a gap of g unused
 * registers (2.1 ms each) is cheaper than a second request while g < 10; on TCP the per-request cost dominates even
 * more. `limits.maxGap` (default 20) bounds the bridged gap; devices that answer exception 2 for unmapped registers
 * declare `holes`, which are never read, or set maxGap 0. Blocks never exceed maxReadRegisters / maxReadBits and
 * never mix function codes.
 */
const point_js_1 = require("../../core/point.js");
const scaling_js_1 = require("../../core/profile/scaling.js");
const datatypes_js_1 = require("../../core/profile/datatypes.js");
const types_js_1 = require("../../core/profile/types.js");
exports.FUNCTION_CODE = { coil: 1, discrete: 2, holding: 3, input: 4 };
function touchesHole(holes, fn, from, to) {
    // [from, to) against [start, start+count)
    return holes.some((h) => h.function === fn && from < h.start + h.count && h.start < to);
}
/**
 * Coalesce points into read blocks. Throws a RangeError naming the point when a point cannot be read at all (longer
 * than the request limit, or inside a hole) — parseProfile reports these as profile issues first.
 */
function planReadBlocks(points, limits, opts = {}) {
    const holes = opts.holes ?? [];
    const classes = opts.pollClasses ? new Set(opts.pollClasses) : undefined;
    const byFn = new Map();
    for (const p of points) {
        if (p.access === 'w' && !opts.includeWriteOnly)
            continue;
        if (classes && !classes.has(p.poll))
            continue;
        const list = byFn.get(p.function) ?? [];
        list.push(p);
        byFn.set(p.function, list);
    }
    const blocks = [];
    for (const fn of ['coil', 'discrete', 'holding', 'input']) {
        const list = byFn.get(fn);
        if (!list)
            continue;
        const bits = (0, types_js_1.isBitFunction)(fn);
        const limit = bits ? limits.maxReadBits : limits.maxReadRegisters;
        const maxGap = bits ? (opts.maxBitGap ?? limits.maxGap * 16) : limits.maxGap;
        const sorted = [...list].sort((a, b) => a.address - b.address || b.length - a.length);
        let cur;
        for (const p of sorted) {
            const len = bits ? 1 : p.length;
            const end = p.address + len;
            if (len > limit)
                throw new RangeError(`${p.name}: spans ${len} registers, more than the read limit ${limit}`);
            if (end > 0x10000)
                throw new RangeError(`${p.name}: ${p.address}+${len} runs past address 65535`);
            if (touchesHole(holes, fn, p.address, end))
                throw new RangeError(`${p.name}: lies in a hole that must not be read`);
            if (cur) {
                const curEnd = cur.start + cur.count;
                const gap = p.address - curEnd;
                const fits = Math.max(end, curEnd) - cur.start <= limit;
                const bridgeable = gap <= 0 || (gap <= maxGap && !touchesHole(holes, fn, curEnd, p.address));
                if (fits && bridgeable) {
                    cur.count = Math.max(end, curEnd) - cur.start;
                    cur.points.push(p);
                    continue;
                }
            }
            cur = { function: fn, start: p.address, count: len, points: [p] };
            blocks.push(cur);
        }
    }
    return blocks;
}
function slice(a, from, n) {
    const out = [];
    for (let i = 0; i < n && from + i < a.length; i++)
        out.push(a[from + i]);
    return out;
}
/**
 * Decode the answers of one poll cycle. Scale-factor points are decoded first, so `sf` references resolve across
 * blocks; `knownSf` supplies scale factors read earlier (e.g. in a slower poll class). Never throws: a short answer
 * gives quality invalid for the points it misses.
 */
function decodeBlockResults(results, knownSf = new Map()) {
    const sf = new Map(knownSf);
    const sfNames = new Set();
    for (const r of results)
        for (const p of r.block.points)
            if (p.sf !== undefined)
                sfNames.add(p.sf);
    for (const r of results) {
        for (const p of r.block.points) {
            if (p.type !== 'sunssf' && !(p.type === 'i16' && sfNames.has(p.name)))
                continue;
            const regs = r.registers ? slice(r.registers, p.address - r.block.start, p.length) : [];
            try {
                const d = (0, datatypes_js_1.decodePoint)(p, regs);
                sf.set(p.name, d.notImplemented || typeof d.value !== 'number' ? null : d.value);
            }
            catch {
                sf.delete(p.name);
            }
        }
    }
    const out = [];
    for (const r of results) {
        for (const p of r.block.points) {
            const off = p.address - r.block.start;
            const regs = r.registers ? slice(r.registers, off, p.length) : [];
            const bits = r.bits ? slice(r.bits, off, 1) : undefined;
            if ((0, types_js_1.isBitFunction)(p.function) && (!bits || bits.length === 0)) {
                out.push({ point: p, value: null, raw: '', quality: (0, point_js_1.quality)('invalid', `${p.name}: answer too short`) });
                continue;
            }
            out.push({ point: p, ...(0, scaling_js_1.readPoint)(p, regs, bits, p.sf !== undefined ? sf.get(p.sf) : undefined) });
        }
    }
    return out;
}
/** Registers a write of `value` produces, as the FC to use: 5/15 for coils, 6/16 for registers. */
function writeFunctionCode(p, registers) {
    if (p.function === 'coil')
        return 5;
    return registers === 1 ? 6 : 16;
}
//# sourceMappingURL=planner.js.map