"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.serializeEndDeviceList = exports.parseEndDeviceList = exports.EndDeviceListResource = exports.EndDeviceListSchema = exports.serializeEndDevice = exports.parseEndDevice = exports.EndDeviceResource = exports.EndDeviceSchema = void 0;
/** EndDevice and EndDeviceList (AbstractDevice elements first, then EndDevice's, sep.xsd 2018). */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const primitives_js_1 = require("./primitives.js");
exports.EndDeviceSchema = zod_1.z.object({
    ...primitives_js_1.subscribableAttrs,
    ConfigurationLink: primitives_js_1.Link.optional(),
    DERListLink: primitives_js_1.ListLink.optional(),
    deviceCategory: primitives_js_1.HexBinary32.optional(),
    DeviceInformationLink: primitives_js_1.Link.optional(),
    DeviceStatusLink: primitives_js_1.Link.optional(),
    FileStatusLink: primitives_js_1.Link.optional(),
    IPInterfaceListLink: primitives_js_1.ListLink.optional(),
    lFDI: primitives_js_1.HexBinary160.optional(),
    LoadShedAvailabilityListLink: primitives_js_1.ListLink.optional(),
    LogEventListLink: primitives_js_1.ListLink.optional(),
    PowerStatusLink: primitives_js_1.Link.optional(),
    sFDI: primitives_js_1.UInt40,
    changedTime: primitives_js_1.TimeType.optional(),
    enabled: primitives_js_1.Bool.optional(),
    FlowReservationRequestListLink: primitives_js_1.ListLink.optional(),
    FlowReservationResponseListLink: primitives_js_1.ListLink.optional(),
    FunctionSetAssignmentsListLink: primitives_js_1.ListLink.optional(),
    postRate: primitives_js_1.UInt32.optional(),
    RegistrationLink: primitives_js_1.Link.optional(),
    SubscriptionListLink: primitives_js_1.ListLink.optional(),
});
exports.EndDeviceResource = (0, xml_js_1.resource)('EndDevice', exports.EndDeviceSchema);
exports.parseEndDevice = exports.EndDeviceResource.parse;
exports.serializeEndDevice = exports.EndDeviceResource.serialize;
exports.EndDeviceListSchema = zod_1.z.object({
    ...primitives_js_1.subscribableListAttrs,
    pollRate: primitives_js_1.UInt32.optional(),
    EndDevice: (0, primitives_js_1.list)(exports.EndDeviceSchema),
});
exports.EndDeviceListResource = (0, xml_js_1.resource)('EndDeviceList', exports.EndDeviceListSchema);
exports.parseEndDeviceList = exports.EndDeviceListResource.parse;
exports.serializeEndDeviceList = exports.EndDeviceListResource.serialize;
//# sourceMappingURL=endDevice.js.map