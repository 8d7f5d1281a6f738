/**
 * The register image a simulated device serves: built from a profile, with values that move over time by unit
 * (sine for power/current/voltage/frequency, ramp for energy counters, noise for temperatures), writes checked
 * against the profile (exception 2 for unmapped or read-only addresses, 3 for values outside min/max or not
 * representable), and an optional SunSpec "SunS" + model header chain.
 */
import { decodePoint, encodePoint } from '../../core/profile/datatypes.js';
import { applyScaling, inverseScaling } from '../../core/profile/scaling.js';
import type { ModbusFunction, Profile, ProfilePoint } from '../../core/profile/types.js';
import { getSunSpecModel, blockSize } from '../../protocols/modbus/sunspec/index.js';

export class SimException extends Error {
  constructor(
    readonly code: number,
    reason: string,
  ) {
    super(reason);
  }
}

type Generator = (tSec: number) => number | boolean | string;

interface SimPoint {
  p: ProfilePoint;
  gen: Generator;
  /** Set by a write: the point then holds this value instead of moving. */
  held?: number | boolean | string;
  sfExp?: number;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

/** Scale-factor exponent a simulated device uses for a quantity in this unit (keeps raw values in 16 bits). */
function sfForUnit(unit: string | undefined): number {
  switch (unit) {
    case 'Hz':
      return -2;
    case 'V':
    case '%':
    case 'Cel':
      return -1;
    case 'A':
      return -2;
    default:
      return 0;
  }
}

/**
 * Moving value of a point. `seed` (profile id and unit) makes each device's curves its own: the phase comes from the
 * seed and the point name, and power swings with a per-device period (40–80 s) and amplitude (60–100 % of full), so
 * several devices with a `W` point do not draw the same line.
 */
function generatorFor(p: ProfilePoint, seed: string): Generator {
  const phase = hash(`${seed}/${p.name}`) * 2 * Math.PI;
  const own = hash(`${seed}#curve`);
  const sine = (mid: number, amp: number, periodS: number) => (t: number) => mid + amp * Math.sin((2 * Math.PI * t) / periodS + phase);
  const noise = (mid: number, amp: number) => (t: number) => mid + amp * Math.sin(t * 7.3 + phase) * Math.sin(t * 1.7);
  if (p.type === 'string') return () => `SIM-${p.name}`.slice(0, p.length * 2);
  if (p.type === 'bit') return (t) => Math.floor(t / 10 + phase) % 2 === 0;
  if (p.type === 'enum') {
    const first = p.enum ? Number(Object.keys(p.enum)[0] ?? 0) : 0;
    return () => first;
  }
  if (p.type === 'bitfield' || p.type === 'sunssf') return () => 0;
  let g: Generator;
  switch (p.unit) {
    case 'W':
    case 'kW':
    case 'VA':
    case 'kVA':
    case 'var':
    case 'kvar':
      g = sine(0, (p.unit.startsWith('k') ? 5 : 5000) * (0.6 + 0.4 * own), 40 + 40 * own);
      break;
    case 'V':
      g = sine(230, 3, 20);
      break;
    case 'Hz':
      g = sine(50, 0.05, 30);
      break;
    case 'A':
      g = sine(12, 8, 60);
      break;
    case '%':
      g = sine(50, 40, 120);
      break;
    case 'Cel':
      g = noise(25, 2);
      break;
    case 'Wh':
    case 'kWh':
    case 'MWh': {
      const rate = p.unit === 'Wh' ? 1000 : p.unit === 'kWh' ? 1 : 0.001; // per second
      g = (t) => 1_000_000 / (p.unit === 'Wh' ? 1 : p.unit === 'kWh' ? 1000 : 1e6) + rate * t;
      break;
    }
    default:
      g = sine(100, 50, 60);
  }
  const unsigned = p.type.startsWith('u') || p.type.startsWith('acc');
  return (t) => {
    let v = g(t) as number;
    if (p.min !== undefined) v = Math.max(p.min, v);
    if (p.max !== undefined) v = Math.min(p.max, v);
    return unsigned ? Math.abs(v) : v;
  };
}

export interface SunSpecChain {
  /** Address of "SunS" (40000, 0 or 50000). */
  base: number;
  /** Model ids in chain order; lengths come from the model definitions. */
  models: number[];
}

export class RegisterImage {
  private readonly points: SimPoint[];
  private readonly byName = new Map<string, SimPoint>();
  private readonly regs: Record<'holding' | 'input', Map<number, number>> = { holding: new Map(), input: new Map() };
  private readonly bitsOf: Record<'coil' | 'discrete', Map<number, boolean>> = { coil: new Map(), discrete: new Map() };
  /** Fixed registers (SunSpec markers and headers). */
  private readonly fixed = new Map<number, number>();
  private lastRefresh = -Infinity;

  constructor(
    readonly profile: Profile,
    opts: { sunspec?: SunSpecChain; seed?: string } = {},
  ) {
    const seed = opts.seed ?? profile.id;
    this.points = profile.points.map((p) => ({ p, gen: generatorFor(p, seed) }));
    for (const sp of this.points) this.byName.set(sp.p.name, sp);
    // Scale factors: pick one per sf point from the units of the points that use it.
    for (const sp of this.points) {
      if (sp.p.type !== 'sunssf') continue;
      const user = this.points.find((q) => q.p.sf === sp.p.name);
      const e = sfForUnit(user?.p.unit);
      sp.sfExp = e;
      sp.gen = () => e;
    }
    if (opts.sunspec) this.buildChain(opts.sunspec);
  }

  private buildChain(c: SunSpecChain): void {
    this.fixed.set(c.base, 0x5375);
    this.fixed.set(c.base + 1, 0x6e53);
    let a = c.base + 2;
    for (const id of c.models) {
      const m = getSunSpecModel(id);
      if (!m) throw new RangeError(`SunSpec model ${id} unknown`);
      const len = blockSize(m.points) - 2;
      this.fixed.set(a, id);
      this.fixed.set(a + 1, len);
      a += 2 + len;
    }
    this.fixed.set(a, 0xffff);
    this.fixed.set(a + 1, 0);
  }

  /** Recompute moving values (at most every 50 ms of simulated time). */
  refresh(tSec: number): void {
    if (tSec - this.lastRefresh < 0.05) return;
    this.lastRefresh = tSec;
    for (const sp of this.points) this.store(sp, sp.held ?? sp.gen(tSec));
  }

  private sfOf(p: ProfilePoint): number | undefined {
    return p.sf === undefined ? undefined : (this.byName.get(p.sf)?.sfExp ?? 0);
  }

  private store(sp: SimPoint, v: number | boolean | string): void {
    const p = sp.p;
    let regs: number[];
    try {
      if (typeof v === 'number' && p.type !== 'sunssf' && p.type !== 'enum' && p.type !== 'bitfield') {
        let raw = inverseScaling(p, v, this.sfOf(p));
        if (p.type !== 'f32' && p.type !== 'f64') raw = Math.round(raw);
        regs = encodePoint(p, raw, this.current(p));
      } else regs = encodePoint(p, v, this.current(p));
    } catch {
      return; // not representable: keep the previous registers
    }
    if (p.function === 'coil' || p.function === 'discrete') this.bitsOf[p.function].set(p.address, regs[0] === 1);
    else regs.forEach((r, i) => this.regs[p.function as 'holding' | 'input'].set(p.address + i, r));
  }

  private current(p: ProfilePoint): number | undefined {
    if (p.function === 'coil' || p.function === 'discrete') return undefined;
    return this.regs[p.function].get(p.address) ?? 0;
  }

  /** Hold a point at a value driven from outside (e.g. the power of a simulated SAPC appliance); moving values stop. */
  hold(name: string, value: number | boolean | string): void {
    const sp = this.byName.get(name);
    if (!sp) throw new RangeError(`profile ${this.profile.id} has no point ${name}`);
    sp.held = value;
    this.store(sp, value);
  }

  readRegisters(fn: 'holding' | 'input', address: number, count: number): number[] {
    const m = this.regs[fn];
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const a = address + i;
      out[i] = (fn === 'holding' ? this.fixed.get(a) : undefined) ?? m.get(a) ?? 0;
    }
    return out;
  }

  readBits(fn: 'coil' | 'discrete', address: number, count: number): boolean[] {
    const m = this.bitsOf[fn];
    const out = new Array<boolean>(count);
    for (let i = 0; i < count; i++) out[i] = m.get(address + i) ?? false;
    return out;
  }

  /** Points fully or partly inside [address, address+count) of a function. */
  pointsIn(fn: ModbusFunction, address: number, count: number): ProfilePoint[] {
    return this.points.filter((s) => s.p.function === fn && s.p.address < address + count && address < s.p.address + s.p.length).map((s) => s.p);
  }

  /**
   * Apply a write: every register written must belong to a writable point, every touched point must be covered
   * completely, and each new value must be within the point's limits; else SimException 2/3 and nothing changes.
   */
  write(fn: 'coil' | 'holding', address: number, values: number[]): Array<{ name: string; value: number | boolean | string }> {
    const touched = this.pointsIn(fn, address, values.length);
    for (let a = address; a < address + values.length; a++) {
      if (!touched.some((p) => p.address <= a && a < p.address + p.length)) throw new SimException(2, `address ${a} is not mapped`);
    }
    const changes: Array<{ sp: SimPoint; value: number | boolean | string }> = [];
    for (const p of touched) {
      if (p.access === 'r') throw new SimException(2, `${p.name} is read-only`);
      const full = p.type === 'bit' && fn === 'holding' ? true : p.address >= address && p.address + p.length <= address + values.length;
      if (!full) throw new SimException(3, `${p.name}: partial write of a ${p.length}-register value`);
      const regs = values.slice(p.address - address, p.address - address + p.length);
      let value: number | boolean | string;
      try {
        const d = decodePoint(p, regs, fn === 'coil' ? regs.map((r) => r === 1) : undefined);
        if (d.value === null) throw new SimException(3, `${p.name}: value not usable`);
        value = typeof d.value === 'number' && p.type !== 'enum' && p.type !== 'bitfield' ? applyScaling(p, d.value, this.sfOf(p)) : d.value;
      } catch (e) {
        throw e instanceof SimException ? e : new SimException(3, e instanceof Error ? e.message : String(e));
      }
      if (typeof value === 'number' && ((p.min !== undefined && value < p.min) || (p.max !== undefined && value > p.max))) {
        throw new SimException(3, `${p.name}: ${value} outside ${p.min ?? '-∞'}..${p.max ?? '∞'}`);
      }
      changes.push({ sp: this.byName.get(p.name)!, value });
    }
    for (const c of changes) {
      c.sp.held = c.value;
      this.store(c.sp, c.value);
    }
    return changes.map((c) => ({ name: c.sp.p.name, value: c.value }));
  }
}
