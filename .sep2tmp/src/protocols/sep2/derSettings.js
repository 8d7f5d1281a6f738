"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.serializeDERSettings = exports.parseDERSettings = exports.DERSettingsResource = exports.DERSettingsSchema = void 0;
/** DERSettings: the settings in force (sep.xsd 2018 order). Seed 002 lists setMaxW/ChargeRateW/DischargeRateW/Wh. */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const primitives_js_1 = require("./primitives.js");
exports.DERSettingsSchema = zod_1.z.object({
    ...primitives_js_1.subscribableAttrs,
    modesEnabled: primitives_js_1.HexBinary32.optional(),
    setESDelay: primitives_js_1.UInt32.optional(),
    setESHighFreq: primitives_js_1.UInt16.optional(),
    setESHighVolt: primitives_js_1.Int16.optional(),
    setESLowFreq: primitives_js_1.UInt16.optional(),
    setESLowVolt: primitives_js_1.Int16.optional(),
    setESRampTms: primitives_js_1.UInt32.optional(),
    setESRandomDelay: primitives_js_1.UInt32.optional(),
    setGradW: primitives_js_1.UInt16,
    setMaxA: primitives_js_1.CurrentRMS.optional(),
    setMaxAh: primitives_js_1.AmpereHour.optional(),
    setMaxChargeRateVA: primitives_js_1.ApparentPower.optional(),
    setMaxChargeRateW: primitives_js_1.ActivePower.optional(),
    setMaxDischargeRateVA: primitives_js_1.ApparentPower.optional(),
    setMaxDischargeRateW: primitives_js_1.ActivePower.optional(),
    setMaxV: primitives_js_1.VoltageRMS.optional(),
    setMaxVA: primitives_js_1.ApparentPower.optional(),
    setMaxVar: primitives_js_1.ReactivePower.optional(),
    setMaxVarNeg: primitives_js_1.ReactivePower.optional(),
    setMaxW: primitives_js_1.ActivePower,
    setMaxWh: primitives_js_1.WattHour.optional(),
    setMinPFOverExcited: primitives_js_1.PowerFactor.optional(),
    setMinPFUnderExcited: primitives_js_1.PowerFactor.optional(),
    setMinV: primitives_js_1.VoltageRMS.optional(),
    setSoftGradW: primitives_js_1.UInt16.optional(),
    setVNom: primitives_js_1.VoltageRMS.optional(),
    setVRef: primitives_js_1.VoltageRMS.optional(),
    setVRefOfs: primitives_js_1.VoltageRMS.optional(),
    updatedTime: primitives_js_1.TimeType,
});
exports.DERSettingsResource = (0, xml_js_1.resource)('DERSettings', exports.DERSettingsSchema);
exports.parseDERSettings = exports.DERSettingsResource.parse;
exports.serializeDERSettings = exports.DERSettingsResource.serialize;
//# sourceMappingURL=derSettings.js.map