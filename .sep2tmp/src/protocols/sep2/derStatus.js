"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.serializeDERStatus = exports.parseDERStatus = exports.DERStatusResource = exports.DERStatusSchema = void 0;
/** DERStatus: posted once a minute (seed 002: readingTime and stateOfChargeStatus mandatory). */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const primitives_js_1 = require("./primitives.js");
const status = (value) => (0, primitives_js_1.obj)({ dateTime: primitives_js_1.TimeType, value });
exports.DERStatusSchema = zod_1.z.object({
    ...primitives_js_1.subscribableAttrs,
    alarmStatus: primitives_js_1.HexBinary32.optional(),
    genConnectStatus: status(primitives_js_1.HexBinary8).optional(),
    inverterStatus: status(primitives_js_1.UInt8).optional(),
    localControlModeStatus: status(primitives_js_1.UInt8).optional(),
    manufacturerStatus: status((0, primitives_js_1.str)(6)).optional(),
    operationalModeStatus: status(primitives_js_1.UInt8).optional(),
    readingTime: primitives_js_1.TimeType,
    stateOfChargeStatus: status(primitives_js_1.PerCent).optional(),
    storageModeStatus: status(primitives_js_1.UInt8).optional(),
    storConnectStatus: status(primitives_js_1.HexBinary8).optional(),
});
exports.DERStatusResource = (0, xml_js_1.resource)('DERStatus', exports.DERStatusSchema);
exports.parseDERStatus = exports.DERStatusResource.parse;
exports.serializeDERStatus = exports.DERStatusResource.serialize;
//# sourceMappingURL=derStatus.js.map