"use strict";
const red_js_1 = require("./red.js");
const point_js_1 = require("../src/core/point.js");
function toPoint(p, now) {
    if (!p || typeof p !== 'object')
        return 'payload must be a point object {device, name, value}';
    const o = p;
    if (typeof o['device'] !== 'string' || typeof o['name'] !== 'string')
        return 'payload.device and payload.name must be strings';
    const v = o['value'];
    if (!(v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string'))
        return 'payload.value must be a number, boolean, string or null';
    const qRaw = o['quality'];
    const code = typeof qRaw === 'string' ? qRaw : qRaw && typeof qRaw === 'object' ? qRaw.code : 'good';
    if (typeof code !== 'string' || !point_js_1.QUALITY_CODES.includes(code))
        return `payload.quality ${String(code)} is not a quality code`;
    return { id: `${o['device']}/${o['name']}`, device: o['device'], name: o['name'], value: v, quality: { code: code }, receiveTime: now };
}
module.exports = function register(RED) {
    function OpenadrReport(def) {
        RED.nodes.createNode(this, def);
        const cfg = RED.nodes.getNode(def.ven);
        if (!cfg?.openadr) {
            this.status((0, red_js_1.statusFor)('down', 'no VEN configured'));
            this.error('openadr report: no valid openadr-ven config node selected');
            return;
        }
        const { ven, watch } = cfg.openadr;
        watch((s, text) => this.status((0, red_js_1.statusFor)(s, text)));
        this.on('input', (msg, _send, done) => {
            const list = Array.isArray(msg.payload) ? msg.payload : [msg.payload];
            for (const item of list) {
                const p = toPoint(item, Date.now());
                if (typeof p === 'string') {
                    done(new Error(`openadr report: ${p}`));
                    return;
                }
                ven.update(p);
            }
            done();
        });
    }
    RED.nodes.registerType('gridbridge-openadr-report', OpenadrReport);
};
//# sourceMappingURL=openadr-report.js.map