"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.SUNSPEC_MODEL_IDS = void 0;
exports.getSunSpecModel = getSunSpecModel;
exports.blockSize = blockSize;
exports.mapSunSpecType = mapSunSpecType;
exports.sunspecProfilePoint = sunspecProfilePoint;
exports.sunspecModelPoints = sunspecModelPoints;
/**
 * SunSpec information models as data (./models/model_<id>.json, converted from the SunSpec models repository,
 * https://github.com/sunspec/models, Apache-2.0: point names, order, types, sizes, units, scale factors, symbols).
 * Offsets count from the model's ID register (offset 0 = ID, 1 = L, 2 = first point), as in the specification.
 */
const units_js_1 = require("../../../core/units.js");
const model_1_json_1 = __importDefault(require("./models/model_1.json"));
const model_101_json_1 = __importDefault(require("./models/model_101.json"));
const model_102_json_1 = __importDefault(require("./models/model_102.json"));
const model_103_json_1 = __importDefault(require("./models/model_103.json"));
const model_120_json_1 = __importDefault(require("./models/model_120.json"));
const model_121_json_1 = __importDefault(require("./models/model_121.json"));
const model_122_json_1 = __importDefault(require("./models/model_122.json"));
const model_123_json_1 = __importDefault(require("./models/model_123.json"));
const model_124_json_1 = __importDefault(require("./models/model_124.json"));
const model_160_json_1 = __importDefault(require("./models/model_160.json"));
const model_802_json_1 = __importDefault(require("./models/model_802.json"));
const model_803_json_1 = __importDefault(require("./models/model_803.json"));
const model_804_json_1 = __importDefault(require("./models/model_804.json"));
const MODELS = new Map([model_1_json_1.default, model_101_json_1.default, model_102_json_1.default, model_103_json_1.default, model_120_json_1.default, model_121_json_1.default, model_122_json_1.default, model_123_json_1.default, model_124_json_1.default, model_160_json_1.default, model_802_json_1.default, model_803_json_1.default, model_804_json_1.default].map((m) => [m.id, m]));
exports.SUNSPEC_MODEL_IDS = [...MODELS.keys()];
function getSunSpecModel(id) {
    return MODELS.get(id);
}
/** Registers of a list of point definitions. */
function blockSize(points) {
    return points.reduce((n, p) => n + p.size, 0);
}
/** SunSpec type → GridBridge data type and sentinel override; undefined for padding. */
function mapSunSpecType(t, size) {
    switch (t) {
        case 'uint16':
        case 'count': return { type: 'u16' };
        case 'int16': return { type: 'i16' };
        case 'uint32': return { type: 'u32' };
        case 'int32': return { type: 'i32' };
        case 'uint64': return { type: 'u64' };
        case 'int64': return { type: 'i64' };
        case 'float32': return { type: 'f32' };
        case 'float64': return { type: 'f64' };
        case 'acc16': return { type: 'acc16' };
        case 'acc32': return { type: 'acc32' };
        case 'acc64': return { type: 'u64', notImplemented: 0 };
        case 'enum16':
        case 'enum32': return { type: 'enum' };
        case 'bitfield16':
        case 'bitfield32':
        case 'bitfield64': return { type: 'bitfield' };
        case 'sunssf': return { type: 'sunssf' };
        case 'string': return { type: 'string' };
        case 'pad': return undefined;
        default: return size > 0 ? { type: 'u16', notImplemented: null } : undefined;
    }
}
/** One SunSpec point as a ProfilePoint at `address` (holding registers, big-endian, SunSpec sentinels). */
function sunspecProfilePoint(def, address, name = def.name) {
    const m = mapSunSpecType(def.type, def.size);
    if (!m)
        return undefined;
    const p = {
        name,
        address,
        function: 'holding',
        type: m.type,
        length: def.size,
        byteOrder: 'BE',
        wordOrder: 'BE',
        scale: 1,
        offset: 0,
        access: def.access === 'RW' ? 'rw' : 'r',
        poll: 'normal',
    };
    if (m.notImplemented !== undefined)
        p.notImplemented = m.notImplemented;
    if (def.sf)
        p.sf = def.sf;
    // SunSpec writes relative units as "% WMax", "% WChaMax/sec": the unit is %, the rest says of what.
    if (def.units)
        p.unit = (0, units_js_1.normalizeUnit)(def.units) ?? (/^%\s/.test(def.units) && !def.units.includes('/') ? '%' : def.units);
    if (def.symbols) {
        const codes = Object.fromEntries(Object.entries(def.symbols).map(([k, v]) => [Number(k), v]));
        if (m.type === 'enum')
            p.enum = codes;
        else if (m.type === 'bitfield')
            p.bitfield = codes;
    }
    return p;
}
/**
 * The fixed part of a model as ProfilePoints, addressed from `base` = the address of the model's ID register
 * (e.g. 40002 + … as found by discovery). ID, L and padding are left out.
 */
function sunspecModelPoints(id, base) {
    const m = MODELS.get(id);
    if (!m)
        throw new RangeError(`SunSpec model ${id} is not known (known: ${exports.SUNSPEC_MODEL_IDS.join(', ')})`);
    const out = [];
    let off = 0;
    for (const d of m.points) {
        if (off >= 2) {
            const p = sunspecProfilePoint(d, base + off);
            if (p)
                out.push(p);
        }
        off += d.size;
    }
    return out;
}
//# sourceMappingURL=models.js.map