"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * SAPC SSP-1 bench: frames/s through the stream framer + field decoder (clean and noisy streams), encode rate,
 * arbiter submits/s, and the override-to-device latency of the rig in virtual time at 9600 baud.
 * Every loop is bounded in count and time.
 */
const node_perf_hooks_1 = require("node:perf_hooks");
const lib_js_1 = require("./lib.js");
const clock_js_1 = require("../src/core/clock.js");
const arbiter_js_1 = require("../src/core/arbitration/arbiter.js");
const framer_js_1 = require("../src/protocols/sapc/framer.js");
const frame_js_1 = require("../src/protocols/sapc/frame.js");
const rig_js_1 = require("../src/sim/sapc/rig.js");
const T0 = Date.UTC(2026, 0, 1);
const cmd = (seq) => ({
    type: 'CMD',
    seq,
    command: { slot: 1, direction: 'import', level: seq % 101, source: 'load_controller', validFrom: T0, validTo: T0 + 7200_000, randomDelayS: 0, randomised: false, eventId: `E${seq}`, timestamp: T0 },
});
function parseRate(noise) {
    const parts = [];
    for (let i = 0; i < 2000; i++)
        parts.push((noise && i % 5 === 0 ? 'xx\x00\xff' : '') + (0, frame_js_1.encodeFrame)(cmd(i)) + (noise && i % 7 === 0 ? '$1,CMD,9*0000\r\n' : ''));
    const chunk = Buffer.from(parts.join(''), 'latin1');
    let frames = 0;
    let dropped = 0;
    let bytes = 0;
    const start = node_perf_hooks_1.performance.now();
    for (let round = 0; round < 200 && node_perf_hooks_1.performance.now() - start < 3000; round++) {
        const f = new framer_js_1.SspFramer();
        for (let off = 0; off < chunk.length; off += 512) {
            for (const e of f.push(chunk.subarray(off, off + 512))) {
                if (e.kind === 'frame') {
                    (0, frame_js_1.decodeFrame)(e.frame);
                    frames++;
                }
                else
                    dropped++;
            }
        }
        bytes += chunk.length;
    }
    const s = (node_perf_hooks_1.performance.now() - start) / 1000;
    return { framesPerS: Math.round(frames / s), MBperS: Math.round((bytes / s / 1e6) * 10) / 10, frames, dropped };
}
function encodeRate() {
    let n = 0;
    const start = node_perf_hooks_1.performance.now();
    while (n < 500_000 && node_perf_hooks_1.performance.now() - start < 2000)
        (0, frame_js_1.encodeFrame)(cmd(n++ % 65536));
    return Math.round(n / ((node_perf_hooks_1.performance.now() - start) / 1000));
}
function arbiterRate() {
    const clock = new clock_js_1.FakeClock(T0);
    const a = new arbiter_js_1.Arbiter({ clock, auditLimit: 1000 });
    const classes = ['load_controller', 'supplier', 'aggregator', 'owner'];
    let n = 0;
    const start = node_perf_hooks_1.performance.now();
    while (n < 100_000 && node_perf_hooks_1.performance.now() - start < 2000) {
        a.submit({ id: `i${n % 200}`, source: 'bench', sourceClass: classes[n % 4], target: { device: `d${n % 10}`, name: 'SAPCLevel' }, cap: n % 100, validFrom: T0, validTo: T0 + 3600_000 + n });
        n++;
    }
    a.close();
    return { submitsPerS: Math.round(n / ((node_perf_hooks_1.performance.now() - start) / 1000)), targets: 10 };
}
async function main() {
    const clean = parseRate(false);
    const noisy = parseRate(true);
    const rig = await (0, rig_js_1.runRig)({ clock: new clock_js_1.FakeClock(T0), baud: 9600, applyDelayMs: 100 });
    const latencies = rig.scenarios.flatMap((s) => s.latencyMs);
    (0, lib_js_1.writeResult)('sapc', {
        parser: { clean, noisy },
        encodeFramesPerS: encodeRate(),
        arbiter: arbiterRate(),
        rig: {
            time: rig.time,
            baud: rig.baud,
            applyDelayMs: rig.applyDelayMs,
            passed: rig.passed,
            failed: rig.failed,
            overrideToDeviceMs: { min: Math.min(...latencies), max: Math.max(...latencies), n: latencies.length },
        },
    });
}
void main();
//# sourceMappingURL=sapc.js.map