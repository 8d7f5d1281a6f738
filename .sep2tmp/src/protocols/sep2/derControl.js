"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.serializeDefaultDERControl = exports.parseDefaultDERControl = exports.DefaultDERControlResource = exports.DefaultDERControlSchema = exports.serializeDERControlList = exports.parseDERControlList = exports.DERControlListResource = exports.DERControlListSchema = exports.serializeDERControl = exports.parseDERControl = exports.DERControlResource = exports.DERControlSchema = exports.EVENT_STATUS = exports.EventStatusSchema = exports.DERControlBaseSchema = void 0;
/**
 * DERControlBase, DERControl(List) and DefaultDERControl. DERControlBase elements follow sep.xsd 2018, then the
 * CSIP-AUS extension elements (opModImpLimW, opModExpLimW, opModGenLimW, opModLoadLimW; order as in the CSIP-AUS
 * schema redefine used by the "cactus" test suite, MIT).
 */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const primitives_js_1 = require("./primitives.js");
exports.DERControlBaseSchema = (0, primitives_js_1.obj)({
    opModConnect: primitives_js_1.Bool.optional(),
    opModEnergize: primitives_js_1.Bool.optional(),
    opModFixedPFAbsorbW: primitives_js_1.PowerFactorWithExcitation.optional(),
    opModFixedPFInjectW: primitives_js_1.PowerFactorWithExcitation.optional(),
    opModFixedVar: primitives_js_1.FixedVar.optional(),
    opModFixedW: primitives_js_1.SignedPerCent.optional(),
    opModFreqDroop: primitives_js_1.FreqDroop.optional(),
    opModFreqWatt: primitives_js_1.Link.optional(),
    opModHFRTMayTrip: primitives_js_1.Link.optional(),
    opModHFRTMustTrip: primitives_js_1.Link.optional(),
    opModHVRTMayTrip: primitives_js_1.Link.optional(),
    opModHVRTMomentaryCessation: primitives_js_1.Link.optional(),
    opModHVRTMustTrip: primitives_js_1.Link.optional(),
    opModLFRTMayTrip: primitives_js_1.Link.optional(),
    opModLFRTMustTrip: primitives_js_1.Link.optional(),
    opModLVRTMayTrip: primitives_js_1.Link.optional(),
    opModLVRTMomentaryCessation: primitives_js_1.Link.optional(),
    opModLVRTMustTrip: primitives_js_1.Link.optional(),
    opModMaxLimW: primitives_js_1.PerCent.optional(),
    opModTargetVar: primitives_js_1.ReactivePower.optional(),
    opModTargetW: primitives_js_1.ActivePower.optional(),
    opModVoltVar: primitives_js_1.Link.optional(),
    opModVoltWatt: primitives_js_1.Link.optional(),
    opModWattPF: primitives_js_1.Link.optional(),
    opModWattVar: primitives_js_1.Link.optional(),
    rampTms: primitives_js_1.UInt16.optional(),
    opModImpLimW: primitives_js_1.ActivePower.optional(),
    opModExpLimW: primitives_js_1.ActivePower.optional(),
    opModGenLimW: primitives_js_1.ActivePower.optional(),
    opModLoadLimW: primitives_js_1.ActivePower.optional(),
});
exports.EventStatusSchema = (0, primitives_js_1.obj)({
    currentStatus: primitives_js_1.UInt8,
    dateTime: primitives_js_1.TimeType,
    potentiallySuperseded: primitives_js_1.Bool,
    potentiallySupersededTime: primitives_js_1.TimeType.optional(),
    reason: primitives_js_1.String192.optional(),
});
/** EventStatus.currentStatus values. */
exports.EVENT_STATUS = { scheduled: 0, active: 1, cancelled: 2, cancelledRandom: 3, superseded: 4 };
exports.DERControlSchema = zod_1.z.object({
    ...primitives_js_1.subscribableAttrs,
    ...primitives_js_1.respondableAttrs,
    ...primitives_js_1.identified,
    creationTime: primitives_js_1.TimeType,
    EventStatus: exports.EventStatusSchema,
    interval: primitives_js_1.DateTimeInterval,
    randomizeDuration: primitives_js_1.OneHourRange.optional(),
    randomizeStart: primitives_js_1.OneHourRange.optional(),
    DERControlBase: exports.DERControlBaseSchema,
    deviceCategory: primitives_js_1.HexBinary32.optional(),
});
exports.DERControlResource = (0, xml_js_1.resource)('DERControl', exports.DERControlSchema);
exports.parseDERControl = exports.DERControlResource.parse;
exports.serializeDERControl = exports.DERControlResource.serialize;
exports.DERControlListSchema = zod_1.z.object({
    ...primitives_js_1.subscribableListAttrs,
    pollRate: primitives_js_1.UInt32.optional(),
    DERControl: (0, primitives_js_1.list)(exports.DERControlSchema),
});
exports.DERControlListResource = (0, xml_js_1.resource)('DERControlList', exports.DERControlListSchema);
exports.parseDERControlList = exports.DERControlListResource.parse;
exports.serializeDERControlList = exports.DERControlListResource.serialize;
exports.DefaultDERControlSchema = zod_1.z.object({
    ...primitives_js_1.subscribableAttrs,
    ...primitives_js_1.identified,
    DERControlBase: exports.DERControlBaseSchema,
    setESDelay: primitives_js_1.UInt32.optional(),
    setESHighFreq: primitives_js_1.UInt16.optional(),
    setESHighVolt: primitives_js_1.Int16.optional(),
    setESLowFreq: primitives_js_1.UInt16.optional(),
    setESLowVolt: primitives_js_1.Int16.optional(),
    setESRampTms: primitives_js_1.UInt32.optional(),
    setESRandomDelay: primitives_js_1.UInt32.optional(),
    setGradW: primitives_js_1.UInt16.optional(),
    setSoftGradW: primitives_js_1.UInt16.optional(),
});
exports.DefaultDERControlResource = (0, xml_js_1.resource)('DefaultDERControl', exports.DefaultDERControlSchema);
exports.parseDefaultDERControl = exports.DefaultDERControlResource.parse;
exports.serializeDefaultDERControl = exports.DefaultDERControlResource.serialize;
//# sourceMappingURL=derControl.js.map