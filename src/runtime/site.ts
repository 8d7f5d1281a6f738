/**
 * Site runtime: composes one pilot site from its mapping — one ModbusPort per connection, its devices, the arbiter
 * for every controlled point, and the upstream adapters (MQTT now; the other protocols plug in the same way).
 * Points flow up to the upstreams; control intents flow down through the arbiter, which writes the effective value
 * through the field driver and falls back to the fail-safe default when controls expire.
 */
import { EventEmitter } from 'node:events';
import { dirname, resolve } from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import type { ControlIntent, ControlTarget } from '../core/control.js';
import { errorMessage } from '../core/errors.js';
import type { Point, PointValue } from '../core/point.js';
import { Arbiter, type ArbiterResult, type AuditEntry, type Effective, type TargetConfig } from '../core/arbitration/index.js';
import { ModbusPort } from '../protocols/modbus/port.js';
import type { WriteResult } from '../protocols/modbus/writer.js';
import { MqttUpstream, mqttUpstreamSchema, resolveMqttSettings, type CommandOutcome } from '../protocols/mqtt/index.js';
import { endpointFromConnection } from './connections.js';
import { registerDevice } from './device-registry.js';
import type { MappingLoad } from './validate.js';

export interface SiteOptions {
  clock?: Clock;
  /** Broker URL used when the mapping's MQTT block has no url (the embedded broker). */
  mqttDefaultUrl?: string;
  /** Password for the MQTT block (instead of passwordEnv). */
  mqttPassword?: string;
}

export interface SiteEvents {
  points: [Point[]];
  status: [{ component: string; state: string; reason?: string }];
  write: [WriteResult & { target: ControlTarget }];
  audit: [AuditEntry];
  warning: [string];
}

export class Site extends EventEmitter<SiteEvents> {
  readonly id: string;
  readonly arbiter: Arbiter;
  readonly ports = new Map<string, ModbusPort>();
  mqtt: MqttUpstream | undefined;
  private readonly clock: Clock;
  private readonly deviceToPort = new Map<string, ModbusPort>();
  private readonly pendingWrites = new Map<string, Promise<WriteResult | undefined>>();
  private readonly unregister: Array<() => void> = [];

  constructor(
    private readonly load: MappingLoad,
    private readonly opts: SiteOptions = {},
  ) {
    super();
    const m = load.mapping;
    if (!m) throw new Error(`mapping ${load.file} is not valid; run gridbridge validate ${load.file}`);
    this.id = m.site.id;
    this.clock = opts.clock ?? systemClock;
    this.arbiter = new Arbiter({ clock: this.clock, targets: this.targetsFromMapping() });
    this.arbiter.on('audit', (a) => this.emit('audit', a));
    this.arbiter.on('change', (e) => this.applyEffective(e));

    for (const [connId, conn] of Object.entries(m.connections)) {
      const devices = m.devices.filter((d) => d.connection === connId && d.enabled);
      if (devices.length === 0) continue;
      const port = new ModbusPort(endpointFromConnection(conn), {
        clock: this.clock,
        site: this.id,
        timeoutMs: conn.timeoutMs,
        retries: conn.retries,
        ...(conn.type === 'tcp' ? { maxInFlight: conn.maxInFlight } : {}),
      });
      port.on('status', (s) => this.emit('status', { component: `connection:${connId}`, state: s.state, ...(s.reason ? { reason: s.reason } : {}) }));
      port.on('device', (s) => this.emit('status', { component: `device:${s.device}`, state: s.state, ...(s.reason ? { reason: s.reason } : {}) }));
      port.on('points', (pts) => this.onPoints(pts));
      port.on('dropped', (dev, req) => this.emit('warning', `connection ${connId}: poll of ${dev} dropped on overload (${JSON.stringify(req)})`));
      for (const d of devices) {
        const profile = load.profiles.get(d.id)!;
        const dev = port.addDevice({
          id: d.id,
          unitId: d.unit,
          profile: d.points ? { ...profile, points: profile.points.filter((p) => d.points!.includes(p.name) || p.type === 'sunssf') } : profile,
          site: this.id,
          ...(d.pollClasses ? { pollClasses: d.pollClasses } : {}),
        });
        this.deviceToPort.set(d.id, port);
        this.unregister.push(registerDevice({ id: d.id, write: (name, value, o) => dev.write(name, value, o) }));
      }
      this.ports.set(connId, port);
    }

    const mq = m.upstream?.mqtt;
    if (mq !== undefined) {
      const block = mqttUpstreamSchema.parse(mq);
      const settings = resolveMqttSettings(block, {
        site: this.id,
        baseDir: dirname(resolve(load.file)),
        ...(opts.mqttDefaultUrl ? { defaultUrl: opts.mqttDefaultUrl } : {}),
        ...(opts.mqttPassword ? { password: opts.mqttPassword } : {}),
      });
      this.mqtt = new MqttUpstream(settings, { clock: this.clock, onCommand: (cmd) => this.command(cmd) });
      this.mqtt.on('status', (s) => this.emit('status', { component: 'mqtt', state: s.state, ...(s.reason ? { reason: s.reason } : {}) }));
      this.mqtt.on('warning', (w) => this.emit('warning', `mqtt: ${w}`));
      const declare = [...load.profiles].flatMap(([device, p]) => p.points.filter((x) => x.access !== 'r').map((x) => ({ device, name: x.name, kind: p.kind })));
      for (const e of this.mqtt.declarePoints(declare)) this.emit('warning', `mqtt: ${e.message}`);
    }
  }

  /** Controlled points: every writable profile point, with the mapping's fail-safe default and bounds. */
  private targetsFromMapping(): TargetConfig[] {
    const out = new Map<string, TargetConfig>();
    for (const [device, p] of this.load.profiles) {
      for (const pt of p.points) {
        if (pt.access === 'r') continue;
        out.set(`${device}/${pt.name}`, { device, name: pt.name, ...(pt.min !== undefined ? { min: pt.min } : {}), ...(pt.max !== undefined ? { max: pt.max } : {}) });
      }
    }
    for (const c of this.load.mapping?.controls ?? []) {
      const t = out.get(`${c.device}/${c.name}`) ?? { device: c.device, name: c.name };
      out.set(`${c.device}/${c.name}`, { ...t, ...(c.default !== undefined ? { default: c.default } : {}), ...(c.min !== undefined ? { min: c.min } : {}), ...(c.max !== undefined ? { max: c.max } : {}) });
    }
    return [...out.values()];
  }

  start(): void {
    for (const p of this.ports.values()) p.start();
    this.mqtt?.start();
    // Fail safe from the first moment: write the default of every controlled point that has one.
    for (const t of this.load.mapping?.controls ?? []) if (t.default !== undefined) this.applyEffective(this.arbiter.effective(t));
  }

  async stop(): Promise<void> {
    this.arbiter.close();
    for (const u of this.unregister.splice(0)) u();
    await this.mqtt?.stop();
    await Promise.all([...this.ports.values()].map((p) => p.stop()));
  }

  /** Submit a control intent from any source; the effective value is written through the device's driver. */
  submit(intent: ControlIntent): ArbiterResult {
    return this.arbiter.submit(intent);
  }

  private onPoints(pts: Point[]): void {
    this.emit('points', pts);
    this.mqtt?.publishPoints(pts);
  }

  private applyEffective(e: Effective): void {
    if (e.value === undefined) return; // nothing active and no default: leave the device to its own behaviour
    const key = `${e.target.device}/${e.target.name}`;
    const port = this.deviceToPort.get(e.target.device);
    if (!port) {
      this.emit('warning', `control for unknown device ${e.target.device}`);
      return;
    }
    const value: PointValue = e.value;
    const w = port.write(e.target.device, e.target.name, value).then(
      (r) => {
        this.emit('write', { ...r, target: e.target });
        return r;
      },
      (err: unknown) => {
        this.emit('warning', `write ${key}=${String(value)} failed: ${errorMessage(err)}`);
        return undefined;
      },
    );
    this.pendingWrites.set(key, w);
  }

  /** An MQTT command becomes a control intent; the answer waits for the resulting write. */
  private async command(cmd: ControlIntent & { value: PointValue }): Promise<CommandOutcome> {
    const key = `${cmd.target.device}/${cmd.target.name}`;
    const before = this.pendingWrites.get(key);
    const r = this.arbiter.submit(cmd);
    if (r.outcome === 'rejected') return { ok: false, reason: r.reason ?? 'rejected' };
    const w = this.pendingWrites.get(key);
    if (r.scheduled) return { ok: true, reason: `scheduled from ${new Date(r.validFrom).toISOString()}` };
    if (w && w !== before) {
      const res = await w;
      if (!res) return { ok: false, reason: 'write failed' };
      return res.ok ? { ok: true, value: res.value, ...(r.reason ? { reason: r.reason } : {}) } : { ok: false, reason: res.reason ?? res.failure ?? 'write failed' };
    }
    return { ok: r.outcome !== 'superseded', reason: r.reason ?? (r.outcome === 'superseded' ? `superseded by ${r.supersededBy?.join(', ')}` : 'no change') };
  }
}
