"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ModbusPort = void 0;
/**
 * ModbusPort: the high-level API the runtime, the Node-RED nodes and the CLI use. One port = one bus (a serial line
 * or one TCP connection) with one scheduler; devices (unit ids with a profile) are added to it.
 *
 *   const port = new ModbusPort({ tcp: { host: '127.0.0.1', port: 5020 } }, { timeoutMs: 500 });
 *   const inv = port.addDevice({ id: 'inv1', unitId: 1, profile });
 *   port.on('points', (pts) => …); port.on('device', (s) => …); port.on('status', (s) => …);
 *   port.start(); await inv.write('WMaxLimPct', 50, { verify: true }); await port.stop();
 */
const point_js_1 = require("../../core/point.js");
const device_js_1 = require("./device.js");
const emitter_js_1 = require("./emitter.js");
const scheduler_js_1 = require("./scheduler.js");
const transport_js_1 = require("./transport.js");
class ModbusPort extends emitter_js_1.TypedEmitter {
    opts;
    scheduler;
    description;
    devices = new Map();
    statsTimer;
    constructor(endpoint, opts = {}) {
        super();
        this.opts = opts;
        const transport = opts.transport ?? (endpoint ? new transport_js_1.ModbusSerialTransport(endpoint, opts) : undefined);
        if (!transport)
            throw new Error('ModbusPort needs an endpoint ({tcp:{host,port}} or {rtu:{path,…}}) or a transport');
        this.description = endpoint ? (0, transport_js_1.describeEndpoint)(endpoint) : transport.description;
        this.scheduler = new scheduler_js_1.BusScheduler(transport, opts);
        this.scheduler.on('status', (s) => {
            this.emit('status', s);
            if (s.state === 'down' && s.reason !== 'stopped') {
                for (const d of this.devices.values())
                    d.markAll((0, point_js_1.quality)('not_connected', `port down: ${s.reason ?? ''}`));
            }
        });
        this.scheduler.on('device', (s) => {
            const d = this.devices.get(s.device);
            if (!d)
                return;
            d.notifyStatus(s);
            this.emit('device', s, d);
        });
        this.scheduler.on('dropped', (dev, req) => this.emit('dropped', dev, req));
    }
    get status() {
        return this.scheduler.status;
    }
    addDevice(cfg) {
        if (this.devices.has(cfg.id))
            throw new Error(`device "${cfg.id}" already on port ${this.description}`);
        const d = new device_js_1.ModbusDevice(this.scheduler, { ...cfg, ...(cfg.site ?? this.opts.site ? { site: cfg.site ?? this.opts.site } : {}) });
        d.on('points', (pts) => this.emit('points', pts, d));
        this.devices.set(cfg.id, d);
        return d;
    }
    /** Take a device off the bus (its poll tasks and queued jobs go with it); e.g. when a Node-RED device node is redeployed. */
    removeDevice(id) {
        if (this.devices.delete(id))
            this.scheduler.removeDevice(id);
    }
    device(id) {
        return this.devices.get(id);
    }
    listDevices() {
        return [...this.devices.values()];
    }
    start() {
        this.scheduler.start();
        const every = this.opts.statsIntervalMs ?? 0;
        if (every > 0) {
            const tick = () => {
                this.emit('stats', this.scheduler.stats());
                this.statsTimer = this.scheduler.clock.setTimeout(tick, every);
            };
            this.statsTimer = this.scheduler.clock.setTimeout(tick, every);
        }
    }
    async stop() {
        this.scheduler.clock.clearTimeout(this.statsTimer);
        this.statsTimer = undefined;
        await this.scheduler.stop();
    }
    stats() {
        return this.scheduler.stats();
    }
    /** Write a named point of a device (checked against the profile first). Never throws: the result says why. */
    write(deviceId, name, value, opts) {
        const d = this.devices.get(deviceId);
        if (!d)
            return Promise.resolve({ ok: false, device: deviceId, name, value, failure: 'refused', reason: `unknown device "${deviceId}"` });
        return d.write(name, value, opts);
    }
    /** Raw access for tools (probe, discovery): a one-shot read outside any profile. */
    readRaw(request) {
        return this.scheduler.read(undefined, request);
    }
}
exports.ModbusPort = ModbusPort;
//# sourceMappingURL=port.js.map