/**
 * The SAPC override test rig: runs named scenarios of a meter against a simulated appliance over an SSP-1 line
 * (an in-memory line timed at the chosen baud on a FakeClock — virtual time, deterministic — or any real link such
 * as a socat pty pair on the system clock) and reports, per scenario, the checks and the time from the override
 * leaving the meter to the effective limit being applied at the device. Shared by `gridbridge sapc rig` and the
 * `sapc-rig` Node-RED node (flows/sapc-override-test.json).
 */
import { FakeClock, type Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { SapcSession, type Reply, type RequestBody } from '../../protocols/sapc/session.js';
import { buildCommand, type CommandParams } from '../../protocols/sapc/client.js';
import { createLinePair } from '../../protocols/sapc/loopback.js';
import { decodeText, wrapBody, type NakReason } from '../../protocols/sapc/frame.js';
import { SapcApplianceSim } from './appliance.js';

export interface RigLink {
  meterWrite(text: string): void;
  applianceWrite(text: string): void;
  onMeterData(fn: (chunk: Uint8Array | string) => void): void;
  onApplianceData(fn: (chunk: Uint8Array | string) => void): void;
  close(): Promise<void>;
}

export interface RigOptions {
  /** A FakeClock runs the rig in virtual time; any other clock in real time. */
  clock?: Clock;
  /** Build the line for one scenario; default an in-memory line at `baud` on `clock`. */
  link?: (clock: Clock) => Promise<RigLink>;
  baud?: number;
  /** Appliance control-loop delay (ms) between an effective change and the device applying it. */
  applyDelayMs?: number;
  /** Names of scenarios to run (default all). */
  scenarios?: string[];
  onProgress?: (event: string, data: Record<string, unknown>) => void;
}

export interface Check {
  label: string;
  ok: boolean;
  detail?: string;
}
export interface ScenarioReport {
  name: string;
  description: string;
  passed: boolean;
  checks: Check[];
  /** Override → effective limit applied at the device (ms), one per measured override. */
  latencyMs: number[];
  answers: string[];
  stats: { meter: Record<string, number>; appliance: Record<string, number> };
  error?: string;
}
export interface RigReport {
  generatedAt: string;
  time: 'virtual' | 'real';
  baud: number;
  applyDelayMs: number;
  passed: number;
  failed: number;
  scenarios: ScenarioReport[];
}

const T_LEVEL = 10_000;

export class ScenarioContext {
  readonly checks: Check[] = [];
  readonly latencyMs: number[] = [];
  readonly answers: string[] = [];
  /** Drop the next N frames the appliance writes (lost ACKs). */
  dropAppliance = 0;
  private rawSeq = 9000;

  constructor(
    readonly clock: Clock,
    readonly meter: SapcSession,
    readonly appliance: SapcApplianceSim,
    readonly writeMeterRaw: (text: string) => void,
  ) {}

  async sleep(ms: number): Promise<void> {
    if (this.clock instanceof FakeClock) {
      for (let left = ms; left > 0; left -= 5) {
        this.clock.advance(Math.min(5, left));
        await new Promise<void>((r) => setImmediate(r));
      }
    } else await new Promise<void>((r) => setTimeout(r, ms));
  }

  async until(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    const end = this.clock.monotonic() + timeoutMs;
    while (!pred()) {
      if (this.clock.monotonic() >= end) return false;
      await this.sleep(5);
    }
    return true;
  }

  check(label: string, ok: boolean, detail?: string): boolean {
    this.checks.push(detail === undefined ? { label, ok } : { label, ok, detail });
    return ok;
  }

  async request(body: RequestBody): Promise<Reply | Error> {
    const p = this.meter.request(body).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    let out: Reply | Error | undefined;
    void p.then((v) => (out = v));
    await this.until(() => out !== undefined, 30_000);
    const r = out ?? new Error('no answer');
    this.answers.push(r instanceof Error ? `error: ${r.message}` : `${body.type} → ${r.type}${r.type === 'NAK' ? ` ${r.reason}` : r.type === 'ACK' && r.state ? ` ${r.state}` : ''} (${r.attempts} attempt${r.attempts > 1 ? 's' : ''})`);
    return r;
  }

  command(p: Partial<CommandParams> & { level: number }): RequestBody {
    return { type: 'CMD', command: buildCommand({ forMs: 5000, ...p }, this.clock.now()) };
  }

  /** Send an override and measure until the device runs at `expectLevel`. */
  async override(p: Partial<CommandParams> & { level: number }, expectLevel: number, label: string): Promise<Reply | Error> {
    const t0 = this.clock.monotonic();
    const from = this.appliance.applied.length;
    const r = await this.request(this.command(p));
    const ok = r instanceof Error ? false : r.type === 'ACK';
    const applied = await this.until(() => this.appliance.applied.slice(from).some((a) => a.level === expectLevel), T_LEVEL);
    const rec = this.appliance.applied.slice(from).find((a) => a.level === expectLevel);
    if (applied && rec) this.latencyMs.push(Math.round((rec.mono - t0) * 10) / 10);
    this.check(`${label}: ACK`, ok, r instanceof Error ? r.message : r.type);
    this.check(`${label}: device at ${expectLevel} %`, applied, `device level ${this.appliance.level()}`);
    return r;
  }

  async expectNak(body: RequestBody, reason: NakReason, label: string): Promise<void> {
    const before = this.appliance.level();
    const r = await this.request(body);
    this.check(`${label}: NAK ${reason}`, !(r instanceof Error) && r.type === 'NAK' && r.reason === reason, r instanceof Error ? r.message : `${r.type}${r.type === 'NAK' ? ` ${r.reason}` : ''}`);
    await this.sleep(50);
    this.check(`${label}: safe state kept`, this.appliance.level() === before, `level ${this.appliance.level()} (was ${before})`);
  }

  /** Write a hand-made frame body and wait for the answer with its SEQ. */
  async raw(bodyAfterSeq: string): Promise<string | undefined> {
    const seq = ++this.rawSeq;
    let answer: string | undefined;
    const on = (f: { type: string; seq: number }) => {
      if (f.seq === seq && f.type !== 'HB') answer = `${f.type}${'reason' in f ? ` ${String(f.reason)}` : ''}`;
    };
    this.meter.on('frame', on);
    this.writeMeterRaw(wrapBody(`1,CMD,${seq},${bodyAfterSeq}`));
    await this.until(() => answer !== undefined, 2000);
    this.meter.off('frame', on);
    this.answers.push(`raw CMD → ${answer ?? 'no answer'}`);
    return answer;
  }
}

export interface Scenario {
  name: string;
  description: string;
  run(ctx: ScenarioContext): Promise<void>;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d+/g, '');

export const SCENARIOS: Scenario[] = [
  {
    name: 'lc-limit-and-expiry',
    description: 'Load-controller limit 40 % for 3 s, then fall back to the default plan (100 %) at expiry',
    async run(c) {
      const r = await c.override({ level: 40, forMs: 3000, source: 'load_controller' }, 40, 'limit 40 %');
      if (r instanceof Error) return;
      const ok = await c.until(() => c.appliance.level() === 100, 6000);
      c.check('fallback to 100 % after expiry', ok, `level ${c.appliance.level()}`);
    },
  },
  {
    name: 'lc-outranks-supplier',
    description: 'Supplier sets 20 %, load controller limits to 50 %: 20 % stays; supplier raises to 90 %: clipped to 50 %',
    async run(c) {
      await c.override({ level: 20, source: 'supplier', forMs: 8000, eventId: 'sup1' }, 20, 'supplier 20 %');
      await c.request(c.command({ level: 50, source: 'load_controller', forMs: 8000 }));
      c.check('limit above setpoint keeps 20 %', c.appliance.level() === 20, `level ${c.appliance.level()}`);
      await c.override({ level: 90, source: 'supplier', forMs: 8000, eventId: 'sup2' }, 50, 'supplier 90 % clipped');
    },
  },
  {
    name: 'min-of-caps',
    description: 'Two load-controller limits overlap (60 % and 30 %): the minimum applies',
    async run(c) {
      await c.override({ level: 60, forMs: 8000, eventId: 'capA' }, 60, 'cap 60 %');
      await c.override({ level: 30, forMs: 4000, eventId: 'capB' }, 30, 'cap 30 %');
      const back = await c.until(() => c.appliance.level() === 60, 8000);
      c.check('back to 60 % when the 30 % cap ends', back, `level ${c.appliance.level()}`);
    },
  },
  {
    name: 'level-out-of-range',
    description: 'Level 150 % is NAKed LEVEL_RANGE and nothing changes',
    run: (c) => c.expectNak(c.command({ level: 150 }), 'LEVEL_RANGE', 'level 150'),
  },
  {
    name: 'window-too-long',
    description: 'A 25 h window is NAKed WINDOW_TOO_LONG',
    run: (c) => c.expectNak(c.command({ level: 10, forMs: 25 * 3600_000 }), 'WINDOW_TOO_LONG', '25 h window'),
  },
  {
    name: 'window-in-past',
    description: 'A window that already ended is NAKed WINDOW_PAST',
    run: (c) => c.expectNak(c.command({ level: 10, from: c.clock.now() - 7200_000, forMs: 3600_000 }), 'WINDOW_PAST', 'past window'),
  },
  {
    name: 'unknown-source',
    description: 'A command from an unknown source class is NAKed UNKNOWN_SOURCE',
    async run(c) {
      const now = c.clock.now();
      const a = await c.raw(`slot=1,dir=IMP,lvl=10,src=XYZ,to=${iso(now + 60_000)},evt=u1,ts=${iso(now)}`);
      c.check('NAK UNKNOWN_SOURCE', a === 'NAK UNKNOWN_SOURCE', a);
      c.check('safe state kept', c.appliance.level() === 100, `level ${c.appliance.level()}`);
    },
  },
  {
    name: 'lost-acks',
    description: 'Two ACKs are lost: the meter retries with the same SEQ, the appliance answers the duplicates but applies once',
    async run(c) {
      c.dropAppliance = 2;
      const r = await c.override({ level: 25, forMs: 5000 }, 25, 'limit 25 % with 2 lost ACKs');
      c.check('three attempts', !(r instanceof Error) && r.attempts === 3, r instanceof Error ? r.message : `${r.attempts}`);
      const submits = c.appliance.arbiter.audit.filter((a) => a.action === 'submit').length;
      c.check('applied once', submits === 1 && c.appliance.session.stats.duplicates === 2, `${submits} submit(s), ${c.appliance.session.stats.duplicates} duplicate(s)`);
    },
  },
  {
    name: 'noise-and-bad-crc',
    description: 'Garbage and a frame with a bad CRC precede a command: both dropped and counted, the command applies',
    async run(c) {
      c.writeMeterRaw('\x00\xffnoise\r\n$1,CMD,77,slot=1,dir=IMP,lvl=0,src=LC*0000\r\n');
      await c.override({ level: 70, forMs: 5000 }, 70, 'limit 70 % after noise');
      const s = c.appliance.session.stats;
      c.check('bad CRC counted, not answered', s.badCrc === 1 && s.naksSent === 0, `badCrc ${s.badCrc}, naks ${s.naksSent}`);
      c.check('junk counted', s.junkBytes > 0, `junk ${s.junkBytes} bytes`);
    },
  },
  {
    name: 'random-delay-once',
    description: 'Random delay up to 2 s is drawn once by the appliance; an already-randomised command applies at once',
    async run(c) {
      const t0 = c.clock.monotonic();
      const cmd = c.command({ level: 35, forMs: 8000, randomDelayS: 2, eventId: 'rnd1' });
      const r = await c.request(cmd);
      c.check('ACK', !(r instanceof Error) && r.type === 'ACK', r instanceof Error ? r.message : `${r.type}`);
      const ok = await c.until(() => c.appliance.level() === 35, 4000);
      const took = c.clock.monotonic() - t0;
      c.check('applied within the 2 s delay window', ok && took <= 2600, `${Math.round(took)} ms`);
      const again = await c.request(cmd);
      c.check('resent event acknowledged as duplicate', !(again instanceof Error) && again.type === 'ACK' && again.state === 'duplicate');
      const draws = c.appliance.arbiter.audit.filter((a) => a.randomDelayMs !== undefined).length;
      c.check('delay drawn at most once', draws <= 1, `${draws} draw(s)`);
      await c.override({ level: 15, forMs: 8000, randomDelayS: 2, randomised: true }, 15, 'pre-randomised 15 %');
    },
  },
  {
    name: 'cancel',
    description: 'A limit is cancelled (CAN) and the device returns to the default plan',
    async run(c) {
      await c.override({ level: 45, forMs: 60_000, eventId: 'can1' }, 45, 'limit 45 %');
      const r = await c.request({ type: 'CAN', eventId: 'can1', source: 'load_controller' });
      c.check('ACK cancelled', !(r instanceof Error) && r.type === 'ACK' && r.state === 'cancelled');
      c.check('back to 100 %', await c.until(() => c.appliance.level() === 100, 2000), `level ${c.appliance.level()}`);
    },
  },
];

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

export async function runRig(o: RigOptions = {}): Promise<RigReport> {
  const clock = o.clock ?? new FakeClock();
  const baud = o.baud ?? 9600;
  const applyDelayMs = o.applyDelayMs ?? 100;
  const chosen = o.scenarios?.length ? SCENARIOS.filter((s) => o.scenarios!.includes(s.name)) : SCENARIOS;
  const unknown = (o.scenarios ?? []).filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  const reports: ScenarioReport[] = [];
  for (const s of chosen) {
    o.onProgress?.('scenario_start', { name: s.name });
    const link = await (o.link ?? ((c: Clock) => memoryLink(c, baud)))(clock);
    const holder: { ctx?: ScenarioContext } = {};
    const meter = new SapcSession({ clock, write: (t) => link.meterWrite(t), sendHeartbeats: false, baudRate: baud });
    const appliance = new SapcApplianceSim({
      clock,
      applyDelayMs,
      write: (t) => {
        if (holder.ctx && holder.ctx.dropAppliance > 0 && decodeSafe(t) === 'ACK') holder.ctx.dropAppliance--;
        else link.applianceWrite(t);
      },
      session: { sendHeartbeats: false },
    });
    link.onMeterData((c) => meter.receive(c));
    link.onApplianceData((c) => appliance.receive(c));
    const ctx = new ScenarioContext(clock, meter, appliance, (t) => link.meterWrite(t));
    holder.ctx = ctx;
    let error: string | undefined;
    try {
      await s.run(ctx);
    } catch (e) {
      error = errorMessage(e);
    }
    meter.close();
    appliance.close();
    await link.close();
    const rep: ScenarioReport = {
      name: s.name,
      description: s.description,
      passed: !error && ctx.checks.length > 0 && ctx.checks.every((c) => c.ok),
      checks: ctx.checks,
      latencyMs: ctx.latencyMs,
      answers: ctx.answers,
      stats: { meter: { ...meter.stats }, appliance: { ...appliance.session.stats } },
    };
    if (error) rep.error = error;
    reports.push(rep);
    o.onProgress?.('scenario_end', { name: s.name, passed: rep.passed, latencyMs: rep.latencyMs });
  }
  const passed = reports.filter((r) => r.passed).length;
  return { generatedAt: new Date(clock.now()).toISOString(), time: clock instanceof FakeClock ? 'virtual' : 'real', baud, applyDelayMs, passed, failed: reports.length - passed, scenarios: reports };
}

function decodeSafe(t: string): string | undefined {
  try {
    return decodeText(t).type;
  } catch {
    return undefined;
  }
}

/** A readable Markdown summary of a rig report. */
export function formatRigSummary(r: RigReport): string {
  const lines = [
    `# SAPC override test report`,
    '',
    `Generated ${r.generatedAt}; ${r.time} time; line ${r.baud} baud 8N1 (SSP-1); appliance control loop ${r.applyDelayMs} ms.`,
    `**${r.passed} passed, ${r.failed} failed.**`,
    '',
    '| Scenario | Result | Override → limit at device (ms) | Answers |',
    '|---|---|---|---|',
  ];
  for (const s of r.scenarios) lines.push(`| ${s.name} | ${s.passed ? 'PASS' : 'FAIL'} | ${s.latencyMs.length ? s.latencyMs.join(', ') : '—'} | ${s.answers.join('; ').replace(/\|/g, '/')} |`);
  for (const s of r.scenarios) {
    lines.push('', `## ${s.name}`, '', s.description, '');
    for (const c of s.checks) lines.push(`- ${c.ok ? '✔' : '✘'} ${c.label}${c.detail ? ` — ${c.detail}` : ''}`);
    if (s.error) lines.push(`- ✘ error: ${s.error}`);
  }
  return lines.join('\n') + '\n';
}
