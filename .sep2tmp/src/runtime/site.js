"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Site = void 0;
/**
 * Site runtime: composes one pilot site from its mapping — one ModbusPort per connection, its devices, the arbiter
 * for every controlled point, and the upstream adapters (MQTT now; the other protocols plug in the same way).
 * Points flow up to the upstreams; control intents flow down through the arbiter, which writes the effective value
 * through the field driver and falls back to the fail-safe default when controls expire.
 */
const node_events_1 = require("node:events");
const node_path_1 = require("node:path");
const clock_js_1 = require("../core/clock.js");
const errors_js_1 = require("../core/errors.js");
const index_js_1 = require("../core/arbitration/index.js");
const port_js_1 = require("../protocols/modbus/port.js");
const index_js_2 = require("../protocols/mqtt/index.js");
const connections_js_1 = require("./connections.js");
const device_registry_js_1 = require("./device-registry.js");
class Site extends node_events_1.EventEmitter {
    load;
    opts;
    id;
    arbiter;
    ports = new Map();
    mqtt;
    clock;
    deviceToPort = new Map();
    pendingWrites = new Map();
    unregister = [];
    constructor(load, opts = {}) {
        super();
        this.load = load;
        this.opts = opts;
        const m = load.mapping;
        if (!m)
            throw new Error(`mapping ${load.file} is not valid; run gridbridge validate ${load.file}`);
        this.id = m.site.id;
        this.clock = opts.clock ?? clock_js_1.systemClock;
        this.arbiter = new index_js_1.Arbiter({ clock: this.clock, targets: this.targetsFromMapping() });
        this.arbiter.on('audit', (a) => this.emit('audit', a));
        this.arbiter.on('change', (e) => this.applyEffective(e));
        for (const [connId, conn] of Object.entries(m.connections)) {
            const devices = m.devices.filter((d) => d.connection === connId && d.enabled);
            if (devices.length === 0)
                continue;
            const port = new port_js_1.ModbusPort((0, connections_js_1.endpointFromConnection)(conn), {
                clock: this.clock,
                site: this.id,
                timeoutMs: conn.timeoutMs,
                retries: conn.retries,
                ...(conn.type === 'tcp' ? { maxInFlight: conn.maxInFlight } : {}),
            });
            port.on('status', (s) => this.emit('status', { component: `connection:${connId}`, state: s.state, ...(s.reason ? { reason: s.reason } : {}) }));
            port.on('device', (s) => this.emit('status', { component: `device:${s.device}`, state: s.state, ...(s.reason ? { reason: s.reason } : {}) }));
            port.on('points', (pts) => this.onPoints(pts));
            port.on('dropped', (dev, req) => this.emit('warning', `connection ${connId}: poll of ${dev} dropped on overload (${JSON.stringify(req)})`));
            for (const d of devices) {
                const profile = load.profiles.get(d.id);
                const dev = port.addDevice({
                    id: d.id,
                    unitId: d.unit,
                    profile: d.points ? { ...profile, points: profile.points.filter((p) => d.points.includes(p.name) || p.type === 'sunssf') } : profile,
                    site: this.id,
                    ...(d.pollClasses ? { pollClasses: d.pollClasses } : {}),
                });
                this.deviceToPort.set(d.id, port);
                this.unregister.push((0, device_registry_js_1.registerDevice)({ id: d.id, write: (name, value, o) => dev.write(name, value, o) }));
            }
            this.ports.set(connId, port);
        }
        const mq = m.upstream?.mqtt;
        if (mq !== undefined) {
            const block = index_js_2.mqttUpstreamSchema.parse(mq);
            const settings = (0, index_js_2.resolveMqttSettings)(block, {
                site: this.id,
                baseDir: (0, node_path_1.dirname)((0, node_path_1.resolve)(load.file)),
                ...(opts.mqttDefaultUrl ? { defaultUrl: opts.mqttDefaultUrl } : {}),
                ...(opts.mqttPassword ? { password: opts.mqttPassword } : {}),
            });
            this.mqtt = new index_js_2.MqttUpstream(settings, { clock: this.clock, onCommand: (cmd) => this.command(cmd) });
            this.mqtt.on('status', (s) => this.emit('status', { component: 'mqtt', state: s.state, ...(s.reason ? { reason: s.reason } : {}) }));
            this.mqtt.on('warning', (w) => this.emit('warning', `mqtt: ${w}`));
            const declare = [...load.profiles].flatMap(([device, p]) => p.points.filter((x) => x.access !== 'r').map((x) => ({ device, name: x.name, kind: p.kind })));
            for (const e of this.mqtt.declarePoints(declare))
                this.emit('warning', `mqtt: ${e.message}`);
        }
    }
    /** Controlled points: every writable profile point, with the mapping's fail-safe default and bounds. */
    targetsFromMapping() {
        const out = new Map();
        for (const [device, p] of this.load.profiles) {
            for (const pt of p.points) {
                if (pt.access === 'r')
                    continue;
                out.set(`${device}/${pt.name}`, { device, name: pt.name, ...(pt.min !== undefined ? { min: pt.min } : {}), ...(pt.max !== undefined ? { max: pt.max } : {}) });
            }
        }
        for (const c of this.load.mapping?.controls ?? []) {
            const t = out.get(`${c.device}/${c.name}`) ?? { device: c.device, name: c.name };
            out.set(`${c.device}/${c.name}`, { ...t, ...(c.default !== undefined ? { default: c.default } : {}), ...(c.min !== undefined ? { min: c.min } : {}), ...(c.max !== undefined ? { max: c.max } : {}) });
        }
        return [...out.values()];
    }
    start() {
        for (const p of this.ports.values())
            p.start();
        this.mqtt?.start();
        // Fail safe from the first moment: write the default of every controlled point that has one.
        for (const t of this.load.mapping?.controls ?? [])
            if (t.default !== undefined)
                this.applyEffective(this.arbiter.effective(t));
    }
    async stop() {
        this.arbiter.close();
        for (const u of this.unregister.splice(0))
            u();
        await this.mqtt?.stop();
        await Promise.all([...this.ports.values()].map((p) => p.stop()));
    }
    /** Submit a control intent from any source; the effective value is written through the device's driver. */
    submit(intent) {
        return this.arbiter.submit(intent);
    }
    onPoints(pts) {
        this.emit('points', pts);
        this.mqtt?.publishPoints(pts);
    }
    applyEffective(e) {
        if (e.value === undefined)
            return; // nothing active and no default: leave the device to its own behaviour
        const key = `${e.target.device}/${e.target.name}`;
        const port = this.deviceToPort.get(e.target.device);
        if (!port) {
            this.emit('warning', `control for unknown device ${e.target.device}`);
            return;
        }
        const value = e.value;
        const w = port.write(e.target.device, e.target.name, value).then((r) => {
            this.emit('write', { ...r, target: e.target });
            return r;
        }, (err) => {
            this.emit('warning', `write ${key}=${String(value)} failed: ${(0, errors_js_1.errorMessage)(err)}`);
            return undefined;
        });
        this.pendingWrites.set(key, w);
    }
    /** An MQTT command becomes a control intent; the answer waits for the resulting write. */
    async command(cmd) {
        const key = `${cmd.target.device}/${cmd.target.name}`;
        const before = this.pendingWrites.get(key);
        const r = this.arbiter.submit(cmd);
        if (r.outcome === 'rejected')
            return { ok: false, reason: r.reason ?? 'rejected' };
        const w = this.pendingWrites.get(key);
        if (r.scheduled)
            return { ok: true, reason: `scheduled from ${new Date(r.validFrom).toISOString()}` };
        if (w && w !== before) {
            const res = await w;
            if (!res)
                return { ok: false, reason: 'write failed' };
            return res.ok ? { ok: true, value: res.value, ...(r.reason ? { reason: r.reason } : {}) } : { ok: false, reason: res.reason ?? res.failure ?? 'write failed' };
        }
        return { ok: r.outcome !== 'superseded', reason: r.reason ?? (r.outcome === 'superseded' ? `superseded by ${r.supersededBy?.join(', ')}` : 'no change') };
    }
}
exports.Site = Site;
//# sourceMappingURL=site.js.map