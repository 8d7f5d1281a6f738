"use strict";
const port_js_1 = require("../src/protocols/modbus/port.js");
const connections_js_1 = require("../src/runtime/connections.js");
const errors_js_1 = require("../src/core/errors.js");
module.exports = function register(RED) {
    function ModbusPortConfig(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        try {
            const endpoint = (0, connections_js_1.endpointFromFields)(d);
            this.port = new port_js_1.ModbusPort(endpoint, { timeoutMs: Number(d.timeoutMs) || 1000, retries: Number.isFinite(Number(d.retries)) ? Number(d.retries) : 1 });
            this.description = this.port.description;
            let last = '';
            this.port.on('status', (s) => {
                // Log transitions only: a bus that stays down retries with backoff and must not flood the log.
                const now = `${s.state}:${s.reason ?? ''}`;
                if (now !== last && s.state === 'down' && s.reason && s.reason !== 'stopped' && s.reason !== 'not started')
                    this.warn(`${this.description}: ${s.reason}`);
                last = now;
            });
        }
        catch (e) {
            this.configError = (0, errors_js_1.errorMessage)(e);
            this.error(`Modbus port configuration: ${this.configError}`);
        }
        this.on('close', (_removed, done) => {
            const p = this.port;
            this.port = undefined;
            if (p)
                p.stop().then(done, done);
            else
                done();
        });
    }
    RED.nodes.registerType('gridbridge-modbus-port', ModbusPortConfig);
};
//# sourceMappingURL=modbus-port.js.map