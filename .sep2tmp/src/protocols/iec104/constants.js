"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.QOI_STATION = exports.Cot = exports.TypeId = void 0;
exports.typeName = typeName;
exports.typeIdOf = typeIdOf;
exports.isMonitorType = isMonitorType;
exports.isCommandType = isCommandType;
exports.withoutTime = withoutTime;
exports.withTime = withTime;
/**
 * IEC 60870-5-101/104 identifiers: type identifications (IEC 60870-5-101 §7.2.1.1 table 8 and 9, as profiled by
 * IEC 60870-5-104 §8) and causes of transmission (IEC 60870-5-101 §7.2.3).
 */
exports.TypeId = {
    M_SP_NA_1: 1,
    M_DP_NA_1: 3,
    M_ST_NA_1: 5,
    M_BO_NA_1: 7,
    M_ME_NA_1: 9,
    M_ME_NB_1: 11,
    M_ME_NC_1: 13,
    M_IT_NA_1: 15,
    M_ME_ND_1: 21,
    M_SP_TB_1: 30,
    M_DP_TB_1: 31,
    M_ST_TB_1: 32,
    M_BO_TB_1: 33,
    M_ME_TD_1: 34,
    M_ME_TE_1: 35,
    M_ME_TF_1: 36,
    M_IT_TB_1: 37,
    M_EP_TD_1: 38,
    C_SC_NA_1: 45,
    C_DC_NA_1: 46,
    C_RC_NA_1: 47,
    C_SE_NA_1: 48,
    C_SE_NB_1: 49,
    C_SE_NC_1: 50,
    C_BO_NA_1: 51,
    C_SC_TA_1: 58,
    C_DC_TA_1: 59,
    C_RC_TA_1: 60,
    C_SE_TA_1: 61,
    C_SE_TB_1: 62,
    C_SE_TC_1: 63,
    C_BO_TA_1: 64,
    M_EI_NA_1: 70,
    C_IC_NA_1: 100,
    C_CI_NA_1: 101,
    C_RD_NA_1: 102,
    C_CS_NA_1: 103,
    C_RP_NA_1: 105,
    C_TS_TA_1: 107,
};
const byId = new Map();
for (const [k, v] of Object.entries(exports.TypeId))
    byId.set(v, k);
function typeName(id) {
    return byId.get(id);
}
function typeIdOf(name) {
    return Object.hasOwn(exports.TypeId, name) ? exports.TypeId[name] : undefined;
}
exports.Cot = {
    PERIODIC: 1,
    BACKGROUND: 2,
    SPONTANEOUS: 3,
    INITIALIZED: 4,
    REQUEST: 5,
    ACTIVATION: 6,
    ACTIVATION_CON: 7,
    DEACTIVATION: 8,
    DEACTIVATION_CON: 9,
    ACTIVATION_TERMINATION: 10,
    RETURN_REMOTE: 11,
    RETURN_LOCAL: 12,
    INTERROGATED_BY_STATION: 20,
    /** Group n (1..16) interrogation answers use 20 + n. */
    INTERROGATED_BY_GROUP_1: 21,
    REQUESTED_BY_GENERAL_COUNTER: 37,
    /** Counter group n (1..4) answers use 37 + n. */
    REQUESTED_BY_GROUP_1_COUNTER: 38,
    UNKNOWN_TYPE_ID: 44,
    UNKNOWN_COT: 45,
    UNKNOWN_CA: 46,
    UNKNOWN_IOA: 47,
};
/** Qualifier of interrogation (QOI): 20 = station (general) interrogation, 21..36 = group 1..16. */
exports.QOI_STATION = 20;
/** True for monitor-direction process information types (M_*), which a server stores and sends. */
function isMonitorType(id) {
    return id >= 1 && id <= 44;
}
/** True for process command types (single/double/regulating/setpoint/bitstring, with and without time tag). */
function isCommandType(id) {
    return (id >= 45 && id <= 51) || (id >= 58 && id <= 64);
}
/** The monitor type without time tag used in interrogation answers and cyclic data for a time-tagged type. */
function withoutTime(id) {
    switch (id) {
        case exports.TypeId.M_SP_TB_1:
            return exports.TypeId.M_SP_NA_1;
        case exports.TypeId.M_DP_TB_1:
            return exports.TypeId.M_DP_NA_1;
        case exports.TypeId.M_ST_TB_1:
            return exports.TypeId.M_ST_NA_1;
        case exports.TypeId.M_BO_TB_1:
            return exports.TypeId.M_BO_NA_1;
        case exports.TypeId.M_ME_TD_1:
            return exports.TypeId.M_ME_NA_1;
        case exports.TypeId.M_ME_TE_1:
            return exports.TypeId.M_ME_NB_1;
        case exports.TypeId.M_ME_TF_1:
            return exports.TypeId.M_ME_NC_1;
        case exports.TypeId.M_IT_TB_1:
            return exports.TypeId.M_IT_NA_1;
        default:
            return id;
    }
}
/** The time-tagged (CP56Time2a) variant of a type, or the type itself. */
function withTime(id) {
    switch (id) {
        case exports.TypeId.M_SP_NA_1:
            return exports.TypeId.M_SP_TB_1;
        case exports.TypeId.M_DP_NA_1:
            return exports.TypeId.M_DP_TB_1;
        case exports.TypeId.M_ST_NA_1:
            return exports.TypeId.M_ST_TB_1;
        case exports.TypeId.M_BO_NA_1:
            return exports.TypeId.M_BO_TB_1;
        case exports.TypeId.M_ME_NA_1:
            return exports.TypeId.M_ME_TD_1;
        case exports.TypeId.M_ME_NB_1:
            return exports.TypeId.M_ME_TE_1;
        case exports.TypeId.M_ME_NC_1:
        case exports.TypeId.M_ME_ND_1:
            return id === exports.TypeId.M_ME_NC_1 ? exports.TypeId.M_ME_TF_1 : exports.TypeId.M_ME_TD_1;
        case exports.TypeId.M_IT_NA_1:
            return exports.TypeId.M_IT_TB_1;
        case exports.TypeId.C_SC_NA_1:
            return exports.TypeId.C_SC_TA_1;
        case exports.TypeId.C_DC_NA_1:
            return exports.TypeId.C_DC_TA_1;
        case exports.TypeId.C_RC_NA_1:
            return exports.TypeId.C_RC_TA_1;
        case exports.TypeId.C_SE_NA_1:
            return exports.TypeId.C_SE_TA_1;
        case exports.TypeId.C_SE_NB_1:
            return exports.TypeId.C_SE_TB_1;
        case exports.TypeId.C_SE_NC_1:
            return exports.TypeId.C_SE_TC_1;
        case exports.TypeId.C_BO_NA_1:
            return exports.TypeId.C_BO_TA_1;
        default:
            return id;
    }
}
//# sourceMappingURL=constants.js.map