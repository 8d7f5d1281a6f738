"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.summary = void 0;
exports.run = run;
/** `gridbridge ven openadr --config ven.yaml`: headless OpenADR VEN (2.0b or 3.x) printing JSON lines. */
const node_readline_1 = require("node:readline");
const node_fs_1 = require("node:fs");
const node_util_1 = require("node:util");
const yaml_1 = require("yaml");
const zod_1 = require("zod");
const clock_js_1 = require("../../core/clock.js");
const errors_js_1 = require("../../core/errors.js");
const point_js_1 = require("../../core/point.js");
const factory_js_1 = require("../../protocols/openadr/factory.js");
const jsonl_js_1 = require("../jsonl.js");
exports.summary = 'run an OpenADR VEN (2.0b events/report-only CEM, or 3.x) and print controls and reports as JSON lines';
const USAGE = `usage: gridbridge ven openadr --config FILE [--points-stdin] [--deregister-on-exit]
  --config FILE          YAML with an \`openadr:\` block (version, vtnUrl, venName, reports, signals, policy …)
  --points-stdin         read point updates as JSON lines on stdin: {"device":"meter1","name":"W","value":1200}
  --deregister-on-exit   2.0b: send oadrCancelPartyRegistration on SIGINT/SIGTERM
The OpenADR 3 client secret is read from the environment variable named by oauth.clientSecretEnv.`;
const pointLine = zod_1.z.object({ device: zod_1.z.string().min(1), name: zod_1.z.string().min(1), value: zod_1.z.union([zod_1.z.number(), zod_1.z.boolean(), zod_1.z.string(), zod_1.z.null()]), quality: zod_1.z.enum(point_js_1.QUALITY_CODES).default('good'), unit: zod_1.z.string().optional() });
async function run(argv) {
    let v;
    try {
        v = (0, node_util_1.parseArgs)({ args: argv, options: { config: { type: 'string' }, 'points-stdin': { type: 'boolean', default: false }, 'deregister-on-exit': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } }).values;
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`${(0, errors_js_1.errorMessage)(e)}\n${USAGE}`);
        return 2;
    }
    if (v.help) {
        process.stdout.write(USAGE + '\n');
        return 0;
    }
    if (!v.config) {
        (0, jsonl_js_1.warn)(`--config is required\n${USAGE}`);
        return 2;
    }
    let ven;
    try {
        const raw = (0, yaml_1.parse)((0, node_fs_1.readFileSync)(v.config, 'utf8'));
        const parsed = (() => {
            try {
                return factory_js_1.OpenadrVen.parseMapping(raw);
            }
            catch (e) {
                if (e instanceof zod_1.z.ZodError)
                    throw new Error(e.issues.map((i) => `openadr.${(0, errors_js_1.formatPath)(i.path)}: ${i.message}`).join('; '));
                throw e;
            }
        })();
        ven = new factory_js_1.OpenadrVen(parsed, clock_js_1.systemClock);
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`${v.config}: ${(0, errors_js_1.errorMessage)(e)}`);
        return 2;
    }
    ven.on('state', (s) => (0, jsonl_js_1.emit)('state', s));
    ven.on('control', (c) => (0, jsonl_js_1.emit)('control', { ...c, validFrom: new Date(c.validFrom).toISOString(), validTo: new Date(c.validTo).toISOString() }));
    ven.on('cancel', (c) => (0, jsonl_js_1.emit)('cancel', c));
    ven.on('event', (e) => (0, jsonl_js_1.emit)('event', e));
    ven.on('report', (r) => (0, jsonl_js_1.emit)('report', r));
    ven.on('deviation', (d) => (0, jsonl_js_1.emit)('deviation', { detail: d }));
    ven.on('error', (e) => (0, jsonl_js_1.emit)('error', { error: e.message }));
    if (v['points-stdin']) {
        const rl = (0, node_readline_1.createInterface)({ input: process.stdin });
        rl.on('line', (line) => {
            if (!line.trim())
                return;
            try {
                const p = pointLine.parse(JSON.parse(line));
                const now = Date.now();
                const pt = { id: `${p.device}/${p.name}`, device: p.device, name: p.name, value: p.value, quality: { code: p.quality }, receiveTime: now, ...(p.unit ? { unit: p.unit } : {}) };
                ven.update(pt);
            }
            catch (e) {
                (0, jsonl_js_1.emit)('input_error', { line: line.slice(0, 200), error: e instanceof zod_1.z.ZodError ? e.issues.map((i) => `${(0, errors_js_1.formatPath)(i.path)}: ${i.message}`).join('; ') : (0, errors_js_1.errorMessage)(e) });
            }
        });
    }
    await ven.start();
    const sig = await (0, jsonl_js_1.untilSignal)();
    (0, jsonl_js_1.emit)('stopping', { signal: sig });
    if (v['deregister-on-exit'])
        await ven.deregister().catch((e) => (0, jsonl_js_1.emit)('error', { error: (0, errors_js_1.errorMessage)(e) }));
    await ven.stop();
    return 0;
}
//# sourceMappingURL=ven-openadr.js.map