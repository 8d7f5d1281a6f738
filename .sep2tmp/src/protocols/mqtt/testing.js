"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.record = record;
exports.waitFor = waitFor;
/**
 * Test helpers: an MQTT subscriber that records what it receives, and a wait helper.
 * Used by the MQTT stack tests, the interop test and Node-RED node tests.
 */
const mqtt_1 = require("mqtt");
async function record(url, filters, opts = {}) {
    const client = (0, mqtt_1.connect)(url, { reconnectPeriod: 0, clientId: `rec-${Math.random().toString(16).slice(2, 10)}`, ...opts });
    await new Promise((res, rej) => {
        client.once('connect', () => res());
        client.once('error', rej);
    });
    client.on('error', () => undefined);
    const messages = [];
    client.on('message', (topic, payload, packet) => {
        messages.push({ topic, payload: payload.toString('utf8'), qos: packet.qos, retain: packet.retain });
    });
    await client.subscribeAsync(filters.map((f) => ({ [f]: { qos: 2 } })).reduce((a, b) => ({ ...a, ...b }), {}));
    return {
        client,
        messages,
        on: (topic) => messages.filter((m) => m.topic === topic),
        until: (pred, timeoutMs = 5000, what = 'condition') => waitFor(() => (pred(messages) ? messages : undefined), timeoutMs, what),
        publish: async (topic, payload, o = {}) => {
            await client.publishAsync(topic, payload, { qos: o.qos ?? 1, retain: o.retain ?? false });
        },
        close: () => client.endAsync(true),
    };
}
/** Poll `fn` every 10 ms until it returns a value other than undefined/false. */
async function waitFor(fn, timeoutMs = 5000, what = 'condition') {
    const end = Date.now() + timeoutMs;
    for (;;) {
        const v = fn();
        if (v !== undefined && v !== false)
            return v;
        if (Date.now() > end)
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
    }
}
//# sourceMappingURL=testing.js.map