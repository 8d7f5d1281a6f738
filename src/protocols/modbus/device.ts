/**
 * ModbusDevice: one unit id on a port, driven by its profile. It plans read blocks per poll class (M1's planner),
 * registers them as poll tasks on the port's scheduler, turns answers into Points (canonical names and units,
 * quality from exceptions/timeouts/sentinels), keeps the last value of every point, and performs checked writes.
 */
import { CANONICAL_POINTS } from '../../core/kinds.js';
import { pointId, quality, type Point, type PointValue, type Quality } from '../../core/point.js';
import type { Profile, ProfilePoint } from '../../core/profile/types.js';
import { isBitFunction } from '../../core/profile/types.js';
import { convertUnit, unitsCompatible } from '../../core/units.js';
import { TypedEmitter } from './emitter.js';
import { BlockDecoder } from './fastdecode.js';
import { FUNCTION_CODE, decodeBlockResults, planReadBlocks, type ReadBlock } from './planner.js';
import type { BusScheduler, DeviceOnline, DeviceStatus, TaskResult } from './scheduler.js';
import { ModbusConnectionError, ModbusExceptionError, ModbusTimeoutError, type ReadRequest } from './types.js';
import { WriteRefused, buildWrite, checkWritable, findPoint, sentValues, type WriteResult } from './writer.js';

export interface DeviceConfig {
  /** Device id inside the site (point ids are `<site>/<id>/<name>`). */
  id: string;
  unitId: number;
  profile: Profile;
  site?: string;
  /** Override poll class periods (ms) of the profile, e.g. { fast: 500 }. */
  pollClasses?: Record<string, number>;
  /** Publish values in the canonical unit of the device kind (default true), e.g. kWh → Wh. */
  canonicalUnits?: boolean;
}

export interface WriteOptions {
  /** Read the registers back after writing and compare (default false). */
  verify?: boolean;
  /** Unit the value is given in (default: the canonical unit when canonicalUnits, else the profile's). */
  unit?: string;
}

/** What a profile point publishes under, worked out once per point (not per answer). */
interface PointMeta {
  id: string;
  unit: string | undefined;
  /** Convert numbers from this (profile) unit to `unit` (the canonical one). */
  convertFrom?: string;
}

export interface DeviceEvents {
  points: (points: Point[]) => void;
  status: (s: DeviceStatus) => void;
  /** First answer after start, a connection outage or being offline (see ModbusPort 'online'). */
  online: (e: DeviceOnline) => void;
}

export class ModbusDevice extends TypedEmitter<DeviceEvents> {
  readonly id: string;
  readonly unitId: number;
  readonly profile: Profile;
  readonly blocks: Array<ReadBlock & { cls: string; intervalMs: number }> = [];
  private readonly last = new Map<string, Point>();
  private readonly sf = new Map<string, number | null>();
  private readonly canonical: boolean;
  private readonly meta = new Map<ProfilePoint, PointMeta>();

  constructor(
    private readonly scheduler: BusScheduler,
    private readonly cfg: DeviceConfig,
  ) {
    super();
    this.id = cfg.id;
    this.unitId = cfg.unitId;
    this.profile = cfg.profile;
    this.canonical = cfg.canonicalUnits ?? true;
    scheduler.addDevice(cfg.id, cfg.unitId);
    if (cfg.unitId === 0) return; // broadcast: writes only, nothing to poll
    const classes = { ...cfg.profile.pollClasses, ...cfg.pollClasses };
    for (const [cls, intervalMs] of Object.entries(classes)) {
      const blocks = planReadBlocks(cfg.profile.points, cfg.profile.limits, { holes: cfg.profile.holes, pollClasses: [cls] });
      for (const b of blocks) {
        const block = { ...b, cls, intervalMs };
        const decoder = BlockDecoder.for(block);
        const metas = block.points.map((p) => this.metaOf(p));
        this.blocks.push(block);
        scheduler.addPollTask(cfg.id, { cls, intervalMs, request: this.requestFor(b), onResult: (r) => this.onResult(block, decoder, metas, r) });
      }
    }
  }

  get status(): DeviceStatus {
    return this.scheduler.deviceState(this.id) ?? { device: this.id, unitId: this.unitId, state: 'unknown' };
  }

  /** Last point of every name seen so far. */
  values(): Point[] {
    return [...this.last.values()];
  }

  get(name: string): Point | undefined {
    return this.last.get(name);
  }

  /** Read every readable point once (outside the poll schedule), e.g. for `probe`. */
  async readAll(): Promise<Point[]> {
    const blocks = planReadBlocks(this.profile.points, this.profile.limits, { holes: this.profile.holes });
    // Scale factors first so the points that use them decode in the same pass.
    blocks.sort((a, b) => Number(b.points.some((p) => p.type === 'sunssf')) - Number(a.points.some((p) => p.type === 'sunssf')));
    const out: Point[] = [];
    for (const b of blocks) {
      const sentAt = this.scheduler.clock.now();
      try {
        const res = await this.scheduler.read(this.id, this.requestFor(b));
        out.push(...this.decode(b, { ok: true, request: this.requestFor(b), response: res, time: this.scheduler.clock.now(), sentAt }, sentAt));
      } catch (e) {
        out.push(...this.decode(b, { ok: false, request: this.requestFor(b), error: e as Error, time: this.scheduler.clock.now(), sentAt }, sentAt));
      }
    }
    this.remember(out);
    return out;
  }

  /** Mark every point not_connected (port down or device offline) and publish once. */
  markAll(q: Quality): void {
    const now = this.scheduler.clock.now();
    const pts = this.profile.points.filter((p) => p.access !== 'w').map((p) => this.point(p, null, q, now));
    this.remember(pts);
    if (pts.length) this.emit('points', pts);
  }

  /** @internal forwarded by the port */
  notifyOnline(e: DeviceOnline): void {
    this.emit('online', e);
  }

  /** @internal forwarded by the port */
  notifyStatus(s: DeviceStatus): void {
    this.emit('status', s);
    if (s.state === 'offline') this.markAll(quality('not_connected', `device offline: ${s.reason ?? 'no answer'}`));
  }

  async write(name: string, value: PointValue, opts: WriteOptions = {}): Promise<WriteResult> {
    const base = { device: this.id, name, value };
    let p: ProfilePoint;
    try {
      p = findPoint(this.profile, name);
      checkWritable(this.profile, p);
    } catch (e) {
      return { ...base, ok: false, failure: 'refused', reason: e instanceof Error ? e.message : String(e) };
    }
    try {
      let sfExponent: number | undefined;
      if (p.sf !== undefined) sfExponent = await this.scaleFactor(p.sf);
      let current: number | undefined;
      if (p.type === 'bit' && !isBitFunction(p.function)) {
        if (this.unitId === 0) throw new WriteRefused(name, 'a bit inside a register cannot be broadcast (needs a read)');
        const r = await this.scheduler.read(this.id, { fc: 3, unitId: this.unitId, address: p.address, count: 1 }, true);
        current = r.registers?.[0];
      }
      const unit = opts.unit ?? (this.canonical ? this.canonicalUnit(p) : undefined) ?? p.unit;
      const req = buildWrite(this.profile, p, value, { unitId: this.unitId, ...(sfExponent !== undefined ? { sfExponent } : {}), ...(current !== undefined ? { current } : {}), ...(unit ? { valueUnit: unit } : {}) });
      const sent = sentValues(req);
      await this.scheduler.write(this.id, req);
      const result: WriteResult = { ...base, ok: true, sent };
      if (opts.verify && this.unitId !== 0) {
        const rb: ReadRequest = { fc: p.function === 'coil' ? 1 : 3, unitId: this.unitId, address: p.address, count: p.function === 'coil' ? 1 : p.length };
        const r = await this.scheduler.read(this.id, rb, true);
        const got = r.bits ? r.bits.map((b) => (b ? 1 : 0)) : (r.registers ?? []);
        result.readBack = got;
        if (got.length !== sent.length || got.some((v, i) => v !== sent[i])) {
          return { ...result, ok: false, failure: 'verify_failed', reason: `read back [${got.join(',')}] after writing [${sent.join(',')}]` };
        }
      }
      return result;
    } catch (e) {
      return { ...base, ok: false, ...failureOf(e) };
    }
  }

  // ------------------------------------------------------------ internals

  private requestFor(b: ReadBlock): ReadRequest {
    return { fc: FUNCTION_CODE[b.function], unitId: this.unitId, address: b.start, count: b.count };
  }

  private async scaleFactor(name: string): Promise<number> {
    const known = this.sf.get(name);
    if (typeof known === 'number') return known;
    const sp = findPoint(this.profile, name);
    const r = await this.scheduler.read(this.id, { fc: FUNCTION_CODE[sp.function], unitId: this.unitId, address: sp.address, count: 1 }, true);
    const raw = r.registers?.[0];
    if (raw === undefined || raw === 0x8000) throw new WriteRefused(name, 'scale factor not implemented by the device');
    const v = raw >= 0x8000 ? raw - 0x10000 : raw;
    this.sf.set(name, v);
    return v;
  }

  private onResult(block: ReadBlock, decoder: BlockDecoder | undefined, metas: PointMeta[], r: TaskResult): void {
    let pts: Point[];
    const regs = r.ok ? r.response.registers : undefined;
    if (decoder && regs) {
      // Hot path: plain numeric points straight from the registers (same values and qualities as decode()).
      const readings = decoder.decode(regs);
      pts = new Array<Point>(readings.length);
      for (let i = 0; i < readings.length; i++) {
        const rd = readings[i]!;
        pts[i] = this.pointWith(metas[i]!, block.points[i]!, rd.value, rd.quality, r.time, r.sentAt);
      }
    } else {
      pts = this.decode(block, r, r.sentAt);
    }
    this.remember(pts);
    if (pts.length) this.emit('points', pts);
  }

  private decode(block: ReadBlock, r: TaskResult, sentAt: number): Point[] {
    if (!r.ok) {
      const q = qualityOf(r.error);
      return block.points.map((p) => this.point(p, null, q, r.time));
    }
    const decoded = decodeBlockResults([{ block, ...(r.response.registers ? { registers: r.response.registers } : {}), ...(r.response.bits ? { bits: r.response.bits } : {}) }], this.sf);
    for (const d of decoded) if (d.point.type === 'sunssf') this.sf.set(d.point.name, typeof d.value === 'number' ? d.value : null);
    return decoded.map((d) => this.point(d.point, d.value, d.quality, r.time, sentAt));
  }

  private canonicalUnit(p: ProfilePoint): string | undefined {
    return CANONICAL_POINTS[this.profile.kind]?.[p.name]?.unit;
  }

  private metaOf(p: ProfilePoint): PointMeta {
    let m = this.meta.get(p);
    if (m) return m;
    m = { id: pointId(this.cfg.site, this.id, p.name), unit: p.unit };
    const cu = this.canonical ? this.canonicalUnit(p) : undefined;
    if (cu && p.unit && cu !== p.unit && unitsCompatible(p.unit, cu)) {
      m.convertFrom = p.unit;
      m.unit = cu;
    }
    this.meta.set(p, m);
    return m;
  }

  private point(p: ProfilePoint, value: PointValue | null, q: Quality, receiveTime: number, sourceTime?: number): Point {
    return this.pointWith(this.metaOf(p), p, value, q, receiveTime, sourceTime);
  }

  private pointWith(m: PointMeta, p: ProfilePoint, value: PointValue | null, q: Quality, receiveTime: number, sourceTime?: number): Point {
    const v = m.convertFrom !== undefined && typeof value === 'number' ? convertUnit(value, m.convertFrom, m.unit!) : value;
    const pt: Point = { id: m.id, device: this.id, kind: this.profile.kind, name: p.name, value: v, quality: q, receiveTime };
    const unit = m.unit;
    if (unit) pt.unit = unit;
    if (sourceTime !== undefined) pt.sourceTime = sourceTime;
    return pt;
  }

  private remember(pts: Point[]): void {
    for (const p of pts) this.last.set(p.name, p);
  }
}

export function qualityOf(e: Error): Quality {
  if (e instanceof ModbusExceptionError) return quality('device_exception', e.message);
  if (e instanceof ModbusTimeoutError) return quality('timeout', e.message);
  if (e instanceof ModbusConnectionError) return quality('not_connected', e.message);
  return quality('invalid', e.message);
}

function failureOf(e: unknown): Pick<WriteResult, 'failure' | 'reason' | 'exceptionCode'> {
  const reason = e instanceof Error ? e.message : String(e);
  if (e instanceof WriteRefused) return { failure: 'refused', reason };
  if (e instanceof ModbusExceptionError) return { failure: 'exception', reason, exceptionCode: e.code };
  if (e instanceof ModbusTimeoutError) return { failure: 'timeout', reason };
  if (e instanceof ModbusConnectionError) return { failure: 'not_connected', reason };
  return { failure: 'error', reason };
}
