/**
 * What one override-rig scenario works with: the meter end's session, what can be observed of the appliance (its
 * metered power; the simulator's internals only when it is the simulator), the wire trace, the expected limit over
 * time, answer times and times to compliance, and the checks, each tagged with the numbered requirement it tests.
 */
import { FakeClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { ActiveCommands, buildCommand, type CommandParams } from '../../protocols/sapc/client.js';
import { wrapBody, type NakReason, type SapcFrame } from '../../protocols/sapc/frame.js';
import type { Reply, RequestBody, SapcSession } from '../../protocols/sapc/session.js';
import { PlanCollector } from '../../protocols/sapc/plan.js';
import type { SapcApplianceSim } from './appliance.js';
import type { ApplianceObserver } from './observe.js';

export interface Check {
  /** Requirement id (REQUIREMENTS in requirements.ts). */
  req: string;
  label: string;
  ok: boolean;
  detail?: string;
}

export interface TraceLine {
  /** ms since the scenario started. */
  t: number;
  /** `>` meter → appliance, `<` appliance → meter. */
  dir: '>' | '<';
  text: string;
  note?: string;
}

export interface SeriesPoint {
  /** ms since the scenario started. */
  t: number;
  value: number;
}

const T_LEVEL = 10_000;
const MAX_TRACE = 400;

export interface ContextOptions {
  clock: Clock;
  meter: SapcSession;
  observer: ApplianceObserver;
  /** The simulator, when the appliance is one (its internals back some checks). */
  sim?: () => SapcApplianceSim;
  /** Restart the simulated appliance (simulator only). */
  restartSim?: () => Promise<void>;
  writeMeterRaw: (text: string) => void;
  /** Prefix for the rig's event ids (unique per run so a real appliance never takes one as an update). */
  idPrefix: string;
  baud: number;
}

export class ScenarioContext {
  readonly checks: Check[] = [];
  /** Override sent → device compliant (ms), one per measured override. */
  readonly latencyMs: number[] = [];
  /** Request written → answer received (ms), first attempts only. */
  readonly ackMs: number[] = [];
  readonly answers: string[] = [];
  readonly trace: TraceLine[] = [];
  traceDropped = 0;
  /** The limit the commands sent should produce (%), as a step series. */
  readonly limit: SeriesPoint[] = [];
  readonly active: ActiveCommands;
  /** Plans received from the appliance (PLN), assembled. */
  readonly plans = new PlanCollector();
  /** Drop the next N ACK frames arriving at the meter (lost answers). */
  dropAcks = 0;
  readonly clock: Clock;
  readonly meter: SapcSession;
  readonly observer: ApplianceObserver;
  private readonly t0: number;
  private rawSeq = 9000;
  private hbTimer: TimerHandle | undefined;

  constructor(private readonly o: ContextOptions) {
    this.clock = o.clock;
    this.meter = o.meter;
    this.observer = o.observer;
    this.t0 = o.clock.monotonic();
    this.active = new ActiveCommands(() => o.clock.now());
    this.meter.setHandler({ onPlan: this.plans.onPlan });
    this.expectLimit(100);
  }

  /** The simulator, or undefined against real equipment (checks that need its internals are skipped). */
  get sim(): SapcApplianceSim | undefined {
    return this.o.sim?.();
  }

  get canRestart(): boolean {
    return !!this.o.restartSim;
  }

  restartSim(): Promise<void> {
    if (!this.o.restartSim) throw new Error('restart needs the simulator');
    return this.o.restartSim();
  }

  /** ms since the scenario started. */
  elapsed(mono = this.clock.monotonic()): number {
    return Math.round((mono - this.t0) * 10) / 10;
  }

  id(name: string): string {
    return `${this.o.idPrefix}${name}`;
  }

  addTrace(dir: '>' | '<', text: string, note?: string): void {
    if (this.trace.length >= MAX_TRACE) {
      this.traceDropped++;
      return;
    }
    this.trace.push({ t: this.elapsed(), dir, text: text.replace(/\r?\n$/, ''), ...(note ? { note } : {}) });
  }

  expectLimit(level: number): void {
    const last = this.limit.at(-1);
    if (last?.value !== level) this.limit.push({ t: this.elapsed(), value: level });
  }

  async sleep(ms: number): Promise<void> {
    if (this.clock instanceof FakeClock) {
      for (let left = ms; left > 0; ) {
        const step = Math.min(left > 20_000 ? 100 : 5, left);
        this.clock.advance(step);
        left -= step;
        await new Promise<void>((r) => setImmediate(r));
      }
    } else await new Promise<void>((r) => setTimeout(r, ms));
  }

  async until(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    const end = this.clock.monotonic() + timeoutMs;
    while (!pred()) {
      if (this.clock.monotonic() >= end) return false;
      await this.sleep(this.clock instanceof FakeClock ? 5 : 20);
    }
    return true;
  }

  check(req: string, label: string, ok: boolean, detail?: string): boolean {
    this.checks.push(detail === undefined ? { req, label, ok } : { req, label, ok, detail });
    return ok;
  }

  /** Line time of `bytes` at the configured baud (10 bits per byte), ms. */
  lineMs(bytes: number): number {
    return (bytes * 10 * 1000) / this.o.baud;
  }

  async request(body: RequestBody): Promise<Reply | Error> {
    const p = this.meter.request(body).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    let out: Reply | Error | undefined;
    void p.then((v) => (out = v));
    await this.until(() => out !== undefined, 30_000);
    const r = out ?? new Error('no answer');
    if (!(r instanceof Error) && r.attempts === 1) this.ackMs.push(Math.round(r.elapsedMs * 10) / 10);
    if (!(r instanceof Error) && r.type === 'ACK' && body.type === 'CMD') this.active.acked(body.command);
    if (!(r instanceof Error) && r.type === 'ACK' && body.type === 'CAN') this.active.cancelled(body.eventId, body.source);
    this.answers.push(r instanceof Error ? `error: ${r.message}` : `${body.type} → ${r.type}${r.type === 'NAK' ? ` ${r.reason}` : r.type === 'ACK' && r.state ? ` ${r.state}` : ''} (${r.attempts} attempt${r.attempts > 1 ? 's' : ''})`);
    return r;
  }

  command(p: Partial<CommandParams> & { level: number }): Extract<RequestBody, { type: 'CMD' }> {
    const params = { forMs: 5000, ...p, ...(p.eventId !== undefined ? { eventId: this.id(p.eventId) } : {}) };
    return { type: 'CMD', command: buildCommand(params, this.clock.now()) };
  }

  /** The appliance's level as the rig sees it: the simulator's exact level, or metered power as % of rated. */
  levelNow(): number | undefined {
    const sim = this.sim;
    if (sim) return sim.level();
    const w = this.observer.watts();
    return w === undefined ? undefined : Math.round((w / this.observer.ratedW) * 1000) / 10;
  }

  describeLevel(): string {
    const w = this.observer.watts();
    return `level ${this.levelNow() ?? '?'} %${w !== undefined ? `, ${w} W` : ''}`;
  }

  /** Effective level reported by the appliance (STQ → STA), undefined without an STA. */
  async statusLevel(slot?: number): Promise<number | undefined> {
    const r = await this.request({ type: 'STQ', ...(slot !== undefined ? { slot } : {}) });
    return !(r instanceof Error) && r.type === 'STA' ? r.level : undefined;
  }

  /**
   * Whether the appliance is at `level` now. Simulator: its exact level. Real equipment: for a limit, metered power
   * within it; for 100 % (released), or with `reported`, the appliance's own status (STA) says `level` (power below
   * a limit cannot tell which limit is in force).
   */
  async isAt(level: number, opts: { device?: string; reported?: boolean } = {}): Promise<boolean> {
    const sim = this.sim;
    if (sim) return sim.level(opts.device) === level;
    if (level >= 100 || opts.reported) return (await this.statusLevel()) === level;
    return this.observer.complies(level);
  }

  /** Wait until the appliance is at `level`; returns the monotonic time it was seen there, or undefined. */
  async reach(level: number, timeoutMs = T_LEVEL, opts: { device?: string; reported?: boolean } = {}): Promise<number | undefined> {
    const end = this.clock.monotonic() + timeoutMs;
    const poll = this.sim ? 5 : level >= 100 || opts.reported ? 500 : 50;
    for (;;) {
      if (await this.isAt(level, opts)) return this.clock.monotonic();
      if (this.clock.monotonic() >= end) return undefined;
      await this.sleep(poll);
    }
  }

  /** Check an ACK's answer time: at most 250 ms after the request's last byte (SSP-1 §4), given the line time. */
  checkAnswerTime(r: Reply | Error, requestBytes: number, label: string): void {
    if (r instanceof Error || r.attempts !== 1) return;
    const answerBytes = 40;
    const budget = 250 + this.lineMs(requestBytes + answerBytes);
    this.check('R1', `${label}: answered within 250 ms + line time`, r.elapsedMs <= budget, `${Math.round(r.elapsedMs)} ms (budget ${Math.round(budget)} ms)`);
  }

    /**
   * Send an override and measure until the device complies with `expectLevel`; with `reported`, real equipment must
   * also report that level (STA) — for checks where a lower power would not show which limit is in force.
   */
  async override(p: Partial<CommandParams> & { level: number }, expectLevel: number, label: string, req = 'R2', reported = false): Promise<Reply | Error> {
    const t0 = this.clock.monotonic();
    const body = this.command(p);
    const r = await this.request(body);
    const ok = !(r instanceof Error) && r.type === 'ACK';
    this.check('R1', `${label}: ACK`, ok, r instanceof Error ? r.message : `${r.type}${r.type === 'NAK' ? ` ${r.reason}` : ''}`);
    this.checkAnswerTime(r, 130, label);
    if (ok) this.expectLimit(expectLevel);
    const at = await this.reach(expectLevel);
    const took = at === undefined ? undefined : this.timeToEffect(t0, expectLevel);
    if (took !== undefined) this.latencyMs.push(took);
    this.check(req, `${label}: device at ${expectLevel} %`, at !== undefined, this.describeLevel());
    if (reported && !this.sim) this.check(req, `${label}: appliance reports ${expectLevel} %`, (await this.reach(expectLevel, 3000, { reported: true })) !== undefined);
    return r;
  }

  /**
   * From the override leaving the rig (`t0`) to the device running at `level` (simulator: the control loop applied
   * it; undefined when it was already there) or within it (real equipment: the first power reading within the
   * limit; 0 when it already was). Taken from the recorded samples, so retries and polling do not add to it.
   */
  private timeToEffect(t0: number, level: number): number | undefined {
    const round = (ms: number) => Math.round(ms * 10) / 10;
    const sim = this.sim;
    if (sim) {
      const rec = sim.applied.find((a) => a.mono >= t0 && a.level === level);
      return rec ? round(rec.mono - t0) : undefined;
    }
    const limitW = (this.observer.ratedW * level) / 100 + this.observer.toleranceW;
    const samples = this.observer.samples;
    const i = samples.findIndex((x) => x.mono >= t0);
    const before = i > 0 ? samples[i - 1] : i < 0 ? samples.at(-1) : undefined;
    if (before && before.watts <= limitW) return 0;
    const hit = samples.slice(Math.max(0, i)).find((x) => x.mono >= t0 && x.watts <= limitW);
    return hit ? round(hit.mono - t0) : undefined;
  }

  /** The device returns to its default (100 %) within `timeoutMs`. */
  async released(label: string, timeoutMs: number, req = 'R3'): Promise<boolean> {
    const at = await this.reach(100, timeoutMs);
    if (at !== undefined) this.expectLimit(100);
    return this.check(req, label, at !== undefined, this.describeLevel());
  }

  async expectNak(body: RequestBody, reason: NakReason, label: string, req = 'R4'): Promise<void> {
    const before = this.levelNow();
    const limitBefore = this.limit.at(-1)?.value ?? 100;
    const r = await this.request(body);
    this.check(req, `${label}: NAK ${reason}`, !(r instanceof Error) && r.type === 'NAK' && r.reason === reason, r instanceof Error ? r.message : `${r.type}${r.type === 'NAK' ? ` ${r.reason}` : ''}`);
    await this.sleep(this.sim ? 50 : 1000);
    const kept = this.sim ? this.levelNow() === before : limitBefore >= 100 ? (await this.statusLevel()) === 100 : this.observer.complies(limitBefore);
    this.check(req, `${label}: state unchanged`, kept, `${this.describeLevel()} (was ${before ?? '?'})`);
  }

  /** Write a hand-made CMD body and wait for the answer with its SEQ. */
  async raw(bodyAfterSeq: string): Promise<string | undefined> {
    const seq = ++this.rawSeq;
    let answer: string | undefined;
    const on = (f: SapcFrame) => {
      if (f.seq === seq && f.type !== 'HB') answer = `${f.type}${'reason' in f ? ` ${String(f.reason)}` : ''}`;
    };
    this.meter.on('frame', on);
    this.writeRaw(wrapBody(`1,CMD,${seq},${bodyAfterSeq}`));
    await this.until(() => answer !== undefined, 2000);
    this.meter.off('frame', on);
    this.answers.push(`raw CMD → ${answer ?? 'no answer'}`);
    return answer;
  }

  /** Bytes written as they are (noise, hand-made frames), traced. */
  writeRaw(text: string): void {
    this.addTrace('>', JSON.stringify(text).slice(1, -1), 'raw');
    this.o.writeMeterRaw(text);
  }

  /** Send meter heartbeats every `periodMs` until stopHeartbeats(). */
  startHeartbeats(periodMs: number): void {
    this.stopHeartbeats();
    const tick = () => {
      this.meter.heartbeat();
      this.hbTimer = this.clock.setTimeout(tick, periodMs);
    };
    tick();
  }

  stopHeartbeats(): void {
    this.clock.clearTimeout(this.hbTimer);
    this.hbTimer = undefined;
  }

  /** Cancel every command of this scenario still in force (against real equipment, between scenarios). */
  async cleanup(): Promise<void> {
    this.stopHeartbeats();
    for (const c of this.active.list()) await this.request({ type: 'CAN', eventId: c.eventId, source: c.source });
  }
}
