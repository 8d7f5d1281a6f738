"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ProfileSchema = exports.HoleSchema = exports.PointSchema = exports.LayoutSchema = exports.FunctionSchema = void 0;
exports.parseProfile = parseProfile;
/**
 * Device profile YAML format (`device-profiles/<id>.yaml`) as a zod schema, plus `parseProfile`, which validates the
 * shape, runs the cross-field checks (./check.ts) and returns the normalized `Profile` (./types.ts) with every default
 * resolved. Unknown keys are errors everywhere, so typos are caught. Issue paths index the RAW input, so the CLI can
 * turn them into YAML line numbers. Format reference with examples: docs/profiles.md.
 */
const zod_1 = require("zod");
const kinds_js_1 = require("../kinds.js");
const check_js_1 = require("./check.js");
/** Modbus table by name or by read function code (1 coil, 2 discrete input, 3 holding, 4 input register). */
exports.FunctionSchema = zod_1.z
    .union([zod_1.z.enum(['holding', 'input', 'coil', 'discrete']), zod_1.z.literal(1), zod_1.z.literal(2), zod_1.z.literal(3), zod_1.z.literal(4)])
    .meta({ description: 'holding | input | coil | discrete, or the read function code 3 | 4 | 1 | 2' });
const OrderSchema = zod_1.z.enum(['BE', 'LE']);
/** Register byte layout shorthand: ABCD = BE/BE, CDAB = word swap, BADC = byte swap, DCBA = both. */
exports.LayoutSchema = zod_1.z.enum(['ABCD', 'CDAB', 'BADC', 'DCBA']);
const finite = zod_1.z.number().refine(Number.isFinite, 'must be a finite number');
const address = zod_1.z.number().int('must be an integer').min(0).max(0xffff);
const codeMap = zod_1.z.record(zod_1.z.string().regex(/^-?\d+$/, 'keys must be integers'), zod_1.z.string().min(1));
exports.PointSchema = zod_1.z.strictObject({
    name: zod_1.z.string().min(1).meta({ description: 'Canonical point name for the kind (SunSpec name) or x_-prefixed vendor name' }),
    description: zod_1.z.string().optional(),
    address: address.meta({ description: '0-based protocol address (0x0034, not "30053")' }),
    function: exports.FunctionSchema.optional(),
    type: zod_1.z.string().meta({
        description: 'u16 i16 u32 i32 u64 i64 f32 f64 string(n) bit enum bitfield acc16 acc32 sunssf (aliases: uint16 int16 uint32 int32 uint64 int64 float32 float64 enum16 enum32 bitfield16 bitfield32 bool)',
    }),
    length: zod_1.z.number().int().min(1).max(125).optional().meta({ description: 'Registers (string: 2 chars per register; enum/bitfield: 1 or 2)' }),
    bit: zod_1.z.number().int().min(0).max(15).optional().meta({ description: 'Bit 0..15 (0 = least significant) for type bit in a register' }),
    byteOrder: OrderSchema.optional(),
    wordOrder: OrderSchema.optional(),
    layout: exports.LayoutSchema.optional(),
    scale: finite.optional(),
    offset: finite.optional(),
    sf: zod_1.z.string().min(1).optional().meta({ description: 'Name of the sunssf point: value = raw × 10^sf × scale + offset' }),
    unit: zod_1.z.string().min(1).optional(),
    access: zod_1.z.enum(['r', 'w', 'rw']).optional(),
    min: finite.optional(),
    max: finite.optional(),
    poll: zod_1.z.string().min(1).optional(),
    enum: codeMap.optional(),
    bitfield: codeMap.optional(),
    notImplemented: zod_1.z.union([zod_1.z.number(), zod_1.z.null()]).optional().meta({ description: 'Raw sentinel meaning "not implemented" (null: none)' }),
});
exports.HoleSchema = zod_1.z.strictObject({
    function: exports.FunctionSchema,
    start: address,
    count: zod_1.z.number().int().min(1).max(0x10000),
});
exports.ProfileSchema = zod_1.z.strictObject({
    id: zod_1.z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only'),
    kind: zod_1.z.enum(kinds_js_1.DEVICE_KINDS),
    metadata: zod_1.z.strictObject({
        maker: zod_1.z.string().min(1),
        model: zod_1.z.string().min(1),
        source: zod_1.z.string().min(1).meta({ description: 'Where the register map comes from (manual, version, URL)' }),
        notes: zod_1.z.string().optional(),
        url: zod_1.z.string().optional(),
    }),
    defaults: zod_1.z
        .strictObject({
        function: exports.FunctionSchema.optional(),
        byteOrder: OrderSchema.optional(),
        wordOrder: OrderSchema.optional(),
        layout: exports.LayoutSchema.optional(),
        poll: zod_1.z.string().min(1).optional(),
        notImplemented: zod_1.z.enum(['sunspec', 'none']).optional().meta({ description: 'Default sentinels: SunSpec per type (default) or none' }),
    })
        .optional(),
    limits: zod_1.z
        .strictObject({
        maxReadRegisters: zod_1.z.number().int().min(1).max(125).optional(),
        maxReadBits: zod_1.z.number().int().min(1).max(2000).optional(),
        maxWriteRegisters: zod_1.z.number().int().min(1).max(123).optional(),
        maxGap: zod_1.z.number().int().min(0).max(124).optional(),
    })
        .optional(),
    pollClasses: zod_1.z.record(zod_1.z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/), zod_1.z.number().int().min(10).max(86_400_000)).optional(),
    holes: zod_1.z.array(exports.HoleSchema).optional(),
    points: zod_1.z.array(exports.PointSchema).min(1, 'a profile needs at least one point'),
});
/**
 * Validate and normalize a profile read from YAML/JSON. Returns the profile only when there are no issues.
 * Never throws on bad input.
 */
function parseProfile(raw) {
    const r = exports.ProfileSchema.safeParse(raw);
    if (!r.success) {
        return {
            issues: r.error.issues.map((i) => ({
                path: i.path.map((k) => (typeof k === 'number' ? k : String(k))),
                message: friendlyZodMessage(i),
            })),
        };
    }
    return (0, check_js_1.normalizeProfile)(r.data);
}
function friendlyZodMessage(i) {
    if (i.code === 'unrecognized_keys')
        return `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')} (typo?)`;
    return i.message;
}
//# sourceMappingURL=schema.js.map