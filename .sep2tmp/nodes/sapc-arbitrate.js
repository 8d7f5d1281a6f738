"use strict";
function asIntent(p) {
    if (!p || typeof p !== 'object')
        return 'payload must be a ControlIntent object';
    const o = { ...p };
    for (const k of ['validFrom', 'validTo'])
        if (typeof o[k] === 'string')
            o[k] = Date.parse(o[k]);
    if (o.validFrom === undefined)
        o.validFrom = Date.now();
    if (typeof o.id !== 'string' || typeof o.source !== 'string' || typeof o.sourceClass !== 'string')
        return 'intent needs id, source and sourceClass';
    if (!o.target || typeof o.target !== 'object')
        return 'intent needs target {device, name}';
    if (typeof o.validTo !== 'number')
        return 'intent needs validTo (controls always expire)';
    return o;
}
module.exports = function register(RED) {
    function SapcArbitrateNode(def) {
        RED.nodes.createNode(this, def);
        const arb = RED.nodes.getNode(def.arbiter);
        const arbiter = arb?.arbiter;
        if (!arbiter) {
            this.status({ fill: 'red', shape: 'ring', text: 'config error' });
            this.error('sapc arbitrate: no arbiter configured');
            return;
        }
        const onChange = (e) => {
            this.send([null, { topic: `${e.target.device}/${e.target.name}`, payload: e }]);
            this.status({ fill: 'green', shape: 'dot', text: `${e.target.device}/${e.target.name} = ${String(e.value)} (${e.basis})` });
        };
        arbiter.on('change', onChange);
        this.on('input', (msg, send, done) => {
            const p = msg.payload;
            if (p && typeof p.cancel === 'string') {
                const r = arbiter.cancel(p.cancel, typeof p.source === 'string' ? p.source : undefined);
                send([{ ...msg, payload: r ?? { intentId: p.cancel, outcome: 'rejected', reason: 'unknown intent' } }, null]);
                return done();
            }
            const intent = asIntent(p);
            if (typeof intent === 'string')
                return done(new Error(`sapc arbitrate: ${intent}`));
            const result = arbiter.submit(intent, typeof msg.randomDelayMaxMs === 'number' ? { randomDelayMaxMs: msg.randomDelayMaxMs } : {});
            if (result.outcome === 'rejected')
                this.warn(`intent ${intent.id} rejected: ${result.reason ?? ''}`);
            send([{ ...msg, payload: result }, null]);
            done();
        });
        this.on('close', (_r, done) => {
            arbiter.off('change', onChange);
            done();
        });
    }
    RED.nodes.registerType('gridbridge-sapc-arbitrate', SapcArbitrateNode);
};
//# sourceMappingURL=sapc-arbitrate.js.map