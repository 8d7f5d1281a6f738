"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.FreqDroop = exports.FixedVar = exports.ReactiveSusceptance = exports.PowerFactorWithExcitation = exports.PowerFactor = exports.CurrentRMS = exports.VoltageRMS = exports.AmpereHour = exports.WattHour = exports.ApparentPower = exports.ReactivePower = exports.ActivePower = exports.DateTimeInterval = exports.respondableAttrs = exports.identified = exports.subscribableListAttrs = exports.listAttrs = exports.subscribableAttrs = exports.resourceAttrs = exports.ListLink = exports.Link = exports.AnyURI = exports.String192 = exports.String32 = exports.MRID = exports.HexBinary160 = exports.HexBinary128 = exports.HexBinary32 = exports.HexBinary16 = exports.HexBinary8 = exports.Bool = exports.SubscribableType = exports.VersionType = exports.PrimacyType = exports.OneHourRange = exports.SignedPerCent = exports.PerCent = exports.PowerOfTenMultiplier = exports.TimeType = exports.Int64 = exports.Int48 = exports.Int32 = exports.Int16 = exports.Int8 = exports.UInt48 = exports.UInt40 = exports.UInt32 = exports.UInt16 = exports.UInt8 = void 0;
exports.str = str;
exports.list = list;
exports.obj = obj;
exports.scaled = scaled;
exports.toScaled = toScaled;
/**
 * IEEE 2030.5 simple types and shared complex types as zod schemas that accept the strings fast-xml-parser yields
 * (parseTagValue: false) and the typed values code builds, and output typed values. Ranges from sep.xsd (2018).
 */
const zod_1 = require("zod");
function intRange(min, max, what) {
    return zod_1.z
        .union([
        zod_1.z.number(),
        zod_1.z
            .string()
            .trim()
            .regex(/^[+-]?\d{1,20}$/, `${what}: not an integer`)
            .transform(Number),
    ])
        .pipe(zod_1.z
        .number()
        .int(`${what}: not an integer`)
        .min(min, `${what}: below ${min}`)
        .max(max, `${what}: above ${max}`));
}
exports.UInt8 = intRange(0, 0xff, 'UInt8');
exports.UInt16 = intRange(0, 0xffff, 'UInt16');
exports.UInt32 = intRange(0, 0xffffffff, 'UInt32');
exports.UInt40 = intRange(0, 2 ** 40 - 1, 'UInt40');
exports.UInt48 = intRange(0, 2 ** 48 - 1, 'UInt48');
exports.Int8 = intRange(-128, 127, 'Int8');
exports.Int16 = intRange(-32768, 32767, 'Int16');
exports.Int32 = intRange(-(2 ** 31), 2 ** 31 - 1, 'Int32');
exports.Int48 = intRange(-(2 ** 47), 2 ** 47, 'Int48');
/** Int64 in the schema; limited to the safe-integer range here (seconds since epoch never come close). */
exports.Int64 = intRange(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'Int64');
/** TimeType: seconds since 1970-01-01 UTC. */
exports.TimeType = exports.Int64;
exports.PowerOfTenMultiplier = exports.Int8;
exports.PerCent = exports.UInt16;
exports.SignedPerCent = exports.Int16;
exports.OneHourRange = exports.Int16;
exports.PrimacyType = exports.UInt8;
exports.VersionType = exports.UInt16;
exports.SubscribableType = exports.UInt8;
exports.Bool = zod_1.z
    .union([zod_1.z.boolean(), zod_1.z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1')])
    .pipe(zod_1.z.boolean());
function hex(bytes) {
    return zod_1.z
        .string()
        .trim()
        .regex(/^[0-9A-Fa-f]*$/, 'not hexBinary')
        .max(bytes * 2, `hexBinary longer than ${bytes} bytes`);
}
exports.HexBinary8 = hex(1);
exports.HexBinary16 = hex(2);
exports.HexBinary32 = hex(4);
exports.HexBinary128 = hex(16);
exports.HexBinary160 = hex(20);
exports.MRID = exports.HexBinary128;
function str(max) {
    return zod_1.z.union([zod_1.z.string(), zod_1.z.number().transform(String)]).pipe(zod_1.z.string().max(max, `string longer than ${max}`));
}
exports.String32 = str(32);
exports.String192 = str(192);
exports.AnyURI = zod_1.z.string().max(2048);
/** maxOccurs > 1: a single element parses as an object, several as an array; both become an array. */
function list(item, max = 100000) {
    return zod_1.z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), zod_1.z.array(item).max(max, `more than ${max} elements`));
}
/** An element whose type is complex but came out empty (`<X/>` gives ''). */
function obj(shape) {
    return zod_1.z.preprocess((v) => (v === '' ? {} : v), zod_1.z.object(shape));
}
exports.Link = obj({ href: exports.AnyURI });
exports.ListLink = obj({ href: exports.AnyURI, all: exports.UInt16.optional() });
/** Base fields in XSD order. Spread them first into a resource shape. */
exports.resourceAttrs = { href: exports.AnyURI.optional() };
exports.subscribableAttrs = { href: exports.AnyURI.optional(), subscribable: exports.SubscribableType.optional() };
exports.listAttrs = { href: exports.AnyURI.optional(), all: exports.UInt16, results: exports.UInt8 };
exports.subscribableListAttrs = { ...exports.listAttrs, subscribable: exports.SubscribableType.optional() };
exports.identified = { mRID: exports.MRID, description: exports.String32.optional(), version: exports.VersionType.optional() };
exports.respondableAttrs = { replyTo: exports.AnyURI.optional(), responseRequired: exports.HexBinary8.optional() };
exports.DateTimeInterval = obj({ duration: exports.UInt32, start: exports.TimeType });
/** value × 10^multiplier watts. */
exports.ActivePower = obj({ multiplier: exports.PowerOfTenMultiplier, value: exports.Int16 });
exports.ReactivePower = exports.ActivePower;
exports.ApparentPower = obj({ multiplier: exports.PowerOfTenMultiplier, value: exports.UInt16 });
exports.WattHour = exports.ApparentPower;
exports.AmpereHour = exports.ApparentPower;
exports.VoltageRMS = exports.ApparentPower;
exports.CurrentRMS = exports.ApparentPower;
exports.PowerFactor = obj({ displacement: exports.Int16, multiplier: exports.PowerOfTenMultiplier });
exports.PowerFactorWithExcitation = obj({ displacement: exports.UInt16, excitation: exports.Bool, multiplier: exports.PowerOfTenMultiplier });
exports.ReactiveSusceptance = exports.ApparentPower;
exports.FixedVar = obj({ refType: exports.UInt8, value: exports.SignedPerCent });
exports.FreqDroop = obj({ dBOF: exports.UInt32, dBUF: exports.UInt32, kOF: exports.UInt16, kUF: exports.UInt16, openLoopTms: exports.UInt16 });
/** Scaled value of an ActivePower-like pair. */
function scaled(p) {
    return p.value * 10 ** p.multiplier;
}
/** The smallest multiplier that fits `watts` in an Int16 (or UInt16) value, rounding to the representable step. */
function toScaled(watts, unsigned = false) {
    const max = unsigned ? 65535 : 32767;
    let m = 0;
    let v = Math.round(watts);
    while (Math.abs(v) > max && m < 127) {
        m++;
        v = Math.round(watts / 10 ** m);
    }
    if (unsigned && v < 0)
        v = 0;
    return { multiplier: m, value: v };
}
//# sourceMappingURL=primitives.js.map