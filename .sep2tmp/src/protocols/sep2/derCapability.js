"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DER_CONTROL_TYPE_BITS = exports.serializeDERCapability = exports.parseDERCapability = exports.DERCapabilityResource = exports.DERCapabilitySchema = void 0;
exports.modesHex = modesHex;
/** DERCapability: nameplate ratings (sep.xsd 2018 order). Seed 002 makes rtgMaxChargeRateW/DischargeRateW/W/Wh mandatory. */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const primitives_js_1 = require("./primitives.js");
exports.DERCapabilitySchema = zod_1.z.object({
    ...primitives_js_1.resourceAttrs,
    modesSupported: primitives_js_1.HexBinary32,
    rtgAbnormalCategory: primitives_js_1.UInt8.optional(),
    rtgMaxA: primitives_js_1.CurrentRMS.optional(),
    rtgMaxAh: primitives_js_1.AmpereHour.optional(),
    rtgMaxChargeRateVA: primitives_js_1.ApparentPower.optional(),
    rtgMaxChargeRateW: primitives_js_1.ActivePower.optional(),
    rtgMaxDischargeRateVA: primitives_js_1.ApparentPower.optional(),
    rtgMaxDischargeRateW: primitives_js_1.ActivePower.optional(),
    rtgMaxV: primitives_js_1.VoltageRMS.optional(),
    rtgMaxVA: primitives_js_1.ApparentPower.optional(),
    rtgMaxVar: primitives_js_1.ReactivePower.optional(),
    rtgMaxVarNeg: primitives_js_1.ReactivePower.optional(),
    rtgMaxW: primitives_js_1.ActivePower,
    rtgMaxWh: primitives_js_1.WattHour.optional(),
    rtgMinPFOverExcited: primitives_js_1.PowerFactor.optional(),
    rtgMinPFUnderExcited: primitives_js_1.PowerFactor.optional(),
    rtgMinV: primitives_js_1.VoltageRMS.optional(),
    rtgNormalCategory: primitives_js_1.UInt8.optional(),
    rtgOverExcitedPF: primitives_js_1.PowerFactor.optional(),
    rtgOverExcitedW: primitives_js_1.ActivePower.optional(),
    rtgReactiveSusceptance: primitives_js_1.ReactiveSusceptance.optional(),
    rtgUnderExcitedPF: primitives_js_1.PowerFactor.optional(),
    rtgUnderExcitedW: primitives_js_1.ActivePower.optional(),
    rtgVNom: primitives_js_1.VoltageRMS.optional(),
    type: primitives_js_1.UInt8,
});
exports.DERCapabilityResource = (0, xml_js_1.resource)('DERCapability', exports.DERCapabilitySchema);
exports.parseDERCapability = exports.DERCapabilityResource.parse;
exports.serializeDERCapability = exports.DERCapabilityResource.serialize;
/** DERControlType bits (modesSupported / modesEnabled), sep.xsd 2018. */
exports.DER_CONTROL_TYPE_BITS = {
    charge: 0,
    discharge: 1,
    opModConnect: 2,
    opModEnergize: 3,
    opModFixedPFAbsorbW: 4,
    opModFixedPFInjectW: 5,
    opModFixedVar: 6,
    opModFixedW: 7,
    opModMaxLimW: 19,
    opModTargetVar: 20,
    opModTargetW: 21,
};
function modesHex(modes) {
    let v = 0;
    for (const m of modes)
        v |= 1 << exports.DER_CONTROL_TYPE_BITS[m];
    return (v >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
//# sourceMappingURL=derCapability.js.map