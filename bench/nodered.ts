/**
 * Node-RED bench → bench/results/nodered.json
 * Processes as users run them: the project's Modbus simulator (`gridbridge sim modbus`, TCP on loopback), one Node-RED
 * runtime per leg embedded in a child process (this file with `--child`: temp user dir, no editor: httpAdminRoot and
 * httpNodeRoot false) and this parent, which installs, drives and samples. Legs, one child at a time, 3 rounds:
 *  - core: Node-RED with its core nodes only, no flow;
 *  - gridbridge-unused: GridBridge installed in the user dir as the palette manager does (`npm pack` of this package,
 *    `npm install <tgz>` with production dependencies), no flow;
 *  - gridbridge: the same install with the bench flow: one gridbridge-modbus-port (TCP), one gridbridge-modbus-device
 *    (a synthetic profile: 10 u16 holding registers in one block, so one read = one Modbus request of 10 points;
 *    background polling once an hour) and 10 gridbridge-modbus-read nodes, each wired back to its own input: each read
 *    node re-reads as soon as its answer is out (10 reads outstanding, the port sends one at a time: maxInFlight 1);
 *  - gridbridge-shipped-profile: the same flow on a shipped profile (dcbel-station-inverter, served by a second
 *    simulator), idle only: shipped profiles are validated at build time, so neither yaml nor zod is loaded;
 *  - contrib-modbus: node-red-contrib-modbus 5.23.3 from npm with the equivalent flow (one modbus-client on the same
 *    simulator with the editor's defaults, 10 modbus-getter nodes reading the same 10 registers, each wired to itself).
 * Node-RED modules installed beside node-red itself (here: Dashboard 2, a development dependency) are excluded with
 * `nodesExcludes`, so every leg loads only core nodes plus the module under test.
 * Measured: RSS after GC (3× global.gc(), min of 3 samples 1 s apart) idle: flow deployed (read nodes unwired),
 * connection up, nothing polling; early (2-5 s after start) and settled (20 s after start: V8's memory reducer has
 * shrunk the young generation from its start-up 32 MB, as it does in any Node-RED that idles). Under load: reads answered per second (messages the read nodes send; for GridBridge also the port's
 * response counter) over 60 s (contrib-modbus: 20 s) after a 5 s warm-up, RSS and heap sampled every second (first vs last 10 s: does it
 * level off?). The simulator and this driver share the 2 cores with the Node-RED child.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeResult } from './lib.js';

const READERS = 10;
const POINTS = 10;
const WARMUP_S = 5;
/** Load window per leg: 60 s for GridBridge (does RSS level off?), 20 s for the comparison. */
const LOAD_S: Partial<Record<Leg, number>> = { gridbridge: 60, 'contrib-modbus': 20 };
const ROUNDS = 3;
const IDLE_SETTLE_S = 20;
const CONTRIB = 'node-red-contrib-modbus@5.23.3';
const GB = 'node-red-contrib-gridbridge';

type Leg = 'core' | 'gridbridge-unused' | 'gridbridge-shipped-profile' | 'gridbridge' | 'contrib-modbus';

interface Sample {
  t: number;
  rss: number;
  heapUsed: number;
  /** Messages sent by the read nodes (one per answered read). */
  reads: number;
  /** GridBridge only: the port scheduler's counters. */
  port?: { responses: number; requests: number; timeouts: number; state: string };
}

const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const load = () => loadavg().map((x) => round(x));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const gcAll = () => {
  for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
};

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

const readerIds = Array.from({ length: READERS }, (_, i) => `r${i}`);

const SHIPPED = 'dcbel-station-inverter';

/** `wired`: each read node's output goes back to its own input (the load); unwired for the idle measurement. */
function flow(leg: Leg, simPort: number, profile: string, wired: boolean): object[] {
  const tab = { id: 't1', type: 'tab', label: 'bench' };
  if (leg === 'core' || leg === 'gridbridge-unused') return [tab];
  if (leg === 'gridbridge' || leg === 'gridbridge-shipped-profile') {
    return [
      tab,
      { id: 'p1', type: 'gridbridge-modbus-port', transport: 'tcp', host: '127.0.0.1', tcpPort: String(simPort), timeoutMs: '1000', retries: '1' },
      { id: 'd1', type: 'gridbridge-modbus-device', port: 'p1', profile, unitId: '1', deviceId: 'bench', site: '', pollFast: '3600000', pollNormal: '3600000', pollSlow: '3600000' },
      ...readerIds.map((id) => ({ id, type: 'gridbridge-modbus-read', z: 't1', device: 'd1', mode: 'batch', onlyGood: false, wires: [wired ? [id] : []] })),
    ];
  }
  // node-red-contrib-modbus with the values its editor fills in for a new TCP client.
  return [
    tab,
    {
      id: 'c1', type: 'modbus-client', name: 'sim', clienttype: 'tcp', bufferCommands: true, stateLogEnabled: false, queueLogEnabled: false,
      failureLogEnabled: true, tcpHost: '127.0.0.1', tcpPort: String(simPort), tcpType: 'DEFAULT', serialPort: '/dev/ttyUSB', serialType: 'RTU-BUFFERD',
      serialBaudrate: '9600', serialDatabits: '8', serialStopbits: '1', serialParity: 'none', serialConnectionDelay: '100', serialAsciiResponseStartDelimiter: '0x3A',
      unit_id: '1', commandDelay: '1', clientTimeout: '1000', reconnectOnTimeout: true, reconnectTimeout: '2000', parallelUnitIdsAllowed: true,
    },
    ...readerIds.map((id) => ({
      id, type: 'modbus-getter', z: 't1', name: '', showStatusActivities: false, showErrors: false, showWarnings: true, logIOActivities: false, unitid: '',
      dataType: 'HoldingRegister', adr: '0', quantity: String(POINTS), server: 'c1', useIOFile: false, ioFile: '', useIOForPayload: false, emptyMsgOnFail: false,
      keepMsgProperties: false, delayOnStart: false, startDelayTime: '', wires: [wired ? [id] : [], []],
    })),
  ];
}

// ---------------------------------------------------------------- child: embedded Node-RED
interface RedRuntime {
  init(server: unknown, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  version(): string;
  nodes: { getNode(id: string): unknown };
}
interface PortLike {
  status: { state: string };
  stats(): { requests: number; responses: number; timeouts: number };
}
interface SendingNode {
  send(msg: unknown): void;
  receive(msg: object): void;
}

/** Kept free of GridBridge imports: the child's memory is Node-RED's and the module's under test, nothing of ours. */
async function child(userDir: string, leg: Leg, redDir: string, excludes: string[]): Promise<void> {
  const send = (m: object) => process.send?.(m);
  const RED = require(redDir) as RedRuntime;
  RED.init(createServer(), {
    userDir,
    flowFile: join(userDir, 'flows.json'),
    credentialSecret: 'bench',
    httpAdminRoot: false,
    httpNodeRoot: false,
    nodesExcludes: excludes,
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    functionExternalModules: false,
  });
  await RED.start();
  const port = () => (RED.nodes.getNode('p1') as { port?: PortLike } | null)?.port;
  const t0 = Date.now();
  if (leg.startsWith('gridbridge-s') || leg === 'gridbridge') {
    while (port()?.status.state !== 'up') {
      if (Date.now() - t0 > 15000) throw new Error(`Modbus port not up after 15 s (state ${port()?.status.state ?? 'no port node'})`);
      await sleep(50);
    }
  }
  let reads = 0;
  const withReaders = leg === 'gridbridge' || leg === 'contrib-modbus';
  const readers = () => readerIds.map((id) => RED.nodes.getNode(id) as SendingNode | null);
  while (withReaders && readers().some((n) => !n)) {
    if (Date.now() - t0 > 15000) throw new Error(`read nodes not deployed after 15 s (is the module installed?)`);
    await sleep(50);
  }
  for (const n of withReaders ? readers() : []) {
    const orig = n!.send.bind(n);
    n!.send = (msg) => {
      reads++;
      orig(msg);
    };
  }
  const sample = (): Sample => {
    const m = process.memoryUsage();
    const p = port();
    const s = p?.stats();
    return { t: Date.now(), rss: m.rss, heapUsed: m.heapUsed, reads, ...(p && s ? { port: { responses: s.responses, requests: s.requests, timeouts: s.timeouts, state: p.status.state } } : {}) };
  };
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'gc') {
      gcAll();
      setTimeout(() => send({ cmd: 'gc', sample: sample() }), 200);
    } else if (m.cmd === 'start') {
      // GridBridge: the device's first background poll has already started each wired read node's loop (its points
      // go out of every read node); node-red-contrib-modbus has no background poll, so one message starts each.
      if (reads === 0) for (const n of withReaders ? readers() : []) n!.receive({ payload: 'go' });
      send({ cmd: 'started' });
    } else if (m.cmd === 'sample') {
      send({ cmd: 'sample', sample: sample() });
    } else if (m.cmd === 'modules') {
      const cached = Object.keys(require.cache);
      send({ cmd: 'modules', count: cached.length });
    } else if (m.cmd === 'stop') {
      process.exit(0);
    }
  });
  send({ cmd: 'ready', nodeRed: RED.version(), startMs: Date.now() - t0 });
}

// ---------------------------------------------------------------- parent: install, drive and sample
/** A simulator process; `requests`: what it counted, from its "stopped" line (after SIGTERM). */
function startSim(profile: string): Promise<{ proc: ChildProcess; port: number; requests: Promise<number> }> {
  const proc = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'gridbridge.js'), 'sim', 'modbus', '--profile', profile, '--tcp', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stoppedWith: ((n: number) => void) | undefined;
  const requests = new Promise<number>((r) => (stoppedWith = r));
  return new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('simulator did not report "listening" within 10 s')), 10000);
    proc.once('exit', (c) => reject(new Error(`simulator exited (${c})`)));
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n').slice(0, -1)) {
        const m = JSON.parse(line) as { event: string; tcp?: { port: number }; requests?: number };
        if (m.event === 'stopped') stoppedWith?.(m.requests ?? NaN);
        if (m.event === 'listening' && m.tcp) {
          clearTimeout(t);
          resolve({ proc, port: m.tcp.port, requests });
        }
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
  });
}

function ask<T = { sample: Sample }>(c: ChildProcess, cmd: string, reply = cmd): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { cmd: string }) => {
      if (m.cmd !== reply) return;
      c.off('message', on);
      resolve(m as T);
    };
    c.on('message', on);
    if (cmd) c.send({ cmd });
  });
}

function npm(args: string[], cwd: string): void {
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300000 });
}

/** A user dir with its package.json; `install` is what `npm install` gets there (nothing for core). */
function userDir(dir: string, name: string, install?: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'package.json'), JSON.stringify({ name: `bench-${name}`, private: true }) + '\n');
  if (install) npm(['install', '--omit=dev', '--ignore-scripts', install], d);
  return d;
}

/** Node-RED modules Node-RED would also load from its own node_modules tree (development dependencies here). */
function foreignModules(redDir: string, keep: string[]): string[] {
  const out: string[] = [];
  const scan = (dir: string): void => {
    for (const f of existsSync(dir) ? readdirSync(dir) : []) {
      if (f.startsWith('@')) scan(join(dir, f));
      const pj = join(dir, f, 'package.json');
      if (f.startsWith('@') || !existsSync(pj) || f === 'node-red' || keep.includes(f)) continue;
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { 'node-red'?: { nodes?: object } })['node-red']?.nodes) out.push(f);
      } catch {
        /* not a package */
      }
    }
  };
  scan(dirname(redDir));
  return out;
}

interface LegResult {
  leg: Leg;
  /** idle: a child with the flow unwired (nothing polls after the first background read); load: wired, another child. */
  phase: 'idle' | 'load';
  round: number;
  loadAverage: { start: number[]; end: number[] };
  startupMs: number;
  /** Settled idle (IDLE_SETTLE_S after start) and early idle (2-5 s after start), RSS after GC. */
  idleMB?: number;
  idleSamplesMB?: number[];
  idleEarlyMB?: number;
  idleEarlySamplesMB?: number[];
  requireCacheModules: number;
  /** Reads answered from the start of the load until the last sample (for the cross-check with the simulator). */
  readsTotal?: number;
  load?: {
    readsPerSecond: number;
    readsPerSecondPerSecond: { min: number; max: number };
    pointsPerSecond: number;
    portResponsesPerSecond?: number;
    timeouts?: number;
    rssMB: { first10sAvg: number; last10sAvg: number; max: number; growthFirstToLast10sMB: number; series: number[] };
    heapUsedMB: { first: number; last: number; max: number };
  };
}

async function runLeg(leg: Leg, phase: 'idle' | 'load', roundNo: number, dir: string, redDir: string, excludes: string[], flows: object[]): Promise<LegResult> {
  const loadS = phase === 'load' ? (LOAD_S[leg] ?? 0) : 0;
  writeFileSync(join(dir, 'flows.json'), JSON.stringify(flows));
  const start = load();
  const started = Date.now();
  const c = fork(__filename, ['--child', dir, leg, redDir, JSON.stringify(excludes)], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const exited = new Promise<never>((_, reject) => c.once('exit', (code) => reject(new Error(`Node-RED child (${leg}) exited (${code})`))));
    await Promise.race([ask(c, '', 'ready'), exited]);
    const startupMs = Date.now() - started;
    await sleep(2000); // start-up garbage goes, the connection settles
    const gcSamples = async (): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < 3; i++) {
        out.push((await Promise.race([ask(c, 'gc'), exited])).sample.rss);
        await sleep(1000);
      }
      return out;
    };
    // Idle, twice: early (2-5 s after start: V8's young generation still at its start-up size) and settled (after
    // IDLE_SETTLE_S with nothing to do, when V8's memory reducer has shrunk it, as in a Node-RED that idles).
    const early = phase === 'idle' ? await gcSamples() : [];
    if (phase === 'idle') await sleep(Math.max(0, started + IDLE_SETTLE_S * 1000 - Date.now()));
    const idle = phase === 'idle' ? await gcSamples() : [];
    const cache = await ask<{ count: number }>(c, 'modules');
    const out: LegResult = { leg, phase, round: roundNo, loadAverage: { start, end: start }, startupMs, requireCacheModules: cache.count, ...(idle.length ? { idleMB: mb(Math.min(...idle)), idleSamplesMB: idle.map(mb), idleEarlyMB: mb(Math.min(...early)), idleEarlySamplesMB: early.map(mb) } : {}) };
    if (loadS > 0) {
      await ask(c, 'start', 'started');
      await sleep(WARMUP_S * 1000);
      const series: Sample[] = [(await ask(c, 'sample')).sample];
      for (let i = 0; i < loadS; i++) {
        await sleep(1000);
        series.push((await Promise.race([ask(c, 'sample'), exited])).sample);
      }
      const first = series[0]!;
      const last = series[series.length - 1]!;
      const secs = (last.t - first.t) / 1000;
      const perSec = series.slice(1).map((s, i) => (s.reads - series[i]!.reads) / ((s.t - series[i]!.t) / 1000));
      const rss = series.map((s) => s.rss);
      const heap = series.map((s) => s.heapUsed);
      const rps = (last.reads - first.reads) / secs;
      out.readsTotal = last.reads;
      out.load = {
        readsPerSecond: Math.round(rps),
        readsPerSecondPerSecond: { min: Math.round(Math.min(...perSec)), max: Math.round(Math.max(...perSec)) },
        pointsPerSecond: Math.round(rps * POINTS),
        ...(first.port && last.port ? { portResponsesPerSecond: Math.round((last.port.responses - first.port.responses) / secs), timeouts: last.port.timeouts - first.port.timeouts } : {}),
        rssMB: {
          first10sAvg: mb(avg(rss.slice(0, 10))),
          last10sAvg: mb(avg(rss.slice(-10))),
          max: mb(Math.max(...rss)),
          growthFirstToLast10sMB: mb(avg(rss.slice(-10)) - avg(rss.slice(0, 10))),
          series: rss.map(mb),
        },
        heapUsedMB: { first: mb(first.heapUsed), last: mb(last.heapUsed), max: mb(Math.max(...heap)) },
      };
    }
    out.loadAverage.end = load();
    return out;
  } finally {
    c.kill('SIGKILL');
  }
}

const stats = (xs: number[]) => ({ min: Math.min(...xs), median: [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!, max: Math.max(...xs) });

async function parent(): Promise<void> {
  const { linkPackageIntoUserDir, nodeRedDir } = require('../src/runtime/nodered.js') as typeof import('../src/runtime/nodered.js');
  const root = join(__dirname, '..', '..');
  const loadAtStart = load();
  const dir = mkdtempSync(join(tmpdir(), 'gb-bench-nr-'));
  const redDir = nodeRedDir();
  const profile = join(dir, 'bench-nodered.yaml');
  writeFileSync(profile, profileYaml());
  const sim = await startSim(profile);
  const sim2 = await startSim(join(root, 'device-profiles', `${SHIPPED}.yaml`));
  try {
    // Installs: GridBridge packed and installed with its production dependencies (as the palette manager does);
    // node-red-contrib-modbus from npm. Without the registry: GridBridge linked from this checkout, contrib skipped.
    const installs: Record<string, string> = {};
    let gbDir: string;
    try {
      const packDir = join(dir, 'pack');
      mkdirSync(packDir);
      npm(['pack', '--ignore-scripts', '--pack-destination', packDir], root);
      const tgz = readdirSync(packDir).find((f) => f.endsWith('.tgz'))!;
      gbDir = userDir(dir, 'gridbridge', join(packDir, tgz));
      const staged = join(gbDir, 'node_modules', GB);
      const nodeFiles = Object.values((JSON.parse(readFileSync(join(staged, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes);
      const absent = nodeFiles.filter((f) => !existsSync(join(staged, f)));
      if (absent.length) throw new Error(`the packed package lacks ${absent.join(', ')} (was dist/ being rebuilt?)`);
      installs.gridbridge = `npm pack + npm install --omit=dev ${tgz}`;
    } catch (e) {
      if (String(e).includes('the packed package lacks')) throw e;
      gbDir = userDir(dir, 'gridbridge');
      linkPackageIntoUserDir(gbDir);
      installs.gridbridge = `linked from the checkout (dependencies resolved from its node_modules): staging failed: ${String(e).split('\n')[0]}`;
    }
    let contribDir: string | undefined;
    try {
      contribDir = userDir(dir, 'contrib', CONTRIB);
      const v = (JSON.parse(readFileSync(join(contribDir, 'node_modules', 'node-red-contrib-modbus', 'package.json'), 'utf8')) as { version: string }).version;
      installs.contribModbus = `npm install ${CONTRIB} (installed ${v})`;
    } catch (e) {
      contribDir = undefined;
      installs.contribModbus = `not measured: npm install ${CONTRIB} failed: ${String(e).split('\n')[0]}`;
    }
    const coreDir = userDir(dir, 'core');
    const excludes = foreignModules(redDir, [GB, 'node-red-contrib-modbus']);
    const legs: Array<{ leg: Leg; dir: string }> = [
      { leg: 'core', dir: coreDir },
      { leg: 'gridbridge-unused', dir: gbDir },
      { leg: 'gridbridge-shipped-profile', dir: gbDir },
      { leg: 'gridbridge', dir: gbDir },
      ...(contribDir ? [{ leg: 'contrib-modbus' as Leg, dir: contribDir }] : []),
    ];
    const results: LegResult[] = [];
    let nodeRed = '';
    for (let r = 1; r <= ROUNDS; r++) {
      for (const l of legs) {
        const shipped = l.leg === 'gridbridge-shipped-profile';
        for (const phase of LOAD_S[l.leg] ? (['idle', 'load'] as const) : (['idle'] as const)) {
          const flows = flow(l.leg, shipped ? sim2.port : sim.port, shipped ? SHIPPED : profile, phase === 'load');
          const res = await runLeg(l.leg, phase, r, l.dir, redDir, excludes, flows);
          results.push(res);
          const lr = res.load;
          console.error(`round ${r} ${l.leg} ${phase}: ${lr ? `${lr.readsPerSecond} reads/s, RSS ${lr.rssMB.first10sAvg}→${lr.rssMB.last10sAvg} MB (max ${lr.rssMB.max})` : `idle ${res.idleMB} MB`}, load average ${res.loadAverage.start.join(' ')}`);
        }
      }
    }
    nodeRed = (JSON.parse(readFileSync(join(redDir, 'package.json'), 'utf8')) as { version: string }).version;
    sim.proc.kill('SIGTERM');
    const simCount = await Promise.race([sim.requests, sleep(3000).then(() => NaN)]);
    const of = (leg: Leg) => results.filter((x) => x.leg === leg);
    const summary = Object.fromEntries(
      legs.map(({ leg }) => {
        const rs = of(leg);
        const loaded = rs.filter((x) => x.load).map((x) => x.load!);
        return [
          leg,
          {
            idleMB: stats(rs.filter((x) => x.idleMB !== undefined).map((x) => x.idleMB!)),
            idleEarlyMB: stats(rs.filter((x) => x.idleEarlyMB !== undefined).map((x) => x.idleEarlyMB!)),
            ...(loaded.length
              ? {
                  readsPerSecond: stats(loaded.map((x) => x.readsPerSecond)),
                  loadRssMaxMB: stats(loaded.map((x) => x.rssMB.max)),
                  growthFirstToLast10sMB: stats(loaded.map((x) => x.rssMB.growthFirstToLast10sMB)),
                }
              : {}),
          },
        ];
      }),
    );
    const gb = of('gridbridge');
    const gbLoad = gb.filter((x) => x.load).map((x) => x.load!);
    const gbIdle = stats(gb.filter((x) => x.idleMB !== undefined).map((x) => x.idleMB!));
    const gbIdleEarly = stats(gb.filter((x) => x.idleEarlyMB !== undefined).map((x) => x.idleEarlyMB!));
    const gbRps = stats(gbLoad.map((x) => x.readsPerSecond));
    const gbMax = stats(gbLoad.map((x) => x.rssMB.max));
    const gbPts = Math.min(...gbLoad.map((x) => x.pointsPerSecond));
    writeResult('nodered', {
      conditions: {
        nodeRed,
        cores: cpus().length,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: load(),
        installs,
        nodesExcludes: excludes,
        note: 'machine shared with other work: load average per leg below; simulator, Node-RED child and this driver on the same cores; one leg at a time',
        setup: `gridbridge sim modbus (own process, TCP loopback) ← Node-RED child (embedded, no editor), per leg: ${READERS} read nodes (GridBridge: gridbridge-modbus-read on 1 port + 1 device, ${POINTS} u16 holding registers in one block = 1 request per read, background polls hourly; contrib-modbus: modbus-getter FC3 × ${POINTS} registers on 1 modbus-client with its default queue and 1 ms command delay), each wired to its own input (1 read outstanding per node, 1 request on the wire)`,
        idle: `own child, flow deployed with the read nodes unwired (after the device's first background read nothing polls), connection up; RSS after 3× global.gc(), min of 3 samples 1 s apart: early (2-5 s after start) and settled (${IDLE_SETTLE_S} s after start)`,
        load: 'own child, read nodes wired to their own inputs; GridBridge: the first background poll starts the 10 loops; contrib-modbus: one injected message per node',
        rounds: ROUNDS,
        warmupS: WARMUP_S,
        loadWindowS: LOAD_S,
      },
      summary,
      legs: results,
      crossCheck: { simulatorRequestsTotal: simCount, readsCountedTotal: results.reduce((a, x) => a + (x.readsTotal ?? 0), 0) },
      goals: {
        requestsPerSecondPerConnection: { goal: 12000, measured: gbRps, met: gbRps.min >= 12000 },
        idleRssMB: { goal: '< 120', settled: gbIdle, met: gbIdle.max < 120, early: gbIdleEarly, metEarly: gbIdleEarly.max < 120 },
        loadRssMB: { goal: '< 250 at 10 000 points/s', measuredAtPointsPerSecond: gbPts, max: gbMax, met: gbMax.max < 250 && gbPts >= 10000 },
        levelsOff: { rule: 'RSS last 10 s avg − first 10 s avg < 10 MB in every GridBridge round', met: gbLoad.every((x) => x.rssMB.growthFirstToLast10sMB < 10) },
      },
    });
  } finally {
    sim.proc.kill('SIGTERM');
    sim2.proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const [, , , dir, leg, redDir, excludes] = process.argv;
  child(dir!, leg as Leg, redDir!, JSON.parse(excludes ?? '[]') as string[]).catch((e: unknown) => {
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
