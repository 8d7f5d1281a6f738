"use strict";
const openadr_common_js_1 = require("./openadr-common.js");
const clock_js_1 = require("../src/core/clock.js");
const errors_js_1 = require("../src/core/errors.js");
const factory_js_1 = require("../src/protocols/openadr/factory.js");
module.exports = function register(RED) {
    function OpenadrVenConfig(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        const watchers = [];
        let extra = {};
        try {
            extra = d.bindings ? JSON.parse(d.bindings) : {};
        }
        catch (e) {
            this.error(`openadr ven: bindings are not valid JSON: ${(0, errors_js_1.errorMessage)(e)}`);
            return;
        }
        let ven;
        try {
            const mapping = factory_js_1.OpenadrVen.parseMapping({
                ...extra,
                version: d.version || '2.0b',
                vtnUrl: d.vtnUrl,
                venName: d.venName,
                ...(d.venId ? { venId: d.venId } : {}),
                transport: d.transport === 'push' ? 'push' : 'pull',
                ...(d.pushUrl ? { pushUrl: d.pushUrl } : {}),
                reportOnly: d.reportOnly === true,
                pollIntervalSec: Number(d.pollIntervalSec) || 10,
                ...(d.clientId ? { oauth: { clientId: d.clientId } } : {}),
                notification: d.notification === 'webhook' ? 'webhook' : 'poll',
                ...(d.callbackUrl ? { callbackUrl: d.callbackUrl } : {}),
            });
            const c = this.credentials ?? {};
            ven = new factory_js_1.OpenadrVen(mapping, clock_js_1.systemClock, {
                ...(c['clientSecret'] ? { clientSecret: c['clientSecret'] } : {}),
                tls: { ...(c['tlsCert'] ? { cert: c['tlsCert'] } : {}), ...(c['tlsKey'] ? { key: c['tlsKey'] } : {}), ...(c['tlsCa'] ? { ca: c['tlsCa'] } : {}) },
            });
        }
        catch (e) {
            this.error(`openadr ven: invalid configuration: ${(0, errors_js_1.errorMessage)(e)}`);
            return;
        }
        let last = { s: 'connecting' };
        ven.on('state', (s) => {
            last = { s: (0, openadr_common_js_1.linkStateOf)(s.state), ...(s.reason ? { text: s.reason.slice(0, 40) } : { text: s.state }) };
            watchers.forEach((w) => w(last.s, last.text));
        });
        ven.on('error', (e) => this.warn(`openadr ven: ${e.message}`));
        this.openadr = { ven, watch: (fn) => (watchers.push(fn), fn(last.s, last.text)) };
        ven.start().catch((e) => this.error(`openadr ven: ${(0, errors_js_1.errorMessage)(e)}`));
        this.on('close', (_removed, done) => {
            ven.stop().then(done, done);
        });
    }
    RED.nodes.registerType('gridbridge-openadr-ven', OpenadrVenConfig, {
        credentials: { clientSecret: { type: 'password' }, tlsCert: { type: 'text' }, tlsKey: { type: 'password' }, tlsCa: { type: 'text' } },
    });
};
//# sourceMappingURL=openadr-ven.js.map