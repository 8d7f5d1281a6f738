"use strict";
const red_js_1 = require("./red.js");
const errors_js_1 = require("../src/core/errors.js");
const client_js_1 = require("../src/protocols/sapc/client.js");
function toRequest(p, d, now) {
    const source = client_js_1.SOURCE_ALIASES[String(p.source ?? d.source ?? 'lc').toLowerCase()];
    if (!source)
        return `unknown source "${String(p.source)}" (lc, sup, own, agg)`;
    if (p.cancel !== undefined)
        return { type: 'CAN', eventId: String(p.cancel), source };
    if (p.status !== undefined)
        return typeof p.status === 'number' ? { type: 'STQ', slot: p.status } : { type: 'STQ' };
    if (typeof p.level !== 'number' || !Number.isInteger(p.level))
        return 'payload.level must be an integer (0..100)';
    const to = typeof p.validTo === 'number' ? p.validTo : typeof p.validTo === 'string' ? Date.parse(p.validTo) : undefined;
    const forMs = typeof p.for === 'number' ? p.for * 1000 : typeof p.for === 'string' ? (0, client_js_1.parseDuration)(p.for) : to !== undefined ? to - now : undefined;
    if (forMs === undefined || !Number.isFinite(forMs))
        return 'payload needs for (seconds or "15m") or validTo';
    return {
        type: 'CMD',
        command: (0, client_js_1.buildCommand)({
            level: p.level,
            forMs,
            source,
            slot: typeof p.slot === 'number' ? p.slot : Number(d.slot) || 1,
            direction: p.direction === 'export' ? 'export' : 'import',
            randomDelayS: typeof p.randomDelay === 'number' ? p.randomDelay : 0,
            randomised: p.randomised === true,
            ...(typeof p.eventId === 'string' ? { eventId: p.eventId } : {}),
            ...(typeof p.text === 'string' ? { text: p.text } : {}),
        }, now),
    };
}
module.exports = function register(RED) {
    function SapcOutNode(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        const port = RED.nodes.getNode(d.port);
        if (!port?.sapc) {
            this.status({ fill: 'red', shape: 'ring', text: 'config error' });
            this.error('sapc out: no usable SAPC port configured');
            return;
        }
        const { session } = port.sapc;
        port.sapc.watch((s, text) => this.status((0, red_js_1.statusFor)(s, text)));
        this.on('input', (msg, send, done) => {
            const req = toRequest((msg.payload ?? {}), d, session.clock.now());
            if (typeof req === 'string')
                return done(new Error(`sapc out: ${req}`));
            session.request(req).then((r) => {
                this.status(r.type === 'NAK' ? { fill: 'yellow', shape: 'dot', text: `NAK ${r.reason}` } : { fill: 'green', shape: 'dot', text: `${r.type} in ${Math.round(r.elapsedMs)} ms` });
                send({ ...msg, payload: { ...r, request: req } });
                done();
            }, (e) => {
                this.status({ fill: 'red', shape: 'ring', text: 'no answer' });
                done(new Error(`sapc out: ${(0, errors_js_1.errorMessage)(e)}`));
            });
        });
    }
    RED.nodes.registerType('gridbridge-sapc-out', SapcOutNode);
};
//# sourceMappingURL=sapc-out.js.map