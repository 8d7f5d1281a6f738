"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.summary = void 0;
exports.run = run;
/** `gridbridge sim vtn --port N [--script S.yaml]`: OpenADR 2.0b VTN simulator, logs every report as JSON lines. */
const node_fs_1 = require("node:fs");
const node_util_1 = require("node:util");
const clock_js_1 = require("../../core/clock.js");
const errors_js_1 = require("../../core/errors.js");
const script_js_1 = require("../../sim/openadr/script.js");
const vtn20b_js_1 = require("../../sim/openadr/vtn20b.js");
const jsonl_js_1 = require("../jsonl.js");
exports.summary = 'simulate an OpenADR 2.0b VTN (PULL/PUSH, scripted events and report requests, mutual TLS)';
const USAGE = `usage: gridbridge sim vtn --port N [--script S.yaml] [--host H] [--cert F --key F [--ca F]]
  --port N        TCP port (default 8080)
  --host H        listen address (default 127.0.0.1)
  --script S      YAML: vtnId, pollFreqSec, steps: [{ at: 5, event: {id, signal, type, startIn, intervals:[{duration, value}]} },
                  { at: 0, reportRequest: {report: TELEMETRY_USAGE, granularity: 10, reportBack: 60} },
                  { at: 600, cancelReport: {id, reportToFollow} }, { at: 900, cancelEvent: ID }, { at: 1200, reregister: true },
                  { at: 1800, cancelRegistration: true }]  (at = seconds after each VEN registers)
  --cert/--key    serve HTTPS; with --ca, require client certificates (VEN ID = certificate fingerprint)`;
async function run(argv) {
    let v;
    try {
        v = (0, node_util_1.parseArgs)({
            args: argv,
            options: {
                port: { type: 'string', default: '8080' },
                host: { type: 'string', default: '127.0.0.1' },
                script: { type: 'string' },
                cert: { type: 'string' },
                key: { type: 'string' },
                ca: { type: 'string' },
                help: { type: 'boolean', short: 'h' },
            },
        }).values;
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`${(0, errors_js_1.errorMessage)(e)}\n${USAGE}`);
        return 2;
    }
    if (v.help) {
        process.stdout.write(USAGE + '\n');
        return 0;
    }
    const port = Number(v.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        (0, jsonl_js_1.warn)(`--port: invalid port ${v.port}`);
        return 2;
    }
    let script;
    if (v.script) {
        let text;
        try {
            text = (0, node_fs_1.readFileSync)(v.script, 'utf8');
        }
        catch (e) {
            (0, jsonl_js_1.warn)(`${v.script}: ${(0, errors_js_1.errorMessage)(e)}`);
            return 2;
        }
        const r = (0, script_js_1.parseVtnScript)(text, v.script);
        if (!r.script) {
            for (const e of r.errors)
                (0, jsonl_js_1.warn)((0, errors_js_1.formatProfileError)(e));
            return 2;
        }
        script = r.script;
    }
    let tls;
    try {
        tls = v.cert && v.key ? { cert: (0, node_fs_1.readFileSync)(v.cert, 'utf8'), key: (0, node_fs_1.readFileSync)(v.key, 'utf8'), ...(v.ca ? { ca: (0, node_fs_1.readFileSync)(v.ca, 'utf8') } : {}) } : undefined;
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`sim vtn: ${(0, errors_js_1.errorMessage)(e)}`);
        return 2;
    }
    const sim = new vtn20b_js_1.VtnSim20b({ port, host: v.host, clock: clock_js_1.systemClock, ...(script ? { script } : {}), ...(tls ? { tls } : {}), log: ({ event, ...rest }) => (0, jsonl_js_1.emit)(event, rest) });
    try {
        await sim.start();
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`sim vtn: cannot listen on ${v.host}:${port}: ${(0, errors_js_1.errorMessage)(e)}`);
        return 1;
    }
    const sig = await (0, jsonl_js_1.untilSignal)();
    (0, jsonl_js_1.emit)('stopping', { signal: sig });
    await sim.stop();
    return 0;
}
//# sourceMappingURL=sim-vtn.js.map