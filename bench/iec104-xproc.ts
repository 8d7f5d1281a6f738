/**
 * IEC 104 across processes, as users run it: the controlled station runs in a child process (this file with
 * `--serve`), the controlling station here, over loopback TCP. The in-process bench (iec104.ts) shares one event
 * loop between both ends and hides the client's cost; this one does not.
 *  - GI of 100 000 M_ME_NC_1 floats, SQ=1 (≈ 2 100 ASDUs), until ACT_TERM: our client (collecting the objects, and
 *    streaming them as events only), wall time and the client's CPU time, and in the same run a bare
 *    consumer (frames, acknowledges every 8th I frame as it reads it, decodes nothing) on the same server: server
 *    and transport with a trivial client. It is not a strict floor: our link acknowledges a whole chunk at once.
 *  - spontaneous messages/s, one M_ME_NC_1 object per ASDU, the server paced by its own backlog.
 *  - C_SC_NA_1 round trips ACT → ACT_CON and ACT → ACT_TERM (≥ 1 000 samples each), p50/p99.
 *  - memory under many connections: 20 peers (limit 16) each sending 30 GIs and never acknowledging; server RSS.
 * lib60870-C legs (same run, separate processes) when LIB60870_BIN_DIR holds `lib60870-peer`, built from
 * bench/peers/lib60870-peer.c (our code) against a local lib60870-C build (docs/iec104.md): its client on our
 * server, and its server with our client and its client. Without it those legs are skipped and the JSON says so.
 * Field reference (issue 11, other machine): our server + client 213 ms, lib60870 server + client GI 56 ms, our
 * server + lib60870 client 40 ms, lib60870 server + our client 125 ms.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { encodeSFrame, encodeUFrame, FrameReader } from '../src/protocols/iec104/apci.js';
import { encodeIAsdu } from '../src/protocols/iec104/codec.js';
import { Iec104Client } from '../src/protocols/iec104/client.js';
import { Cot, TypeId } from '../src/protocols/iec104/constants.js';
import { Iec104Server } from '../src/protocols/iec104/server.js';
import { percentile, writeResult } from './lib.js';

const N_GI = 100_000;
const GI_RUNS = 15;
const WARMUP = 3;
const N_SPONT = 200_000;
const N_CMD = 2_000;
const CMD_IOA = 5_000_000;
const PEERS = 20;

async function serve(): Promise<void> {
  // Peers from 127.0.0.2… each get a redundancy group of their own (so they do not supersede each other); the bench
  // client (127.0.0.1) is in the default group.
  const redundancyGroups = [{ name: 'default' }, ...Array.from({ length: PEERS }, (_, i) => ({ name: `peer${i}`, clients: [`127.0.0.${i + 2}`] }))];
  const server = new Iec104Server({ port: 0, host: '0.0.0.0', packed: true, onCommand: () => true, eventBuffer: 0, redundancyGroups });
  for (let i = 0; i < N_GI; i++) server.definePoint({ ca: 1, ioa: 1 + i, typeId: TypeId.M_ME_NC_1, initial: { value: i * 0.5, quality: {} } });
  server.defineCommand({ ca: 1, ioa: CMD_IOA, typeIds: [TypeId.C_SC_NA_1] });
  const disconnects = new Map<string, number>();
  server.on('disconnect', (d: { reason: string }) => {
    const k = d.reason.replace(/\d+/g, '#');
    disconnects.set(k, (disconnects.get(k) ?? 0) + 1);
  });
  const { port } = await server.listen();
  process.stdout.write(JSON.stringify({ port }) + '\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.split(' ');
    if (cmd === 'mem') {
      (globalThis as { gc?: () => void }).gc?.();
      const q = server.connections().length;
      process.stdout.write(JSON.stringify({ rssMB: Math.round(process.memoryUsage().rss / 1048576), connections: q, stats: server.stats, disconnects: Object.fromEntries(disconnects) }) + '\n');
      continue;
    }
    if (cmd !== 'spont') continue;
    let sent = 0;
    // A producer paced by the backlog: it sleeps (timer) rather than spin while the queue is full, so it does not
    // take a core from the client on a 2-core machine.
    while (sent < Number(arg)) {
      if (server.backlog() < 15_000) {
        for (let i = 0; i < 2_000 && sent < Number(arg); i++, sent++) server.broadcastEvent({ typeId: TypeId.M_ME_NC_1, cot: 3, ca: 1, objects: [{ ioa: 1 + (sent % 1000), value: sent, quality: {} }] });
        await new Promise((r) => setImmediate(r));
      } else await new Promise((r) => setTimeout(r, 2));
    }
  }
  await server.close();
}

/** A consumer that only frames and acknowledges: STARTDT, GI, count I frames until the GI ACT_TERM. */
async function bareGi(port: number, runs: number): Promise<{ ms: number[]; cpu: number[] }> {
  const s = connect(port, '127.0.0.1');
  s.setNoDelay(true);
  await new Promise<void>((r) => s.once('connect', () => r()));
  const reader = new FrameReader();
  let vr = 0;
  let vs = 0;
  let unacked = 0;
  let onTerm: (() => void) | undefined;
  let started!: () => void;
  const up = new Promise<void>((r) => (started = r));
  s.on('data', (d: Buffer) =>
    reader.push(d, (f) => {
      if ((f[2]! & 1) === 0) {
        vr = (vr + 1) % 32768;
        if (++unacked >= 8) {
          s.write(encodeSFrame(vr));
          unacked = 0;
        }
        // ASDU octet 6 = type id, 8 = COT: the GI ACT_TERM ends the run.
        if (f[6] === TypeId.C_IC_NA_1 && (f[8]! & 0x3f) === Cot.ACTIVATION_TERMINATION) onTerm?.();
      } else if (f[2] === 0x0b) started();
    }),
  );
  s.write(encodeUFrame('STARTDT_ACT'));
  await up;
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs + WARMUP; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const done = new Promise<void>((res) => (onTerm = res));
    s.write(encodeIAsdu(vs, vr, { typeId: TypeId.C_IC_NA_1, cot: Cot.ACTIVATION, ca: 1, objects: [{ ioa: 0, qualifier: 20 }] }));
    vs++;
    unacked = 0;
    await done;
    const c = process.cpuUsage(c0);
    if (r >= WARMUP) {
      ms.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  s.destroy();
  return { ms: ms.sort((a, b) => a - b), cpu: cpu.sort((a, b) => a - b) };
}

/** Peers that start data transfer, ask for `gis` GIs and never acknowledge anything (nor read after the start). */
async function greedyPeers(port: number, peers: number, gis: number): Promise<Array<{ destroy(): void }>> {
  const socks = [];
  for (let i = 0; i < peers; i++) {
    const s = connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${i + 2}` });
    s.on('error', () => undefined);
    await new Promise<void>((r) => (s.once('connect', () => r()), s.once('close', () => r())));
    s.write(encodeUFrame('STARTDT_ACT'));
    for (let g = 0; g < gis; g++) s.write(encodeIAsdu(g, 0, { typeId: TypeId.C_IC_NA_1, cot: Cot.ACTIVATION, ca: 1, objects: [{ ioa: 0, qualifier: 20 }] }));
    socks.push(s);
  }
  return socks;
}

type GiStats = { points: number; runs: number; warmup: number; medianMs: number; minMs: number; maxMs: number; clientCpuMsMedian: number };
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
function giStats(ms: number[], cpu: number[], points: number): GiStats {
  ms.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { points, runs: ms.length, warmup: WARMUP, medianMs: r1(percentile(ms, 50)), minMs: r1(ms[0]!), maxMs: r1(ms.at(-1)!), clientCpuMsMedian: r1(percentile(cpu, 50)) };
}

interface Sample {
  ms: number;
  cpu: number;
  objects: number;
}

/**
 * Our client in this process, one connection: run(true) = interrogate() into its ObjectTable with no 'asdu'
 * listener; run(false) = `{ collect: false }` with an 'asdu' listener counting the objects (every ASDU decoded into
 * objects: the streaming form). `arrayMs` (collecting form) = building the backward-compatible `objects` array from
 * the table, once, on access.
 */
async function ourSession(port: number) {
  const client = new Iec104Client({ hosts: [{ host: '127.0.0.1', port }], reconnect: false, confirmTimeoutMs: 60_000, terminationTimeoutMs: 60_000 });
  await client.connect();
  let streamed = 0;
  const count = (a: { cot: number; objects: unknown[] }) => void (a.cot === Cot.INTERROGATED_BY_STATION && (streamed += a.objects.length));
  return {
    async run(collect: boolean, measureArray = false): Promise<Sample & { arrayMs?: number }> {
      streamed = 0;
      if (!collect) client.on('asdu', count);
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const res = await client.interrogate(1, 20, { collect });
      const c = process.cpuUsage(c0);
      const ms = performance.now() - t0;
      client.off('asdu', count);
      if (!res.ok) throw new Error(`GI failed: ${res.reason}`);
      const out: Sample & { arrayMs?: number } = { ms, cpu: (c.user + c.system) / 1000, objects: collect ? (res.table?.length ?? 0) : streamed };
      if (measureArray) {
        const a0 = performance.now();
        if (res.objects?.length !== out.objects) throw new Error('objects array does not match the table');
        out.arrayMs = performance.now() - a0;
      }
      return out;
    },
    close: () => client.close(),
  };
}

/** lib60870's controlling station (bench/peers/lib60870-peer.c) in its own process: one GI per run(). */
async function libSession(bin: string, port: number, localIp: string) {
  const child = spawn(bin, ['client', String(port), localIp], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`lib60870-peer client exited (${code})`));
      child.once('exit', onExit);
      lines.once('line', (l) => {
        child.off('exit', onExit);
        resolve(l);
      });
    });
  await next(); // {"ready":1}
  return {
    async run(): Promise<Sample> {
      const reply = next();
      child.stdin!.write('gi\n');
      const r = JSON.parse(await reply) as { ms: number; cpuMs: number; objects: number };
      return { ms: r.ms, cpu: r.cpuMs, objects: r.objects };
    },
    close: () => void child.stdin!.end(),
  };
}

/**
 * GI legs on one station, interleaved round by round (ours collecting, ours streaming, lib60870's client) so that
 * each round's figures share the machine's load of the moment.
 */
async function giLegs(port: number, bin: string | undefined, libLocalIp: string) {
  const ours = await ourSession(port);
  const lib = bin ? await libSession(bin, port, libLocalIp) : undefined;
  const legs = { collect: [] as Sample[], stream: [] as Sample[], lib: [] as Sample[], arrayMs: [] as number[] };
  try {
    for (let r = 0; r < GI_RUNS + WARMUP; r++) {
      const c = await ours.run(true, r >= GI_RUNS + WARMUP - 3);
      const st = await ours.run(false);
      const l = lib ? await lib.run() : undefined;
      if (r < WARMUP) continue;
      legs.collect.push(c);
      legs.stream.push(st);
      if (l) legs.lib.push(l);
      if (c.arrayMs !== undefined) legs.arrayMs.push(c.arrayMs);
    }
  } finally {
    ours.close();
    lib?.close();
  }
  const stats = (xs: Sample[]) =>
    giStats(
      xs.map((x) => x.ms),
      xs.map((x) => x.cpu),
      xs.at(-1)?.objects ?? 0,
    );
  const pairRatios = legs.lib.map((l, i) => legs.collect[i]!.ms / l.ms).sort((a, b) => a - b);
  return {
    ourClient: { ...stats(legs.collect), objectsArrayMsMedian: r1(percentile(legs.arrayMs.sort((a, b) => a - b), 50)) },
    ourClientStreaming: stats(legs.stream),
    lib60870Client: legs.lib.length ? stats(legs.lib) : undefined,
    pairedRatioMedian: pairRatios.length ? r3(percentile(pairRatios, 50)) : undefined,
  };
}

/** Spawn a station that prints {"port": n} as its first line. */
async function spawnStation(cmd: string, args: string[]) {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${cmd} exited (${code}) before listening`)));
  });
  const { port } = JSON.parse(first) as { port: number };
  return { child, lines, port };
}

function compare(ours: GiStats, lib: GiStats | undefined, pairedRatioMedian: number | undefined) {
  if (!lib) return undefined;
  const ratio = r3(ours.medianMs / lib.medianMs);
  return { ourClientMs: ours.medianMs, lib60870ClientMs: lib.medianMs, ratio, pairedRatioMedian, goalMet: ratio <= 2 };
}

function lib60870Peer(): { bin?: string; skipped?: string } {
  const dir = process.env.LIB60870_BIN_DIR;
  if (!dir) return { skipped: 'LIB60870_BIN_DIR not set: lib60870 legs not run (see docs/iec104.md, Cross-process benchmark)' };
  const bin = join(dir, 'lib60870-peer');
  if (!existsSync(bin)) return { skipped: `${bin} not found: build bench/peers/lib60870-peer.c (docs/iec104.md)` };
  return { bin };
}

async function main(): Promise<void> {
  const peer = lib60870Peer();
  const ourStation = await spawnStation(process.execPath, ['--expose-gc', __filename, '--serve']);
  const { child, lines, port } = ourStation;
  const load0 = loadavg();
  try {
    // --- GI on our server: our client (collecting, streaming) and lib60870's client interleaved; a bare consumer -----
    // lib60870's client binds 127.0.0.2: a redundancy group of its own, so its STARTDT does not close ours.
    const onOurs = await giLegs(port, peer.bin, '127.0.0.2');
    const bare = await bareGi(port, GI_RUNS);

    // --- GI on lib60870's server (same legs, and the bare consumer) ----------------------------------------------
    type Bare = { medianMs: number; minMs: number; cpuMsMedian: number };
    let onLib: (Awaited<ReturnType<typeof giLegs>> & { bareConsumer: Bare }) | undefined;
    if (peer.bin) {
      const lib = await spawnStation(peer.bin, ['server', String(N_GI)]);
      try {
        const legs = await giLegs(lib.port, peer.bin, '127.0.0.1');
        const b = await bareGi(lib.port, GI_RUNS);
        onLib = { ...legs, bareConsumer: { medianMs: r1(percentile(b.ms, 50)), minMs: r1(b.ms[0]!), cpuMsMedian: r1(percentile(b.cpu, 50)) } };
      } finally {
        lib.child.stdin!.end();
        lib.child.kill();
      }
    }

    // --- spontaneous and commands on our server ----------------------------------------------------------------
    const client = new Iec104Client({ hosts: [{ host: '127.0.0.1', port }], reconnect: false, confirmTimeoutMs: 60_000, terminationTimeoutMs: 60_000 });
    await client.connect();
    let received = 0;
    let last = 0;
    const spontDone = new Promise<void>((resolve) => {
      client.on('asdu', (a: { cot: number }) => {
        if (a.cot !== Cot.SPONTANEOUS) return;
        last = performance.now();
        if (++received === N_SPONT) resolve();
      });
    });
    const t0 = performance.now();
    child.stdin!.write(`spont ${N_SPONT}\n`);
    await Promise.race([spontDone, new Promise((r) => setTimeout(r, 60_000))]);
    const spontMs = last - t0;

    const rtt = { con: [] as number[], term: [] as number[] };
    for (const awaitTermination of [false, true]) {
      const into = awaitTermination ? rtt.term : rtt.con;
      for (let i = 0; i < N_CMD; i++) {
        const c0 = performance.now();
        const r = await client.command({ typeId: TypeId.C_SC_NA_1, ioa: CMD_IOA, value: i % 2 === 0, awaitTermination });
        if (!r.ok) throw new Error(`command failed: ${r.reason}`);
        into.push(performance.now() - c0);
      }
      into.sort((a, b) => a - b);
    }
    client.close();
    const loadMid = loadavg();

    const mem = async () => {
      child.stdin!.write('mem\n');
      return JSON.parse(await new Promise<string>((r) => lines.once('line', r))) as { rssMB: number; connections: number; stats: Record<string, number>; disconnects: Record<string, number> };
    };
    const memBefore = await mem();
    const peers = await greedyPeers(port, PEERS, 30);
    await new Promise((r) => setTimeout(r, 8000));
    const memAfter = await mem();
    for (const p of peers) p.destroy();

    const spont = { received, perSecond: Math.round((received / spontMs) * 1000), ms: Math.round(spontMs) };
    const cmdCon = { n: rtt.con.length, p50: r3(percentile(rtt.con, 50)), p99: r3(percentile(rtt.con, 99)), unit: 'ms' };
    const cmdTerm = { n: rtt.term.length, p50: r3(percentile(rtt.term, 50)), p99: r3(percentile(rtt.term, 99)), unit: 'ms' };
    const gi = onOurs.ourClient;
    const giStream = onOurs.ourClientStreaming;
    const goalOurs = compare(gi, onOurs.lib60870Client, onOurs.pairedRatioMedian);
    const goalTheirs = onLib ? compare(onLib.ourClient, onLib.lib60870Client, onLib.pairedRatioMedian) : undefined;
    const round = (l: number[]) => l.map((x) => Math.round(x * 100) / 100);
    writeResult('iec104-xproc', {
      loadAverage: round(loadavg()),
      loadAverageAtStart: round(load0),
      loadAverageAfterCommands: round(loadMid),
      modelled:
        'each station in its own process (our Iec104Server as a child Node process; lib60870-C 2.4 via bench/peers/lib60870-peer.c), our client in the bench process, lib60870 client as its own process; loopback TCP, k=12 w=8; GI of 100 000 M_ME_NC_1, SQ=1 (48 per ASDU)',
      goals: {
        giOurClientWithin2xLib60870Client: { onOurServer: goalOurs ?? null, onLib60870Server: goalTheirs ?? null, skipped: peer.skipped ?? null },
        spontaneousAtLeast70000PerS: { perSecond: spont.perSecond, goalMet: spont.perSecond >= 70_000 },
        commandP99Below2ms: { actConP99: cmdCon.p99, actTermP99: cmdTerm.p99, goalMet: cmdCon.p99 < 2 && cmdTerm.p99 < 2 },
      },
      gi: { ...gi, note: 'interrogate(): resolves with the 100 000 objects in an ObjectTable (no asdu listener); objectsArrayMsMedian = building the backward-compatible objects array from it, once, on access' },
      giStreaming: { ...giStream, note: "interrogate(ca, qoi, { collect: false }) with an 'asdu' listener counting the objects (every ASDU decoded into objects)" },
      giLib60870ClientOnOurServer: onOurs.lib60870Client ? { ...onOurs.lib60870Client, note: 'lib60870 CS104_Connection, ASDU handler reads every object (CS101_ASDU_getElement, IOA, value, quality into arrays)' } : { skipped: peer.skipped },
      giOnLib60870Server: onLib ?? { skipped: peer.skipped },
      giBareConsumer: { runs: bare.ms.length, medianMs: r1(percentile(bare.ms, 50)), minMs: r1(bare.ms[0]!), cpuMsMedian: r1(percentile(bare.cpu, 50)), note: 'frames, acknowledges every 8th I frame as it reads it, decodes nothing: server + transport with a trivial client' },
      clientOverBare: { collected: r3(gi.medianMs / percentile(bare.ms, 50)), streaming: r3(giStream.medianMs / percentile(bare.ms, 50)) },
      spontaneous: spont,
      commandActCon: cmdCon,
      commandActTerm: cmdTerm,
      manyConnections: {
        modelled: `${PEERS} peers (server limit 16, each in its own redundancy group), each STARTDT + 30 GIs of 100 000 floats, never acknowledging nor reading; server RSS after gc; send queue 20 000 frames per connection (default)`,
        rssBeforeMB: memBefore.rssMB,
        rssAfterMB: memAfter.rssMB,
        connectionsOpen: memAfter.connections,
        stats: memAfter.stats,
        disconnectsDuringBench: memAfter.disconnects,
      },
      fieldReference: { ourServerAndClientGiMs: 213, lib60870ServerAndClientGiMs: 56, ourServerLib60870ClientGiMs: 40, lib60870ServerOurClientGiMs: 125, note: 'issue 11, other machine, not this run' },
    });
  } finally {
    child.kill();
  }
}

if (process.argv.includes('--serve')) {
  serve().catch((e: unknown) => {
    process.stderr.write(`bench iec104-xproc server: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
} else {
  main().catch((e: unknown) => {
    process.stderr.write(`bench iec104-xproc: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
