"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.summary = void 0;
exports.run = run;
/** `gridbridge sim modbus --profile P (--tcp PORT | --rtu DEVICE) --unit N …`: serve a profile's points. */
const node_util_1 = require("node:util");
const errors_js_1 = require("../../core/errors.js");
const jsonl_js_1 = require("../jsonl.js");
const faults_js_1 = require("../../sim/modbus/faults.js");
const profile_file_js_1 = require("../../sim/modbus/profile-file.js");
const server_js_1 = require("../../sim/modbus/server.js");
exports.summary = 'Modbus device simulator (TCP or RTU) serving a device profile with moving values and faults';
const USAGE = `usage: gridbridge sim modbus --profile P (--tcp PORT [--host H] | --rtu DEVICE [--baud B]) [options]
  --profile P        device profile YAML (path, or an id from device-profiles/, e.g. eastron-sdm630)
  --tcp PORT         serve Modbus TCP on PORT (0 = any free port; printed in "listening")
  --host H           TCP bind address (default 127.0.0.1)
  --rtu DEVICE       serve Modbus RTU on a serial device (e.g. /dev/ttyUSB0 or a socat pty /tmp/ttyV1)
  --baud B           serial baud rate (default 9600)
  --unit N           unit id(s) to answer (repeatable or comma separated; default 1)
  --fault SPEC       inject a fault (repeatable): exception=N[,unit=U][,fn=holding|input|coil|discrete]
                     [,start=A][,count=C] | silent[,unit=U] | slow=MS[,…]
  --emulate-baud B   delay every reply by the RS485 wire time at B baud (for benches over TCP or a pty)
  --sunspec IDS      also serve a SunSpec header chain ("SunS" + model ids/lengths), e.g. 1,103,120,121,122,123
  --sunspec-base A   address of "SunS" (default 40000)
  --quiet            do not print one line per request (writes are still printed)
Prints JSON lines: listening, request, write, error. Stops on SIGINT/SIGTERM.`;
async function run(argv) {
    let v;
    try {
        v = (0, node_util_1.parseArgs)({
            args: argv,
            options: {
                profile: { type: 'string' },
                tcp: { type: 'string' },
                host: { type: 'string', default: '127.0.0.1' },
                rtu: { type: 'string' },
                baud: { type: 'string', default: '9600' },
                unit: { type: 'string', multiple: true },
                fault: { type: 'string', multiple: true },
                'emulate-baud': { type: 'string' },
                sunspec: { type: 'string' },
                'sunspec-base': { type: 'string', default: '40000' },
                quiet: { type: 'boolean', default: false },
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
    if (!v.profile || (!v.tcp && !v.rtu) || (v.tcp && v.rtu)) {
        (0, jsonl_js_1.warn)(`give --profile and exactly one of --tcp or --rtu\n${USAGE}`);
        return 2;
    }
    let sim;
    try {
        const profile = (0, profile_file_js_1.loadProfile)(v.profile);
        const unitIds = (v.unit ?? ['1']).flatMap((u) => u.split(',')).map((u) => Number(u.trim()));
        if (unitIds.some((u) => !Number.isInteger(u) || u < 1 || u > 247))
            throw new Error('--unit must be 1..247');
        const faults = (v.fault ?? []).map(faults_js_1.parseFault);
        const models = v.sunspec ? v.sunspec.split(',').map((s) => Number(s.trim())) : undefined;
        const units = unitIds.map((unitId) => ({ unitId, profile, ...(models ? { sunspec: { base: Number(v['sunspec-base']), models } } : {}) }));
        const emulateBaud = v['emulate-baud'] ? Number(v['emulate-baud']) : undefined;
        sim = new server_js_1.ModbusSimulator({ units, faults, ...(emulateBaud ? { emulateBaud } : {}) });
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`sim modbus: ${(0, errors_js_1.errorMessage)(e)}`);
        return 2;
    }
    sim.on('listening', (info) => (0, jsonl_js_1.emit)('listening', { ...info, units: [...sim.images.keys()] }));
    if (!v.quiet)
        sim.on('request', (r) => (0, jsonl_js_1.emit)('request', { ...r }));
    sim.on('write', (w) => (0, jsonl_js_1.emit)('write', { ...w }));
    sim.on('error', (e) => (0, jsonl_js_1.emit)('error', { message: e.message }));
    try {
        if (v.tcp)
            await sim.listenTcp(Number(v.tcp), v.host);
        else
            await sim.openRtu(v.rtu, Number(v.baud));
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`sim modbus: cannot open ${v.tcp ? `tcp ${v.host}:${v.tcp}` : v.rtu}: ${(0, errors_js_1.errorMessage)(e)}`);
        return 1;
    }
    const sig = await (0, jsonl_js_1.untilSignal)();
    await sim.close();
    (0, jsonl_js_1.emit)('stopped', { signal: sig, requests: sim.requests });
    return 0;
}
//# sourceMappingURL=sim-modbus.js.map