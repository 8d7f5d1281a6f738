"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.serializeFunctionSetAssignmentsList = exports.parseFunctionSetAssignmentsList = exports.FunctionSetAssignmentsListResource = exports.FunctionSetAssignmentsListSchema = exports.FunctionSetAssignmentsResource = exports.FunctionSetAssignmentsSchema = void 0;
/** FunctionSetAssignments(List): FunctionSetAssignmentsBase links, then identified-object fields (sep.xsd 2018). */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const deviceCapability_js_1 = require("./deviceCapability.js");
const primitives_js_1 = require("./primitives.js");
exports.FunctionSetAssignmentsSchema = zod_1.z.object({
    ...primitives_js_1.subscribableAttrs,
    ...deviceCapability_js_1.fsaBaseLinks,
    ...primitives_js_1.identified,
});
exports.FunctionSetAssignmentsResource = (0, xml_js_1.resource)('FunctionSetAssignments', exports.FunctionSetAssignmentsSchema);
exports.FunctionSetAssignmentsListSchema = zod_1.z.object({
    ...primitives_js_1.subscribableListAttrs,
    pollRate: primitives_js_1.UInt32.optional(),
    FunctionSetAssignments: (0, primitives_js_1.list)(exports.FunctionSetAssignmentsSchema),
});
exports.FunctionSetAssignmentsListResource = (0, xml_js_1.resource)('FunctionSetAssignmentsList', exports.FunctionSetAssignmentsListSchema);
exports.parseFunctionSetAssignmentsList = exports.FunctionSetAssignmentsListResource.parse;
exports.serializeFunctionSetAssignmentsList = exports.FunctionSetAssignmentsListResource.serialize;
//# sourceMappingURL=functionSetAssignments.js.map