"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.summary = void 0;
exports.run = run;
/** `gridbridge sim sapc-meter --device DEV [--script S] [--baud B]`: act as a smart meter's SAPC port. */
const node_fs_1 = require("node:fs");
const node_util_1 = require("node:util");
const yaml_1 = require("yaml");
const jsonl_js_1 = require("../jsonl.js");
const errors_js_1 = require("../../core/errors.js");
const clock_js_1 = require("../../core/clock.js");
const transport_js_1 = require("../../protocols/sapc/transport.js");
const session_js_1 = require("../../protocols/sapc/session.js");
const meter_js_1 = require("../../sim/sapc/meter.js");
exports.summary = 'simulate a smart meter SAPC port (SSP-1): heartbeats, scripted overrides, ACK/NAK log';
const USAGE = `usage: gridbridge sim sapc-meter --device DEV [--script S] [--baud B] [--exit]
  --device DEV   serial port (or a socat pty)
  --script S     YAML/JSON script: steps: [{ at: 0, command: { level: 50, for: 10m, source: lc } }, …]
                 step kinds: command, cancel {eventId, source}, status {slot}, raw "bytes"
  --baud B       baud rate (default 9600, 8N1)
  --heartbeat S  heartbeat period in seconds (default 60)
  --exit         exit when the script has finished (exit 1 if any NAK or timeout)`;
async function run(argv) {
    let v;
    try {
        v = (0, node_util_1.parseArgs)({
            args: argv,
            options: {
                device: { type: 'string' },
                script: { type: 'string' },
                baud: { type: 'string', default: '9600' },
                heartbeat: { type: 'string', default: '60' },
                exit: { type: 'boolean', default: false },
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
    if (!v.device) {
        (0, jsonl_js_1.warn)(`--device is required\n${USAGE}`);
        return 2;
    }
    let script = { steps: [] };
    if (v.script) {
        try {
            const parsed = meter_js_1.meterScriptSchema.safeParse((0, yaml_1.parse)((0, node_fs_1.readFileSync)(v.script, 'utf8')));
            if (!parsed.success) {
                for (const i of parsed.error.issues)
                    (0, jsonl_js_1.warn)(`${v.script}: ${(0, errors_js_1.formatPath)(i.path)}: ${i.message}`);
                return 2;
            }
            script = parsed.data;
        }
        catch (e) {
            (0, jsonl_js_1.warn)(`${v.script}: ${(0, errors_js_1.errorMessage)(e)}`);
            return 2;
        }
    }
    const transport = new transport_js_1.SerialTransport({ path: v.device, baudRate: Number(v.baud) });
    transport.on('state', (state, reason) => (0, jsonl_js_1.emit)('port', { state, ...(reason ? { reason } : {}) }));
    try {
        await transport.open();
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`sim sapc-meter: cannot open ${v.device}: ${(0, errors_js_1.errorMessage)(e)}`);
        return 2;
    }
    const session = new session_js_1.SapcSession({ write: (t) => transport.write(t), heartbeatMs: Number(v.heartbeat) * 1000, baudRate: Number(v.baud) });
    transport.on('data', (b) => session.receive(b));
    session.on('sent', (t) => (0, jsonl_js_1.emit)('sent', { frame: t.trimEnd() }));
    session.on('heartbeat', (hb) => (0, jsonl_js_1.emit)('heartbeat', { seq: hb.seq, uptimeS: hb.uptimeS }));
    session.on('rxError', (e) => (0, jsonl_js_1.emit)('rx_error', { reason: e.reason, offset: e.offset }));
    session.on('link', (l) => (0, jsonl_js_1.emit)('link', { state: l }));
    const sim = new meter_js_1.SapcMeterSim(session, clock_js_1.systemClock, (t) => transport.write(t));
    let failures = 0;
    sim.on('record', (r) => {
        if (r.error || r.reply?.type === 'NAK')
            failures++;
        if (r.reply) {
            const { attempts, elapsedMs, ...frame } = r.reply;
            (0, jsonl_js_1.emit)('answer', { step: r.step, request: r.request, ...frame, attempts, elapsedMs: Math.round(elapsedMs) });
        }
        else if (r.error)
            (0, jsonl_js_1.emit)('timeout', { step: r.step, request: r.request, message: r.error });
    });
    (0, jsonl_js_1.emit)('start', { device: v.device, baud: Number(v.baud), steps: script.steps.length });
    const finished = new Promise((resolve) => sim.once('done', () => resolve('done')));
    sim.play(script);
    // Protocol timers are unref'd; keep the process up while the port reconnects.
    const keepAlive = setInterval(() => { }, 1 << 30);
    const why = await Promise.race([(0, jsonl_js_1.untilSignal)(), ...(v.exit ? [finished] : [])]);
    clearInterval(keepAlive);
    (0, jsonl_js_1.emit)('stop', { reason: why, stats: session.stats });
    sim.stop();
    await transport.close();
    return v.exit && failures ? 1 : 0;
}
//# sourceMappingURL=sim-sapc-meter.js.map