"use strict";
const errors_js_1 = require("../src/core/errors.js");
const transport_js_1 = require("../src/protocols/sapc/transport.js");
const session_js_1 = require("../src/protocols/sapc/session.js");
const receiver_js_1 = require("../src/protocols/sapc/receiver.js");
module.exports = function register(RED) {
    function SapcPortNode(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        const watchers = [];
        if (!d.path) {
            this.error('sapc port: no serial device path configured');
            return;
        }
        const transport = new transport_js_1.SerialTransport({ path: d.path, baudRate: Number(d.baudRate) || 9600, parity: d.parity === 'even' || d.parity === 'odd' ? d.parity : 'none' });
        const slots = new receiver_js_1.SlotDispatcher();
        const session = new session_js_1.SapcSession({
            handler: slots,
            write: (t) => transport.write(t),
            heartbeatMs: (Number(d.heartbeatS) || 60) * 1000,
            ackTimeoutMs: Number(d.ackTimeoutMs) || 500,
            baudRate: Number(d.baudRate) || 9600,
            retries: d.retries === '' || d.retries === undefined ? 3 : Number(d.retries),
        });
        const tell = (s, text) => watchers.forEach((w) => w(s, text));
        transport.on('data', (b) => session.receive(b));
        transport.on('state', (s, reason) => tell(s === 'up' ? (session.link === 'up' ? 'up' : 'degraded') : s, s === 'up' ? (session.link === 'up' ? 'link up' : 'port open, no heartbeat yet') : reason?.slice(0, 40)));
        session.on('link', (l) => transport.state === 'up' && tell(l === 'up' ? 'up' : 'degraded', l === 'up' ? 'link up' : 'no heartbeat'));
        this.sapc = { session, transport, slots, watch: (fn) => (watchers.push(fn), fn(transport.state === 'up' ? 'degraded' : 'connecting')) };
        transport.open().catch((e) => this.warn(`sapc port ${d.path}: ${(0, errors_js_1.errorMessage)(e)} (retrying)`));
        this.on('close', (_removed, done) => {
            session.close();
            transport.close().then(done, done);
        });
    }
    RED.nodes.registerType('gridbridge-sapc-port', SapcPortNode);
};
//# sourceMappingURL=sapc-port.js.map