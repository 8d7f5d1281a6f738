"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.serializeDERProgramList = exports.parseDERProgramList = exports.DERProgramListResource = exports.DERProgramListSchema = exports.DERProgramResource = exports.DERProgramSchema = void 0;
/** DERProgram(List): lower `primacy` wins across programs. */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const primitives_js_1 = require("./primitives.js");
exports.DERProgramSchema = zod_1.z.object({
    ...primitives_js_1.subscribableAttrs,
    ...primitives_js_1.identified,
    ActiveDERControlListLink: primitives_js_1.ListLink.optional(),
    DefaultDERControlLink: primitives_js_1.Link.optional(),
    DERControlListLink: primitives_js_1.ListLink.optional(),
    DERCurveListLink: primitives_js_1.ListLink.optional(),
    primacy: primitives_js_1.PrimacyType,
});
exports.DERProgramResource = (0, xml_js_1.resource)('DERProgram', exports.DERProgramSchema);
exports.DERProgramListSchema = zod_1.z.object({
    ...primitives_js_1.subscribableListAttrs,
    pollRate: primitives_js_1.UInt32.optional(),
    DERProgram: (0, primitives_js_1.list)(exports.DERProgramSchema),
});
exports.DERProgramListResource = (0, xml_js_1.resource)('DERProgramList', exports.DERProgramListSchema);
exports.parseDERProgramList = exports.DERProgramListResource.parse;
exports.serializeDERProgramList = exports.DERProgramListResource.serialize;
//# sourceMappingURL=derProgram.js.map