/**
 * Node-RED bench → bench/results/nodered.json
 * Three processes, as users run them: the project's Modbus simulator (`gridbridge sim modbus`, TCP on loopback), a
 * Node-RED runtime embedded in a child process (this file with `--child`: temp user dir, this package linked in as an
 * installed palette module, no editor: httpAdminRoot/httpNodeRoot false) and this parent, which only drives and samples.
 * Flow: one gridbridge-modbus-port (TCP), one gridbridge-modbus-device (a synthetic profile: 10 u16 holding registers
 * in one block, so one read = one Modbus request of 10 points; background polling set to once an hour) and 10
 * gridbridge-modbus-read nodes, each wired back to its own input: every read node re-reads as soon as its answer is
 * out, i.e. 10 requests in flight through the normal Node-RED message path (send → input → device.readAll).
 * Measured: Modbus requests/s answered on the one connection (the port scheduler's `responses` counter) over a 30 s
 * window after a 5 s warm-up; RSS of the Node-RED child idle (flow deployed, nothing polling, after GC) and under
 * that load sampled every second (first vs last 10 s: does it level off?). The simulator shares the 2 cores.
 * Not compared here: plain modbus-serial (bench/modbus.ts does that outside Node-RED).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkPackageIntoUserDir, nodeRedDir } from '../src/runtime/nodered.js';
import { writeResult } from './lib.js';

const READERS = 10;
const POINTS = 10;
const WARMUP_S = 5;
const LOAD_S = 30;

interface Sample {
  t: number;
  rss: number;
  heapUsed: number;
  responses: number;
  requests: number;
  timeouts: number;
  state: string;
}

const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function profileYaml(): string {
  const pts = Array.from({ length: POINTS }, (_, i) => `  - { name: x_r${i}, address: ${i}, type: u16, unit: W }`);
  return [
    'id: bench-nodered',
    'kind: meter',
    'metadata: { maker: GridBridge, model: bench, source: synthetic }',
    'defaults: { function: holding, layout: ABCD, poll: slow }',
    'pollClasses: { fast: 3600000, normal: 3600000, slow: 3600000 }',
    'points:',
    ...pts,
    '',
  ].join('\n');
}

function flow(simPort: number, profile: string): object[] {
  const readers = Array.from({ length: READERS }, (_, i) => ({
    id: `r${i}`, type: 'gridbridge-modbus-read', z: 't1', device: 'd1', mode: 'batch', onlyGood: false, wires: [[`r${i}`]],
  }));
  return [
    { id: 't1', type: 'tab', label: 'bench' },
    { id: 'p1', type: 'gridbridge-modbus-port', transport: 'tcp', host: '127.0.0.1', tcpPort: String(simPort), timeoutMs: '1000', retries: '1' },
    { id: 'd1', type: 'gridbridge-modbus-device', port: 'p1', profile, unitId: '1', deviceId: 'bench', site: '', pollFast: '3600000', pollNormal: '3600000', pollSlow: '3600000' },
    ...readers,
  ];
}

// ---------------------------------------------------------------- child: embedded Node-RED
interface RedRuntime {
  init(server: unknown, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  version(): string;
  nodes: { getNode(id: string): unknown };
}
interface PortLike {
  status: { state: string };
  stats(): { requests: number; responses: number; timeouts: number };
}

async function child(userDir: string, bare: boolean): Promise<void> {
  const send = (m: object) => process.send?.(m);
  if (!bare) linkPackageIntoUserDir(userDir);
  const RED = require(nodeRedDir()) as RedRuntime;
  RED.init(createServer(), {
    userDir,
    flowFile: join(userDir, 'flows.json'),
    httpAdminRoot: false,
    httpNodeRoot: false,
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    functionExternalModules: false,
  });
  await RED.start();
  if (bare) {
    process.on('message', (m: { cmd: string }) => {
      if (m.cmd === 'gc') {
        for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
        setTimeout(() => send({ cmd: 'gc', sample: { t: Date.now(), rss: process.memoryUsage().rss } }), 200);
      } else if (m.cmd === 'stop') process.exit(0);
    });
    send({ cmd: 'ready' });
    return;
  }
  const port = () => (RED.nodes.getNode('p1') as { port?: PortLike } | null)?.port;
  const t0 = Date.now();
  while (port()?.status.state !== 'up') {
    if (Date.now() - t0 > 15000) throw new Error(`Modbus port not up after 15 s (state ${port()?.status.state ?? 'no port node'})`);
    await sleep(50);
  }
  const sample = (): Sample => {
    const p = port()!;
    const s = p.stats();
    const m = process.memoryUsage();
    return { t: Date.now(), rss: m.rss, heapUsed: m.heapUsed, responses: s.responses, requests: s.requests, timeouts: s.timeouts, state: p.status.state };
  };
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'gc') {
      for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
      setTimeout(() => send({ cmd: 'gc', sample: sample() }), 200);
    } else if (m.cmd === 'start') {
      for (let i = 0; i < READERS; i++) (RED.nodes.getNode(`r${i}`) as { receive(msg: object): void }).receive({ payload: 'go' });
      send({ cmd: 'started' });
    } else if (m.cmd === 'sample') {
      send({ cmd: 'sample', sample: sample() });
    } else if (m.cmd === 'stop') {
      process.exit(0);
    }
  });
  send({ cmd: 'ready', nodeRed: RED.version(), sample: sample() });
}

// ---------------------------------------------------------------- parent: drive and sample
/** Requests the simulator counted, from its "stopped" line (after SIGTERM). */
let simRequests: Promise<number> | undefined;

function startSim(profile: string): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'gridbridge.js'), 'sim', 'modbus', '--profile', profile, '--tcp', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stoppedWith: ((n: number) => void) | undefined;
  simRequests = new Promise((r) => (stoppedWith = r));
  return new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('simulator did not report "listening" within 10 s')), 10000);
    proc.once('exit', (c) => reject(new Error(`simulator exited (${c})`)));
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n').slice(0, -1)) {
        const m = JSON.parse(line) as { event: string; tcp?: { port: number } };
        if (m.event === 'stopped') stoppedWith?.((m as { requests?: number }).requests ?? NaN);
        if (m.event === 'listening' && m.tcp) {
          clearTimeout(t);
          resolve({ proc, port: m.tcp.port });
        }
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
  });
}

function ask(c: ChildProcess, cmd: string, reply = cmd): Promise<{ sample: Sample; nodeRed?: string }> {
  return new Promise((resolve) => {
    const on = (m: { cmd: string; sample: Sample }) => {
      if (m.cmd !== reply) return;
      c.off('message', on);
      resolve(m);
    };
    c.on('message', on);
    if (cmd) c.send({ cmd });
  });
}

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function parent(): Promise<void> {
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  const dir = mkdtempSync(join(tmpdir(), 'gb-bench-nr-'));
  const profile = join(dir, 'bench-nodered.yaml');
  writeFileSync(profile, profileYaml());
  const sim = await startSim(profile);
  const userDir = join(dir, 'user');
  mkdirSync(userDir);
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flow(sim.port, profile)));
  // Baseline: the same Node-RED with no flow and without this package (core nodes only), idle after GC.
  const bareDir = join(dir, 'bare');
  mkdirSync(bareDir);
  const bare = fork(__filename, ['--child', bareDir, '--bare'], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await ask(bare, '', 'ready');
  await sleep(2000);
  const bareIdle: number[] = [];
  for (let i = 0; i < 3; i++) {
    bareIdle.push((await ask(bare, 'gc')).sample.rss);
    await sleep(500);
  }
  bare.kill('SIGKILL');
  const started = Date.now();
  const red = fork(__filename, ['--child', userDir], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const cleanup = () => {
    red.kill('SIGKILL');
    sim.proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const exited = new Promise<never>((_, reject) => red.once('exit', (c) => reject(new Error(`Node-RED child exited (${c})`))));
    const ready = await Promise.race([ask(red, '', 'ready'), exited]);
    const startupMs = Date.now() - started;
    // Idle: flow deployed, port connected, nothing polling; let start-up garbage go, then GC and sample for 3 s.
    await sleep(2000);
    const idle: number[] = [];
    for (let i = 0; i < 3; i++) {
      idle.push((await ask(red, 'gc')).sample.rss);
      await sleep(1000);
    }
    await ask(red, 'start', 'started');
    await sleep(WARMUP_S * 1000);
    const series: Sample[] = [(await ask(red, 'sample')).sample];
    for (let i = 0; i < LOAD_S; i++) {
      await sleep(1000);
      series.push((await Promise.race([ask(red, 'sample'), exited])).sample);
    }
    const first = series[0]!;
    const last = series[series.length - 1]!;
    const secs = (last.t - first.t) / 1000;
    const rps = (last.responses - first.responses) / secs;
    const perSec = series.slice(1).map((s, i) => (s.responses - series[i]!.responses) / ((s.t - series[i]!.t) / 1000));
    const rss = series.map((s) => s.rss);
    const first10 = avg(rss.slice(0, 10));
    const last10 = avg(rss.slice(-10));
    const idleMB = mb(Math.min(...idle));
    const loadMaxMB = mb(Math.max(...rss));
    const pointsPerS = Math.round(rps * POINTS);
    red.send({ cmd: 'stop' });
    sim.proc.kill('SIGTERM');
    const simCount = await Promise.race([simRequests!, sleep(3000).then(() => NaN)]);
    writeResult('nodered', {
      conditions: {
        nodeRed: ready.nodeRed,
        cores: cpus().length,
        loadAverageAtStart: load,
        loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
        note: 'machine shared with a CI run and other work: figures are noisy; simulator, Node-RED child and this driver on the same cores',
        setup: `gridbridge sim modbus (own process, TCP loopback) ← Node-RED child (embedded, no editor): 1 gridbridge-modbus-port, 1 device (${POINTS} u16 holding registers in one block = 1 request per read, background polls hourly), ${READERS} gridbridge-modbus-read nodes each wired to its own input (1 request in flight per node)`,
        warmupS: WARMUP_S,
        windowS: Math.round(secs * 10) / 10,
      },
      startupMs,
      requestsPerSecondPerConnection: Math.round(rps),
      requestsPerSecondPerSecond: { min: Math.round(Math.min(...perSec)), max: Math.round(Math.max(...perSec)) },
      pointsPerSecond: pointsPerS,
      timeouts: last.timeouts - first.timeouts,
      crossCheck: { simulatorRequestsTotal: simCount, nodeRedResponsesTotal: last.responses },
      rssMB: {
        idle: idleMB,
        idleSamples: idle.map(mb),
        idleNodeRedAloneNoFlow: mb(Math.min(...bareIdle)),
        load: { series: rss.map(mb), max: loadMaxMB, first10sAvg: mb(first10), last10sAvg: mb(last10), growthFirstToLast10sMB: mb(last10 - first10) },
        heapUsedLoadMB: { first: mb(first.heapUsed), last: mb(last.heapUsed) },
      },
      levelsOff: last10 - first10 < 10 * 1048576,
      goals: {
        requestsPerSecondPerConnection: { goal: 12000, met: rps >= 12000 },
        idleRssMB: { goal: '< 120', met: idleMB < 120 },
        loadRssMB: { goal: '< 250 at 10 000 points/s', measuredAtPointsPerSecond: pointsPerS, met: loadMaxMB < 250 && pointsPerS >= 10000 },
      },
    });
  } finally {
    cleanup();
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3]!, process.argv[4] === '--bare').catch((e: unknown) => {
    console.error(`nodered bench child: ${e instanceof Error ? e.stack : String(e)}`);
    process.exit(1);
  });
} else {
  parent().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(`nodered bench: ${e instanceof Error ? e.stack : String(e)}`);
      process.exit(1);
    },
  );
}
