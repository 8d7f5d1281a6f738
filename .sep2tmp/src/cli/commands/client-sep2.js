"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.summary = void 0;
exports.run = run;
/** `gridbridge client sep2`: a headless CSIP client printing discovery, controls, setpoints and posts as JSON lines. */
const node_util_1 = require("node:util");
const node_fs_1 = require("node:fs");
const yaml_1 = require("yaml");
const jsonl_js_1 = require("../jsonl.js");
const clock_js_1 = require("../../core/clock.js");
const errors_js_1 = require("../../core/errors.js");
const client_js_1 = require("../../protocols/sep2/client.js");
const mapping_js_1 = require("../../protocols/sep2/mapping.js");
exports.summary = 'IEEE 2030.5 (CSIP) DER client: discovery, controls → setpoints, telemetry (JSON lines)';
const usage = `usage: gridbridge client sep2 --cert C.pem --key K.pem --ca CA.pem (--server URL | --mapping M.yaml) [options]

  --server URL      DeviceCapability URL, e.g. https://127.0.0.1:8443/dcap
  --mapping FILE    pilot mapping YAML; its "sep2" block (or the whole file) gives server, device, ratings, telemetry
  --cert/--key/--ca device certificate, its key, and the CA chain that must sign the server
  --pin N           registration PIN the server must show (e.g. 111115)
  --device ID       device receiving controls (default "der")
  --max-w W         rating used for DERCapability/DERSettings and %-controls (default 5000)
  --max-wh WH       energy rating (default 13500)
  --synthetic       feed synthetic telemetry (meter/W, meter/Hz, <device>/SoC) to exercise the telemetry path

Prints JSON lines: identity, discovery, controls, setpoints, post, problem, state.`;
async function run(argv) {
    let a;
    try {
        a = (0, node_util_1.parseArgs)({
            args: argv,
            options: {
                server: { type: 'string' },
                mapping: { type: 'string' },
                cert: { type: 'string' },
                key: { type: 'string' },
                ca: { type: 'string' },
                pin: { type: 'string' },
                device: { type: 'string', default: 'der' },
                'max-w': { type: 'string', default: '5000' },
                'max-wh': { type: 'string', default: '13500' },
                synthetic: { type: 'boolean', default: false },
                help: { type: 'boolean', default: false },
            },
        }).values;
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`${e.message}\n${usage}`);
        return 2;
    }
    if (a.help) {
        process.stdout.write(usage + '\n');
        return 0;
    }
    if (!a.cert || !a.key || !a.ca || (!a.server && !a.mapping)) {
        (0, jsonl_js_1.warn)(usage);
        return 2;
    }
    let m;
    try {
        const maxW = Number(a['max-w']);
        const raw = a.mapping
            ? (() => {
                const doc = (0, yaml_1.parse)((0, node_fs_1.readFileSync)(a.mapping, 'utf8'));
                return doc && typeof doc === 'object' && 'sep2' in doc ? doc.sep2 : doc;
            })()
            : {
                server: a.server,
                device: a.device,
                ratings: { maxW, maxChargeRateW: maxW, maxDischargeRateW: maxW, maxWh: Number(a['max-wh']) },
                telemetry: a.synthetic
                    ? [
                        { device: 'meter', name: 'W', quantity: 'realPower' },
                        { device: 'meter', name: 'Hz', quantity: 'frequency' },
                    ]
                    : [],
                ...(a.synthetic ? { stateOfCharge: { device: a.device, name: 'SoC' } } : {}),
            };
        const r = mapping_js_1.Sep2MappingSchema.safeParse(raw);
        if (!r.success) {
            const i = r.error.issues[0];
            (0, jsonl_js_1.warn)(`${a.mapping ?? 'flags'}: sep2.${(0, errors_js_1.formatPath)(i.path)}: ${i.message}`);
            return 2;
        }
        m = r.data;
        if (a.server)
            m.server = a.server;
    }
    catch (e) {
        (0, jsonl_js_1.warn)(e.message);
        return 2;
    }
    let tls;
    try {
        tls = { cert: (0, node_fs_1.readFileSync)(a.cert, 'utf8'), key: (0, node_fs_1.readFileSync)(a.key, 'utf8'), ca: (0, node_fs_1.readFileSync)(a.ca, 'utf8') };
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`cannot read certificate material: ${e.message}`);
        return 2;
    }
    const client = new client_js_1.Sep2Client({
        dcapUrl: m.server,
        clock: clock_js_1.systemClock,
        ...tls,
        ...(a.pin !== undefined ? { pin: Number(a.pin) } : m.pin !== undefined ? { pin: m.pin } : {}),
        device: m.device,
        sourceClass: m.sourceClass,
        overrides: m.controls,
        ratings: m.ratings,
        telemetry: m.telemetry.map((t) => ({ key: `${t.device}/${t.name}`, quantity: t.quantity, ...(t.description ? { description: t.description } : {}) })),
        ...(m.stateOfCharge ? { stateOfChargeKey: `${m.stateOfCharge.device}/${m.stateOfCharge.name}` } : {}),
        intervalSeconds: m.intervalSeconds,
        statusSeconds: m.statusSeconds,
    });
    client.on('identity', (i) => (0, jsonl_js_1.emit)('identity', i));
    client.on('discovery', (d) => (0, jsonl_js_1.emit)('discovery', d));
    client.on('post', (p) => (0, jsonl_js_1.emit)('post', p));
    client.on('problem', (p) => (0, jsonl_js_1.emit)('problem', p));
    client.on('state', (s) => (0, jsonl_js_1.emit)('state', s));
    client.on('controls', (c) => {
        (0, jsonl_js_1.emit)('controls', { activeEvents: c.state.activeEvents, controls: c.state.controls });
        (0, jsonl_js_1.emit)('setpoints', { intents: c.intents });
    });
    let feed;
    if (a.synthetic) {
        feed = setInterval(() => {
            const t = Date.now() / 60_000;
            client.record('meter/W', Math.round(-3000 + 500 * Math.sin(t)));
            client.record('meter/Hz', 50 + 0.02 * Math.sin(t * 7));
            client.record(`${m.device}/SoC`, 50 + 10 * Math.sin(t / 10));
        }, 1000);
    }
    client.start();
    const sig = await (0, jsonl_js_1.untilSignal)();
    if (feed)
        clearInterval(feed);
    client.stop();
    (0, jsonl_js_1.emit)('stopped', { signal: sig, telemetry: client.telemetry.stats() });
    return 0;
}
//# sourceMappingURL=client-sep2.js.map