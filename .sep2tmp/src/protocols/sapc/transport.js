"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SerialTransport = void 0;
/**
 * Serial transport for SSP-1 on `serialport` (RS-485 adapters, USB serial, and socat ptys alike). Reopens after
 * errors with a capped back-off through the injected Clock; writes while closed are dropped and counted (the
 * session's retries cover them), never queued without bound.
 */
const node_events_1 = require("node:events");
const serialport_1 = require("serialport");
const clock_js_1 = require("../../core/clock.js");
const errors_js_1 = require("../../core/errors.js");
class SerialTransport extends node_events_1.EventEmitter {
    o;
    state = 'down';
    reason;
    droppedWrites = 0;
    port;
    clock;
    timer;
    delay;
    closing = false;
    constructor(o) {
        super();
        this.o = o;
        this.clock = o.clock ?? clock_js_1.systemClock;
        this.delay = o.reconnectMs ?? 1000;
    }
    /** Open the port; resolves when open, rejects on the first failure (reconnects continue in the background). */
    open() {
        this.closing = false;
        return new Promise((resolve, reject) => {
            this.setState('connecting', undefined);
            const port = new serialport_1.SerialPort({
                path: this.o.path,
                baudRate: this.o.baudRate ?? 9600,
                dataBits: this.o.dataBits ?? 8,
                parity: this.o.parity ?? 'none',
                stopBits: this.o.stopBits ?? 1,
                autoOpen: false,
                lock: false,
            });
            this.port = port;
            port.on('data', (b) => this.emit('data', b));
            port.on('error', (e) => this.fail(e.message));
            port.on('close', () => this.fail('port closed'));
            port.open((err) => {
                if (err) {
                    this.fail(err.message);
                    reject(err);
                    return;
                }
                this.delay = this.o.reconnectMs ?? 1000;
                this.setState('up', undefined);
                resolve();
            });
        });
    }
    write(text) {
        if (this.state !== 'up' || !this.port) {
            this.droppedWrites++;
            return;
        }
        this.port.write(Buffer.from(text, 'latin1'));
    }
    async close() {
        this.closing = true;
        this.clock.clearTimeout(this.timer);
        this.timer = undefined;
        const p = this.port;
        this.port = undefined;
        if (p?.isOpen)
            await new Promise((r) => p.close(() => r()));
        p?.removeAllListeners();
        this.setState('down', 'closed');
    }
    fail(reason) {
        if (this.closing)
            return;
        const p = this.port;
        this.port = undefined;
        if (p) {
            p.removeAllListeners();
            p.on('error', () => { });
            if (p.isOpen)
                p.close(() => { });
        }
        this.setState('down', reason);
        if (this.o.reconnect === false || this.timer)
            return;
        const wait = this.delay;
        this.delay = Math.min(this.delay * 2, this.o.maxReconnectMs ?? 30_000);
        this.timer = this.clock.setTimeout(() => {
            this.timer = undefined;
            if (!this.closing)
                this.open().catch((e) => this.setState('down', (0, errors_js_1.errorMessage)(e)));
        }, wait);
    }
    setState(s, reason) {
        if (s === this.state && reason === this.reason)
            return;
        this.state = s;
        this.reason = reason;
        this.emit('state', s, reason);
    }
}
exports.SerialTransport = SerialTransport;
//# sourceMappingURL=transport.js.map