/**
 * An IEC 60870-5-104 RTU as a field connection of a site: GridBridge is the controlling station. Monitor data
 * (spontaneous, cyclic, interrogation answers) of the mapped addresses becomes device points (value = 104 value ÷
 * scale); a general interrogation runs after every STARTDT and on the connection's schedule, a counter
 * interrogation and clock sync when configured. Field writes (the arbiter's effective values) become the mapped
 * commands, select-before-operate where configured; the write succeeds on a positive ACT_CON (and ACT_TERM).
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { DeviceKind } from '../../core/kinds.js';
import type { Iec104ConnectionConfig } from '../../core/mapping/schema.js';
import type { Point, PointValue } from '../../core/point.js';
import { errorMessage } from '../../core/errors.js';
import { Iec104Client, type ClientState } from '../../protocols/iec104/client.js';
import { writeToCommand, type Iec104Mapping, type Iec104PointMapping } from '../../protocols/iec104/mapping.js';
import { objectToPoint, type ObjectUpdate } from '../../protocols/iec104/points.js';
import type { WriteResult } from '../../protocols/modbus/writer.js';

export interface Iec104FieldEvents {
  points: [Point[]];
  status: [{ state: 'connecting' | 'up' | 'down'; reason?: string }];
  device: [{ device: string; state: 'online' | 'offline'; reason?: string }];
  warning: [string];
}

export class Iec104Field extends EventEmitter<Iec104FieldEvents> {
  readonly client: Iec104Client;
  private readonly byAddress = new Map<string, Iec104PointMapping>();
  private readonly latestPoints = new Map<string, Point>();
  private readonly timers: Array<TimerHandle | undefined> = [];
  private readonly unmapped = new Set<string>();
  private stopped = true;

  constructor(
    readonly id: string,
    private readonly conn: Iec104ConnectionConfig,
    private readonly mapping: Iec104Mapping,
    private readonly devices: ReadonlyMap<string, DeviceKind>,
    private readonly opts: { clock: Clock; site: string },
  ) {
    super();
    for (const p of mapping.points) this.byAddress.set(`${p.ca ?? mapping.commonAddress}:${p.ioa}`, p);
    this.client = new Iec104Client({
      hosts: [{ host: conn.host, port: conn.port }, ...conn.alternates],
      ca: conn.commonAddress,
      clock: opts.clock,
      site: opts.site,
      interrogateOnStart: true,
      confirmTimeoutMs: conn.timeoutMs,
    });
    this.client.on('object', (u: ObjectUpdate) => this.onObject(u));
    this.client.on('state', (s: ClientState, reason: string) => this.onState(s, reason));
    this.client.on('warn', (m: string) => this.emit('warning', `connection ${id}: ${m}`));
  }

  start(): void {
    this.stopped = false;
    this.client.connect().catch(() => undefined); // failures are reported as status; the client reconnects
    // Points arrive as 'object' events; the result only says whether the GI completed (no table kept).
    this.every(this.conn.interrogationS, () => this.client.interrogate(undefined, undefined, { collect: false }), 'general interrogation');
    this.every(this.conn.counterInterrogationS, () => this.client.counterInterrogate(), 'counter interrogation');
    this.every(this.conn.clockSyncS, () => this.client.clockSync(), 'clock synchronisation');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.splice(0)) this.opts.clock.clearTimeout(t);
    this.client.close();
  }

  /** Run `f` every `periodS` seconds while the link is up (0 = never). */
  private every(periodS: number, f: () => Promise<{ ok: boolean; reason?: string }>, what: string): void {
    if (!periodS) return;
    const slot = this.timers.length;
    const tick = () => {
      if (this.stopped) return;
      if (this.client.state === 'up') {
        void f().then((r) => {
          if (!r.ok) this.emit('warning', `connection ${this.id}: ${what} failed: ${r.reason ?? 'no reason given'}`);
        });
      }
      this.timers[slot] = this.opts.clock.setTimeout(tick, periodS * 1000);
    };
    this.timers.push(this.opts.clock.setTimeout(tick, periodS * 1000));
  }

  get up(): boolean {
    return this.client.state === 'up';
  }

  latest(device: string, name: string): Point | undefined {
    return this.latestPoints.get(`${device}/${name}`);
  }

  private onObject(u: ObjectUpdate): void {
    const key = `${u.ca}:${u.object.ioa}`;
    const mp = this.byAddress.get(key);
    if (!mp) {
      if (!this.unmapped.has(key)) {
        this.unmapped.add(key);
        this.emit('warning', `connection ${this.id}: CA ${u.ca} IOA ${u.object.ioa} is not in the mapping; ignored (reported once)`);
      }
      return;
    }
    const p = objectToPoint(u, { device: mp.device, name: mp.name, ...(mp.unit ? { unit: mp.unit } : {}) }, this.opts.clock.now(), { site: this.opts.site });
    if (typeof p.value === 'number' && mp.scale !== undefined) p.value = p.value / mp.scale;
    const kind = this.devices.get(mp.device);
    if (kind) p.kind = kind;
    this.latestPoints.set(`${mp.device}/${mp.name}`, p);
    this.emit('points', [p]);
  }

  private onState(s: ClientState, reason: string): void {
    if (s === 'idle') return;
    this.emit('status', { state: s, ...(reason ? { reason } : {}) });
    if (s === 'up') for (const d of this.devices.keys()) this.emit('device', { device: d, state: 'online' });
    if (s === 'down') for (const d of this.devices.keys()) this.emit('device', { device: d, state: 'offline', reason });
  }

  /** A checked write: the mapping's command for the point, its range, then the command with its confirmation. */
  async write(device: string, name: string, value: PointValue): Promise<WriteResult> {
    const base = { device, name, value };
    const c = writeToCommand({ device, name, value }, this.mapping);
    if (!c.ok) return { ...base, ok: false, failure: 'refused', reason: c.reason };
    if (this.client.state !== 'up') return { ...base, ok: false, failure: 'not_connected', reason: `connection ${this.id} is ${this.client.state}` };
    try {
      const r = await this.client.command(c.command);
      if (r.ok) return { ...base, ok: true };
      const failure = /time|expired|no ACT/i.test(r.reason ?? '') ? 'timeout' : /lost|closed/i.test(r.reason ?? '') ? 'not_connected' : 'exception';
      return { ...base, ok: false, failure, reason: `IEC 104 ${r.stage}: ${r.reason ?? 'command failed'}` };
    } catch (e) {
      return { ...base, ok: false, failure: 'error', reason: errorMessage(e) };
    }
  }
}
