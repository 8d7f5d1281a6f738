"use strict";
const iec104_common_js_1 = require("./iec104-common.js");
const errors_js_1 = require("../src/core/errors.js");
const mapping_js_1 = require("../src/protocols/iec104/mapping.js");
const server_js_1 = require("../src/protocols/iec104/server.js");
module.exports = function register(RED) {
    function Iec104ServerConfig(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        const node = this;
        const tls = (0, iec104_common_js_1.tlsFromCredentials)(node.credentials, d.allowedPeers);
        const sinks = new Set();
        const opts = {
            port: d.port === '' || d.port === undefined ? (tls ? 19998 : 2404) : Number(d.port),
            host: d.host || '0.0.0.0',
            cyclicPeriodMs: (Number(d.cyclicS) || 0) * 1000,
            eventBuffer: d.eventBuffer === '' || d.eventBuffer === undefined ? 10_000 : Number(d.eventBuffer),
            onCommand: async (c) => {
                for (const s of sinks) {
                    const r = await s(c);
                    if (r !== undefined)
                        return r;
                }
                return { accept: false, reason: 'no node handles this address' };
            },
        };
        const cas = (d.commonAddresses ?? '').split(/[,\s]+/).filter(Boolean).map(Number);
        if (cas.length)
            opts.commonAddresses = cas;
        if (tls)
            opts.tls = tls;
        let mapping;
        if (d.mapping?.trim()) {
            const r = (0, mapping_js_1.parseIec104MappingText)(d.mapping);
            if (!r.ok)
                return node.error(`iec104 server: mapping ${r.error}`);
            mapping = r.mapping;
        }
        const server = new server_js_1.Iec104Server(opts);
        if (mapping)
            (0, mapping_js_1.applyMapping)(server, mapping);
        const watchers = new Set();
        let last = ['connecting', 'starting'];
        const tell = () => {
            const started = server.connections().filter((c) => c.started).length;
            last = started ? ['up', `${started} SCADA connection(s)`] : ['degraded', `listening :${opts.port}, no SCADA`];
            watchers.forEach((w) => w(...last));
        };
        for (const ev of ['connection', 'state', 'disconnect'])
            server.on(ev, tell);
        server.on('warn', (m) => node.warn(m));
        server.on('disconnect', (e) => node.log(`${e.remote} disconnected: ${e.reason}`));
        node.iec104Server = {
            server,
            ...(mapping ? { mapping } : {}),
            addSink: (s) => (sinks.add(s), () => sinks.delete(s)),
            watch: (fn) => (watchers.add(fn), fn(...last), () => watchers.delete(fn)),
        };
        server.listen().then(tell, (e) => {
            last = ['down', (0, errors_js_1.errorMessage)(e).slice(0, 40)];
            watchers.forEach((w) => w(...last));
            node.error(`iec104 server: cannot listen on ${opts.host}:${opts.port}: ${(0, errors_js_1.errorMessage)(e)}`);
        });
        node.on('close', (_removed, done) => {
            server.close().then(done, done);
        });
    }
    RED.nodes.registerType('gridbridge-iec104-server', Iec104ServerConfig, {
        credentials: { cert: { type: 'text' }, key: { type: 'password' }, ca: { type: 'text' } },
    });
};
//# sourceMappingURL=iec104-server.js.map