"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ROLE_FLAGS = exports.serializeMirrorUsagePointList = exports.parseMirrorUsagePointList = exports.MirrorUsagePointListResource = exports.MirrorUsagePointListSchema = exports.serializeMirrorUsagePoint = exports.parseMirrorUsagePoint = exports.MirrorUsagePointResource = exports.MirrorUsagePointSchema = void 0;
/** MirrorUsagePoint(List): one per telemetry data point (seed 002), MirrorMeterReadings inside. */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const mirrorMeterReading_js_1 = require("./mirrorMeterReading.js");
const primitives_js_1 = require("./primitives.js");
exports.MirrorUsagePointSchema = zod_1.z.object({
    ...primitives_js_1.resourceAttrs,
    ...primitives_js_1.identified,
    roleFlags: primitives_js_1.HexBinary16,
    serviceCategoryKind: primitives_js_1.UInt8,
    status: primitives_js_1.UInt8,
    deviceLFDI: primitives_js_1.HexBinary160,
    MirrorMeterReading: (0, primitives_js_1.list)(mirrorMeterReading_js_1.MirrorMeterReadingSchema).optional(),
    postRate: primitives_js_1.UInt32.optional(),
});
exports.MirrorUsagePointResource = (0, xml_js_1.resource)('MirrorUsagePoint', exports.MirrorUsagePointSchema);
exports.parseMirrorUsagePoint = exports.MirrorUsagePointResource.parse;
exports.serializeMirrorUsagePoint = exports.MirrorUsagePointResource.serialize;
exports.MirrorUsagePointListSchema = zod_1.z.object({
    ...primitives_js_1.listAttrs,
    pollRate: primitives_js_1.UInt32.optional(),
    MirrorUsagePoint: (0, primitives_js_1.list)(exports.MirrorUsagePointSchema),
});
exports.MirrorUsagePointListResource = (0, xml_js_1.resource)('MirrorUsagePointList', exports.MirrorUsagePointListSchema);
exports.parseMirrorUsagePointList = exports.MirrorUsagePointListResource.parse;
exports.serializeMirrorUsagePointList = exports.MirrorUsagePointListResource.serialize;
/** RoleFlagsType bits: isMirror (0), isPremisesAggregationPoint (1), isPEV (2), isDER (3), isRevenueQuality (4), isDC (5), isSubmeter (6). */
exports.ROLE_FLAGS = { isMirror: 0x01, isPremisesAggregationPoint: 0x02, isDER: 0x08, isSubmeter: 0x40 };
//# sourceMappingURL=mirrorUsagePoint.js.map