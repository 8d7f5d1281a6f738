"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SUNS = exports.SUNSPEC_BASES = void 0;
exports.discoverSunSpec = discoverSunSpec;
exports.holdingReader = holdingReader;
/**
 * SunSpec discovery over the wire: find the "SunS" marker (0x5375 0x6e53) at 40000, 0 or 50000 (holding registers),
 * then walk the (model id, length L) chain until id 0xFFFF, decoding known models with the SunSpec decoder
 * (src/protocols/modbus/sunspec). Source: SunSpec Information Model Specification, "Device Modbus map".
 */
const errors_js_1 = require("../../core/errors.js");
const index_js_1 = require("./sunspec/index.js");
const types_js_1 = require("./types.js");
exports.SUNSPEC_BASES = [40000, 0, 50000];
exports.SUNS = [0x5375, 0x6e53];
/** Read up to 125 registers per request. */
async function readLong(read, address, count) {
    const out = [];
    for (let a = address; a < address + count; a += 125)
        out.push(...(await read(a, Math.min(125, address + count - a))));
    return out;
}
/** Returns undefined when no base holds "SunS". Read errors at a candidate base just move to the next base. */
async function discoverSunSpec(read, opts = {}) {
    let base;
    for (const b of opts.bases ?? exports.SUNSPEC_BASES) {
        try {
            const r = await read(b, 2);
            if (r[0] === exports.SUNS[0] && r[1] === exports.SUNS[1]) {
                base = b;
                break;
            }
        }
        catch (e) {
            if (!(e instanceof types_js_1.ModbusExceptionError))
                throw e; // timeouts/connection: let the caller see them
        }
    }
    if (base === undefined)
        return undefined;
    const models = [];
    let addr = base + 2;
    const max = opts.maxModels ?? 64;
    for (let i = 0; i < max; i++) {
        if (addr + 2 > 0x10000)
            throw new errors_js_1.DecodeError(`model chain runs past register 65535`, addr, 'sunspec');
        const [id, length] = await read(addr, 2);
        if (id === undefined || id === 0xffff)
            return { base, models };
        if (length === undefined)
            throw new errors_js_1.DecodeError('short answer reading a model header', addr, 'sunspec');
        if (addr + 2 + length > 0x10000)
            throw new errors_js_1.DecodeError(`model ${id} L=${length} runs past register 65535`, addr + 1, 'sunspec');
        const m = { id, address: addr, length };
        if (opts.decode !== false) {
            try {
                const regs = await readLong(read, addr, length + 2);
                m.decoded = (0, index_js_1.decodeSunSpecModel)(id, regs);
            }
            catch (e) {
                m.problem = e instanceof Error ? e.message : String(e);
            }
        }
        models.push(m);
        addr += 2 + length;
    }
    throw new errors_js_1.DecodeError(`more than ${max} models without the 0xFFFF end marker`, addr, 'sunspec');
}
/** A RegisterReader over any `read(request)` function, e.g. `port.readRaw`. */
function holdingReader(unitId, read) {
    return async (address, count) => (await read({ fc: 3, unitId, address, count })).registers ?? [];
}
//# sourceMappingURL=sunspec-discovery.js.map