"use strict";
const red_js_1 = require("./red.js");
module.exports = function register(RED) {
    function Sep2Control(def) {
        RED.nodes.createNode(this, def);
        const cfg = RED.nodes.getNode(String(def.client ?? ''));
        const client = cfg?.client;
        if (!client) {
            const why = cfg?.configError ?? 'no 2030.5 client configured';
            this.status((0, red_js_1.statusFor)('down', why));
            this.error(why);
            return;
        }
        const onState = (s) => this.status((0, red_js_1.statusFor)(s.state, s.reason?.slice(0, 60)));
        const onControls = (c) => {
            const events = c.state.activeEvents;
            this.status((0, red_js_1.statusFor)(client.status, events.length ? `${events.length} event(s) active` : c.intents.length ? 'default control' : 'no control'));
            this.send({ topic: 'sep2/controls', payload: c.intents, controls: c.state.controls, activeEvents: events });
        };
        client.on('state', onState);
        client.on('controls', onControls);
        this.status((0, red_js_1.statusFor)(client.status === 'up' ? 'up' : 'connecting'));
        // A node deployed after the client started gets the current controls straight away.
        if (client.intents.length)
            this.send({ topic: 'sep2/controls', payload: client.intents, controls: client.scheduler.state().controls, activeEvents: client.scheduler.state().activeEvents });
        this.on('close', (_removed, done) => {
            client.off('state', onState);
            client.off('controls', onControls);
            done();
        });
    }
    RED.nodes.registerType('gridbridge-sep2-control', Sep2Control);
};
//# sourceMappingURL=sep2-control.js.map