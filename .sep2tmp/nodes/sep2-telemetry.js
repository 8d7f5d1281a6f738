"use strict";
const red_js_1 = require("./red.js");
module.exports = function register(RED) {
    function Sep2Telemetry(def) {
        RED.nodes.createNode(this, def);
        const cfg = RED.nodes.getNode(String(def.client ?? ''));
        const client = cfg?.client;
        if (!client) {
            const why = cfg?.configError ?? 'no 2030.5 client configured';
            this.status((0, red_js_1.statusFor)('down', why));
            this.error(why);
            return;
        }
        this.on('input', (msg, _send, done) => {
            const list = (Array.isArray(msg.payload) ? msg.payload : [msg.payload]);
            let taken = 0;
            for (const p of list) {
                if (!p || typeof p !== 'object' || typeof p.device !== 'string' || typeof p.name !== 'string' || typeof p.value !== 'number') {
                    done(new Error('msg.payload must be a point { device, name, value:number } or an array of them'));
                    return;
                }
                const t = typeof p.sourceTime === 'string' ? Date.parse(p.sourceTime) : typeof p.sourceTime === 'number' ? p.sourceTime : Date.now();
                client.record(`${p.device}/${p.name}`, p.value, Number.isFinite(t) ? t : Date.now());
                taken++;
            }
            const st = client.telemetry.stats();
            this.status((0, red_js_1.statusFor)(client.status === 'up' ? 'up' : 'degraded', `${taken} in · ${st.buffered} buffered · ${st.dropped} dropped`));
            done();
        });
    }
    RED.nodes.registerType('gridbridge-sep2-telemetry', Sep2Telemetry);
};
//# sourceMappingURL=sep2-telemetry.js.map