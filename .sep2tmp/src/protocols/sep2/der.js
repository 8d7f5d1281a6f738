"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.serializeDERList = exports.parseDERList = exports.DERListResource = exports.DERListSchema = exports.DERResource = exports.DERSchema = void 0;
/** DER and DERList: links to a DER's capability, settings, status and availability. */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const primitives_js_1 = require("./primitives.js");
exports.DERSchema = zod_1.z.object({
    ...primitives_js_1.subscribableAttrs,
    AssociatedDERProgramListLink: primitives_js_1.ListLink.optional(),
    AssociatedUsagePointLink: primitives_js_1.Link.optional(),
    CurrentDERProgramLink: primitives_js_1.Link.optional(),
    DERAvailabilityLink: primitives_js_1.Link.optional(),
    DERCapabilityLink: primitives_js_1.Link.optional(),
    DERSettingsLink: primitives_js_1.Link.optional(),
    DERStatusLink: primitives_js_1.Link.optional(),
});
exports.DERResource = (0, xml_js_1.resource)('DER', exports.DERSchema);
exports.DERListSchema = zod_1.z.object({
    ...primitives_js_1.listAttrs,
    pollRate: primitives_js_1.UInt32.optional(),
    DER: (0, primitives_js_1.list)(exports.DERSchema),
});
exports.DERListResource = (0, xml_js_1.resource)('DERList', exports.DERListSchema);
exports.parseDERList = exports.DERListResource.parse;
exports.serializeDERList = exports.DERListResource.serialize;
//# sourceMappingURL=der.js.map