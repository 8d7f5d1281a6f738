"use strict";
const red_js_1 = require("./red.js");
const point_js_1 = require("../src/core/point.js");
const constants_js_1 = require("../src/protocols/iec104/constants.js");
module.exports = function register(RED) {
    function Iec104In(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        const node = this;
        const cfg = RED.nodes.getNode(d.client);
        if (!cfg?.iec104) {
            node.status({ fill: 'red', shape: 'ring', text: 'config error' });
            return node.error('iec104 in: no usable iec104 client configured');
        }
        const ca = d.ca === '' || d.ca === undefined ? undefined : Number(d.ca);
        const from = Number(d.ioaFrom) || 0;
        const to = d.ioaTo === '' || d.ioaTo === undefined ? 0xffffff : Number(d.ioaTo);
        const client = cfg.iec104.client;
        const onPoint = (p, u) => {
            if ((ca !== undefined && u.ca !== ca) || u.object.ioa < from || u.object.ioa > to)
                return;
            node.send({ topic: p.id, payload: (0, point_js_1.pointToJson)(p), iec104: { ca: u.ca, ioa: u.object.ioa, type: (0, constants_js_1.typeName)(u.typeId) ?? u.typeId, cot: u.cot } });
        };
        client.on('point', onPoint);
        const unwatch = cfg.iec104.watch((s, text) => node.status((0, red_js_1.statusFor)(s, text)));
        node.on('close', (_r, done) => {
            client.off('point', onPoint);
            unwatch();
            done();
        });
    }
    RED.nodes.registerType('gridbridge-iec104-in', Iec104In);
};
//# sourceMappingURL=iec104-in.js.map