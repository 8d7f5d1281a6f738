"use strict";
/** Errors are values with a place. */
Object.defineProperty(exports, "__esModule", { value: true });
exports.DecodeError = void 0;
exports.formatProfileError = formatProfileError;
exports.formatPath = formatPath;
exports.errorMessage = errorMessage;
function formatProfileError(e) {
    const at = e.line !== undefined ? `${e.file}:${e.line}${e.column !== undefined ? `:${e.column}` : ''}` : e.file;
    return `${at}: ${e.path ? `${e.path}: ` : ''}${e.message}`;
}
/** A frame/payload that could not be decoded, with the byte offset where decoding failed. */
class DecodeError extends Error {
    reason;
    offset;
    protocol;
    constructor(reason, offset, protocol) {
        super(`${protocol ? `${protocol}: ` : ''}${reason} at offset ${offset}`);
        this.reason = reason;
        this.offset = offset;
        this.protocol = protocol;
        this.name = 'DecodeError';
    }
}
exports.DecodeError = DecodeError;
function formatPath(path) {
    let s = '';
    for (const k of path)
        s += typeof k === 'number' ? `[${k}]` : s ? `.${String(k)}` : String(k);
    return s;
}
function errorMessage(e) {
    return e instanceof Error ? e.message : String(e);
}
//# sourceMappingURL=errors.js.map