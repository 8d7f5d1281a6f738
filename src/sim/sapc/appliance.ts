/**
 * Simulated SAPC appliance (e.g. an EV charger or battery behind a SAPC): the receiving end of an SSP-1 line,
 * wired to an Arbiter, that applies the effective level to its simulated power after `applyDelayMs` (its control
 * loop) and records when each limit took effect at the device.
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { Arbiter, targetKey, type Effective } from '../../core/arbitration/arbiter.js';
import { SapcSession, type Reply, type SessionOptions } from '../../protocols/sapc/session.js';
import { planParts, type AppliancePlan } from '../../protocols/sapc/plan.js';
import { SapcReceiver, type ReceiverDecision, type SlotConfig } from '../../protocols/sapc/receiver.js';

export interface ApplianceOptions {
  clock: Clock;
  write: (text: string) => void;
  slots?: SlotConfig[];
  /** Rated power (W) at level 100. */
  ratedW?: number;
  /** Time from an effective change to the device having applied it (ms). */
  applyDelayMs?: number;
  arbiter?: Arbiter;
  session?: Partial<Omit<SessionOptions, 'write' | 'clock' | 'handler'>>;
}

export interface AppliedRecord {
  /** Monotonic ms when the device applied it. */
  mono: number;
  /** Wall ms. */
  at: number;
  device: string;
  level: number;
  watts: number;
  basis: Effective['basis'];
  governing: string[];
}

export interface ApplianceEvents {
  applied: [AppliedRecord];
  decision: [ReceiverDecision];
}

export class SapcApplianceSim extends EventEmitter<ApplianceEvents> {
  readonly arbiter: Arbiter;
  readonly session: SapcSession;
  readonly receiver: SapcReceiver;
  readonly applied: AppliedRecord[] = [];
  readonly levels = new Map<string, number>();
  private readonly clock: Clock;
  private readonly timers = new Set<TimerHandle>();
  private readonly ownsArbiter: boolean;

  constructor(private readonly o: ApplianceOptions) {
    super();
    this.clock = o.clock;
    this.ownsArbiter = !o.arbiter;
    this.arbiter = o.arbiter ?? new Arbiter({ clock: o.clock });
    const slots = o.slots ?? [{ slot: 1, direction: 'import', device: 'sapc1' }];
    this.receiver = new SapcReceiver(this.arbiter, slots, o.clock, (d) => this.emit('decision', d));
    this.session = new SapcSession({ ...o.session, clock: o.clock, write: o.write, handler: this.receiver });
    const keys = new Set(slots.map((s) => targetKey({ device: s.device, name: s.point ?? 'SAPCLevel' })));
    for (const s of slots) {
      const e = this.arbiter.effective({ device: s.device, name: s.point ?? 'SAPCLevel' });
      this.levels.set(s.device, typeof e.value === 'number' ? e.value : (s.default ?? 100));
    }
    this.arbiter.on('change', (e) => {
      if (keys.has(targetKey(e.target))) this.schedule(e);
    });
  }

  get applyDelayMs(): number {
    return this.o.applyDelayMs ?? 0;
  }

  receive(chunk: Uint8Array | string): void {
    this.session.receive(chunk);
  }

  level(device = this.levels.keys().next().value ?? 'sapc1'): number | undefined {
    return this.levels.get(device);
  }

  /** Send a plan to the meter (PLN, in as many parts as it needs); resolves with each part's answer. */
  async sendPlan(plan: AppliancePlan): Promise<Reply[]> {
    const out: Reply[] = [];
    for (const part of planParts(plan, this.clock.now())) out.push(await this.session.request({ type: 'PLN', ...part }));
    return out;
  }

  /** Power of one device at its applied level (W). */
  watts(device?: string): number {
    return Math.round(((this.o.ratedW ?? 7400) * (this.level(device) ?? 0)) / 100);
  }

  /** Power of every device together (W): what a meter on the appliance's supply measures. */
  totalWatts(): number {
    let w = 0;
    for (const d of this.levels.keys()) w += this.watts(d);
    return w;
  }

  close(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    this.session.close();
    if (this.ownsArbiter) this.arbiter.close();
  }

  private schedule(e: Effective): void {
    const apply = () => {
      const level = typeof e.value === 'number' ? e.value : 100;
      this.levels.set(e.target.device, level);
      const rec: AppliedRecord = {
        mono: this.clock.monotonic(),
        at: this.clock.now(),
        device: e.target.device,
        level,
        watts: this.watts(e.target.device),
        basis: e.basis,
        governing: e.governing,
      };
      this.applied.push(rec);
      if (this.applied.length > 1000) this.applied.shift();
      this.emit('applied', rec);
    };
    if (!this.o.applyDelayMs) return apply();
    const t = this.clock.setTimeout(() => {
      this.timers.delete(t);
      apply();
    }, this.o.applyDelayMs);
    this.timers.add(t);
  }
}
