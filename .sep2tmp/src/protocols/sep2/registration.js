"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.serializeRegistration = exports.parseRegistration = exports.RegistrationResource = exports.RegistrationSchema = void 0;
exports.pinIsValid = pinIsValid;
/** Registration: the out-of-band PIN the client checks before trusting the server's EndDevice. */
const zod_1 = require("zod");
const xml_js_1 = require("./xml.js");
const primitives_js_1 = require("./primitives.js");
exports.RegistrationSchema = zod_1.z.object({
    ...primitives_js_1.resourceAttrs,
    pollRate: primitives_js_1.UInt32.optional(),
    dateTimeRegistered: primitives_js_1.TimeType,
    pIN: primitives_js_1.UInt32,
});
exports.RegistrationResource = (0, xml_js_1.resource)('Registration', exports.RegistrationSchema);
exports.parseRegistration = exports.RegistrationResource.parse;
exports.serializeRegistration = exports.RegistrationResource.serialize;
/** A PIN's last digit is a check digit (same rule as SFDI): the digit sum is ≡ 0 mod 10. */
function pinIsValid(pin) {
    if (!Number.isInteger(pin) || pin < 0)
        return false;
    let sum = 0;
    for (const c of String(pin))
        sum += c.charCodeAt(0) - 48;
    return sum % 10 === 0;
}
//# sourceMappingURL=registration.js.map