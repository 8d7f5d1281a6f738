"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.RESPONSE_STATUS = exports.serializeDERControlResponse = exports.parseResponse = exports.DERControlResponseResource = exports.ResponseResource = exports.ResponseSchema = void 0;
/** Response / DERControlResponse posted to an event's replyTo (status codes: IEEE 2030.5 Table 27). */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const primitives_js_1 = require("./primitives.js");
exports.ResponseSchema = zod_1.z.object({
    ...primitives_js_1.resourceAttrs,
    createdDateTime: primitives_js_1.TimeType.optional(),
    endDeviceLFDI: primitives_js_1.HexBinary160,
    status: primitives_js_1.UInt8.optional(),
    subject: primitives_js_1.MRID,
});
exports.ResponseResource = (0, xml_js_1.resource)('Response', exports.ResponseSchema, ['DERControlResponse']);
exports.DERControlResponseResource = (0, xml_js_1.resource)('DERControlResponse', exports.ResponseSchema, ['Response']);
exports.parseResponse = exports.ResponseResource.parse;
exports.serializeDERControlResponse = exports.DERControlResponseResource.serialize;
exports.RESPONSE_STATUS = {
    received: 1,
    started: 2,
    completed: 3,
    optedOut: 4,
    optedIn: 5,
    cancelled: 6,
    superseded: 7,
    abortedServer: 13,
    abortedProgram: 14,
    rejectedNotApplicable: 252,
    rejectedInvalid: 253,
    rejectedLate: 254,
};
//# sourceMappingURL=response.js.map