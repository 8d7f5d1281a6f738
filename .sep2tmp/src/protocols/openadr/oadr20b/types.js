"use strict";
/**
 * Typed OpenADR 2.0b payloads (B profile). Times are epoch ms, durations seconds. Field order and optionality follow
 * oadr_20b.xsd / oadr_ei_20b.xsd of the 2.0b schema set.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.OadrStatus = void 0;
exports.serviceFor = serviceFor;
/** OpenADR 2.0b application-layer response codes (2.0b profile specification, response codes table). */
exports.OadrStatus = {
    OK: 200,
    OUT_OF_SEQUENCE: 450,
    NOT_ALLOWED: 451,
    INVALID_ID: 452,
    NOT_RECOGNIZED: 453,
    INVALID_DATA: 454,
    COMPLIANCE_ERROR: 459,
    SIGNAL_NOT_SUPPORTED: 460,
    REPORT_NOT_SUPPORTED: 461,
    TARGET_MISMATCH: 462,
    NOT_REGISTERED_OR_AUTHORIZED: 463,
    DEPLOYMENT_ERROR_OTHER: 469,
};
function serviceFor(type) {
    if (/Registration|Reregistration/.test(type))
        return 'EiRegisterParty';
    if (type === 'oadrPoll')
        return 'OadrPoll';
    if (/Event/.test(type))
        return 'EiEvent';
    if (/Opt/.test(type))
        return 'EiOpt';
    if (/Report/.test(type))
        return 'EiReport';
    return 'OadrPoll';
}
//# sourceMappingURL=types.js.map