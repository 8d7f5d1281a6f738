"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.READING = exports.serializeMirrorMeterReadingList = exports.parseMirrorMeterReadingList = exports.MirrorMeterReadingListResource = exports.MirrorMeterReadingListSchema = exports.serializeMirrorMeterReading = exports.parseMirrorMeterReading = exports.MirrorMeterReadingResource = exports.MirrorMeterReadingSchema = exports.MirrorReadingSetSchema = exports.ReadingTypeSchema = exports.ReadingSchema = void 0;
/** MirrorMeterReading(List), Reading, ReadingType, MirrorReadingSet (sep.xsd 2018 order). */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const primitives_js_1 = require("./primitives.js");
exports.ReadingSchema = (0, primitives_js_1.obj)({
    ...primitives_js_1.subscribableAttrs,
    consumptionBlock: primitives_js_1.UInt8.optional(),
    qualityFlags: primitives_js_1.HexBinary16.optional(),
    timePeriod: primitives_js_1.DateTimeInterval.optional(),
    touTier: primitives_js_1.UInt8.optional(),
    value: primitives_js_1.Int48.optional(),
    localID: primitives_js_1.HexBinary16.optional(),
});
const UnitValue = (0, primitives_js_1.obj)({ multiplier: primitives_js_1.PowerOfTenMultiplier, unit: primitives_js_1.UInt8, value: zod_1.z.union([zod_1.z.number(), zod_1.z.string().regex(/^-?\d+$/).transform(Number)]) });
exports.ReadingTypeSchema = (0, primitives_js_1.obj)({
    ...primitives_js_1.resourceAttrs,
    accumulationBehaviour: primitives_js_1.UInt8.optional(),
    calorificValue: UnitValue.optional(),
    commodity: primitives_js_1.UInt8.optional(),
    conversionFactor: UnitValue.optional(),
    dataQualifier: primitives_js_1.UInt8.optional(),
    flowDirection: primitives_js_1.UInt8.optional(),
    intervalLength: primitives_js_1.UInt32.optional(),
    kind: primitives_js_1.UInt8.optional(),
    maxNumberOfIntervals: primitives_js_1.UInt8.optional(),
    numberOfConsumptionBlocks: primitives_js_1.UInt8.optional(),
    numberOfTouTiers: primitives_js_1.UInt8.optional(),
    phase: primitives_js_1.UInt8.optional(),
    powerOfTenMultiplier: primitives_js_1.PowerOfTenMultiplier.optional(),
    subIntervalLength: primitives_js_1.UInt32.optional(),
    supplyLimit: primitives_js_1.UInt48.optional(),
    tieredConsumptionBlocks: primitives_js_1.Bool.optional(),
    uom: primitives_js_1.UInt8.optional(),
});
exports.MirrorReadingSetSchema = (0, primitives_js_1.obj)({
    ...primitives_js_1.resourceAttrs,
    ...primitives_js_1.identified,
    timePeriod: primitives_js_1.DateTimeInterval,
    Reading: (0, primitives_js_1.list)(exports.ReadingSchema),
});
exports.MirrorMeterReadingSchema = zod_1.z.object({
    ...primitives_js_1.resourceAttrs,
    ...primitives_js_1.identified,
    lastUpdateTime: primitives_js_1.TimeType.optional(),
    MirrorReadingSet: (0, primitives_js_1.list)(exports.MirrorReadingSetSchema).optional(),
    nextUpdateTime: primitives_js_1.TimeType.optional(),
    Reading: exports.ReadingSchema.optional(),
    ReadingType: exports.ReadingTypeSchema.optional(),
});
exports.MirrorMeterReadingResource = (0, xml_js_1.resource)('MirrorMeterReading', exports.MirrorMeterReadingSchema);
exports.parseMirrorMeterReading = exports.MirrorMeterReadingResource.parse;
exports.serializeMirrorMeterReading = exports.MirrorMeterReadingResource.serialize;
exports.MirrorMeterReadingListSchema = zod_1.z.object({
    ...primitives_js_1.listAttrs,
    MirrorMeterReading: (0, primitives_js_1.list)(exports.MirrorMeterReadingSchema),
});
exports.MirrorMeterReadingListResource = (0, xml_js_1.resource)('MirrorMeterReadingList', exports.MirrorMeterReadingListSchema);
exports.parseMirrorMeterReadingList = exports.MirrorMeterReadingListResource.parse;
exports.serializeMirrorMeterReadingList = exports.MirrorMeterReadingListResource.serialize;
/** Codes used for seed 002 telemetry (IEEE 2030.5 ReadingType enumerations). */
exports.READING = {
    accumulationBehaviour: { instantaneous: 12 },
    dataQualifier: { notApplicable: 0, average: 2, maximum: 8, minimum: 9 },
    kind: { power: 37 },
    uom: { W: 38, Hz: 33, V: 29, A: 5, var: 63, Wh: 72 },
    commodity: { electricitySecondaryMetered: 1 },
    flowDirection: { forward: 1, reverse: 19 },
};
//# sourceMappingURL=mirrorMeterReading.js.map