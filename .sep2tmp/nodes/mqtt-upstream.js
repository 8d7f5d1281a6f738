"use strict";
const red_js_1 = require("./red.js");
const point_js_1 = require("../src/core/point.js");
const errors_js_1 = require("../src/core/errors.js");
const index_js_1 = require("../src/protocols/mqtt/index.js");
module.exports = function register(RED) {
    function MqttUpstreamNode(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        const node = this;
        const pending = new Map();
        let up;
        try {
            const tls = d.ca || d.cert || d.key ? { ...(d.ca ? { ca: d.ca } : {}), ...(d.cert ? { cert: d.cert } : {}), ...(d.key ? { key: d.key } : {}) } : undefined;
            const settings = (0, index_js_1.mqttSettings)({
                url: d.url || undefined,
                clientId: d.clientId || undefined,
                username: node.credentials?.username || undefined,
                baseTopic: d.baseTopic || undefined,
                topic: d.topic || undefined,
                qos: Number(d.qos ?? 1),
                retain: d.retain !== false,
                commands: d.commands ? { validForS: Number(d.validForS) || 900 } : false,
                ...(tls ? { tls } : {}),
            }, { site: d.site || 'site', password: node.credentials?.password || undefined, defaultUrl: 'mqtt://127.0.0.1:1883' });
            up = new index_js_1.MqttUpstream(settings);
        }
        catch (e) {
            node.status({ fill: 'red', shape: 'ring', text: 'config error' });
            node.error(`configuration: ${(0, errors_js_1.errorMessage)(e)}`);
            return;
        }
        up.on('status', (s) => node.status((0, red_js_1.statusFor)(s.state === 'stopped' ? 'idle' : s.state, s.reason && s.state !== 'up' ? s.reason.slice(0, 40) : undefined)));
        up.on('warning', (w) => node.warn(w));
        up.setCommandHandler((cmd) => new Promise((resolve) => {
            pending.set(cmd.id, resolve);
            node.send({ topic: `${cmd.target.device}/${cmd.target.name}`, payload: { device: cmd.target.device, name: cmd.target.name, value: cmd.value, validTo: cmd.validTo }, gridbridgeCommand: cmd.id });
        }));
        up.start();
        node.on('input', (msg, _send, done) => {
            const cid = msg.gridbridgeCommand;
            if (typeof cid === 'string' && pending.has(cid)) {
                const r = msg.payload;
                const outcome = { ok: r?.ok === true };
                if (typeof r?.reason === 'string')
                    outcome.reason = r.reason;
                if (r && ['number', 'boolean', 'string'].includes(typeof r.value))
                    outcome.value = r.value;
                pending.get(cid)(outcome);
                pending.delete(cid);
                return done();
            }
            const parsed = (0, point_js_1.asPoints)(msg.payload);
            if ('error' in parsed)
                return done(new Error(`not published: ${parsed.error}`));
            const rep = up.publishPoints(parsed.points);
            if (rep.errors.length)
                return done(new Error(rep.errors.map((e) => e.message).join('; ')));
            done();
        });
        node.on('close', (_removed, done) => {
            for (const r of pending.values())
                r({ ok: false, reason: 'node stopped' });
            pending.clear();
            up.stop().then(done, done);
        });
    }
    RED.nodes.registerType('gridbridge-mqtt-upstream', MqttUpstreamNode, { credentials: { username: { type: 'text' }, password: { type: 'password' } } });
};
//# sourceMappingURL=mqtt-upstream.js.map