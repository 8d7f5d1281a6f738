"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.serializeDERCurveList = exports.parseDERCurveList = exports.DERCurveListResource = exports.DERCurveListSchema = exports.DERCurveResource = exports.DERCurveSchema = exports.CurveDataSchema = void 0;
/** DERCurve(List): curve points referenced by curve-type controls (volt-var, freq-watt …). */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const primitives_js_1 = require("./primitives.js");
exports.CurveDataSchema = (0, primitives_js_1.obj)({ excitation: primitives_js_1.Bool.optional(), xvalue: primitives_js_1.Int32, yvalue: primitives_js_1.Int32 });
exports.DERCurveSchema = zod_1.z.object({
    ...primitives_js_1.resourceAttrs,
    ...primitives_js_1.identified,
    autonomousVRefEnable: primitives_js_1.Bool.optional(),
    autonomousVRefTimeConstant: primitives_js_1.UInt32.optional(),
    creationTime: primitives_js_1.TimeType,
    CurveData: (0, primitives_js_1.list)(exports.CurveDataSchema, 10),
    curveType: primitives_js_1.UInt8,
    openLoopTms: primitives_js_1.UInt16.optional(),
    rampDecTms: primitives_js_1.UInt16.optional(),
    rampIncTms: primitives_js_1.UInt16.optional(),
    rampPT1Tms: primitives_js_1.UInt16.optional(),
    vRef: primitives_js_1.PerCent.optional(),
    xMultiplier: primitives_js_1.PowerOfTenMultiplier,
    yMultiplier: primitives_js_1.PowerOfTenMultiplier,
    yRefType: primitives_js_1.UInt8,
});
exports.DERCurveResource = (0, xml_js_1.resource)('DERCurve', exports.DERCurveSchema);
exports.DERCurveListSchema = zod_1.z.object({
    ...primitives_js_1.listAttrs,
    pollRate: primitives_js_1.UInt32.optional(),
    DERCurve: (0, primitives_js_1.list)(exports.DERCurveSchema),
});
exports.DERCurveListResource = (0, xml_js_1.resource)('DERCurveList', exports.DERCurveListSchema);
exports.parseDERCurveList = exports.DERCurveListResource.parse;
exports.serializeDERCurveList = exports.DERCurveListResource.serialize;
//# sourceMappingURL=derCurve.js.map