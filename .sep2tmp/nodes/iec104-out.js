"use strict";
const red_js_1 = require("./red.js");
const mapping_js_1 = require("../src/protocols/iec104/mapping.js");
function toPoint(x) {
    if (!x || typeof x !== 'object')
        return undefined;
    const o = x;
    if (typeof o.device !== 'string' || typeof o.name !== 'string')
        return undefined;
    const q = o.quality;
    const quality = typeof q === 'string' ? { code: q } : q && typeof q === 'object' ? q : { code: 'good' };
    const p = { ...o, quality, receiveTime: typeof o.receiveTime === 'number' ? o.receiveTime : Date.parse(String(o.receiveTime)) || Date.now() };
    if (typeof o.sourceTime === 'string')
        p.sourceTime = Date.parse(o.sourceTime);
    return p;
}
module.exports = function register(RED) {
    function Iec104Out(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        const node = this;
        const cfg = RED.nodes.getNode(d.server);
        const mapping = cfg?.iec104Server?.mapping;
        if (!cfg?.iec104Server || !mapping) {
            node.status({ fill: 'red', shape: 'ring', text: 'config error' });
            return node.error(!cfg?.iec104Server ? 'iec104 out: no usable iec104 server configured' : 'iec104 out: the server has no mapping block');
        }
        const { server } = cfg.iec104Server;
        const down = new Set();
        const handler = (0, mapping_js_1.mappingCommandHandler)(mapping, (w) => (node.send({ topic: `${w.device}/${w.name}`, payload: w }), true), (device) => !down.has(device));
        const removeSink = cfg.iec104Server.addSink((c) => (mapping.commands.some((m) => (m.ca ?? mapping.commonAddress) === c.ca && m.ioa === c.ioa) ? handler(c) : undefined));
        let sent = 0;
        node.on('input', (msg, _send, done) => {
            const list = (Array.isArray(msg.payload) ? msg.payload : [msg.payload]).map(toPoint).filter((p) => p !== undefined);
            for (const p of list) {
                if (p.quality.code === 'not_connected' || p.quality.code === 'timeout')
                    down.add(p.device);
                else
                    down.delete(p.device);
            }
            sent += (0, mapping_js_1.publishPoints)(server, list, mapping);
            node.status((0, red_js_1.statusFor)(down.size ? 'degraded' : 'up', `${sent} updates${down.size ? `, ${down.size} device(s) down` : ''}`));
            done();
        });
        node.on('close', (_r, done) => {
            removeSink();
            done();
        });
    }
    RED.nodes.registerType('gridbridge-iec104-out', Iec104Out);
};
//# sourceMappingURL=iec104-out.js.map