"use strict";
const errors_js_1 = require("../src/core/errors.js");
const arbiter_js_1 = require("../src/core/arbitration/arbiter.js");
const config_js_1 = require("../src/core/arbitration/config.js");
module.exports = function register(RED) {
    function SapcArbiterNode(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        try {
            const delayMs = (Number(d.randomDelayS) || 0) * 1000;
            const classes = (0, config_js_1.parseClasses)(d.randomClasses || 'supplier,aggregator');
            this.arbiter = new arbiter_js_1.Arbiter({ targets: (0, config_js_1.parseTargets)(d.targets), randomDelayMaxMs: Object.fromEntries(classes.map((c) => [c, delayMs])) });
        }
        catch (e) {
            this.error(`arbiter configuration: ${(0, errors_js_1.errorMessage)(e)}`);
            return;
        }
        this.on('close', (_r, done) => {
            this.arbiter?.close();
            done();
        });
    }
    RED.nodes.registerType('gridbridge-sapc-arbiter', SapcArbiterNode);
};
//# sourceMappingURL=sapc-arbiter.js.map