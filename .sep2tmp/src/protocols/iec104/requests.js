"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.COMMAND_KINDS = void 0;
exports.parseCommand = parseCommand;
exports.runAction = runAction;
/** Requests by name (as the probe CLI and the command node take them): parse a command line into a request and run it. */
const constants_js_1 = require("./constants.js");
exports.COMMAND_KINDS = {
    sc: constants_js_1.TypeId.C_SC_NA_1,
    dc: constants_js_1.TypeId.C_DC_NA_1,
    rc: constants_js_1.TypeId.C_RC_NA_1,
    'se-na': constants_js_1.TypeId.C_SE_NA_1,
    'se-nb': constants_js_1.TypeId.C_SE_NB_1,
    'se-nc': constants_js_1.TypeId.C_SE_NC_1,
    se: constants_js_1.TypeId.C_SE_NC_1,
    bo: constants_js_1.TypeId.C_BO_NA_1,
};
/** `sc 5000 on` → a CommandSpec, or an error message. */
function parseCommand(kind, ioaText, valueText) {
    const typeId = exports.COMMAND_KINDS[kind];
    if (typeId === undefined)
        return `unknown command kind "${kind}" (use ${Object.keys(exports.COMMAND_KINDS).join(', ')})`;
    const ioa = Number(ioaText);
    if (!Number.isInteger(ioa) || ioa < 0 || ioa > 0xffffff)
        return `IOA "${ioaText ?? ''}" is not 0..16777215`;
    if (valueText === undefined)
        return 'a value is needed';
    const v = valueText.toLowerCase();
    let value;
    switch (typeId) {
        case constants_js_1.TypeId.C_SC_NA_1:
            if (['on', '1', 'true', 'close'].includes(v))
                value = true;
            else if (['off', '0', 'false', 'open'].includes(v))
                value = false;
            else
                return `single command value "${valueText}" is not on/off`;
            break;
        case constants_js_1.TypeId.C_DC_NA_1:
            if (['on', '2', 'close'].includes(v))
                value = 2;
            else if (['off', '1', 'open'].includes(v))
                value = 1;
            else
                return `double command value "${valueText}" is not on/off (2/1)`;
            break;
        case constants_js_1.TypeId.C_RC_NA_1:
            if (['higher', 'up', '2'].includes(v))
                value = 2;
            else if (['lower', 'down', '1'].includes(v))
                value = 1;
            else
                return `regulating step "${valueText}" is not higher/lower`;
            break;
        default: {
            const n = v.startsWith('0x') ? parseInt(v, 16) : Number(v);
            if (!Number.isFinite(n))
                return `value "${valueText}" is not a number`;
            if (typeId === constants_js_1.TypeId.C_SE_NA_1 && (n < -1 || n >= 1))
                return 'normalized setpoint must be in -1 .. <1';
            if (typeId === constants_js_1.TypeId.C_SE_NB_1 && (!Number.isInteger(n) || n < -32768 || n > 32767))
                return 'scaled setpoint must be an int16';
            if (typeId === constants_js_1.TypeId.C_BO_NA_1 && (!Number.isInteger(n) || n < 0 || n > 0xffffffff))
                return 'bitstring must be 0..0xFFFFFFFF';
            value = n;
        }
    }
    return { typeId, ioa, value };
}
async function runAction(client, ca, a) {
    switch (a.kind) {
        case 'gi':
            return client.interrogate(ca, a.group ? 20 + a.group : 20);
        case 'ci':
            return client.counterInterrogate(ca, a.group ?? 5, a.freeze);
        case 'cs':
            return client.clockSync(ca, a.time);
        case 'rd':
            return client.read(a.ioa, ca);
        case 'cmd':
            return client.command({ ...a.spec, ca });
    }
}
//# sourceMappingURL=requests.js.map