"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.CommandError = exports.MAX_COMMAND_ID_LENGTH = exports.MAX_COMMAND_BYTES = void 0;
exports.encodePointPayload = encodePointPayload;
exports.decodePointPayload = decodePointPayload;
exports.parseCommandPayload = parseCommandPayload;
exports.encodeCommandResult = encodeCommandResult;
const point_js_1 = require("../../core/point.js");
const errors_js_1 = require("../../core/errors.js");
exports.MAX_COMMAND_BYTES = 4096;
exports.MAX_COMMAND_ID_LENGTH = 128;
function encodePointPayload(p) {
    return JSON.stringify((0, point_js_1.pointToJson)(p));
}
/** Parse an uplink payload back (for subscribers, tests and the Node-RED side); DecodeError when it is not one. */
function decodePointPayload(payload) {
    let v;
    try {
        v = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
    }
    catch (e) {
        const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
        throw new errors_js_1.DecodeError('malformed JSON', m ? Number(m[1]) : 0, 'mqtt');
    }
    if (!isRecord(v) || typeof v.device !== 'string' || typeof v.name !== 'string' || typeof v.quality !== 'string' || typeof v.receiveTime !== 'string') {
        throw new errors_js_1.DecodeError('not a GridBridge point payload (needs device, name, quality, receiveTime)', 0, 'mqtt');
    }
    return v;
}
/** A command payload that cannot be accepted; `field` names the part at fault, `offset` the byte for JSON errors. */
class CommandError extends Error {
    reason;
    field;
    offset;
    constructor(reason, field, offset) {
        super(`${field ? `${field}: ` : ''}${reason}${offset !== undefined ? ` at offset ${offset}` : ''}`);
        this.reason = reason;
        this.field = field;
        this.offset = offset;
        this.name = 'CommandError';
    }
}
exports.CommandError = CommandError;
const decoder = new TextDecoder('utf-8', { fatal: true });
function parseCommandPayload(payload) {
    if (payload.length === 0)
        throw new CommandError('empty payload (expected a JSON value or {"value": …})');
    if (payload.length > exports.MAX_COMMAND_BYTES)
        throw new CommandError(`payload of ${payload.length} bytes exceeds ${exports.MAX_COMMAND_BYTES}`);
    let text;
    try {
        text = decoder.decode(payload);
    }
    catch {
        throw new CommandError('payload is not valid UTF-8');
    }
    let v;
    try {
        v = JSON.parse(text);
    }
    catch (e) {
        const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
        throw new CommandError(`malformed JSON (${e instanceof Error ? e.message : String(e)})`, undefined, m ? Number(m[1]) : undefined);
    }
    if (!isRecord(v))
        return { value: checkValue(v, 'value') };
    for (const k of Object.keys(v)) {
        if (k !== 'value' && k !== 'id' && k !== 'validFor')
            throw new CommandError('unknown field (allowed: value, id, validFor)', k);
    }
    if (!('value' in v))
        throw new CommandError('missing', 'value');
    const out = { value: checkValue(v.value, 'value') };
    if (v.id !== undefined) {
        if (typeof v.id !== 'string' || v.id.length === 0 || v.id.length > exports.MAX_COMMAND_ID_LENGTH) {
            throw new CommandError(`must be a non-empty string of at most ${exports.MAX_COMMAND_ID_LENGTH} characters`, 'id');
        }
        out.id = v.id;
    }
    if (v.validFor !== undefined) {
        if (typeof v.validFor !== 'number' || !Number.isFinite(v.validFor) || v.validFor <= 0) {
            throw new CommandError('must be a positive number of seconds', 'validFor');
        }
        out.validForMs = Math.round(v.validFor * 1000);
    }
    return out;
}
function checkValue(v, field) {
    if (typeof v === 'number') {
        if (!Number.isFinite(v))
            throw new CommandError('number out of range', field);
        return v;
    }
    if (typeof v === 'boolean' || typeof v === 'string')
        return v;
    throw new CommandError(`must be a number, boolean or string, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`, field);
}
function isRecord(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function encodeCommandResult(r, now) {
    const j = {
        id: r.id ?? null,
        ok: r.ok,
        reason: r.reason ?? null,
        value: r.value ?? null,
        ts: new Date(now).toISOString(),
    };
    return JSON.stringify(j);
}
//# sourceMappingURL=codec.js.map