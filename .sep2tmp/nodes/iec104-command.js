"use strict";
const red_js_1 = require("./red.js");
const errors_js_1 = require("../src/core/errors.js");
const requests_js_1 = require("../src/protocols/iec104/requests.js");
module.exports = function register(RED) {
    function Iec104Command(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        const node = this;
        const cfg = RED.nodes.getNode(d.client);
        if (!cfg?.iec104) {
            node.status({ fill: 'red', shape: 'ring', text: 'config error' });
            return node.error('iec104 command: no usable iec104 client configured');
        }
        const client = cfg.iec104.client;
        node.on('input', (msg, send, done) => {
            const p = msg.payload;
            const o = (p && typeof p === 'object' ? p : { value: p });
            const type = String(o.type ?? d.cmdType ?? 'sc');
            const ca = Number(o.ca ?? d.ca) || 1;
            let action;
            if (type === 'gi')
                action = { kind: 'gi' };
            else if (type === 'ci')
                action = { kind: 'ci', freeze: 0 };
            else if (type === 'cs')
                action = { kind: 'cs' };
            else if (type === 'rd')
                action = { kind: 'rd', ioa: Number(o.ioa ?? d.ioa) };
            else {
                const spec = (0, requests_js_1.parseCommand)(type, String(o.ioa ?? d.ioa), o.value === undefined ? undefined : String(o.value));
                if (typeof spec === 'string') {
                    node.status({ fill: 'red', shape: 'ring', text: spec.slice(0, 40) });
                    return done(new Error(`iec104 command: ${spec}`));
                }
                if (o.sbo ?? d.sbo)
                    spec.sbo = true;
                action = { kind: 'cmd', spec };
            }
            node.status({ fill: 'blue', shape: 'ring', text: `${type} pending` });
            (0, requests_js_1.runAction)(client, ca, action).then((r) => {
                node.status(r.ok ? (0, red_js_1.statusFor)('up', `${type} ${r.stage} ok`) : { fill: 'red', shape: 'dot', text: `${type}: ${(r.reason ?? 'failed').slice(0, 40)}` });
                send({ ...msg, payload: { ...r, objects: r.objects?.length } });
                done();
            }, (e) => done(new Error(`iec104 command: ${(0, errors_js_1.errorMessage)(e)}`)));
        });
    }
    RED.nodes.registerType('gridbridge-iec104-command', Iec104Command);
};
//# sourceMappingURL=iec104-command.js.map