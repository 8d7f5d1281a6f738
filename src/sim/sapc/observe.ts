/**
 * How the override rig sees the appliance's power: from the simulator itself, or — for real equipment — from a meter
 * on its supply read over Modbus (TCP or RTU) through a device profile's canonical `W` point. Compliance with a
 * limit of L % means measured power ≤ L % of the rated power plus a tolerance.
 */
import type { Clock } from '../../core/clock.js';
import type { Profile } from '../../core/profile/types.js';
import { ModbusPort } from '../../protocols/modbus/port.js';
import type { Endpoint } from '../../protocols/modbus/transport.js';
import type { SapcApplianceSim } from './appliance.js';

export interface PowerSample {
  /** Monotonic ms. */
  mono: number;
  watts: number;
}

export interface ApplianceObserver {
  readonly kind: 'simulator' | 'device';
  readonly ratedW: number;
  readonly toleranceW: number;
  /** Every power reading (simulator: every change), oldest first; bounded. */
  readonly samples: PowerSample[];
  /** Latest measured power (W), undefined before the first reading. */
  watts(): number | undefined;
  /** Whether the latest reading is within a limit of `level` % (plus the tolerance). */
  complies(level: number): boolean;
  close(): Promise<void>;
}

const MAX_SAMPLES = 20_000;

function push(samples: PowerSample[], s: PowerSample): void {
  samples.push(s);
  if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
}

function within(watts: number | undefined, level: number, ratedW: number, toleranceW: number): boolean {
  return watts !== undefined && watts <= (ratedW * level) / 100 + toleranceW;
}

/** The simulator's own power (exact; the simulated device runs at its effective level). */
export class SimPowerObserver implements ApplianceObserver {
  readonly kind = 'simulator';
  readonly toleranceW = 0;
  readonly samples: PowerSample[] = [];

  private sim: SapcApplianceSim;

  constructor(
    sim: SapcApplianceSim,
    private readonly clock: Clock,
    readonly ratedW: number,
  ) {
    this.sim = sim;
    this.attach(sim);
  }

  /** Follow a (new) simulator instance, e.g. after a simulated restart: power drops to 0, then its own level. */
  attach(sim: SapcApplianceSim): void {
    if (sim !== this.sim) push(this.samples, { mono: this.clock.monotonic(), watts: 0 });
    this.sim = sim;
    push(this.samples, { mono: this.clock.monotonic(), watts: sim.totalWatts() });
    sim.on('applied', (a) => push(this.samples, { mono: a.mono, watts: sim.totalWatts() }));
  }

  watts(): number {
    return this.sim.totalWatts();
  }

  complies(level: number): boolean {
    return within(this.sim.totalWatts(), level, this.ratedW, 0);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface ModbusMeasureOptions {
  endpoint: Endpoint;
  profile: Profile;
  unitId: number;
  /** Canonical point carrying the appliance's power (default `W`; import positive for a consumer). */
  point?: string;
  intervalMs?: number;
  ratedW: number;
  toleranceW?: number;
  clock: Clock;
  /** Take the absolute value of the reading (a meter that counts the appliance's consumption negative). */
  absolute?: boolean;
}

/** A meter on the appliance's supply, polled over Modbus. */
export class ModbusPowerObserver implements ApplianceObserver {
  readonly kind = 'device';
  readonly samples: PowerSample[] = [];
  readonly ratedW: number;
  readonly toleranceW: number;
  readonly description: string;
  lastError: string | undefined;
  private readonly port: ModbusPort;
  private readonly point: string;

  constructor(private readonly o: ModbusMeasureOptions) {
    this.ratedW = o.ratedW;
    this.toleranceW = o.toleranceW ?? Math.max(50, o.ratedW * 0.02);
    this.point = o.point ?? 'W';
    const p = o.profile.points.find((x) => x.name === this.point);
    if (!p) throw new Error(`profile ${o.profile.id} has no point ${this.point}`);
    const interval = o.intervalMs ?? 500;
    const pollClasses = Object.fromEntries(Object.keys(o.profile.pollClasses).map((k) => [k, k === p.poll ? interval : 3_600_000]));
    this.port = new ModbusPort(o.endpoint, { timeoutMs: 1000, retries: 1, offlineAfter: 1000 });
    this.description = `${o.profile.id} unit ${o.unitId} on ${this.port.description}, point ${this.point}, every ${interval} ms`;
    this.port.addDevice({ id: 'sapc-meter', unitId: o.unitId, profile: o.profile, pollClasses });
    this.port.on('points', (pts) => {
      const w = pts.find((x) => x.name === this.point);
      if (!w) return;
      if (typeof w.value === 'number' && w.quality.code === 'good') push(this.samples, { mono: o.clock.monotonic(), watts: o.absolute ? Math.abs(w.value) : w.value });
      else this.lastError = `${this.point}: ${w.quality.code}${w.quality.reason ? ` (${w.quality.reason})` : ''}`;
    });
  }

  /** Start polling; resolves at the first good reading, rejects after `timeoutMs` without one. */
  async start(timeoutMs = 5000): Promise<void> {
    this.port.start();
    const end = this.o.clock.monotonic() + timeoutMs;
    while (!this.samples.length) {
      if (this.o.clock.monotonic() > end) throw new Error(`no power reading from ${this.description}${this.lastError ? `: ${this.lastError}` : ''}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  watts(): number | undefined {
    return this.samples.at(-1)?.watts;
  }

  complies(level: number): boolean {
    return within(this.watts(), level, this.ratedW, this.toleranceW);
  }

  close(): Promise<void> {
    return this.port.stop();
  }
}
