"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ModbusDevice = void 0;
exports.qualityOf = qualityOf;
/**
 * ModbusDevice: one unit id on a port, driven by its profile. It plans read blocks per poll class (M1's planner),
 * registers them as poll tasks on the port's scheduler, turns answers into Points (canonical names and units,
 * quality from exceptions/timeouts/sentinels), keeps the last value of every point, and performs checked writes.
 */
const kinds_js_1 = require("../../core/kinds.js");
const point_js_1 = require("../../core/point.js");
const types_js_1 = require("../../core/profile/types.js");
const units_js_1 = require("../../core/units.js");
const emitter_js_1 = require("./emitter.js");
const planner_js_1 = require("./planner.js");
const types_js_2 = require("./types.js");
const writer_js_1 = require("./writer.js");
class ModbusDevice extends emitter_js_1.TypedEmitter {
    scheduler;
    cfg;
    id;
    unitId;
    profile;
    blocks = [];
    last = new Map();
    sf = new Map();
    canonical;
    constructor(scheduler, cfg) {
        super();
        this.scheduler = scheduler;
        this.cfg = cfg;
        this.id = cfg.id;
        this.unitId = cfg.unitId;
        this.profile = cfg.profile;
        this.canonical = cfg.canonicalUnits ?? true;
        scheduler.addDevice(cfg.id, cfg.unitId);
        if (cfg.unitId === 0)
            return; // broadcast: writes only, nothing to poll
        const classes = { ...cfg.profile.pollClasses, ...cfg.pollClasses };
        for (const [cls, intervalMs] of Object.entries(classes)) {
            const blocks = (0, planner_js_1.planReadBlocks)(cfg.profile.points, cfg.profile.limits, { holes: cfg.profile.holes, pollClasses: [cls] });
            for (const b of blocks) {
                const block = { ...b, cls, intervalMs };
                this.blocks.push(block);
                scheduler.addPollTask(cfg.id, { cls, intervalMs, request: this.requestFor(b), onResult: (r) => this.onResult(block, r) });
            }
        }
    }
    get status() {
        return this.scheduler.deviceState(this.id) ?? { device: this.id, unitId: this.unitId, state: 'unknown' };
    }
    /** Last point of every name seen so far. */
    values() {
        return [...this.last.values()];
    }
    get(name) {
        return this.last.get(name);
    }
    /** Read every readable point once (outside the poll schedule), e.g. for `probe`. */
    async readAll() {
        const blocks = (0, planner_js_1.planReadBlocks)(this.profile.points, this.profile.limits, { holes: this.profile.holes });
        // Scale factors first so the points that use them decode in the same pass.
        blocks.sort((a, b) => Number(b.points.some((p) => p.type === 'sunssf')) - Number(a.points.some((p) => p.type === 'sunssf')));
        const out = [];
        for (const b of blocks) {
            const sentAt = this.scheduler.clock.now();
            try {
                const res = await this.scheduler.read(this.id, this.requestFor(b));
                out.push(...this.decode(b, { ok: true, request: this.requestFor(b), response: res, time: this.scheduler.clock.now(), sentAt }, sentAt));
            }
            catch (e) {
                out.push(...this.decode(b, { ok: false, request: this.requestFor(b), error: e, time: this.scheduler.clock.now(), sentAt }, sentAt));
            }
        }
        this.remember(out);
        return out;
    }
    /** Mark every point not_connected (port down or device offline) and publish once. */
    markAll(q) {
        const now = this.scheduler.clock.now();
        const pts = this.profile.points.filter((p) => p.access !== 'w').map((p) => this.point(p, null, q, now));
        this.remember(pts);
        if (pts.length)
            this.emit('points', pts);
    }
    /** @internal forwarded by the port */
    notifyStatus(s) {
        this.emit('status', s);
        if (s.state === 'offline')
            this.markAll((0, point_js_1.quality)('not_connected', `device offline: ${s.reason ?? 'no answer'}`));
    }
    async write(name, value, opts = {}) {
        const base = { device: this.id, name, value };
        let p;
        try {
            p = (0, writer_js_1.findPoint)(this.profile, name);
            (0, writer_js_1.checkWritable)(this.profile, p);
        }
        catch (e) {
            return { ...base, ok: false, failure: 'refused', reason: e instanceof Error ? e.message : String(e) };
        }
        try {
            let sfExponent;
            if (p.sf !== undefined)
                sfExponent = await this.scaleFactor(p.sf);
            let current;
            if (p.type === 'bit' && !(0, types_js_1.isBitFunction)(p.function)) {
                if (this.unitId === 0)
                    throw new writer_js_1.WriteRefused(name, 'a bit inside a register cannot be broadcast (needs a read)');
                const r = await this.scheduler.read(this.id, { fc: 3, unitId: this.unitId, address: p.address, count: 1 }, true);
                current = r.registers?.[0];
            }
            const unit = opts.unit ?? (this.canonical ? this.canonicalUnit(p) : undefined) ?? p.unit;
            const req = (0, writer_js_1.buildWrite)(this.profile, p, value, { unitId: this.unitId, ...(sfExponent !== undefined ? { sfExponent } : {}), ...(current !== undefined ? { current } : {}), ...(unit ? { valueUnit: unit } : {}) });
            const sent = (0, writer_js_1.sentValues)(req);
            await this.scheduler.write(this.id, req);
            const result = { ...base, ok: true, sent };
            if (opts.verify && this.unitId !== 0) {
                const rb = { fc: p.function === 'coil' ? 1 : 3, unitId: this.unitId, address: p.address, count: p.function === 'coil' ? 1 : p.length };
                const r = await this.scheduler.read(this.id, rb, true);
                const got = r.bits ? r.bits.map((b) => (b ? 1 : 0)) : (r.registers ?? []);
                result.readBack = got;
                if (got.length !== sent.length || got.some((v, i) => v !== sent[i])) {
                    return { ...result, ok: false, failure: 'verify_failed', reason: `read back [${got.join(',')}] after writing [${sent.join(',')}]` };
                }
            }
            return result;
        }
        catch (e) {
            return { ...base, ok: false, ...failureOf(e) };
        }
    }
    // ------------------------------------------------------------ internals
    requestFor(b) {
        return { fc: planner_js_1.FUNCTION_CODE[b.function], unitId: this.unitId, address: b.start, count: b.count };
    }
    async scaleFactor(name) {
        const known = this.sf.get(name);
        if (typeof known === 'number')
            return known;
        const sp = (0, writer_js_1.findPoint)(this.profile, name);
        const r = await this.scheduler.read(this.id, { fc: planner_js_1.FUNCTION_CODE[sp.function], unitId: this.unitId, address: sp.address, count: 1 }, true);
        const raw = r.registers?.[0];
        if (raw === undefined || raw === 0x8000)
            throw new writer_js_1.WriteRefused(name, 'scale factor not implemented by the device');
        const v = raw >= 0x8000 ? raw - 0x10000 : raw;
        this.sf.set(name, v);
        return v;
    }
    onResult(block, r) {
        const pts = this.decode(block, r, r.sentAt);
        this.remember(pts);
        if (pts.length)
            this.emit('points', pts);
    }
    decode(block, r, sentAt) {
        if (!r.ok) {
            const q = qualityOf(r.error);
            return block.points.map((p) => this.point(p, null, q, r.time));
        }
        const decoded = (0, planner_js_1.decodeBlockResults)([{ block, ...(r.response.registers ? { registers: r.response.registers } : {}), ...(r.response.bits ? { bits: r.response.bits } : {}) }], this.sf);
        for (const d of decoded)
            if (d.point.type === 'sunssf')
                this.sf.set(d.point.name, typeof d.value === 'number' ? d.value : null);
        return decoded.map((d) => this.point(d.point, d.value, d.quality, r.time, sentAt));
    }
    canonicalUnit(p) {
        return kinds_js_1.CANONICAL_POINTS[this.profile.kind]?.[p.name]?.unit;
    }
    point(p, value, q, receiveTime, sourceTime) {
        let v = value;
        let unit = p.unit;
        const cu = this.canonical ? this.canonicalUnit(p) : undefined;
        if (cu && unit && cu !== unit && (0, units_js_1.unitsCompatible)(unit, cu)) {
            if (typeof v === 'number')
                v = (0, units_js_1.convertUnit)(v, unit, cu);
            unit = cu;
        }
        const pt = { id: (0, point_js_1.pointId)(this.cfg.site, this.id, p.name), device: this.id, kind: this.profile.kind, name: p.name, value: v, quality: q, receiveTime };
        if (unit)
            pt.unit = unit;
        if (sourceTime !== undefined)
            pt.sourceTime = sourceTime;
        return pt;
    }
    remember(pts) {
        for (const p of pts)
            this.last.set(p.name, p);
    }
}
exports.ModbusDevice = ModbusDevice;
function qualityOf(e) {
    if (e instanceof types_js_2.ModbusExceptionError)
        return (0, point_js_1.quality)('device_exception', e.message);
    if (e instanceof types_js_2.ModbusTimeoutError)
        return (0, point_js_1.quality)('timeout', e.message);
    if (e instanceof types_js_2.ModbusConnectionError)
        return (0, point_js_1.quality)('not_connected', e.message);
    return (0, point_js_1.quality)('invalid', e.message);
}
function failureOf(e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (e instanceof writer_js_1.WriteRefused)
        return { failure: 'refused', reason };
    if (e instanceof types_js_2.ModbusExceptionError)
        return { failure: 'exception', reason, exceptionCode: e.code };
    if (e instanceof types_js_2.ModbusTimeoutError)
        return { failure: 'timeout', reason };
    if (e instanceof types_js_2.ModbusConnectionError)
        return { failure: 'not_connected', reason };
    return { failure: 'error', reason };
}
//# sourceMappingURL=device.js.map