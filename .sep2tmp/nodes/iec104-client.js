"use strict";
const iec104_common_js_1 = require("./iec104-common.js");
const errors_js_1 = require("../src/core/errors.js");
const client_js_1 = require("../src/protocols/iec104/client.js");
const mapping_js_1 = require("../src/protocols/iec104/mapping.js");
module.exports = function register(RED) {
    function Iec104ClientConfig(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        const node = this;
        const tls = (0, iec104_common_js_1.tlsFromCredentials)(node.credentials, d.allowedPeers);
        const hosts = (0, iec104_common_js_1.parseHosts)(d.hosts ?? '', tls ? 19998 : 2404);
        if (!hosts.length)
            return node.error('iec104 client: no host configured');
        const opts = { hosts, ca: Number(d.commonAddress) || 1, interrogateOnStart: d.interrogateOnStart !== false };
        if (tls)
            opts.tls = tls;
        if (d.site)
            opts.site = d.site;
        let mapping;
        if (d.mapping?.trim()) {
            const r = (0, mapping_js_1.parseIec104MappingText)(d.mapping);
            if (!r.ok)
                return node.error(`iec104 client: mapping ${r.error}`);
            mapping = r.mapping;
            const naming = (0, mapping_js_1.clientNaming)(mapping);
            opts.naming = (ca, ioa) => naming(ca, ioa);
        }
        const client = new client_js_1.Iec104Client(opts);
        const watchers = new Set();
        let last = ['connecting'];
        client.on('state', (s, reason) => {
            last = [s === 'up' ? 'up' : s === 'connecting' ? 'connecting' : s === 'idle' ? 'idle' : 'down', (reason ?? '').slice(0, 40)];
            watchers.forEach((w) => w(...last));
        });
        client.on('warn', (m) => node.log(m));
        node.iec104 = {
            client,
            ...(mapping ? { mapping } : {}),
            watch: (fn) => {
                watchers.add(fn);
                fn(...last);
                return () => watchers.delete(fn);
            },
        };
        client.connect().catch((e) => node.log(`iec104 client: ${(0, errors_js_1.errorMessage)(e)}`));
        const period = Number(d.giPeriodS) || 0;
        const gi = period > 0 ? setInterval(() => void client.interrogate(), period * 1000) : undefined;
        node.on('close', (_removed, done) => {
            if (gi)
                clearInterval(gi);
            client.close();
            done();
        });
    }
    RED.nodes.registerType('gridbridge-iec104-client', Iec104ClientConfig, {
        credentials: { cert: { type: 'text' }, key: { type: 'password' }, ca: { type: 'text' } },
    });
};
//# sourceMappingURL=iec104-client.js.map