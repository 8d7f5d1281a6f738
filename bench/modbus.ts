/**
 * Modbus bench → bench/results/modbus.json
 * (a) RS485 utilisation: simulator emulating wire time at 9600 baud 8N1, 10 devices × 60 mixed registers on one
 *     serial-like bus (one transaction at a time): achieved registers/s vs the bus-time limit of the same plan
 *     (goal ≥ 95 %), and vs naive one-request-per-point polling at its own bus-time limit (goal ≥ 5×).
 * (b) Modbus TCP points/s of one client (the simulator runs in a child process): goal ≥ 30 000/s; RSS and CPU.
 * (c) Baseline, apples to apples: plain modbus-serial (ModbusRTU connectTCP, readHoldingRegisters of the same block
 *     in a loop over the same unit ids, one request in flight) against the SAME simulator process, and both clients
 *     against a minimal raw-socket server (fixed answer, no decoding) so a slow simulator cannot hide client cost.
 *     Server CPU is measured in the child, so the JSON says which side is the bottleneck.
 * Loopback only; every phase is bounded in time (and the baseline loop in count). `--tcp-only` skips (a).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import ModbusRTU from 'modbus-serial';
import type { Profile, ProfilePoint } from '../src/core/profile/types.js';
import { planReadBlocks } from '../src/protocols/modbus/planner.js';
import { ModbusPort } from '../src/protocols/modbus/port.js';
import { ModbusSimulator } from '../src/sim/modbus/server.js';
import { writeResult } from './lib.js';

const BAUD = 9600;
const CHAR_MS = (10 * 1000) / BAUD; // 8N1: start + 8 data + stop
const DEVICES = 10;

/** 60 registers of mixed types (u16, i16, u32, i32, f32) with a few small gaps, in holding registers. */
function benchProfile(): Profile {
  const types: Array<[ProfilePoint['type'], number]> = [['u16', 1], ['i16', 1], ['u32', 2], ['i32', 2], ['f32', 2]];
  const points: ProfilePoint[] = [];
  let addr = 0;
  let regs = 0;
  for (let i = 0; regs < 60; i++) {
    const [type, length] = types[i % types.length]!;
    if (regs + length > 60) break;
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

const txMs = (registers: number) => CHAR_MS * (8 + 5 + 2 * registers + 7);

interface SimChild {
  port: number;
  child: ChildProcess;
}

async function childSim(opts: { emulateBaud?: number; raw?: boolean }): Promise<SimChild> {
  const child = fork(__filename, ['--sim-child', JSON.stringify(opts)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (c) => reject(new Error(`sim child exited ${c}`)));
  });
  return { port, child };
}

/** CPU seconds (user + system) the server child has used so far. */
function childCpuS(sim: SimChild): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('sim child did not report its CPU')), 5000);
    sim.child.once('message', (m) => {
      clearTimeout(t);
      const u = (m as { cpu: NodeJS.CpuUsage }).cpu;
      resolve((u.user + u.system) / 1e6);
    });
    sim.child.send({ cpu: true });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  points: number;
  registers: number;
  requests: number;
  elapsedS: number;
  cpuS: number;
  serverCpuS: number;
  dropped: number;
  timeouts: number;
}

/**
 * Plain modbus-serial: readHoldingRegisters of the bench block in a loop, one request in flight, cycling over the
 * same unit ids as the port. Bounded in time and in count.
 */
async function runBaseline(sim: SimChild, seconds: number): Promise<Run> {
  const profile = benchProfile();
  const [block] = planReadBlocks(profile.points, profile.limits);
  if (!block) throw new Error('bench profile plans no block');
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port: sim.port });
  client.setTimeout(2000);
  let requests = 0;
  let timeouts = 0;
  let counting = false;
  let stop = false;
  const loop = (async () => {
    for (let i = 0; !stop && i < 5_000_000; i++) {
      client.setID(1 + (i % DEVICES));
      try {
        await client.readHoldingRegisters(block.start, block.count);
        if (counting) requests++;
      } catch {
        timeouts++;
      }
    }
  })();
  await sleep(500); // warm-up, as for the port
  const srv0 = await childCpuS(sim);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  counting = true;
  await sleep(seconds * 1000);
  counting = false;
  const elapsedS = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  const serverCpuS = (await childCpuS(sim)) - srv0;
  stop = true;
  await loop;
  await new Promise<void>((r) => client.close(() => r()));
  return { points: 0, registers: requests * block.count, requests, elapsedS, cpuS: (c1.user + c1.system) / 1e6, serverCpuS, dropped: 0, timeouts };
}

async function runPort(sim: SimChild, seconds: number, maxInFlight: number): Promise<Run> {
  const port = sim.port;
  const profile = benchProfile();
  const mp = new ModbusPort({ tcp: { host: '127.0.0.1', port } }, { timeoutMs: 2000, maxInFlight, maxQueue: 1024 });
  for (let u = 1; u <= DEVICES; u++) mp.addDevice({ id: `d${u}`, unitId: u, profile, canonicalUnits: false });
  let points = 0;
  let counting = false;
  mp.on('points', (pts) => {
    if (counting) points += pts.length;
  });
  mp.start();
  await new Promise<void>((r) => mp.on('status', (s) => s.state === 'up' && r()));
  await sleep(500); // warm-up
  const srv0 = await childCpuS(sim);
  const s0 = mp.stats();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  counting = true;
  await sleep(seconds * 1000);
  counting = false;
  const elapsedS = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  const s1 = mp.stats();
  const serverCpuS = (await childCpuS(sim)) - srv0;
  await mp.stop();
  const requests = s1.responses - s0.responses;
  const regsPerReq = planReadBlocks(profile.points, profile.limits).reduce((n, b) => n + b.count, 0) / planReadBlocks(profile.points, profile.limits).length;
  return { points, registers: requests * regsPerReq, requests, elapsedS, cpuS: (c1.user + c1.system) / 1e6, serverCpuS, dropped: s1.dropped, timeouts: s1.timeouts };
}

const fig = (r: Run, withPoints = true) => ({
  ...(withPoints ? { pointsPerS: round(r.points / r.elapsedS) } : {}),
  requestsPerS: round(r.requests / r.elapsedS),
  registersPerS: round(r.registers / r.elapsedS),
  clientCpuPerS: round(r.cpuS / r.elapsedS, 2),
  clientCpuUsPerRequest: round((r.cpuS * 1e6) / Math.max(r.requests, 1), 1),
  serverCpuPerS: round(r.serverCpuS / r.elapsedS, 2),
  serverCpuUsPerRequest: round((r.serverCpuS * 1e6) / Math.max(r.requests, 1), 1),
  ...(withPoints ? { pointsPerCpuSecond: round(r.points / Math.max(r.cpuS, 1e-9)) } : {}),
  dropped: r.dropped,
  timeouts: r.timeouts,
});

/** Ours vs plain modbus-serial on the same server: ratios > 1 mean ours is faster / cheaper. */
function versus(ours: Run, base: Run) {
  const rps = (r: Run) => r.requests / r.elapsedS;
  const cpr = (r: Run) => r.cpuS / Math.max(r.requests, 1);
  return { requestsPerSRatio: round(rps(ours) / rps(base), 3), clientCpuPerRequestRatio: round(cpr(base) / cpr(ours), 3) };
}

async function main(): Promise<void> {
  const profile = benchProfile();
  const blocks = planReadBlocks(profile.points, profile.limits);
  const regsPerCycle = blocks.reduce((n, b) => n + b.count, 0);
  const usefulRegs = profile.points.reduce((n, p) => n + p.length, 0);
  const busPerCycle = blocks.reduce((n, b) => n + txMs(b.count), 0);
  const naivePerCycle = profile.points.reduce((n, p) => n + txMs(p.length), 0);
  const limitRegsPerS = (usefulRegs / busPerCycle) * 1000;
  const naiveRegsPerS = (usefulRegs / naivePerCycle) * 1000;

  // (a) RS485 emulation: one transaction at a time.
  let rs485: Record<string, unknown> | undefined;
  if (!process.argv.includes('--tcp-only')) {
    const rs = await childSim({ emulateBaud: BAUD });
    const a = await runPort(rs, 10, 1);
    rs.child.kill();
    const achievedUseful = (a.requests / blocks.length) * usefulRegs / a.elapsedS;
    rs485 = {
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
  }

  // (b) TCP throughput against the simulator, and (c) the plain modbus-serial baseline on the same process.
  const tcp = await childSim({});
  const b1 = await runPort(tcp, 5, 1);
  const base1 = await runBaseline(tcp, 5);
  const b4 = await runPort(tcp, 5, 4);
  tcp.child.kill();
  // (c) the same two clients against a minimal raw-socket server (fixed answer bytes, no register image).
  const raw = await childSim({ raw: true });
  const r1 = await runPort(raw, 5, 1);
  const rbase1 = await runBaseline(raw, 5);
  raw.child.kill();
  const rssMB = Math.round(process.memoryUsage().rss / 1048576);
  const tcpRes = { devices: DEVICES, pointsPerRequest: round(profile.points.length / blocks.length, 1), inFlight1: fig(b1), inFlight4: fig(b4), rssMB, goal: 'pointsPerS >= 30000', peer: 'plain modbus-serial ≈ 8 000 requests/s (libmodbus server, notes/protocols.md)' };
  const bottleneck = (r: Run) => (r.serverCpuS / r.elapsedS >= 0.9 ? 'server' : r.cpuS / r.elapsedS >= 0.9 ? 'client' : 'round trip (neither side saturated)');
  const baseline = {
    what: 'plain modbus-serial ModbusRTU.connectTCP + readHoldingRegisters of the same block, same unit ids, one request in flight',
    block: { start: blocks[0]?.start, count: blocks[0]?.count },
    simulator: { ours: fig(b1), plainModbusSerial: fig(base1, false), oursVsPlain: versus(b1, base1), bottleneck: { ours: bottleneck(b1), plainModbusSerial: bottleneck(base1) } },
    rawServer: { ours: fig(r1), plainModbusSerial: fig(rbase1, false), oursVsPlain: versus(r1, rbase1), bottleneck: { ours: bottleneck(r1), plainModbusSerial: bottleneck(rbase1) } },
  };
  writeResult('modbus', { ...(rs485 ? { rs485 } : {}), tcp: tcpRes, baseline });
}

/** Minimal Modbus TCP server: answers FC3/FC4 with fixed register bytes (other codes: exception 1). No image. */
function rawServer(): Promise<number> {
  const regs = Buffer.alloc(250);
  for (let i = 0; i < 125; i++) regs.writeUInt16BE(0x0100 + i, 2 * i);
  const srv = createServer((sock: Socket) => {
    sock.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 8) {
        const len = buf.readUInt16BE(4);
        if (buf.length < 6 + len) break;
        const fc = buf[7]!;
        let out: Buffer;
        if ((fc === 3 || fc === 4) && len >= 6) {
          const count = Math.min(125, buf.readUInt16BE(10));
          out = Buffer.allocUnsafe(9 + 2 * count);
          buf.copy(out, 0, 0, 4);
          out.writeUInt16BE(3 + 2 * count, 4);
          out[6] = buf[6]!;
          out[7] = fc;
          out[8] = 2 * count;
          regs.copy(out, 9, 0, 2 * count);
        } else {
          out = Buffer.from([buf[0]!, buf[1]!, 0, 0, 0, 3, buf[6]!, fc | 0x80, 1]);
        }
        sock.write(out);
        buf = buf.subarray(6 + len);
      }
    });
    sock.on('error', () => undefined);
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as { port: number }).port)));
}

function round(x: number, d = 0): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

if (process.argv[2] === '--sim-child') {
  const opts = JSON.parse(process.argv[3] ?? '{}') as { emulateBaud?: number; raw?: boolean };
  process.on('message', () => process.send?.({ cpu: process.cpuUsage() }));
  if (opts.raw) {
    void rawServer().then((port) => process.send?.({ port }));
  } else {
    const profile = benchProfile();
    const sim = new ModbusSimulator({ units: Array.from({ length: DEVICES }, (_, i) => ({ unitId: i + 1, profile })), ...(opts.emulateBaud ? { emulateBaud: opts.emulateBaud } : {}) });
    void sim.listenTcp(0).then(({ port }) => process.send?.({ port }));
  }
  process.on('disconnect', () => process.exit(0));
  setTimeout(() => process.exit(0), 120000).unref();
} else {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bench modbus: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
