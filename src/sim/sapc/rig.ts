/**
 * The SAPC override test rig: the rig is the meter end of an SSP-1 line and runs named scenarios (scenarios.ts)
 * against either
 *  - the appliance simulator, over an in-memory line timed at the chosen baud on a FakeClock (virtual time,
 *    deterministic) or any real link such as a socat pty pair on the system clock; or
 *  - real equipment on a serial port or TCP serial server (`device`), judged from a meter on its supply (Modbus) and
 *    its own status answers, in real time.
 * The report carries per scenario the checks (each tagged with a numbered requirement), the answer times, the time
 * from the override leaving the meter to the device complying, the expected limit and the measured power over time,
 * and the wire trace. Shared by `gridbridge sapc rig` and the `sapc-rig` Node-RED node.
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock, systemClock, type Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { SapcSession } from '../../protocols/sapc/session.js';
import { createLinePair } from '../../protocols/sapc/loopback.js';
import { MAX_SEQ, SSP_DOC_VERSION } from '../../protocols/sapc/frame.js';
import { packageRoot } from '../../runtime/validate.js';
import { SapcApplianceSim } from './appliance.js';
import type { SlotConfig } from '../../protocols/sapc/receiver.js';
import { ScenarioContext, type Check, type SeriesPoint, type TraceLine } from './context.js';
import { SimPowerObserver, type ApplianceObserver } from './observe.js';
import { REQUIREMENTS } from './requirements.js';
import { SCENARIOS } from './scenarios.js';

export { SCENARIOS, type Scenario } from './scenarios.js';
export { ScenarioContext, type Check, type TraceLine, type SeriesPoint } from './context.js';
export { REQUIREMENTS, type Requirement } from './requirements.js';

/** A line between the rig (meter end) and the simulated appliance. */
export interface RigLink {
  meterWrite(text: string): void;
  applianceWrite(text: string): void;
  onMeterData(fn: (chunk: Uint8Array | string) => void): void;
  onApplianceData(fn: (chunk: Uint8Array | string) => void): void;
  close(): Promise<void>;
}

/** The meter end's line to real equipment (a SerialTransport satisfies it). */
export interface DeviceLine {
  readonly description: string;
  write(text: string): void;
  on(event: 'data', fn: (b: Buffer) => void): unknown;
  off(event: 'data', fn: (b: Buffer) => void): unknown;
}

export interface EquipmentIdentity {
  manufacturer?: string;
  model?: string;
  serial?: string;
  firmware?: string;
  notes?: string;
}

export interface DeviceUnderTest {
  line: DeviceLine;
  observer: ApplianceObserver & { description?: string };
  identity: EquipmentIdentity;
}

export interface RigOptions {
  /** A FakeClock runs the rig in virtual time; any other clock in real time (always real with `device`). */
  clock?: Clock;
  /** Build the line for one scenario (simulator); default an in-memory line at `baud` on `clock`. */
  link?: (clock: Clock) => Promise<RigLink>;
  /** Real equipment instead of the simulator. */
  device?: DeviceUnderTest;
  baud?: number;
  /** Simulator control-loop delay (ms) between an effective change and the device applying it. */
  applyDelayMs?: number;
  /** Simulator rated power (W). */
  ratedW?: number;
  /** Names of scenarios to run (default all). */
  scenarios?: string[];
  /** Wall clock for the report's Generated time (default Date.now). */
  wallClock?: () => number;
  /** GridBridge version for the report. */
  softwareVersion?: string;
  onProgress?: (event: string, data: Record<string, unknown>) => void;
}

export interface ScenarioReport {
  name: string;
  description: string;
  requirements: string[];
  passed: boolean;
  /** Why it did not run (needs the simulator). */
  skipped?: string;
  checks: Check[];
  /** Override sent → device complying (ms), one per measured override. */
  latencyMs: number[];
  /** Request written → answer received (ms), first attempts. */
  ackMs: number[];
  answers: string[];
  /** Expected limit (%) over time (ms since the scenario start). */
  limit: SeriesPoint[];
  /** Measured (or simulated) power (W) over time. */
  power: SeriesPoint[];
  durationMs: number;
  trace: TraceLine[];
  traceDropped: number;
  stats: { meter: Record<string, number>; appliance?: Record<string, number> };
  error?: string;
}

export interface RequirementResult {
  id: string;
  text: string;
  ref: string;
  result: 'pass' | 'fail' | 'not tested';
  scenarios: string[];
}

export interface RigReport {
  /** Wall-clock time the report was made (ISO). */
  generatedAt: string;
  /** Rig clock at the start and end of the run (virtual in virtual time). */
  clockStart: string;
  clockEnd: string;
  time: 'virtual' | 'real';
  mode: 'simulator' | 'device';
  line: string;
  baud: number;
  /** Simulator control loop (ms); undefined for real equipment. */
  applyDelayMs?: number;
  ratedW: number;
  toleranceW: number;
  measurement: string;
  software: { name: string; version: string; protocol: string };
  equipment: EquipmentIdentity & { kind: string };
  passed: number;
  failed: number;
  skipped: number;
  requirements: RequirementResult[];
  scenarios: ScenarioReport[];
}

/** This package's version (package.json), for the report. */
export function gridbridgeVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function memoryLink(clock: Clock, baud: number): Promise<RigLink> {
  const line = createLinePair({ clock, baud });
  return Promise.resolve({
    meterWrite: line.a.write,
    applianceWrite: line.b.write,
    onMeterData: (fn) => line.a.onData(fn),
    onApplianceData: (fn) => line.b.onData(fn),
    close: () => Promise.resolve(),
  });
}

/** Splits received bytes into lines for the trace and the lost-ACK filter, then feeds the meter session. */
function meterReceiver(ctx: () => ScenarioContext | undefined, deliver: (text: string) => void): (chunk: Uint8Array | string) => void {
  let buf = '';
  return (chunk) => {
    buf += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl + 1);
      buf = buf.slice(nl + 1);
      const c = ctx();
      if (c && c.dropAcks > 0 && /^\$1,ACK,/.test(line.trimStart())) {
        c.dropAcks--;
        c.addTrace('<', line, 'lost (dropped by the rig)');
        continue;
      }
      c?.addTrace('<', line);
      deliver(line);
    }
    if (buf.length > 400) {
      ctx()?.addTrace('<', buf, 'no line end');
      deliver(buf);
      buf = '';
    }
  };
}

interface ScenarioRun {
  ctx: ScenarioContext;
  meter: SapcSession;
  applianceStats?: () => Record<string, number>;
  close(): Promise<void>;
}

async function simScenario(o: RigOptions, clock: Clock, baud: number, idPrefix: string, slots?: SlotConfig[]): Promise<ScenarioRun> {
  const link = await (o.link ?? ((c: Clock) => memoryLink(c, baud)))(clock);
  const ratedW = o.ratedW ?? 7400;
  const holder: { ctx?: ScenarioContext; sim?: SapcApplianceSim } = {};
  const makeSim = () =>
    new SapcApplianceSim({ clock, applyDelayMs: o.applyDelayMs ?? 100, ratedW, ...(slots ? { slots } : {}), write: (t) => link.applianceWrite(t), session: { sendHeartbeats: false, baudRate: baud } });
  let sim = makeSim();
  holder.sim = sim;
  const meter = new SapcSession({ clock, write: (t) => link.meterWrite(t), sendHeartbeats: false, baudRate: baud });
  link.onMeterData(meterReceiver(() => holder.ctx, (t) => meter.receive(t)));
  link.onApplianceData((c) => holder.sim?.receive(c));
  const observer = new SimPowerObserver(sim, clock, ratedW * (slots?.length ?? 1));
  const restarts: Array<Record<string, number>> = [];
  const ctx = new ScenarioContext({
    clock,
    meter,
    observer,
    sim: () => holder.sim!,
    restartSim: () => {
      // Power cycle: the old instance is gone with its memory; the new one starts at its default and says hello.
      const stats = sim.session.stats;
      sim.close();
      holder.sim = undefined;
      sim = makeSim();
      holder.sim = sim;
      restarts.push({ ...stats });
      observer.attach(sim);
      sim.session.heartbeat();
      return Promise.resolve();
    },
    writeMeterRaw: (t) => link.meterWrite(t),
    idPrefix,
    baud,
  });
  holder.ctx = ctx;
  return {
    ctx,
    meter,
    applianceStats: () => ({ ...sim.session.stats, ...(restarts.length ? { restarts: restarts.length } : {}) }),
    close: async () => {
      meter.close();
      sim.close();
      await link.close();
    },
  };
}

function deviceScenario(d: DeviceUnderTest, clock: Clock, baud: number, idPrefix: string): ScenarioRun {
  const holder: { ctx?: ScenarioContext } = {};
  // A fresh meter session per scenario starts at a random SEQ: the appliance must not take its first requests for
  // retransmissions of the previous scenario's (identical STQ bytes would get the recorded, stale answer).
  const meter = new SapcSession({ clock, write: (t) => d.line.write(t), sendHeartbeats: false, baudRate: baud, firstSeq: randomInt(1, MAX_SEQ + 1) });
  const onData = meterReceiver(() => holder.ctx, (t) => meter.receive(t));
  d.line.on('data', onData);
  const ctx = new ScenarioContext({ clock, meter, observer: d.observer, writeMeterRaw: (t) => d.line.write(t), idPrefix, baud });
  holder.ctx = ctx;
  return {
    ctx,
    meter,
    close: async () => {
      await ctx.cleanup().catch(() => undefined);
      meter.close();
      d.line.off('data', onData);
    },
  };
}

export async function runRig(o: RigOptions = {}): Promise<RigReport> {
  const clock = o.device ? systemClock : (o.clock ?? new FakeClock());
  const wall = o.wallClock ?? Date.now;
  const baud = o.baud ?? 9600;
  const chosen = o.scenarios?.length ? SCENARIOS.filter((s) => o.scenarios!.includes(s.name)) : SCENARIOS;
  const unknown = (o.scenarios ?? []).filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  const clockStart = new Date(clock.now()).toISOString();
  // Event ids unique to this run, so real equipment never takes a rig command for an update of an earlier run's.
  const runTag = o.device ? `r${Math.floor(wall() / 1000).toString(36).slice(-5)}-` : '';
  const reports: ScenarioReport[] = [];
  for (const s of chosen) {
    if (o.device && s.needs === 'simulator') {
      reports.push({ name: s.name, description: s.description, requirements: s.requirements, passed: false, skipped: 'needs the simulator', checks: [], latencyMs: [], ackMs: [], answers: [], limit: [], power: [], durationMs: 0, trace: [], traceDropped: 0, stats: { meter: {} } });
      o.onProgress?.('scenario_skipped', { name: s.name, reason: 'needs the simulator' });
      continue;
    }
    o.onProgress?.('scenario_start', { name: s.name });
    const run = o.device ? deviceScenario(o.device, clock, baud, runTag) : await simScenario(o, clock, baud, runTag, s.simSlots);
    const { ctx, meter } = run;
    const t0 = clock.monotonic();
    const firstSample = ctx.observer.samples.length;
    meter.on('sent', (t) => ctx.addTrace('>', t));
    meter.on('heartbeat', (hb) => {
      if (!ctx.active.restarted(hb)) return;
      ctx.answers.push(`appliance restart seen (HB up=${hb.uptimeS ?? '?'} s): resending ${ctx.active.list().length} command(s)`);
      for (const c of ctx.active.list()) void ctx.request({ type: 'CMD', command: c });
    });
    let error: string | undefined;
    try {
      await s.run(ctx);
    } catch (e) {
      error = errorMessage(e);
    }
    const durationMs = Math.round(clock.monotonic() - t0);
    const applianceStats = run.applianceStats?.();
    await run.close();
    const power = ctx.observer.samples.slice(Math.max(0, firstSample - 1)).map((p) => ({ t: Math.max(0, Math.round(p.mono - t0)), value: p.watts }));
    const rep: ScenarioReport = {
      name: s.name,
      description: s.description,
      requirements: s.requirements,
      passed: !error && ctx.checks.length > 0 && ctx.checks.every((c) => c.ok),
      checks: ctx.checks,
      latencyMs: ctx.latencyMs,
      ackMs: ctx.ackMs,
      answers: ctx.answers,
      limit: ctx.limit,
      power,
      durationMs,
      trace: ctx.trace,
      traceDropped: ctx.traceDropped,
      stats: { meter: { ...meter.stats }, ...(applianceStats ? { appliance: applianceStats } : {}) },
    };
    if (error) rep.error = error;
    reports.push(rep);
    o.onProgress?.('scenario_end', { name: s.name, passed: rep.passed, latencyMs: rep.latencyMs, ackMs: rep.ackMs });
  }
  const ran = reports.filter((r) => !r.skipped);
  const passed = ran.filter((r) => r.passed).length;
  const requirements: RequirementResult[] = REQUIREMENTS.map((q) => {
    const checks = ran.flatMap((r) => r.checks.filter((c) => c.req === q.id).map((c) => ({ ok: c.ok, scenario: r.name })));
    const scenarios = [...new Set(checks.map((c) => c.scenario))];
    return { ...q, result: checks.length === 0 ? 'not tested' : checks.every((c) => c.ok) ? 'pass' : 'fail', scenarios };
  });
  const observer = o.device?.observer;
  const version = o.softwareVersion ?? gridbridgeVersion();
  return {
    generatedAt: new Date(wall()).toISOString(),
    clockStart,
    clockEnd: new Date(clock.now()).toISOString(),
    time: clock instanceof FakeClock ? 'virtual' : 'real',
    mode: o.device ? 'device' : 'simulator',
    line: o.device ? o.device.line.description : o.link ? `link given by the caller, ${baud} baud` : `in-memory line timed at ${baud} baud 8N1`,
    baud,
    ...(o.device ? {} : { applyDelayMs: o.applyDelayMs ?? 100 }),
    ratedW: observer?.ratedW ?? o.ratedW ?? 7400,
    toleranceW: observer?.toleranceW ?? 0,
    measurement: observer ? (observer.description ?? 'meter on the appliance supply') : 'simulator power (level × rated power)',
    software: { name: 'GridBridge', version, protocol: `SSP-1 ${SSP_DOC_VERSION}` },
    equipment: o.device ? { kind: 'device under test', ...o.device.identity } : { kind: 'GridBridge SAPC appliance simulator', model: 'sim sapc-appliance', firmware: version },
    passed,
    failed: ran.length - passed,
    skipped: reports.length - ran.length,
    requirements,
    scenarios: reports,
  };
}

export { formatRigSummary, formatRigHtml } from './report.js';
