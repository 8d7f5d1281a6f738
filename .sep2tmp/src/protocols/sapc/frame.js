"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.FieldError = exports.SOURCE_CODES = exports.NAK_REASONS = exports.FRAME_TYPES = exports.MAX_SEQ = exports.MAX_RANDOM_DELAY_S = exports.MAX_WINDOW_MS = exports.MAX_TEXT_CHARS = exports.MAX_FRAME_BYTES = exports.SSP_VERSION = void 0;
exports.formatTime = formatTime;
exports.parseTime = parseTime;
exports.escapeText = escapeText;
exports.unescapeText = unescapeText;
exports.frameBody = frameBody;
exports.wrapBody = wrapBody;
exports.encodeFrame = encodeFrame;
exports.parseRaw = parseRaw;
exports.rawSeq = rawSeq;
exports.decodeFrame = decodeFrame;
exports.decodeText = decodeText;
exports.checkCommandWindow = checkCommandWindow;
/**
 * SSP-1 frames (GridBridge SAPC serial protocol, version 1; specification in docs/sapc-ssp1.md).
 *
 *   $1,TYPE,SEQ,key=value,…*CRC\r\n
 *
 * Two stages: `parseRaw` checks framing and CRC only (errors there are dropped and counted, never answered);
 * `decodeFrame` turns a CRC-valid raw frame into a typed frame or a `FieldError` carrying the NAK reason to answer.
 */
const errors_js_1 = require("../../core/errors.js");
const crc_js_1 = require("./crc.js");
exports.SSP_VERSION = '1';
exports.MAX_FRAME_BYTES = 200;
exports.MAX_TEXT_CHARS = 64;
exports.MAX_WINDOW_MS = 24 * 3600_000;
exports.MAX_RANDOM_DELAY_S = 1800;
exports.MAX_SEQ = 65535;
exports.FRAME_TYPES = ['CMD', 'CAN', 'ACK', 'NAK', 'HB', 'STQ', 'STA'];
exports.NAK_REASONS = [
    'LEVEL_RANGE', // lvl not an integer 0..100
    'WINDOW_TOO_LONG', // to - from > 24 h
    'WINDOW_PAST', // to <= receiver's now
    'WINDOW_ORDER', // to <= from
    'UNKNOWN_SOURCE', // src not LC/SUP/OWN/AGG
    'UNKNOWN_TYPE', // TYPE not defined by this version
    'VERSION', // version field is not "1"
    'MISSING_FIELD', // a mandatory key is absent (fld= names it)
    'BAD_FIELD', // a value has the wrong syntax, or a key repeats (fld= names it)
    'RANDOM_RANGE', // rnd > 1800 s
    'TEXT_TOO_LONG', // txt > 64 characters
    'SLOT', // controller slot not configured at the receiver
    'NOT_FOUND', // CAN for an unknown event id
    'REJECTED', // receiver's arbiter refused the intent (txt= says why)
];
exports.SOURCE_CODES = { LC: 'load_controller', SUP: 'supplier', OWN: 'owner', AGG: 'aggregator' };
const SOURCE_TO_CODE = { load_controller: 'LC', supplier: 'SUP', owner: 'OWN', aggregator: 'AGG' };
const DIR_CODES = { IMP: 'import', EXP: 'export' };
const DIR_TO_CODE = { import: 'IMP', export: 'EXP' };
const ACK_STATES = ['applied', 'scheduled', 'duplicate', 'cancelled'];
/** A CRC-valid frame whose fields are wrong: answered with NAK `reason` (seq undefined when unreadable). */
class FieldError extends errors_js_1.DecodeError {
    nak;
    field;
    seq;
    constructor(nak, field, offset, seq, detail) {
        super(`${nak}${field ? ` (${field})` : ''}${detail ? `: ${detail}` : ''}`, offset, 'sapc');
        this.nak = nak;
        this.field = field;
        this.seq = seq;
        this.name = 'FieldError';
    }
}
exports.FieldError = FieldError;
// ---------------------------------------------------------------- text helpers
/** `YYYYMMDDTHHMMSSZ`, UTC, whole seconds. */
function formatTime(ms) {
    const d = new Date(Math.floor(ms / 1000) * 1000);
    const p = (n, w = 2) => String(n).padStart(w, '0');
    return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}
function parseTime(s) {
    if (s.length !== 16 || s.charCodeAt(8) !== 0x54 /* T */ || s.charCodeAt(15) !== 0x5a /* Z */)
        return undefined;
    const num = (from, len) => {
        let v = 0;
        for (let k = from; k < from + len; k++) {
            const c = s.charCodeAt(k) - 48;
            if (c < 0 || c > 9)
                return -1;
            v = v * 10 + c;
        }
        return v;
    };
    const y = num(0, 4);
    const mo = num(4, 2);
    const d = num(6, 2);
    const h = num(9, 2);
    const mi = num(11, 2);
    const se = num(13, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59)
        return undefined;
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
    if (d > days)
        return undefined;
    return Date.UTC(y, mo - 1, d, h, mi, se);
}
const RESERVED = /[$*,=%\r\n]/g;
/** Percent-encode the characters that delimit SSP-1 (`$ * , = %` and line ends) in free text. */
function escapeText(s) {
    return s.replace(RESERVED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
function unescapeText(s) {
    if (/%(?![0-9A-Fa-f]{2})/.test(s))
        return undefined;
    return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}
const EVENT_ID = /^[A-Za-z0-9._:-]{1,32}$/;
// ---------------------------------------------------------------- encode
function fieldsOf(f) {
    switch (f.type) {
        case 'CMD': {
            const c = f.command;
            const out = [
                ['slot', String(c.slot)],
                ['dir', DIR_TO_CODE[c.direction]],
                ['lvl', String(c.level)],
                ['src', SOURCE_TO_CODE[c.source] ?? String(c.source)],
            ];
            if (c.validFrom !== undefined)
                out.push(['from', formatTime(c.validFrom)]);
            out.push(['to', formatTime(c.validTo)], ['rnd', String(c.randomDelayS)], ['rz', c.randomised ? '1' : '0']);
            out.push(['evt', c.eventId], ['ts', formatTime(c.timestamp)]);
            if (c.text !== undefined)
                out.push(['txt', escapeText(c.text)]);
            return out;
        }
        case 'CAN': {
            const out = [['evt', f.eventId], ['src', SOURCE_TO_CODE[f.source]]];
            if (f.slot !== undefined)
                out.push(['slot', String(f.slot)]);
            return out;
        }
        case 'ACK': {
            const out = [];
            if (f.state)
                out.push(['st', f.state]);
            if (f.eventId)
                out.push(['evt', f.eventId]);
            return out;
        }
        case 'NAK': {
            const out = [['rsn', f.reason]];
            if (f.field)
                out.push(['fld', f.field]);
            if (f.text !== undefined)
                out.push(['txt', escapeText(f.text.slice(0, exports.MAX_TEXT_CHARS))]);
            return out;
        }
        case 'HB': {
            const out = [['ts', formatTime(f.timestamp)]];
            if (f.uptimeS !== undefined)
                out.push(['up', String(Math.floor(f.uptimeS))]);
            return out;
        }
        case 'STQ':
            return f.slot !== undefined ? [['slot', String(f.slot)]] : [];
        case 'STA': {
            const out = [
                ['slot', String(f.slot)],
                ['dir', DIR_TO_CODE[f.direction]],
                ['lvl', String(f.level)],
            ];
            if (f.source)
                out.push(['src', f.source === 'local' ? 'LOC' : SOURCE_TO_CODE[f.source]]);
            if (f.eventId)
                out.push(['evt', f.eventId]);
            if (f.validTo !== undefined)
                out.push(['to', formatTime(f.validTo)]);
            out.push(['ts', formatTime(f.timestamp)]);
            return out;
        }
    }
}
/** The bytes between `$` and `*` for a frame. */
function frameBody(f) {
    const parts = [exports.SSP_VERSION, f.type, String(f.seq), ...fieldsOf(f).map(([k, v]) => `${k}=${v}`)];
    return parts.join(',');
}
/** Wrap an arbitrary body (bytes between `$` and `*`) into a frame with its CRC; used by tests and `sapc send --raw`. */
function wrapBody(body) {
    return `$${body}*${(0, crc_js_1.crcHex)((0, crc_js_1.crc16arc)(body))}\r\n`;
}
/** Encode a frame to its wire text (with CRLF). Throws RangeError when the result would exceed 200 bytes. */
function encodeFrame(f) {
    const body = frameBody(f);
    const text = `$${body}*${(0, crc_js_1.crcHex)((0, crc_js_1.crc16arc)(body))}\r\n`;
    if (text.length > exports.MAX_FRAME_BYTES)
        throw new RangeError(`SSP-1 frame of ${text.length} bytes exceeds ${exports.MAX_FRAME_BYTES}`);
    return text;
}
// ---------------------------------------------------------------- parse (framing + CRC)
/**
 * Check framing and CRC of one frame text (starting with `$`, without line end). Errors are DecodeErrors with
 * the offset; reason starts with `crc`, `syntax` or `overlong` so the framer can count them.
 */
function parseRaw(text) {
    if (text.length + 2 > exports.MAX_FRAME_BYTES)
        throw new errors_js_1.DecodeError(`overlong frame (${text.length + 2} > ${exports.MAX_FRAME_BYTES} bytes)`, exports.MAX_FRAME_BYTES, 'sapc');
    if (text[0] !== '$')
        throw new errors_js_1.DecodeError('syntax: frame must start with $', 0, 'sapc');
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c < 0x20 || c > 0x7e)
            throw new errors_js_1.DecodeError(`syntax: byte 0x${c.toString(16).padStart(2, '0')} not allowed`, i, 'sapc');
    }
    const star = text.lastIndexOf('*');
    if (star < 0)
        throw new errors_js_1.DecodeError('syntax: missing *CRC', text.length, 'sapc');
    const crcText = text.slice(star + 1);
    if (!/^[0-9A-Fa-f]{4}$/.test(crcText))
        throw new errors_js_1.DecodeError('syntax: CRC must be 4 hex digits', star + 1, 'sapc');
    const body = text.slice(1, star);
    const want = parseInt(crcText, 16);
    const got = (0, crc_js_1.crc16arc)(body);
    if (want !== got)
        throw new errors_js_1.DecodeError(`crc mismatch: frame says ${crcText}, computed ${(0, crc_js_1.crcHex)(got)}`, star + 1, 'sapc');
    const parts = body.split(',');
    const offsets = [];
    let at = 1;
    const fields = [];
    for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        if (i >= 3) {
            const eq = part.indexOf('=');
            const key = eq < 0 ? part : part.slice(0, eq);
            fields.push([key, eq < 0 ? '' : part.slice(eq + 1)]);
            offsets.push(eq < 0 ? at : at + eq + 1);
            if (eq < 0 || !/^[a-z]{1,8}$/.test(key))
                throw new errors_js_1.DecodeError(`syntax: field "${part.slice(0, 16)}" is not key=value`, at, 'sapc');
        }
        at += part.length + 1;
    }
    if (parts.length < 3)
        throw new errors_js_1.DecodeError('syntax: need version, type and sequence', 1, 'sapc');
    return { version: parts[0], type: parts[1], seqText: parts[2], fields, offsets, crc: got, text };
}
// ---------------------------------------------------------------- decode (fields)
class Fields {
    seq;
    map = new Map();
    constructor(raw, seq) {
        this.seq = seq;
        raw.fields.forEach(([k, v], i) => {
            const offset = raw.offsets[i] ?? 0;
            if (this.map.has(k))
                throw new FieldError('BAD_FIELD', k, offset, seq, 'key repeats');
            this.map.set(k, { value: v, offset });
        });
    }
    opt(key) {
        return this.map.get(key);
    }
    req(key) {
        const f = this.map.get(key);
        if (!f)
            throw new FieldError('MISSING_FIELD', key, 0, this.seq);
        return f;
    }
    bad(key, f, detail, reason = 'BAD_FIELD') {
        throw new FieldError(reason, key, f.offset, this.seq, detail);
    }
    int(key, f, max, reason = 'BAD_FIELD') {
        if (!/^\d{1,6}$/.test(f.value))
            this.bad(key, f, 'not a decimal integer');
        const n = Number(f.value);
        if (n > max)
            this.bad(key, f, `${n} > ${max}`, reason);
        return n;
    }
    time(key, f) {
        const t = parseTime(f.value);
        if (t === undefined)
            this.bad(key, f, 'not YYYYMMDDTHHMMSSZ');
        return t;
    }
    slot(key = 'slot', f = this.req(key)) {
        const n = this.int(key, f, 15);
        if (n < 1)
            this.bad(key, f, 'slot must be 1..15');
        return n;
    }
    dir() {
        const f = this.req('dir');
        return DIR_CODES[f.value] ?? this.bad('dir', f, 'expected IMP or EXP');
    }
    source() {
        const f = this.req('src');
        return exports.SOURCE_CODES[f.value] ?? this.bad('src', f, `unknown source "${f.value.slice(0, 8)}"`, 'UNKNOWN_SOURCE');
    }
    eventId(required) {
        const f = required ? this.req('evt') : this.opt('evt');
        if (!f)
            return undefined;
        if (!EVENT_ID.test(f.value))
            this.bad('evt', f, 'event id must be 1..32 of [A-Za-z0-9._:-]');
        return f.value;
    }
    text() {
        const f = this.opt('txt');
        if (!f)
            return undefined;
        const t = unescapeText(f.value);
        if (t === undefined)
            this.bad('txt', f, 'bad % escape');
        if (t.length > exports.MAX_TEXT_CHARS)
            this.bad('txt', f, `${t.length} > ${exports.MAX_TEXT_CHARS} characters`, 'TEXT_TOO_LONG');
        return t;
    }
}
/** The sequence number of a raw frame, or undefined when it is unreadable. */
function rawSeq(raw) {
    if (!/^\d{1,5}$/.test(raw.seqText))
        return undefined;
    const n = Number(raw.seqText);
    return n <= exports.MAX_SEQ ? n : undefined;
}
/** Decode the fields of a CRC-valid raw frame. Throws FieldError (with the NAK reason) on bad fields. */
function decodeFrame(raw) {
    const seq = rawSeq(raw);
    const typeOffset = 1 + raw.version.length + 1;
    if (raw.version !== exports.SSP_VERSION)
        throw new FieldError('VERSION', 'version', 1, seq, `version "${raw.version.slice(0, 8)}" not supported`);
    if (seq === undefined)
        throw new FieldError('BAD_FIELD', 'seq', typeOffset + raw.type.length + 1, undefined, 'sequence must be 0..65535');
    if (!exports.FRAME_TYPES.includes(raw.type))
        throw new FieldError('UNKNOWN_TYPE', 'type', typeOffset, seq, `type "${raw.type.slice(0, 8)}"`);
    const f = new Fields(raw, seq);
    const type = raw.type;
    switch (type) {
        case 'CMD': {
            const slot = f.slot();
            const direction = f.dir();
            const lf = f.req('lvl');
            const level = f.int('lvl', lf, 999_999);
            if (level > 100)
                f.bad('lvl', lf, `${level} > 100`, 'LEVEL_RANGE');
            const source = f.source();
            const ff = f.opt('from');
            const validFrom = ff ? f.time('from', ff) : undefined;
            const validTo = f.time('to', f.req('to'));
            const rf = f.opt('rnd');
            const randomDelayS = rf ? f.int('rnd', rf, exports.MAX_RANDOM_DELAY_S, 'RANDOM_RANGE') : 0;
            const zf = f.opt('rz');
            if (zf && zf.value !== '0' && zf.value !== '1')
                f.bad('rz', zf, 'expected 0 or 1');
            const eventId = f.eventId(true);
            const timestamp = f.time('ts', f.req('ts'));
            const text = f.text();
            const command = { slot, direction, level, source, validTo, randomDelayS, randomised: zf?.value === '1', eventId, timestamp };
            if (validFrom !== undefined)
                command.validFrom = validFrom;
            if (text !== undefined)
                command.text = text;
            return { type, seq, command };
        }
        case 'CAN': {
            const eventId = f.eventId(true);
            const source = f.source();
            const sf = f.opt('slot');
            return sf ? { type, seq, eventId, source, slot: f.slot('slot', sf) } : { type, seq, eventId, source };
        }
        case 'ACK': {
            const out = { type, seq };
            const st = f.opt('st');
            if (st)
                out.state = ACK_STATES.includes(st.value) ? st.value : f.bad('st', st, 'unknown state');
            const evt = f.eventId(false);
            if (evt !== undefined)
                out.eventId = evt;
            return out;
        }
        case 'NAK': {
            const rf = f.req('rsn');
            const reason = exports.NAK_REASONS.includes(rf.value) ? rf.value : f.bad('rsn', rf, 'unknown reason');
            const out = { type, seq, reason };
            const fld = f.opt('fld');
            if (fld)
                out.field = fld.value;
            const text = f.text();
            if (text !== undefined)
                out.text = text;
            return out;
        }
        case 'HB': {
            const out = { type, seq, timestamp: f.time('ts', f.req('ts')) };
            const up = f.opt('up');
            if (up)
                out.uptimeS = f.int('up', up, 999_999_999);
            return out;
        }
        case 'STQ': {
            const sf = f.opt('slot');
            return sf ? { type, seq, slot: f.slot('slot', sf) } : { type, seq };
        }
        case 'STA': {
            const slot = f.slot();
            const direction = f.dir();
            const lf = f.req('lvl');
            const level = f.int('lvl', lf, 100, 'LEVEL_RANGE');
            const out = { type, seq, slot, direction, level, timestamp: 0 };
            const sf = f.opt('src');
            if (sf)
                out.source = sf.value === 'LOC' ? 'local' : f.source();
            const evt = f.eventId(false);
            if (evt !== undefined)
                out.eventId = evt;
            const tf = f.opt('to');
            if (tf)
                out.validTo = f.time('to', tf);
            out.timestamp = f.time('ts', f.req('ts'));
            return out;
        }
    }
}
/** parseRaw + decodeFrame for one frame text (tests, CLI). */
function decodeText(text) {
    return decodeFrame(parseRaw(text.replace(/\r?\n$/, '')));
}
/**
 * Time-dependent checks of a command at the receiver (`now` = receiver's wall clock, epoch ms).
 * Returns the NAK reason, or undefined when acceptable.
 */
function checkCommandWindow(c, now) {
    const from = c.validFrom ?? now;
    if (c.validTo <= from)
        return { reason: 'WINDOW_ORDER', field: 'to', text: 'to must be after from' };
    if (c.validTo <= now)
        return { reason: 'WINDOW_PAST', field: 'to', text: 'window already ended' };
    if (c.validTo - from > exports.MAX_WINDOW_MS)
        return { reason: 'WINDOW_TOO_LONG', field: 'to', text: 'window longer than 24 h' };
    return undefined;
}
//# sourceMappingURL=frame.js.map