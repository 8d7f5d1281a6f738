"use strict";
const clock_js_1 = require("../src/core/clock.js");
const errors_js_1 = require("../src/core/errors.js");
const rig_js_1 = require("../src/sim/sapc/rig.js");
module.exports = function register(RED) {
    function SapcRigNode(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        let running = false;
        this.status({ fill: 'grey', shape: 'ring', text: 'idle' });
        this.on('input', (msg, send, done) => {
            if (running)
                return done(new Error('sapc rig: a run is already in progress'));
            running = true;
            const p = msg.payload;
            const scenarios = Array.isArray(p?.scenarios) ? p.scenarios.filter((s) => typeof s === 'string') : undefined;
            this.status({ fill: 'blue', shape: 'dot', text: 'running' });
            (0, rig_js_1.runRig)({
                clock: d.realTime ? clock_js_1.systemClock : new clock_js_1.FakeClock(Date.now()),
                baud: Number(d.baud) || 9600,
                applyDelayMs: d.applyDelayMs === '' || d.applyDelayMs === undefined ? 100 : Number(d.applyDelayMs),
                ...(scenarios ? { scenarios } : {}),
                onProgress: (event, data) => event === 'scenario_start' && this.status({ fill: 'blue', shape: 'dot', text: String(data.name) }),
            }).then((report) => {
                running = false;
                this.status(report.failed ? { fill: 'red', shape: 'dot', text: `${report.failed} failed` } : { fill: 'green', shape: 'dot', text: `${report.passed} passed` });
                send({ ...msg, payload: report, summary: (0, rig_js_1.formatRigSummary)(report) });
                done();
            }, (e) => {
                running = false;
                this.status({ fill: 'red', shape: 'ring', text: 'error' });
                done(new Error(`sapc rig: ${(0, errors_js_1.errorMessage)(e)}`));
            });
        });
    }
    RED.nodes.registerType('gridbridge-sapc-rig', SapcRigNode);
};
//# sourceMappingURL=sapc-rig.js.map