"use strict";
const red_js_1 = require("./red.js");
const arbiter_js_1 = require("../src/core/arbitration/arbiter.js");
const receiver_js_1 = require("../src/protocols/sapc/receiver.js");
module.exports = function register(RED) {
    function SapcInNode(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        const port = RED.nodes.getNode(d.port);
        const arb = RED.nodes.getNode(d.arbiter);
        if (!port?.sapc || !arb?.arbiter || !d.device) {
            this.status({ fill: 'red', shape: 'ring', text: 'config error' });
            this.error(!port?.sapc ? 'sapc in: no usable SAPC port configured' : !arb?.arbiter ? 'sapc in: no arbiter configured' : 'sapc in: device is required');
            return;
        }
        const arbiter = arb.arbiter;
        const target = { device: d.device, name: d.point || 'SAPCLevel' };
        const receiver = new receiver_js_1.SapcReceiver(arbiter, [{ slot: Number(d.slot) || 1, direction: d.direction === 'export' ? 'export' : 'import', device: target.device, point: target.name, default: d.defaultLevel === '' || d.defaultLevel === undefined ? 100 : Number(d.defaultLevel) }], port.sapc.session.clock, (dec) => {
            this.send([{ topic: `${target.device}/${target.name}`, payload: { command: dec.command, answer: dec.answer, result: dec.result } }, null]);
            this.status(dec.answer.ok ? { fill: 'green', shape: 'dot', text: `${dec.command.source} ${dec.command.level} % ${dec.answer.state ?? ''}` } : { fill: 'yellow', shape: 'dot', text: `NAK ${dec.answer.reason}` });
        });
        port.sapc.slots.add(receiver);
        port.sapc.watch((s, text) => this.status((0, red_js_1.statusFor)(s, text)));
        const onChange = (e) => {
            if ((0, arbiter_js_1.targetKey)(e.target) === (0, arbiter_js_1.targetKey)(target))
                this.send([null, { topic: `${target.device}/${target.name}`, payload: e }]);
        };
        arbiter.on('change', onChange);
        this.on('close', (_r, done) => {
            arbiter.off('change', onChange);
            port.sapc?.slots.remove(receiver);
            done();
        });
    }
    RED.nodes.registerType('gridbridge-sapc-in', SapcInNode);
};
//# sourceMappingURL=sapc-in.js.map