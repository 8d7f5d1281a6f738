"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.RESOURCES = void 0;
/** Every resource model by root element name (for generic parsing, golden tests and the test server). */
const deviceCapability_js_1 = require("./deviceCapability.js");
const time_js_1 = require("./time.js");
const endDevice_js_1 = require("./endDevice.js");
const registration_js_1 = require("./registration.js");
const functionSetAssignments_js_1 = require("./functionSetAssignments.js");
const derProgram_js_1 = require("./derProgram.js");
const derControl_js_1 = require("./derControl.js");
const derCurve_js_1 = require("./derCurve.js");
const der_js_1 = require("./der.js");
const derCapability_js_1 = require("./derCapability.js");
const derSettings_js_1 = require("./derSettings.js");
const derStatus_js_1 = require("./derStatus.js");
const derAvailability_js_1 = require("./derAvailability.js");
const mirrorUsagePoint_js_1 = require("./mirrorUsagePoint.js");
const mirrorMeterReading_js_1 = require("./mirrorMeterReading.js");
const response_js_1 = require("./response.js");
exports.RESOURCES = Object.fromEntries([
    deviceCapability_js_1.DeviceCapabilityResource,
    time_js_1.TimeResource,
    endDevice_js_1.EndDeviceResource,
    endDevice_js_1.EndDeviceListResource,
    registration_js_1.RegistrationResource,
    functionSetAssignments_js_1.FunctionSetAssignmentsResource,
    functionSetAssignments_js_1.FunctionSetAssignmentsListResource,
    derProgram_js_1.DERProgramResource,
    derProgram_js_1.DERProgramListResource,
    derControl_js_1.DERControlResource,
    derControl_js_1.DERControlListResource,
    derControl_js_1.DefaultDERControlResource,
    derCurve_js_1.DERCurveResource,
    derCurve_js_1.DERCurveListResource,
    der_js_1.DERResource,
    der_js_1.DERListResource,
    derCapability_js_1.DERCapabilityResource,
    derSettings_js_1.DERSettingsResource,
    derStatus_js_1.DERStatusResource,
    derAvailability_js_1.DERAvailabilityResource,
    mirrorUsagePoint_js_1.MirrorUsagePointResource,
    mirrorUsagePoint_js_1.MirrorUsagePointListResource,
    mirrorMeterReading_js_1.MirrorMeterReadingResource,
    mirrorMeterReading_js_1.MirrorMeterReadingListResource,
    response_js_1.ResponseResource,
    response_js_1.DERControlResponseResource,
].map((r) => [r.name, r]));
//# sourceMappingURL=resources.js.map