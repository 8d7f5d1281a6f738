"use strict";
const clock_js_1 = require("../src/core/clock.js");
const errors_js_1 = require("../src/core/errors.js");
const client_js_1 = require("../src/protocols/sep2/client.js");
const mapping_js_1 = require("../src/protocols/sep2/mapping.js");
const yaml_1 = require("yaml");
module.exports = function register(RED) {
    function Sep2ClientConfig(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        const cred = this.credentials ?? {};
        try {
            if (!cred.cert || !cred.key || !cred.ca)
                throw new Error('device certificate, key and CA chain are required (credentials)');
            const maxW = Number(d.maxW);
            const raw = {
                server: d.server,
                ...(d.pin ? { pin: Number(d.pin) } : {}),
                device: d.device || 'der',
                ratings: { maxW, maxChargeRateW: Number(d.maxChargeRateW) || maxW, maxDischargeRateW: Number(d.maxDischargeRateW) || maxW, maxWh: Number(d.maxWh) },
                telemetry: d.telemetry ? (0, yaml_1.parse)(d.telemetry) ?? [] : [],
                ...(d.socPoint ? { stateOfCharge: { device: d.socPoint.split('/')[0], name: d.socPoint.split('/')[1] } } : {}),
            };
            const r = mapping_js_1.Sep2MappingSchema.safeParse(raw);
            if (!r.success)
                throw new Error(`${(0, errors_js_1.formatPath)(r.error.issues[0].path)}: ${r.error.issues[0].message}`);
            const m = r.data;
            this.client = new client_js_1.Sep2Client({
                dcapUrl: m.server,
                clock: clock_js_1.systemClock,
                cert: cred.cert,
                key: cred.key,
                ca: cred.ca,
                ...(m.pin !== undefined ? { pin: m.pin } : {}),
                device: m.device,
                sourceClass: m.sourceClass,
                ratings: m.ratings,
                telemetry: m.telemetry.map((t) => ({ key: `${t.device}/${t.name}`, quantity: t.quantity })),
                ...(m.stateOfCharge ? { stateOfChargeKey: `${m.stateOfCharge.device}/${m.stateOfCharge.name}` } : {}),
                intervalSeconds: m.intervalSeconds,
                statusSeconds: m.statusSeconds,
            });
            this.client.setMaxListeners(50);
            let last = '';
            this.client.on('problem', (p) => {
                if (p.message !== last)
                    this.warn(`2030.5 ${p.step}: ${p.message}`);
                last = p.message;
            });
            this.client.start();
        }
        catch (e) {
            this.configError = (0, errors_js_1.errorMessage)(e);
            this.error(`2030.5 client configuration: ${this.configError}`);
        }
        this.on('close', (_removed, done) => {
            this.client?.stop();
            this.client = undefined;
            done();
        });
    }
    RED.nodes.registerType('gridbridge-sep2-client', Sep2ClientConfig, {
        credentials: { cert: { type: 'password' }, key: { type: 'password' }, ca: { type: 'password' } },
    });
};
//# sourceMappingURL=sep2-client.js.map