"use strict";
const device_registry_js_1 = require("../src/runtime/device-registry.js");
const write_message_js_1 = require("../src/runtime/write-message.js");
module.exports = function register(RED) {
    function ModbusWrite(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        const node = this;
        const cfg = d.device ? RED.nodes.getNode(d.device) : null;
        if (d.device && (!cfg || !cfg.device)) {
            const why = !cfg ? 'selected device config is missing' : (cfg.configError ?? 'device not available');
            node.status({ fill: 'red', shape: 'ring', text: why.slice(0, 60) });
            node.error(`Modbus write: ${why}`);
        }
        else {
            node.status({ fill: 'grey', shape: 'ring', text: cfg?.device ? `ready: ${cfg.device.id}` : 'device from msg.payload.device' });
        }
        let ok = 0;
        let failed = 0;
        node.on('input', (msg, send, done) => {
            const req = (0, write_message_js_1.parseWriteMessage)(msg);
            const answer = (payload) => send({ ...msg, payload });
            if ('error' in req) {
                answer({ ok: false, failure: 'refused', reason: req.error });
                node.status({ fill: 'red', shape: 'dot', text: req.error.slice(0, 60) });
                return done();
            }
            const target = cfg?.device
                ? { id: cfg.device.id, write: (n, v, o) => cfg.device.write(n, v, { verify: o?.verify ?? cfg.verifyWrites }) }
                : req.device !== undefined
                    ? (0, device_registry_js_1.findDevice)(req.device)
                    : undefined;
            if (!target || (req.device !== undefined && req.device !== target.id)) {
                const reason = req.device === undefined ? 'no device: select one in the node or set msg.payload.device' : `unknown device "${req.device}" (known: ${(0, device_registry_js_1.knownDevices)().join(', ') || 'none'})`;
                answer({ ok: false, device: req.device, name: req.name, value: req.value, failure: 'refused', reason });
                node.status({ fill: 'red', shape: 'dot', text: reason.slice(0, 60) });
                return done();
            }
            target.write(req.name, req.value, d.verify ? { verify: true } : undefined).then((r) => {
                answer({ ...r });
                if (r.ok)
                    ok++;
                else {
                    failed++;
                    node.warn(`write ${target.id}/${req.name}=${String(req.value)} failed: ${r.reason ?? r.failure}`);
                }
                node.status({ fill: r.ok ? 'green' : 'red', shape: 'dot', text: `${ok} ok, ${failed} failed${r.ok ? '' : `: ${(r.reason ?? '').slice(0, 30)}`}` });
                done();
            }, (e) => done(e instanceof Error ? e : new Error(String(e))));
        });
    }
    RED.nodes.registerType('gridbridge-modbus-write', ModbusWrite);
};
//# sourceMappingURL=modbus-write.js.map