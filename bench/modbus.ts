/**
 * Modbus bench → bench/results/modbus.json
 * (a) RS485, 10 devices × 60 mixed registers at 9600 baud 8N1, on a real serial path: our ModbusPort (modbus-serial's
 *     buffered RTU client, serialport, termios) on one end of a socat pty pair, the simulator (RTU) on the other end
 *     of a second pair, and between them a relay process that paces the bytes at 9600 baud on ONE half-duplex
 *     timeline (10 bit times per character, a 3.5-character silence when the direction changes). What is modelled:
 *     the wire time; not modelled: a UART, transceiver turnaround, device processing time (the simulator answers
 *     at once). Measured: useful registers/s of ours (block reads planned by the profile) and of a naive client
 *     (plain modbus-serial reading each point with its own request) on the same path, and the bus-time limit of
 *     each plan computed from the same model (so utilisation = how much of the modelled wire our software keeps busy).
 * (b) Modbus TCP, one client, simulator in a child process: our ModbusPort (1 and 4 in flight, a `continuous` class)
 *     vs plain modbus-serial (ModbusRTU.connectTCP + readHoldingRegisters of the same block over the same unit ids,
 *     one request in flight) in the same run, against the simulator and against a minimal raw-socket server. RSS of
 *     this process sampled every 500 ms through the longest run (does it level off?).
 * Loopback only; every phase is bounded in time (the whole bench well under a minute). `--tcp-only` skips (a);
 * `--memory=SECONDS` runs only a longer RSS series at load (not part of `npm run bench`).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import ModbusRTU from 'modbus-serial';
import { SerialPort } from 'serialport';
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

interface ChildOpts {
  raw?: boolean;
  /** Serve RTU on this pty instead of TCP. */
  rtu?: string;
  /** Be the pacing relay between these two ptys. */
  relay?: [string, string];
}

async function childSim(opts: ChildOpts): Promise<SimChild> {
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

async function runPort(sim: SimChild | undefined, seconds: number, maxInFlight: number, opts: { rtuPath?: string; rss?: number[] } = {}): Promise<Run> {
  const profile = benchProfile();
  const endpoint = opts.rtuPath ? { rtu: { path: opts.rtuPath, baudRate: BAUD } } : { tcp: { host: '127.0.0.1', port: sim!.port } };
  const mp = new ModbusPort(endpoint, { timeoutMs: 2000, maxInFlight, maxQueue: 1024 });
  for (let u = 1; u <= DEVICES; u++) mp.addDevice({ id: `d${u}`, unitId: u, profile, canonicalUnits: false });
  let points = 0;
  let counting = false;
  mp.on('points', (pts) => {
    if (counting) points += pts.length;
  });
  mp.start();
  await new Promise<void>((r) => mp.on('status', (s) => s.state === 'up' && r()));
  await sleep(500); // warm-up
  const srv0 = sim ? await childCpuS(sim) : 0;
  const s0 = mp.stats();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  counting = true;
  if (opts.rss) {
    for (let t = 0; t < seconds * 1000; t += 500) {
      await sleep(500);
      opts.rss.push(Math.round(process.memoryUsage().rss / 1048576));
    }
  } else await sleep(seconds * 1000);
  counting = false;
  const elapsedS = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  const s1 = mp.stats();
  const serverCpuS = sim ? (await childCpuS(sim)) - srv0 : 0;
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

/** A socat pty pair; resolves with its two paths once socat is transferring. */
function ptyPair(tag: string): Promise<{ a: string; b: string; proc: ChildProcess }> {
  const base = `/tmp/gb-bench-${process.pid}-${tag}`;
  const a = `${base}-a`;
  const b = `${base}-b`;
  const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    const t = setTimeout(() => reject(new Error(`socat not ready: ${err}`)), 5000);
    proc.on('error', (e) => reject(e));
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/starting data transfer loop/.test(err)) {
        clearTimeout(t);
        resolve({ a, b, proc });
      }
    });
  });
}

/**
 * Naive polling on the same serial path: plain modbus-serial, one request per point (its own length), over the same
 * unit ids, one at a time. Returns useful registers read and the elapsed time.
 */
async function runNaive(path: string, seconds: number): Promise<{ registers: number; requests: number; elapsedS: number; timeouts: number }> {
  const profile = benchProfile();
  const client = new ModbusRTU();
  await client.connectRTUBuffered(path, { baudRate: BAUD, parity: 'none', dataBits: 8, stopBits: 1 });
  client.setTimeout(1000);
  let registers = 0;
  let requests = 0;
  let timeouts = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  for (let i = 0; performance.now() < end; i++) {
    const p = profile.points[i % profile.points.length]!;
    client.setID(1 + (Math.floor(i / profile.points.length) % DEVICES));
    try {
      await client.readHoldingRegisters(p.address, p.length);
      registers += p.length;
      requests++;
    } catch {
      timeouts++;
    }
  }
  const elapsedS = (performance.now() - t0) / 1000;
  await new Promise<void>((r) => client.close(() => r()));
  return { registers, requests, elapsedS, timeouts };
}

/** Useful registers/s of a serial run against the bus-time limit of its plan. */
function serialFig(useful: number, r: { requests: number; elapsedS: number; timeouts: number }, limit: number) {
  return { usefulRegistersPerS: round(useful, 1), requestsPerS: round(r.requests / r.elapsedS, 1), timeouts: r.timeouts, busTimeLimitRegistersPerS: round(limit, 1), utilisationOfLimit: round(useful / limit, 3) };
}

async function rs485(): Promise<Record<string, unknown>> {
  const profile = benchProfile();
  const blocks = planReadBlocks(profile.points, profile.limits);
  const usefulRegs = profile.points.reduce((n, p) => n + p.length, 0);
  // Modelled bus time of one transaction (FC3): request 8 chars, reply 5 + 2n chars, two 3.5-char silences.
  const busPerCycle = blocks.reduce((n, b) => n + txMs(b.count), 0);
  const naivePerCycle = profile.points.reduce((n, p) => n + txMs(p.length), 0);
  const limitRegsPerS = (usefulRegs / busPerCycle) * 1000;
  const naiveLimitRegsPerS = (usefulRegs / naivePerCycle) * 1000;
  const client = await ptyPair('client');
  const device = await ptyPair('device');
  const relay = await childSim({ relay: [client.b, device.a] });
  const sim = await childSim({ rtu: device.b });
  try {
    const ours = await runPort(undefined, 8, 1, { rtuPath: client.a });
    const oursUseful = ((ours.requests / blocks.length) * usefulRegs) / ours.elapsedS;
    const naive = await runNaive(client.a, 6);
    const naiveUseful = naive.registers / naive.elapsedS;
    return {
      what: 'ModbusPort (modbus-serial buffered RTU, serialport) ↔ socat pty pair ↔ pacing relay process ↔ socat pty pair ↔ simulator (RTU); the relay holds each chunk for its character time at 9600 baud 8N1 on one half-duplex timeline, plus 3.5 characters when the direction changes. Wire time modelled, not a UART.',
      baud: BAUD,
      devices: DEVICES,
      registersPerDevice: usefulRegs,
      points: profile.points.length,
      requestsPerDeviceCycle: blocks.length,
      ours: serialFig(oursUseful, ours, limitRegsPerS),
      naiveOneRequestPerPoint: serialFig(naiveUseful, naive, naiveLimitRegsPerS),
      speedupVsNaiveMeasured: round(oursUseful / naiveUseful, 2),
      goals: { utilisation: '>= 0.95', speedupVsNaive: '>= 5' },
    };
  } finally {
    sim.child.kill();
    relay.child.kill();
    client.proc.kill();
    device.proc.kill();
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const rssStartMB = Math.round(process.memoryUsage().rss / 1048576);
  const profile = blocksProfile();
  const memoryS = Number(process.argv.find((a) => a.startsWith('--memory='))?.slice(9) ?? 0);
  if (memoryS > 0) {
    // Not part of `npm run bench` (too long): `node dist/bench/modbus.js --memory=60` prints an RSS series at load.
    const tcp = await childSim({});
    const rss: number[] = [];
    const r = await runPort(tcp, memoryS, 1, { rss });
    tcp.child.kill();
    process.stdout.write(`${JSON.stringify({ rssStartMB, requestsPerS: round(r.requests / r.elapsedS), rssEvery500msMB: rss })}\n`);
    return;
  }
  let rs: Record<string, unknown> | undefined;
  if (!process.argv.includes('--tcp-only')) {
    rs = await rs485();
    process.stderr.write(`rs485: ${JSON.stringify(rs)}\n`);
  }

  // (b) TCP against the simulator: ours (RSS sampled), plain modbus-serial, ours with 4 in flight.
  // Ours and plain alternate (A B A B) so that load from other processes on the shared machine hits both alike.
  const tcp = await childSim({});
  const rss: number[] = [];
  const b1a = await runPort(tcp, 6, 1, { rss });
  const base1a = await runBaseline(tcp, 3);
  const b1b = await runPort(tcp, 3, 1);
  const base1b = await runBaseline(tcp, 3);
  const b4 = await runPort(tcp, 3, 4);
  tcp.child.kill();
  // The same two clients against a minimal raw-socket server (fixed answer bytes, no register image).
  const raw = await childSim({ raw: true });
  const r1a = await runPort(raw, 3, 1);
  const rbase1a = await runBaseline(raw, 3);
  const r1b = await runPort(raw, 3, 1);
  const rbase1b = await runBaseline(raw, 3);
  raw.child.kill();
  const [b1, base1, r1, rbase1] = [pool(b1a, b1b), pool(base1a, base1b), pool(r1a, r1b), pool(rbase1a, rbase1b)];
  const perPair = (o: Run[], b: Run[]) => o.map((x, i) => versus(x, b[i]!).requestsPerSRatio);
  const bottleneck = (r: Run) => (r.serverCpuS / r.elapsedS >= 0.9 ? 'server' : r.cpuS / r.elapsedS >= 0.9 ? 'client' : 'round trip (neither side saturated)');
  const tcpRes = {
    devices: DEVICES,
    pointsPerRequest: round(profile.points / profile.blocks, 1),
    pollClass: 'continuous (0 ms): each block polled again as soon as its answer is in',
    inFlight1: fig(b1),
    inFlight4: fig(b4),
  };
  const baseline = {
    what: 'plain modbus-serial ModbusRTU.connectTCP + readHoldingRegisters of the same block, same unit ids, one request in flight, same server process, same run; ours and plain alternate twice (figures pooled over both runs)',
    simulator: { ours: fig(b1), plainModbusSerial: fig(base1, false), oursVsPlain: { ...versus(b1, base1), requestsPerSRatioPerPair: perPair([b1a, b1b], [base1a, base1b]) }, bottleneck: { ours: bottleneck(b1), plainModbusSerial: bottleneck(base1) } },
    rawServer: { ours: fig(r1), plainModbusSerial: fig(rbase1, false), oursVsPlain: { ...versus(r1, rbase1), requestsPerSRatioPerPair: perPair([r1a, r1b], [rbase1a, rbase1b]) }, bottleneck: { ours: bottleneck(r1), plainModbusSerial: bottleneck(rbase1) } },
    note: 'requestsPerSRatio > 1: ours faster; clientCpuPerRequestRatio > 1: ours cheaper per request. Shared 2-core machine: ratios vary by about ±10 % between runs.',
  };
  const memory = {
    what: 'RSS of this bench process (GridBridge Modbus stack, no Node-RED), MB',
    atStart: rssStartMB,
    duringTcpInFlight1Every500ms: rss,
    levelsOff: rss.length >= 4 && Math.max(...rss.slice(rss.length / 2)) - Math.min(...rss.slice(rss.length / 2)) <= 5,
  };
  writeResult('modbus', { ...(rs ? { rs485: rs } : {}), tcp: tcpRes, baseline, memory, elapsedS: Math.round((performance.now() - t0) / 1000), loadAverageAtEnd: loadavg().map((x) => round(x, 1)) });
}

/** Two runs as one (sums of counts and times). */
function pool(a: Run, b: Run): Run {
  return { points: a.points + b.points, registers: a.registers + b.registers, requests: a.requests + b.requests, elapsedS: a.elapsedS + b.elapsedS, cpuS: a.cpuS + b.cpuS, serverCpuS: a.serverCpuS + b.serverCpuS, dropped: a.dropped + b.dropped, timeouts: a.timeouts + b.timeouts };
}

function blocksProfile(): { points: number; blocks: number } {
  const p = benchProfile();
  return { points: p.points.length, blocks: planReadBlocks(p.points, p.limits).length };
}

/**
 * The pacing relay: bytes from either pty go out on the other after their character time on one shared timeline
 * (half duplex), with a 3.5-character silence when the direction changes.
 */
function relay(aPath: string, bPath: string): void {
  const a = new SerialPort({ path: aPath, baudRate: BAUD });
  const b = new SerialPort({ path: bPath, baudRate: BAUD });
  let busFreeAt = 0;
  let lastDir: 'ab' | 'ba' | undefined;
  const forward = (dir: 'ab' | 'ba', to: SerialPort) => (chunk: Buffer) => {
    const now = performance.now();
    const gap = lastDir !== undefined && lastDir !== dir ? 3.5 * CHAR_MS : 0;
    lastDir = dir;
    const start = Math.max(now, busFreeAt + gap);
    busFreeAt = start + chunk.length * CHAR_MS;
    setTimeout(() => to.write(chunk), Math.max(0, busFreeAt - now));
  };
  a.on('data', forward('ab', b));
  b.on('data', forward('ba', a));
  a.on('error', () => undefined);
  b.on('error', () => undefined);
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
  const opts = JSON.parse(process.argv[3] ?? '{}') as ChildOpts;
  process.on('message', () => process.send?.({ cpu: process.cpuUsage() }));
  if (opts.raw) {
    void rawServer().then((port) => process.send?.({ port }));
  } else if (opts.relay) {
    relay(opts.relay[0], opts.relay[1]);
    process.send?.({ port: 0 });
  } else {
    const profile = benchProfile();
    const sim = new ModbusSimulator({ units: Array.from({ length: DEVICES }, (_, i) => ({ unitId: i + 1, profile })) });
    if (opts.rtu) void sim.openRtu(opts.rtu, BAUD).then(() => process.send?.({ port: 0 }));
    else void sim.listenTcp(0).then(({ port }) => process.send?.({ port }));
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
