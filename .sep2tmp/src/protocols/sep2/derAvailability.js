"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.serializeDERAvailability = exports.parseDERAvailability = exports.DERAvailabilityResource = exports.DERAvailabilitySchema = void 0;
/** DERAvailability: what the DER can still deliver (sep.xsd 2018 order). */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const primitives_js_1 = require("./primitives.js");
exports.DERAvailabilitySchema = zod_1.z.object({
    ...primitives_js_1.subscribableAttrs,
    availabilityDuration: primitives_js_1.UInt32.optional(),
    maxChargeDuration: primitives_js_1.UInt32.optional(),
    readingTime: primitives_js_1.TimeType,
    reserveChargePercent: primitives_js_1.PerCent.optional(),
    reservePercent: primitives_js_1.PerCent.optional(),
    statVarAvail: primitives_js_1.ReactivePower.optional(),
    statWAvail: primitives_js_1.ActivePower.optional(),
});
exports.DERAvailabilityResource = (0, xml_js_1.resource)('DERAvailability', exports.DERAvailabilitySchema);
exports.parseDERAvailability = exports.DERAvailabilityResource.parse;
exports.serializeDERAvailability = exports.DERAvailabilityResource.serialize;
//# sourceMappingURL=derAvailability.js.map