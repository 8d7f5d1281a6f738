"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.serializeTime = exports.parseTime = exports.TimeResource = exports.TimeSchema = void 0;
/** Time: the server clock (clients keep an offset to it) and local-time rules. */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const primitives_js_1 = require("./primitives.js");
exports.TimeSchema = zod_1.z.object({
    ...primitives_js_1.resourceAttrs,
    pollRate: primitives_js_1.UInt32.optional(),
    currentTime: primitives_js_1.TimeType,
    dstEndTime: primitives_js_1.TimeType,
    dstOffset: primitives_js_1.Int32,
    dstStartTime: primitives_js_1.TimeType,
    localTime: primitives_js_1.TimeType.optional(),
    quality: primitives_js_1.UInt8,
    tzOffset: primitives_js_1.Int32,
});
exports.TimeResource = (0, xml_js_1.resource)('Time', exports.TimeSchema);
exports.parseTime = exports.TimeResource.parse;
exports.serializeTime = exports.TimeResource.serialize;
//# sourceMappingURL=time.js.map