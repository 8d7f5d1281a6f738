/**
 * Site runtime: composes one pilot site from its mapping — one ModbusPort per connection, its devices, the arbiter
 * for every controlled point, and one upstream adapter per `upstream.<name>` block (src/runtime/adapters).
 * Points flow up to every adapter; control intents flow down through the arbiter, which writes the effective value
 * through the field driver and falls back to the fail-safe default when controls expire.
 */
import { EventEmitter } from 'node:events';
import { dirname, resolve } from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import type { ControlIntent, ControlTarget } from '../core/control.js';
import { errorMessage } from '../core/errors.js';
import type { Point, PointValue } from '../core/point.js';
import { Arbiter, type ArbiterResult, type AuditEntry, type Effective, type SubmitOptions, type TargetConfig } from '../core/arbitration/index.js';
import { ModbusPort } from '../protocols/modbus/port.js';
import type { WriteResult } from '../protocols/modbus/writer.js';
import type { UpstreamAdapter, UpstreamContext } from './adapter.js';
import { adapterFactories } from './adapters/index.js';
import { endpointFromConnection } from './connections.js';
import { registerDevice } from './device-registry.js';
import type { MappingLoad } from './validate.js';

export interface SiteOptions {
  clock?: Clock;
  /** Uniform [0, 1) source for the arbiter's random delays (tests). */
  random?: () => number;
  /** Extra options per adapter, e.g. `{ mqtt: { defaultUrl } }` for the embedded broker. */
  adapters?: Record<string, Record<string, unknown>>;
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
  readonly adapters: UpstreamAdapter[] = [];
  private readonly clock: Clock;
  private readonly deviceToPort = new Map<string, ModbusPort>();
  private readonly pendingWrites = new Map<string, Promise<WriteResult | undefined>>();
  private readonly writeOfIntent = new Map<string, Promise<WriteResult | undefined>>();
  private readonly unregister: Array<() => void> = [];
  private readonly targets: Map<string, TargetConfig>;

  constructor(
    private readonly load: MappingLoad,
    opts: SiteOptions = {},
  ) {
    super();
    const m = load.mapping;
    if (!m) throw new Error(`mapping ${load.file} is not valid; run gridbridge validate ${load.file}`);
    this.id = m.site.id;
    this.clock = opts.clock ?? systemClock;
    this.targets = this.targetsFromMapping();
    this.arbiter = new Arbiter({ clock: this.clock, targets: [...this.targets.values()], ...(opts.random ? { random: opts.random } : {}) });
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

    const baseDir = dirname(resolve(load.file));
    for (const [name, block] of Object.entries(m.upstream ?? {})) {
      const factory = adapterFactories[name as keyof typeof adapterFactories];
      if (!factory) {
        this.emit('warning', `upstream.${name}: no runtime adapter yet; the block is validated but not run`);
        continue;
      }
      const ctx = this.context(name, baseDir);
      const extra = { awaitWrite: (id: string) => this.writeOfIntent.get(id), ...(opts.adapters?.[name] ?? {}) };
      this.adapters.push(factory(block, ctx, extra));
    }
  }

  private context(name: string, baseDir: string): UpstreamContext {
    return {
      siteId: this.id,
      baseDir,
      clock: this.clock,
      profiles: this.load.profiles,
      submit: (intent, options) => this.submit(intent, options),
      setDefault: (device, pname, value) => this.setDefault(device, pname, value),
      cancel: (id, source) => void this.arbiter.cancel(id, source),
      effective: (device, pname) => this.arbiter.effective({ device, name: pname }),
      write: (device, pname, value) => this.write(device, pname, value),
      deviceOnline: (device) => {
        const port = this.deviceToPort.get(device);
        return !!port && port.status.state !== 'down' && port.device(device)?.status.state !== 'offline';
      },
      latest: (device, pname) => this.deviceToPort.get(device)?.device(device)?.get(pname),
      status: (state, reason) => this.emit('status', { component: name, state, ...(reason ? { reason } : {}) }),
      warn: (message) => this.emit('warning', `${name}: ${message}`),
    };
  }

  /** Controlled points: every writable profile point, with the mapping's fail-safe default and bounds. */
  private targetsFromMapping(): Map<string, TargetConfig> {
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
    return out;
  }

  /** A protocol's own default for a point (e.g. a SAPC slot's default plan); the mapping's `controls:` wins. */
  setDefault(device: string, name: string, value: PointValue): PointValue {
    const key = `${device}/${name}`;
    const t = this.targets.get(key) ?? { device, name };
    if (t.default !== undefined) return t.default;
    const next = { ...t, default: value };
    this.targets.set(key, next);
    this.arbiter.configureTarget(next);
    return value;
  }

  async start(): Promise<void> {
    for (const p of this.ports.values()) p.start();
    // Fail safe from the first moment: write the default of every controlled point that has one.
    for (const t of this.targets.values()) if (t.default !== undefined) this.applyEffective(this.arbiter.effective(t));
    for (const a of this.adapters) {
      try {
        await a.start();
      } catch (e) {
        this.emit('warning', `${a.name}: start failed: ${errorMessage(e)}`);
      }
    }
  }

  async stop(): Promise<void> {
    this.arbiter.close();
    for (const u of this.unregister.splice(0)) u();
    for (const a of this.adapters) await a.stop().catch((e: unknown) => this.emit('warning', `${a.name}: stop: ${errorMessage(e)}`));
    await Promise.all([...this.ports.values()].map((p) => p.stop()));
  }

  /** Submit a control intent from any source; the effective value is written through the device's driver. */
  submit(intent: ControlIntent, options?: SubmitOptions): ArbiterResult {
    const key = `${intent.target.device}/${intent.target.name}`;
    const before = this.pendingWrites.get(key);
    const r = this.arbiter.submit(intent, options);
    const after = this.pendingWrites.get(key);
    if (after && after !== before) this.writeOfIntent.set(intent.id, after);
    else this.writeOfIntent.delete(intent.id);
    if (this.writeOfIntent.size > 1000) this.writeOfIntent.delete(this.writeOfIntent.keys().next().value!);
    return r;
  }

  /** A direct profile-checked write (not arbitrated): for protocols whose commands are writes. */
  write(device: string, name: string, value: PointValue): Promise<WriteResult> {
    const port = this.deviceToPort.get(device);
    if (!port) return Promise.resolve({ ok: false, device, name, value, failure: 'refused', reason: `unknown device "${device}"` });
    return port.write(device, name, value);
  }

  private onPoints(pts: Point[]): void {
    this.emit('points', pts);
    for (const a of this.adapters) a.publishPoints(pts);
  }

  private applyEffective(e: Effective): void {
    if (e.value === undefined) return; // nothing active and no default: leave the device to its own behaviour
    const key = `${e.target.device}/${e.target.name}`;
    const value: PointValue = e.value;
    const w = this.write(e.target.device, e.target.name, value).then(
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
}
