"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.summary = void 0;
exports.run = run;
const node_util_1 = require("node:util");
const errors_js_1 = require("../../core/errors.js");
const point_js_1 = require("../../core/point.js");
const broker_js_1 = require("../../protocols/mqtt/broker.js");
const validate_js_1 = require("../../runtime/validate.js");
const site_js_1 = require("../../runtime/site.js");
const jsonl_js_1 = require("../jsonl.js");
exports.summary = 'run a pilot site headless from its mapping: gridbridge run MAPPING [--points] [--embedded-broker PORT]';
const usage = `usage: gridbridge run MAPPING.yaml [--points] [--embedded-broker PORT]
  Polls every device of the mapping, publishes to its upstreams and takes controls through the arbiter.
  Prints JSON lines: status changes, writes, control decisions (audit), warnings; --points also prints every point.
  When the mapping's MQTT block has no url, an embedded broker is started on 127.0.0.1 (default port 1883).
  Stops cleanly on SIGINT/SIGTERM.`;
async function run(argv) {
    const { values, positionals } = (0, node_util_1.parseArgs)({
        args: argv,
        allowPositionals: true,
        options: { points: { type: 'boolean' }, 'embedded-broker': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help || positionals.length !== 1) {
        process.stdout.write(usage + '\n');
        return values.help ? 0 : 2;
    }
    const load = (0, validate_js_1.loadMappingFile)(positionals[0]);
    if (!load.mapping) {
        for (const e of load.errors)
            (0, jsonl_js_1.warn)((0, errors_js_1.formatProfileError)(e));
        return 1;
    }
    let broker;
    const mq = load.mapping.upstream?.mqtt;
    if (mq && !mq.url) {
        broker = await (0, broker_js_1.startEmbeddedBroker)({ host: '127.0.0.1', port: Number(values['embedded-broker'] ?? 1883) });
        (0, jsonl_js_1.emit)('broker', { url: broker.url });
    }
    const site = new site_js_1.Site(load, broker ? { mqttDefaultUrl: broker.url } : {});
    site.on('status', (s) => (0, jsonl_js_1.emit)('status', s));
    site.on('write', (w) => (0, jsonl_js_1.emit)('write', { ...w }));
    site.on('audit', (a) => (0, jsonl_js_1.emit)('control', { ...a }));
    site.on('warning', (m) => (0, jsonl_js_1.emit)('warning', { message: m }));
    if (values.points)
        site.on('points', (pts) => { for (const p of pts)
            (0, jsonl_js_1.emit)('point', { ...(0, point_js_1.pointToJson)(p) }); });
    site.start();
    (0, jsonl_js_1.emit)('started', { site: site.id, devices: load.mapping.devices.map((d) => d.id), connections: [...site.ports.keys()] });
    const sig = await (0, jsonl_js_1.untilSignal)();
    (0, jsonl_js_1.emit)('stopping', { signal: sig });
    await site.stop();
    await broker?.close();
    return 0;
}
//# sourceMappingURL=run.js.map