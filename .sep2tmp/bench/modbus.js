"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Modbus bench → bench/results/modbus.json
 * (a) RS485 utilisation: simulator emulating wire time at 9600 baud 8N1, 10 devices × 60 mixed registers on one
 *     serial-like bus (one transaction at a time): achieved registers/s vs the bus-time limit of the same plan
 *     (goal ≥ 95 %), and vs naive one-request-per-point polling at its own bus-time limit (goal ≥ 5×).
 * (b) Modbus TCP points/s of one client (the simulator runs in a child process): goal ≥ 30 000/s; RSS and CPU.
 * Loopback only; every phase is bounded in time.
 */
const node_child_process_1 = require("node:child_process");
const planner_js_1 = require("../src/protocols/modbus/planner.js");
const port_js_1 = require("../src/protocols/modbus/port.js");
const server_js_1 = require("../src/sim/modbus/server.js");
const lib_js_1 = require("./lib.js");
const BAUD = 9600;
const CHAR_MS = (10 * 1000) / BAUD; // 8N1: start + 8 data + stop
const DEVICES = 10;
/** 60 registers of mixed types (u16, i16, u32, i32, f32) with a few small gaps, in holding registers. */
function benchProfile() {
    const types = [['u16', 1], ['i16', 1], ['u32', 2], ['i32', 2], ['f32', 2]];
    const points = [];
    let addr = 0;
    let regs = 0;
    for (let i = 0; regs < 60; i++) {
        const [type, length] = types[i % types.length];
        if (regs + length > 60)
            break;
        points.push({ name: `x_p${i}`, address: addr, function: 'holding', type, length, byteOrder: 'BE', wordOrder: 'BE', scale: 1, offset: 0, unit: 'W', access: 'r', poll: 'fast' });
        regs += length;
        addr += length + (i % 7 === 6 ? 2 : 0); // small gaps the planner bridges
    }
    return {
        id: 'bench-60',
        kind: 'meter',
        metadata: { maker: 'GridBridge', model: 'bench', source: 'synthetic' },
        defaults: { function: 'holding', byteOrder: 'BE', wordOrder: 'BE', poll: 'fast' },
        limits: { maxReadRegisters: 125, maxReadBits: 2000, maxWriteRegisters: 123, maxGap: 20 },
        pollClasses: { fast: 0 },
        holes: [],
        points,
    };
}
const txMs = (registers) => CHAR_MS * (8 + 5 + 2 * registers + 7);
async function childSim(opts) {
    const child = (0, node_child_process_1.fork)(__filename, ['--sim-child', JSON.stringify(opts)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise((resolve, reject) => {
        child.once('message', (m) => resolve(m.port));
        child.once('exit', (c) => reject(new Error(`sim child exited ${c}`)));
    });
    return { port, child };
}
async function runPort(port, seconds, maxInFlight) {
    const profile = benchProfile();
    const mp = new port_js_1.ModbusPort({ tcp: { host: '127.0.0.1', port } }, { timeoutMs: 2000, maxInFlight, maxQueue: 1024 });
    for (let u = 1; u <= DEVICES; u++)
        mp.addDevice({ id: `d${u}`, unitId: u, profile, canonicalUnits: false });
    let points = 0;
    let counting = false;
    mp.on('points', (pts) => {
        if (counting)
            points += pts.length;
    });
    mp.start();
    await new Promise((r) => mp.on('status', (s) => s.state === 'up' && r()));
    await new Promise((r) => setTimeout(r, 500)); // warm-up
    const s0 = mp.stats();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    counting = true;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    counting = false;
    const elapsedS = (performance.now() - t0) / 1000;
    const c1 = process.cpuUsage(c0);
    const s1 = mp.stats();
    await mp.stop();
    const requests = s1.responses - s0.responses;
    const regsPerReq = (0, planner_js_1.planReadBlocks)(profile.points, profile.limits).reduce((n, b) => n + b.count, 0) / (0, planner_js_1.planReadBlocks)(profile.points, profile.limits).length;
    return { points, registers: requests * regsPerReq, requests, elapsedS, cpuS: (c1.user + c1.system) / 1e6, stats: s1 };
}
async function main() {
    const profile = benchProfile();
    const blocks = (0, planner_js_1.planReadBlocks)(profile.points, profile.limits);
    const regsPerCycle = blocks.reduce((n, b) => n + b.count, 0);
    const usefulRegs = profile.points.reduce((n, p) => n + p.length, 0);
    const busPerCycle = blocks.reduce((n, b) => n + txMs(b.count), 0);
    const naivePerCycle = profile.points.reduce((n, p) => n + txMs(p.length), 0);
    const limitRegsPerS = (usefulRegs / busPerCycle) * 1000;
    const naiveRegsPerS = (usefulRegs / naivePerCycle) * 1000;
    // (a) RS485 emulation: one transaction at a time.
    const rs = await childSim({ emulateBaud: BAUD });
    const a = await runPort(rs.port, 10, 1);
    rs.child.kill();
    const achievedUseful = (a.requests / blocks.length) * usefulRegs / a.elapsedS;
    const rs485 = {
        baud: BAUD,
        devices: DEVICES,
        registersPerDevice: usefulRegs,
        points: profile.points.length,
        requestsPerDeviceCycle: blocks.length,
        registersReadPerCycle: regsPerCycle,
        busTimeLimitRegistersPerS: round(limitRegsPerS),
        achievedRegistersPerS: round(achievedUseful),
        utilisationOfLimit: round(achievedUseful / limitRegsPerS, 3),
        naiveOneRequestPerPointLimitRegistersPerS: round(naiveRegsPerS),
        speedupVsNaive: round(achievedUseful / naiveRegsPerS, 2),
        goals: { utilisation: '>= 0.95', speedupVsNaive: '>= 5' },
    };
    process.stderr.write(`rs485: ${JSON.stringify(rs485)}\n`);
    // (b) TCP throughput.
    const tcp = await childSim({});
    const b1 = await runPort(tcp.port, 5, 1);
    const b4 = await runPort(tcp.port, 5, 4);
    tcp.child.kill();
    const fig = (r) => ({
        pointsPerS: round(r.points / r.elapsedS),
        requestsPerS: round(r.requests / r.elapsedS),
        registersPerS: round(r.registers / r.elapsedS),
        clientCpuPerS: round(r.cpuS / r.elapsedS, 2),
        pointsPerCpuSecond: round(r.points / Math.max(r.cpuS, 1e-9)),
        dropped: r.stats.dropped,
        timeouts: r.stats.timeouts,
    });
    const rssMB = Math.round(process.memoryUsage().rss / 1048576);
    const tcpRes = { devices: DEVICES, pointsPerRequest: round(profile.points.length / blocks.length, 1), inFlight1: fig(b1), inFlight4: fig(b4), rssMB, goal: 'pointsPerS >= 30000', peer: 'plain modbus-serial ≈ 8 000 requests/s' };
    (0, lib_js_1.writeResult)('modbus', { rs485, tcp: tcpRes });
}
function round(x, d = 0) {
    const f = 10 ** d;
    return Math.round(x * f) / f;
}
if (process.argv[2] === '--sim-child') {
    const opts = JSON.parse(process.argv[3] ?? '{}');
    const profile = benchProfile();
    const sim = new server_js_1.ModbusSimulator({ units: Array.from({ length: DEVICES }, (_, i) => ({ unitId: i + 1, profile })), ...(opts.emulateBaud ? { emulateBaud: opts.emulateBaud } : {}) });
    void sim.listenTcp(0).then(({ port }) => process.send?.({ port }));
    process.on('disconnect', () => process.exit(0));
    setTimeout(() => process.exit(0), 120000).unref();
}
else {
    main().then(() => process.exit(0), (e) => {
        process.stderr.write(`bench modbus: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exit(1);
    });
}
//# sourceMappingURL=modbus.js.map