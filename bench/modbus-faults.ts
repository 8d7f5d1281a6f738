/**
 * Modbus fault-path bench → bench/results/modbus-faults.json. The servers run in a child process (as a device or
 * gateway is a separate process); times cross processes as performance.timeOrigin + performance.now() (same host clock).
 * (a) Recovery after a server outage: PAIRS ports (one unit, one 60-register block every 100 ms) against PAIRS
 *     simulator servers; each round all servers close (connections cut, connects refused) for OUTAGE_MS and listen
 *     again on the same port; a sample = first answer ('online' after 'port-down') − that server listening again.
 *     ROUNDS × PAIRS ≥ 1000 samples with the default backoff. All pairs recover at once on 2 shared cores: a little
 *     CPU contention is in the figure. No peer: plain modbus-serial has no reconnect of its own.
 * (b) Silent unit cost: 4 units × 10 blocks of 60 registers every 100 ms on one TCP connection, one request in flight,
 *     default timeout (1 s) and retries (1): good answers/s of the 3 healthy units with unit 3 silent vs all answering,
 *     and the gap between two answers of the same healthy block (percentiles over ≥ 1000 gaps). Same for plain
 *     modbus-serial (a loop reading the 40 blocks every 100 ms, 1 s timeout) in the same run.
 * Each phase is bounded in time; the whole bench stays under a minute.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import ModbusRTU from 'modbus-serial';
import type { Profile, ProfilePoint } from '../src/core/profile/types.js';
import type { SchedulerOptions } from '../src/protocols/modbus/scheduler-types.js';
import { ModbusPort } from '../src/protocols/modbus/port.js';
import { parseFault } from '../src/sim/modbus/faults.js';
import { ModbusSimulator } from '../src/sim/modbus/server.js';
import { percentile, writeResult } from './lib.js';

const PAIRS = 100;
const ROUNDS = 10;
const OUTAGE_MS = 1200;
const UNITS = 4;
const BLOCKS = 10;
const SILENT_UNIT = 3;
const PHASE_MS = 4000;

const abs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `blocks` blocks of 60 registers (30 u32 points each), 200 registers apart so the planner keeps them separate. */
function blockProfile(blocks: number): Profile {
  const points: ProfilePoint[] = [];
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < 30; i++) {
      points.push({ name: `b${b}_p${i}`, address: b * 200 + 2 * i, function: 'holding', type: 'u32', length: 2, byteOrder: 'BE', wordOrder: 'BE', scale: 1, offset: 0, unit: 'W', access: 'r', poll: 'fast' });
    }
  }
  return {
    id: `bench-${blocks}x60`,
    kind: 'meter',
    metadata: { maker: 'GridBridge', model: 'bench', source: 'synthetic' },
    defaults: { function: 'holding', byteOrder: 'BE', wordOrder: 'BE', poll: 'fast' },
    limits: { maxReadRegisters: 125, maxReadBits: 2000, maxWriteRegisters: 123, maxGap: 20 },
    pollClasses: { fast: 100 },
    holes: [],
    points,
  };
}

// ------------------------------------------------------------------ child: the servers

type Cmd = { cmd: 'start'; servers: number; units: number; blocks: number } | { cmd: 'down' } | { cmd: 'up' } | { cmd: 'silent'; unit: number | null };

function serveChild(): void {
  const sims: ModbusSimulator[] = [];
  const ports: number[] = [];
  process.on('message', (m: Cmd) => {
    void (async () => {
      if (m.cmd === 'start') {
        const profile = blockProfile(m.blocks);
        for (let i = 0; i < m.servers; i++) {
          const sim = new ModbusSimulator({ units: Array.from({ length: m.units }, (_, u) => ({ unitId: u + 1, profile })) });
          ports.push((await sim.listenTcp(0)).port);
          sims.push(sim);
        }
        process.send?.({ ports });
      } else if (m.cmd === 'down') {
        await Promise.all(sims.map((s) => s.close()));
        process.send?.({ down: abs() });
      } else if (m.cmd === 'up') {
        const ts: number[] = [];
        for (let i = 0; i < sims.length; i++) {
          await sims[i]!.listenTcp(ports[i]!);
          ts.push(abs());
        }
        process.send?.({ ts });
      } else if (m.cmd === 'silent') {
        for (const s of sims) s.faults = m.unit === null ? [] : [parseFault(`silent,unit=${m.unit}`)];
        process.send?.({ ok: true });
      }
    })();
  });
  process.on('disconnect', () => process.exit(0));
  setTimeout(() => process.exit(0), 120000).unref();
}

class Servers {
  private constructor(readonly child: ChildProcess) {}
  static async start(servers: number, units: number, blocks: number): Promise<{ s: Servers; ports: number[] }> {
    const child = fork(__filename, ['--servers-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const s = new Servers(child);
    const r = (await s.ask({ cmd: 'start', servers, units, blocks })) as { ports: number[] };
    return { s, ports: r.ports };
  }
  ask(cmd: Cmd): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`servers child did not answer ${cmd.cmd}`)), 20000);
      this.child.once('message', (m) => {
        clearTimeout(t);
        resolve(m);
      });
      this.child.send(cmd);
    });
  }
  stop(): void {
    this.child.kill();
  }
}

// ------------------------------------------------------------------ (a) recovery

async function recovery(rounds: number, opts: SchedulerOptions): Promise<number[]> {
  const { s, ports } = await Servers.start(PAIRS, 1, 1);
  const profile = blockProfile(1);
  const firstAnswer: Array<number | undefined> = new Array(PAIRS).fill(undefined);
  const mps = ports.map((port, i) => {
    const mp = new ModbusPort({ tcp: { host: '127.0.0.1', port } }, { timeoutMs: 1000, ...opts });
    mp.addDevice({ id: 'd', unitId: 1, profile, canonicalUnits: false });
    mp.on('online', (e) => {
      if (e.after === 'port-down' && firstAnswer[i] === undefined) firstAnswer[i] = abs();
    });
    return mp;
  });
  let seenStart = 0;
  for (const mp of mps) mp.on('online', (e) => e.after === 'start' && seenStart++);
  for (const mp of mps) mp.start();
  const until = async (pred: () => boolean, ms: number) => {
    const end = performance.now() + ms;
    while (!pred() && performance.now() < end) await sleep(5);
  };
  await until(() => seenStart === PAIRS, 10000);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    firstAnswer.fill(undefined);
    await s.ask({ cmd: 'down' });
    await sleep(OUTAGE_MS);
    const { ts } = (await s.ask({ cmd: 'up' })) as { ts: number[] };
    await until(() => firstAnswer.every((x) => x !== undefined), 10000);
    for (let i = 0; i < PAIRS; i++) samples.push(firstAnswer[i] === undefined ? Infinity : firstAnswer[i]! - ts[i]!);
    await sleep(200);
  }
  await Promise.all(mps.map((mp) => mp.stop()));
  s.stop();
  return samples;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const finite = sorted.filter(Number.isFinite);
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    samples: samples.length,
    notRecoveredIn10s: samples.length - finite.length,
    meanMs: r(finite.reduce((a, b) => a + b, 0) / Math.max(1, finite.length)),
    p50Ms: r(percentile(sorted, 50)),
    p90Ms: r(percentile(sorted, 90)),
    p99Ms: r(percentile(sorted, 99)),
    maxMs: r(sorted.at(-1) ?? NaN),
  };
}

// ------------------------------------------------------------------ (b) silent unit

interface SilentRun {
  healthyAnswersPerS: number;
  gaps: number[];
  healthyFailures: number;
}

async function silentOurs(s: Servers, port: number, silent: boolean): Promise<SilentRun> {
  await s.ask({ cmd: 'silent', unit: silent ? SILENT_UNIT : null });
  const profile = blockProfile(BLOCKS);
  const mp = new ModbusPort({ tcp: { host: '127.0.0.1', port } }, { maxQueue: 1024 });
  const last = new Map<string, number>();
  const gaps: number[] = [];
  let answers = 0;
  let failures = 0;
  let counting = false;

  for (let u = 1; u <= UNITS; u++) {
    const dev = mp.addDevice({ id: `u${u}`, unitId: u, profile, canonicalUnits: false });
    if (u === SILENT_UNIT) continue;
    dev.on('points', (pts) => {
      if (!counting || pts.length === 0) return;
      const p = pts[0]!;
      if (p.quality.code !== 'good') return void (failures += 1);
      answers++;
      const key = `${u}/${p.name}`;
      const now = performance.now();
      const prev = last.get(key);
      if (prev !== undefined) gaps.push(now - prev);
      last.set(key, now);
    });
  }
  mp.start();
  counting = true; // from the start: the silent unit's discovery is part of its cost
  const t0 = performance.now();
  await sleep(PHASE_MS);
  counting = false;
  const el = (performance.now() - t0) / 1000;
  await mp.stop();
  return { healthyAnswersPerS: answers / el, gaps, healthyFailures: failures };
}

async function silentPlain(s: Servers, port: number, silent: boolean): Promise<SilentRun> {
  await s.ask({ cmd: 'silent', unit: silent ? SILENT_UNIT : null });
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port });
  client.setTimeout(1000);
  const last = new Map<string, number>();
  const gaps: number[] = [];
  let answers = 0;
  let failures = 0;
  const t0 = performance.now();
  const end = t0 + PHASE_MS;
  for (let cycle = 0; performance.now() < end; cycle++) {
    const due = t0 + cycle * 100;
    if (performance.now() < due) await sleep(due - performance.now());
    for (let u = 1; u <= UNITS && performance.now() < end; u++) {
      client.setID(u);
      for (let b = 0; b < BLOCKS && performance.now() < end; b++) {
        try {
          await client.readHoldingRegisters(b * 200, 60);
          if (u === SILENT_UNIT) continue;
          answers++;
          const key = `${u}/${b}`;
          const now = performance.now();
          const prev = last.get(key);
          if (prev !== undefined) gaps.push(now - prev);
          last.set(key, now);
        } catch {
          if (u !== SILENT_UNIT) failures++;
        }
      }
    }
  }
  const el = (performance.now() - t0) / 1000;
  await new Promise<void>((r) => client.close(() => r()));
  return { healthyAnswersPerS: answers / el, gaps, healthyFailures: failures };
}

function merge(a: SilentRun, b: SilentRun): SilentRun {
  return { healthyAnswersPerS: (a.healthyAnswersPerS + b.healthyAnswersPerS) / 2, gaps: [...a.gaps, ...b.gaps], healthyFailures: a.healthyFailures + b.healthyFailures };
}

function silentFig(clean: SilentRun, silent: SilentRun) {
  const r = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
  const g = (x: SilentRun) => {
    const sorted = [...x.gaps].sort((a, b) => a - b);
    return { gapSamples: sorted.length, gapP50Ms: r(percentile(sorted, 50)), gapP99Ms: r(percentile(sorted, 99)), gapMaxMs: r(sorted.at(-1) ?? NaN) };
  };
  return {
    allAnswering: { healthyAnswersPerS: r(clean.healthyAnswersPerS), ...g(clean) },
    withSilentUnit: { healthyAnswersPerS: r(silent.healthyAnswersPerS), healthyFailures: silent.healthyFailures, ...g(silent) },
    costToHealthyUnits: r(1 - silent.healthyAnswersPerS / clean.healthyAnswersPerS, 3),
  };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7); // development: --only=recovery|silent
  let ours: ReturnType<typeof summary> | undefined;
  if (only !== 'silent') {
    ours = summary(await recovery(ROUNDS, {}));
    process.stderr.write(`recovery (default backoff): ${JSON.stringify(ours)}\n`);
  }
  if (only === 'recovery') return;

  const { s, ports } = await Servers.start(1, UNITS, BLOCKS);
  const port = ports[0]!;
  // Ours twice each way, alternating, so that a stall of the shared machine weighs less on one side.
  const c1 = await silentOurs(s, port, false);
  const s1 = await silentOurs(s, port, true);
  const c2 = await silentOurs(s, port, false);
  const s2 = await silentOurs(s, port, true);
  const oursClean = merge(c1, c2);
  const oursSilent = merge(s1, s2);
  const plainClean = await silentPlain(s, port, false);
  const plainSilent = await silentPlain(s, port, true);
  s.stop();
  const silent = { ours: silentFig(oursClean, oursSilent), plainModbusSerial: silentFig(plainClean, plainSilent) };
  process.stderr.write(`silent unit: ${JSON.stringify(silent)}\n`);

  writeResult('modbus-faults', {
    recovery: {
      what: `${PAIRS} ports × ${ROUNDS} rounds; server (simulator, child process) closed for ${OUTAGE_MS} ms, then listening on the same port; sample = first answer − listening again`,
      defaultBackoff: { backoff: '200 ms ×2 up to 500 ms, ±20 % (capped)', ...ours },
      before: 'issue 10 measured 6.5–10.9 s after a 20 s outage with the former backoff (500 ms ×2 up to 30 s); not rerun here (a 20 s outage per round would not fit the bench time)',
      goal: 'first good read < 1000 ms after the server is back',
    },
    silentUnit: {
      what: `${UNITS} units × ${BLOCKS} blocks of 60 registers every 100 ms on one TCP connection, unit ${SILENT_UNIT} silent, one request in flight, timeout 1 s, ${PHASE_MS} ms from connect (ours: 2 runs each way, alternating; plain modbus-serial: 1 each)`,
      ...silent,
      goal: 'costToHealthyUnits <= 0.10, healthyFailures 0',
    },
    elapsedS: Math.round((performance.now() - t0) / 1000),
    loadAverageAtEnd: loadavg().map((x) => Math.round(x * 10) / 10),
    note: 'shared 2-core machine: stalls of the machine (other processes) show up as gaps on either side',
  });
}

if (process.argv[2] === '--servers-child') serveChild();
else {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bench modbus-faults: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
