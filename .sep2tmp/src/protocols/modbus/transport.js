"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.ModbusSerialTransport = void 0;
exports.describeEndpoint = describeEndpoint;
exports.mapModbusSerialError = mapModbusSerialError;
/**
 * Transports: the small interface the scheduler drives, and its implementation on modbus-serial
 * (`ModbusRTU`: connectTCP / connectRTUBuffered). The scheduler owns timing (timeouts, retries, reconnect backoff)
 * through the injected Clock; a transport only opens, closes, and carries one request to one answer.
 */
const modbus_serial_1 = __importDefault(require("modbus-serial"));
const types_js_1 = require("./types.js");
function describeEndpoint(e) {
    if ('tcp' in e)
        return `tcp://${e.tcp.host}:${e.tcp.port ?? 502}`;
    const r = e.rtu;
    return `rtu:${r.path}@${r.baudRate ?? 9600}/${r.dataBits ?? 8}${(r.parity ?? 'none')[0].toUpperCase()}${r.stopBits ?? 1}`;
}
/** Map a modbus-serial error to a typed ModbusError. */
function mapModbusSerialError(e, req, timeoutMs) {
    if ((0, types_js_1.isModbusError)(e))
        return e;
    const err = (e ?? {});
    if (typeof err.modbusCode === 'number')
        return new types_js_1.ModbusExceptionError(err.modbusCode, req);
    const msg = err.message ?? String(e);
    if (err.name === 'TransactionTimedOutError' || err.errno === 'ETIMEDOUT' || /timed out/i.test(msg))
        return new types_js_1.ModbusTimeoutError(timeoutMs, req);
    if (err.name === 'PortNotOpenError' || /not open/i.test(msg))
        return new types_js_1.ModbusConnectionError('port not open');
    return new types_js_1.ModbusProtocolError(msg);
}
class ModbusSerialTransport {
    endpoint;
    serial;
    description;
    client;
    lostListeners = [];
    closing = false;
    turnaroundMs;
    constructor(endpoint, opts = {}) {
        this.endpoint = endpoint;
        this.serial = 'rtu' in endpoint;
        this.description = describeEndpoint(endpoint);
        this.turnaroundMs = opts.broadcastTurnaroundMs ?? 100;
    }
    get isOpen() {
        return this.client?.isOpen === true;
    }
    onLost(listener) {
        this.lostListeners.push(listener);
    }
    async open() {
        await this.close();
        this.closing = false;
        const client = new modbus_serial_1.default();
        // Without an 'error' listener an EventEmitter error would throw and crash the process.
        client.on('error', (e) => this.lost(`transport error: ${e?.message ?? String(e)}`, client));
        client.on('close', () => this.lost('connection closed', client));
        this.client = client;
        try {
            if ('tcp' in this.endpoint) {
                await client.connectTCP(this.endpoint.tcp.host, { port: this.endpoint.tcp.port ?? 502 });
            }
            else {
                const r = this.endpoint.rtu;
                await client.connectRTUBuffered(r.path, {
                    baudRate: r.baudRate ?? 9600,
                    parity: r.parity ?? 'none',
                    dataBits: r.dataBits ?? 8,
                    stopBits: r.stopBits ?? 1,
                });
            }
        }
        catch (e) {
            this.client = undefined;
            safeClose(client);
            const m = e;
            throw new types_js_1.ModbusConnectionError(`${this.description}: ${m?.message ?? String(e)}`);
        }
        if (!client.isOpen) {
            this.client = undefined;
            throw new types_js_1.ModbusConnectionError(`${this.description}: not open after connect`);
        }
    }
    async close() {
        const c = this.client;
        this.client = undefined;
        if (!c)
            return;
        this.closing = true;
        await new Promise((resolve) => {
            try {
                if (c.isOpen)
                    c.close(() => resolve());
                else
                    resolve();
            }
            catch {
                resolve();
            }
        });
    }
    lost(reason, client) {
        if (client !== this.client || this.closing)
            return;
        this.client = undefined;
        safeClose(client);
        for (const l of this.lostListeners)
            l(reason);
    }
    async request(req, timeoutMs) {
        const c = this.client;
        if (!c || !c.isOpen)
            throw new types_js_1.ModbusConnectionError('port not open');
        const problem = (0, types_js_1.requestProblem)(req);
        if (problem)
            throw new types_js_1.ModbusProtocolError(`invalid request: ${problem}`);
        const broadcast = req.unitId === 0;
        c.setID(req.unitId);
        c.setTimeout(broadcast ? this.turnaroundMs : timeoutMs);
        try {
            switch (req.fc) {
                case 1:
                    return { bits: (await c.readCoils(req.address, req.count)).data.slice(0, req.count) };
                case 2:
                    return { bits: (await c.readDiscreteInputs(req.address, req.count)).data.slice(0, req.count) };
                case 3:
                    return { registers: (await c.readHoldingRegisters(req.address, req.count)).data };
                case 4:
                    return { registers: (await c.readInputRegisters(req.address, req.count)).data };
                case 5:
                    await c.writeCoil(req.address, req.value);
                    return {};
                case 6:
                    await c.writeRegister(req.address, req.value);
                    return {};
                case 15:
                    await c.writeCoils(req.address, req.values);
                    return {};
                case 16:
                    await c.writeRegisters(req.address, req.values);
                    return {};
            }
        }
        catch (e) {
            const mapped = mapModbusSerialError(e, req, timeoutMs);
            // A broadcast has no answer: the turnaround timeout is its success.
            if (broadcast && mapped instanceof types_js_1.ModbusTimeoutError)
                return {};
            throw mapped;
        }
    }
}
exports.ModbusSerialTransport = ModbusSerialTransport;
function safeClose(c) {
    try {
        if (c.isOpen)
            c.close(() => undefined);
    }
    catch {
        /* already gone */
    }
}
//# sourceMappingURL=transport.js.map