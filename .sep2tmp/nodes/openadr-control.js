"use strict";
const red_js_1 = require("./red.js");
module.exports = function register(RED) {
    function OpenadrControl(def) {
        RED.nodes.createNode(this, def);
        const cfg = RED.nodes.getNode(def.ven);
        if (!cfg?.openadr) {
            this.status((0, red_js_1.statusFor)('down', 'no VEN configured'));
            this.error('openadr control: no valid openadr-ven config node selected');
            return;
        }
        const { ven, watch } = cfg.openadr;
        watch((s, text) => this.status((0, red_js_1.statusFor)(s, text)));
        const offs = [
            ven.on('control', (c) => this.send([{ topic: 'control', payload: { ...c, validFrom: new Date(c.validFrom).toISOString(), validTo: new Date(c.validTo).toISOString() } }, null])),
            ven.on('cancel', (c) => this.send([{ topic: 'cancel', payload: c }, null])),
            ven.on('event', (e) => this.send([null, { topic: 'event', payload: e }])),
            ven.on('report', (r) => this.send([null, { topic: 'report', payload: r }])),
            ven.on('deviation', (d) => this.send([null, { topic: 'deviation', payload: d }])),
        ];
        this.on('close', (_removed, done) => {
            offs.forEach((off) => off());
            done();
        });
    }
    RED.nodes.registerType('gridbridge-openadr-control', OpenadrControl);
};
//# sourceMappingURL=openadr-control.js.map