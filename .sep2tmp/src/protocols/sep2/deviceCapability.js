"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.serializeDeviceCapability = exports.parseDeviceCapability = exports.DeviceCapabilityResource = exports.DeviceCapabilitySchema = exports.fsaBaseLinks = void 0;
/** DeviceCapability (`/dcap`): the discovery root. Element order: FunctionSetAssignmentsBase then own (sep.xsd 2018). */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const primitives_js_1 = require("./primitives.js");
/** FunctionSetAssignmentsBase links in XSD order (shared with FunctionSetAssignments). */
exports.fsaBaseLinks = {
    CustomerAccountListLink: primitives_js_1.ListLink.optional(),
    DemandResponseProgramListLink: primitives_js_1.ListLink.optional(),
    DERProgramListLink: primitives_js_1.ListLink.optional(),
    FileListLink: primitives_js_1.ListLink.optional(),
    MessagingProgramListLink: primitives_js_1.ListLink.optional(),
    PrepaymentListLink: primitives_js_1.ListLink.optional(),
    ResponseSetListLink: primitives_js_1.ListLink.optional(),
    TariffProfileListLink: primitives_js_1.ListLink.optional(),
    TimeLink: primitives_js_1.Link.optional(),
    UsagePointListLink: primitives_js_1.ListLink.optional(),
};
exports.DeviceCapabilitySchema = zod_1.z.object({
    ...primitives_js_1.resourceAttrs,
    pollRate: primitives_js_1.UInt32.optional(),
    ...exports.fsaBaseLinks,
    EndDeviceListLink: primitives_js_1.ListLink.optional(),
    MirrorUsagePointListLink: primitives_js_1.ListLink.optional(),
    SelfDeviceLink: primitives_js_1.Link.optional(),
});
exports.DeviceCapabilityResource = (0, xml_js_1.resource)('DeviceCapability', exports.DeviceCapabilitySchema);
exports.parseDeviceCapability = exports.DeviceCapabilityResource.parse;
exports.serializeDeviceCapability = exports.DeviceCapabilityResource.serialize;
//# sourceMappingURL=deviceCapability.js.map