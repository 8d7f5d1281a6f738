"use strict";
/**
 * Modbus wire-level types shared by the transports, the scheduler, the simulator and the CLI.
 * Addresses are 0-based protocol addresses (what goes on the wire), unit ids 0..247 (0 = broadcast).
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.ModbusProtocolError = exports.ModbusConnectionError = exports.ModbusTimeoutError = exports.ModbusExceptionError = exports.EXCEPTION_NAMES = exports.FUNCTION_NAMES = void 0;
exports.exceptionName = exceptionName;
exports.isRead = isRead;
exports.describeRequest = describeRequest;
exports.isModbusError = isModbusError;
exports.requestProblem = requestProblem;
exports.FUNCTION_NAMES = {
    1: 'read coils',
    2: 'read discrete inputs',
    3: 'read holding registers',
    4: 'read input registers',
    5: 'write single coil',
    6: 'write single register',
    15: 'write multiple coils',
    16: 'write multiple registers',
};
/** Modbus Application Protocol v1.1b3, clause 7 (exception codes). */
exports.EXCEPTION_NAMES = {
    1: 'illegal function',
    2: 'illegal data address',
    3: 'illegal data value',
    4: 'server device failure',
    5: 'acknowledge',
    6: 'server device busy',
    8: 'memory parity error',
    10: 'gateway path unavailable',
    11: 'gateway target device failed to respond',
};
function exceptionName(code) {
    return exports.EXCEPTION_NAMES[code] ?? 'unknown exception';
}
function isRead(r) {
    return r.fc <= 4;
}
function describeRequest(r) {
    const n = isRead(r) ? r.count : r.fc === 15 || r.fc === 16 ? r.values.length : 1;
    return `unit ${r.unitId} fc${r.fc} @${r.address}×${n}`;
}
/** The device answered with an exception response (function code | 0x80). */
class ModbusExceptionError extends Error {
    code;
    request;
    kind = 'exception';
    exceptionName;
    constructor(code, request) {
        super(`modbus exception ${code} (${exceptionName(code)})${request ? ` for ${describeRequest(request)}` : ''}`);
        this.code = code;
        this.request = request;
        this.name = 'ModbusExceptionError';
        this.exceptionName = exceptionName(code);
    }
}
exports.ModbusExceptionError = ModbusExceptionError;
/** No (valid) answer within the request timeout. */
class ModbusTimeoutError extends Error {
    timeoutMs;
    request;
    kind = 'timeout';
    constructor(timeoutMs, request) {
        super(`no answer within ${timeoutMs} ms${request ? ` for ${describeRequest(request)}` : ''}`);
        this.timeoutMs = timeoutMs;
        this.request = request;
        this.name = 'ModbusTimeoutError';
    }
}
exports.ModbusTimeoutError = ModbusTimeoutError;
/** The transport is not open / was lost (serial device unplugged, TCP connection refused or reset). */
class ModbusConnectionError extends Error {
    kind = 'connection';
    constructor(reason) {
        super(reason);
        this.name = 'ModbusConnectionError';
    }
}
exports.ModbusConnectionError = ModbusConnectionError;
/** A malformed answer (CRC error, wrong length, wrong unit id or function code). */
class ModbusProtocolError extends Error {
    kind = 'protocol';
    constructor(reason) {
        super(reason);
        this.name = 'ModbusProtocolError';
    }
}
exports.ModbusProtocolError = ModbusProtocolError;
function isModbusError(e) {
    return (e instanceof ModbusExceptionError ||
        e instanceof ModbusTimeoutError ||
        e instanceof ModbusConnectionError ||
        e instanceof ModbusProtocolError);
}
/** Validate a request's ranges (Modbus Application Protocol clause 6). Returns a reason, or undefined when valid. */
function requestProblem(r) {
    if (!Number.isInteger(r.unitId) || r.unitId < 0 || r.unitId > 255)
        return `unit id ${r.unitId} out of range 0..255`;
    if (!Number.isInteger(r.address) || r.address < 0 || r.address > 0xffff)
        return `address ${r.address} out of range`;
    let n = 1;
    let max = 1;
    if (isRead(r)) {
        if (r.unitId === 0)
            return 'unit id 0 (broadcast) accepts writes only';
        n = r.count;
        max = r.fc <= 2 ? 2000 : 125;
    }
    else if (r.fc === 15) {
        n = r.values.length;
        max = 1968;
    }
    else if (r.fc === 16) {
        n = r.values.length;
        max = 123;
        if (r.values.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffff))
            return 'register value outside 0..65535';
    }
    else if (r.fc === 6) {
        if (!Number.isInteger(r.value) || r.value < 0 || r.value > 0xffff)
            return `register value ${r.value} outside 0..65535`;
    }
    if (!Number.isInteger(n) || n < 1 || n > max)
        return `quantity ${n} outside 1..${max}`;
    if (r.address + n > 0x10000)
        return `address ${r.address} + quantity ${n} beyond 65535`;
    return undefined;
}
//# sourceMappingURL=types.js.map