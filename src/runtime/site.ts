/**
 * Site runtime: composes one pilot site from its mapping — one ModbusPort per connection, its devices, the arbiter
 * for every controlled point, and one upstream adapter per `upstream.<name>` block (src/runtime/adapters).
 * Points flow up to every adapter; control intents flow down through the arbiter, which writes the effective value
 * through the field driver and falls back to the fail-safe default when controls expire.
 *
 * The field must really hold the effective value: every write's outcome is reported to the arbiter (`held`,
 * `pending`, `not_held` + reason, audited and shown by `effective()`/`controls()`); a value the field does not hold
 * is re-asserted with a bounded backoff (1 s doubling to 30 s) and at once when its device comes back (first good
 * read after offline, or its connection up again). Every value is also re-asserted on such a return even when it
 * was held, because a device that restarted may have lost it. With a state directory, held intents survive a
 * restart of the runtime and are re-asserted from the start.
 *
 * Store-and-forward (docs/store.md): every upstream adapter writes what it sends through a durable queue
 * (`storeQueue()`/`forwarder()` of its context) in the store directory (`store.dir`, else the state directory);
 * points reach the adapters in batches (block reads within 20 ms together, one commit per upstream) before the
 * `points` event, so a point shown is already stored.
 */
import { EventEmitter } from 'node:events';
import { dirname, resolve } from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import type { ControlIntent, ControlTarget } from '../core/control.js';
import { errorMessage } from '../core/errors.js';
import type { Point, PointValue } from '../core/point.js';
import { Arbiter, openIntentStore, type ArbiterResult, type AuditEntry, type Effective, type HeldIntent, type IntentPersistence, type SubmitOptions, type TargetConfig } from '../core/arbitration/index.js';
import { Coalescer, Forwarder, openQueue, type StoreQueue } from '../core/store/index.js';
import { ModbusPort } from '../protocols/modbus/port.js';
import type { WriteResult } from '../protocols/modbus/writer.js';
import type { UpstreamAdapter, UpstreamContext, UpstreamStoreStats } from './adapter.js';
import { adapterFactories } from './adapters/index.js';
import { endpointFromConnection } from './connections.js';
import { registerDevice } from './device-registry.js';
import type { MappingLoad } from './validate.js';
import type { Iec104ConnectionConfig, SapcConnectionConfig } from '../core/mapping/schema.js';
import { Iec104Field } from './fields/iec104.js';
import { SapcField } from './fields/sapc.js';
import type { LineEnd } from '../protocols/sapc/loopback.js';
import { iec104ConnectionMapping } from './fields/iec104-check.js';

export interface SiteOptions {
  clock?: Clock;
  /** Uniform [0, 1) source for the arbiter's random delays (tests). */
  random?: () => number;
  /** Extra options per adapter, e.g. `{ mqtt: { defaultUrl } }` for the embedded broker. */
  adapters?: Record<string, Record<string, unknown>>;
  /**
   * Directory for state that survives restarts (held control intents); overrides the mapping's `site.stateDir`.
   * `false` keeps everything in memory even when the mapping names a directory.
   */
  stateDir?: string | false;
  /** Intent persistence to use instead of one opened in the state directory (tests). */
  persistence?: IntentPersistence;
  /**
   * Directory of the store-and-forward queues (`store.lmdb`); overrides the mapping's `store.dir` / state directory.
   * `false` keeps the queues in memory.
   */
  storeDir?: string | false;
  /** In-memory SSP-1 line ends by `sapc` connection id, instead of opening their ports (tests, benches). */
  sapcLines?: Record<string, LineEnd>;
}

/**
 * Points of the block reads that arrive within this window go to the upstreams together (one store commit per
 * upstream): the first batch after a quiet window goes at once, later ones at the end of the window.
 */
const STORE_WINDOW_MS = 20;

/** Re-assertion of a value the field does not hold: first retry after 1 s, doubling to this cap. */
const REASSERT_MIN_MS = 1000;
const REASSERT_MAX_MS = 30_000;

interface FieldSlot {
  target: ControlTarget;
  /** The value the field should hold (the arbiter's effective value); undefined = leave the device alone. */
  desired: PointValue | undefined;
  /** Last value the field confirmed, cleared when a write fails or the device drops. */
  held: PointValue | undefined;
  chain: Promise<WriteResult | undefined>;
  retry: ReturnType<Clock['setTimeout']> | undefined;
  attempts: number;
  /** Writes queued or in progress. */
  inFlight: number;
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
  /** Field connections that are not Modbus (IEC 104 RTUs, SAPC appliances), by connection id. */
  readonly fields = new Map<string, Iec104Field | SapcField>();
  private readonly deviceToField = new Map<string, Iec104Field | SapcField>();
  private readonly clock: Clock;
  private readonly deviceToPort = new Map<string, ModbusPort>();
  private readonly pendingWrites = new Map<string, Promise<WriteResult | undefined>>();
  private readonly writeOfIntent = new Map<string, Promise<WriteResult | undefined>>();
  private readonly unregister: Array<() => void> = [];
  private readonly targets: Map<string, TargetConfig>;
  private readonly field = new Map<string, FieldSlot>();
  private readonly persistence: IntentPersistence | undefined;
  private readonly storeDir: string | undefined;
  private readonly queues = new Map<string, { queue: StoreQueue<unknown>; forwarders: Forwarder<unknown>[] }>();
  private stopped = false;
  private readonly sapcLines: Record<string, LineEnd> | undefined;
  /** Points of nearby block reads, handed to the upstreams together (a point shown is already stored). */
  private readonly pointBatches: Coalescer<Point>;

  constructor(
    private readonly load: MappingLoad,
    opts: SiteOptions = {},
  ) {
    super();
    const m = load.mapping;
    if (!m) throw new Error(`mapping ${load.file} is not valid; run gridbridge validate ${load.file}`);
    this.id = m.site.id;
    this.clock = opts.clock ?? systemClock;
    this.sapcLines = opts.sapcLines;
    this.targets = this.targetsFromMapping();
    this.pointBatches = new Coalescer<Point>(this.clock, STORE_WINDOW_MS, (pts) => {
      for (const a of this.adapters) a.publishPoints(pts);
      this.emit('points', pts);
    });
    const stateDir = opts.stateDir === false ? undefined : (opts.stateDir ?? (m.site.stateDir ? resolve(dirname(resolve(load.file)), m.site.stateDir) : undefined));
    this.persistence = opts.persistence ?? (stateDir ? openIntentStore(stateDir) : undefined);
    this.storeDir = opts.storeDir === false ? undefined : (opts.storeDir ?? (m.store?.dir ? resolve(dirname(resolve(load.file)), m.store.dir) : stateDir));
    this.arbiter = new Arbiter({
      clock: this.clock,
      targets: [...this.targets.values()],
      maxValidityMs: m.site.maxControlValidityS * 1000,
      ...(this.persistence ? { persistence: this.persistence } : {}),
      ...(opts.random ? { random: opts.random } : {}),
      targetProblem: (t) => this.targetProblem(t),
    });
    this.arbiter.on('audit', (a) => this.emit('audit', a));
    this.arbiter.on('change', (e) => this.applyEffective(e));

    for (const [connId, conn] of Object.entries(m.connections)) {
      const devices = m.devices.filter((d) => d.connection === connId && d.enabled);
      if (devices.length === 0) continue;
      if (conn.type === 'iec104') {
        this.addIec104Field(connId, conn, devices.map((d) => d.id));
        continue;
      }
      if (conn.type === 'sapc') {
        this.addSapcField(connId, conn, devices.map((d) => d.id));
        continue;
      }
      const port = new ModbusPort(endpointFromConnection(conn), {
        clock: this.clock,
        site: this.id,
        timeoutMs: conn.timeoutMs,
        retries: conn.retries,
        ...(conn.type === 'tcp' ? { maxInFlight: conn.maxInFlight } : {}),
      });
      port.on('status', (s) => {
        this.emit('status', { component: `connection:${connId}`, state: s.state, ...(s.reason ? { reason: s.reason } : {}) });
        if (s.state === 'down') for (const d of devices) this.fieldLost(d.id, `connection ${connId} down${s.reason ? `: ${s.reason}` : ''}`);
      });
      port.on('device', (s) => {
        this.emit('status', { component: `device:${s.device}`, state: s.state, ...(s.reason ? { reason: s.reason } : {}) });
        if (s.state === 'offline') this.fieldLost(s.device, `${s.device} offline${s.reason ? `: ${s.reason}` : ''}`);
      });
      // Re-assert on the device's first answer after start, a connection outage or being offline: it answers again,
      // so the write goes to a device that is there (a connection that opens is not yet a device that answers).
      const why = { start: 'first answer', 'port-down': `connection ${connId} back`, offline: 'back online' } as const;
      port.on('online', (e) => this.reassertDevice(e.device, `${e.device} ${why[e.after]}`));
      port.on('points', (pts) => this.onPoints(pts));
      port.on('dropped', (dev, req) => this.emit('warning', `connection ${connId}: poll of ${dev} dropped on overload (${JSON.stringify(req)})`));
      for (const d of devices) {
        const profile = load.profiles.get(d.id)!;
        const dev = port.addDevice({
          id: d.id,
          unitId: d.unit!,
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

  /** An IEC 104 RTU as a field connection (src/runtime/fields/iec104.ts): its devices' points, status and commands. */
  private addIec104Field(connId: string, conn: Iec104ConnectionConfig, deviceIds: string[]): void {
    const { mapping } = iec104ConnectionMapping(conn, ['connections', connId]);
    if (!mapping) throw new Error(`connection ${connId}: invalid iec104 points/commands; run gridbridge validate ${this.load.file}`);
    const kinds = new Map(deviceIds.map((d) => [d, this.load.profiles.get(d)?.kind ?? 'meter'] as const));
    this.attachField(connId, new Iec104Field(connId, conn, mapping, kinds, { clock: this.clock, site: this.id }), deviceIds);
  }

  /** A SAPC appliance as a field connection, GridBridge the meter end (src/runtime/fields/sapc.ts). */
  private addSapcField(connId: string, conn: SapcConnectionConfig, deviceIds: string[]): void {
    const devices = new Map(deviceIds.flatMap((d) => {
      const profile = this.load.sapcProfiles?.get(d);
      return profile ? [[d, { kind: this.load.profiles.get(d)?.kind ?? profile.kind, profile }] as const] : [];
    }));
    const effective = (device: string, name: string) => this.arbiter.effective({ device, name });
    this.attachField(connId, new SapcField(connId, conn, devices, { clock: this.clock, site: this.id, effective, ...(this.sapcLines?.[connId] ? { line: this.sapcLines[connId] } : {}) }), deviceIds);
  }

  /** Status, device presence (re-assert / not held), points and writes of a non-Modbus field connection. */
  private attachField(connId: string, field: Iec104Field | SapcField, deviceIds: string[]): void {
    field.on('status', (st) => this.emit('status', { component: `connection:${connId}`, state: st.state, ...(st.reason ? { reason: st.reason } : {}) }));
    field.on('device', (st) => {
      this.emit('status', { component: `device:${st.device}`, state: st.state, ...(st.reason ? { reason: st.reason } : {}) });
      if (st.state === 'online') this.reassertDevice(st.device, `connection ${connId} up`);
      else this.fieldLost(st.device, `connection ${connId} down${st.reason ? `: ${st.reason}` : ''}`);
    });
    field.on('points', (pts) => this.onPoints(pts));
    field.on('warning', (w) => this.emit('warning', w));
    for (const d of deviceIds) {
      this.deviceToField.set(d, field);
      this.unregister.push(registerDevice({ id: d, write: (n, v) => field.write(d, n, v) }));
    }
    this.fields.set(connId, field);
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
        const f = this.deviceToField.get(device);
        if (f) return f.up;
        const port = this.deviceToPort.get(device);
        return !!port && port.status.state !== 'down' && port.device(device)?.status.state !== 'offline';
      },
      latest: (device, pname) => this.deviceToField.get(device)?.latest(device, pname) ?? this.deviceToPort.get(device)?.device(device)?.get(pname),
      status: (state, reason) => this.emit('status', { component: name, state, ...(reason ? { reason } : {}) }),
      warn: (message) => this.emit('warning', `${name}: ${message}`),
      storeQueue: <T>(qname?: string) => this.storeQueue<T>(qname ? `${name}:${qname}` : name),
      forwarder: <T>(queue: StoreQueue<T>, send: (value: T) => Promise<boolean>) => {
        const s = this.load.mapping?.store;
        const f = new Forwarder<T>(queue, {
          clock: this.clock,
          send,
          ratePerS: s?.replayPerS ?? 5000,
          maxInflight: s?.maxInflight ?? 100,
          warn: (message) => this.emit('warning', `${name}: ${message}`),
        });
        this.queues.get(queue.name)?.forwarders.push(f as Forwarder<unknown>);
        return f;
      },
    };
  }

  /** The durable queue `name` (opened once; in memory when the site has no store directory). */
  private storeQueue<T>(name: string): StoreQueue<T> {
    const held = this.queues.get(name);
    if (held) return held.queue as StoreQueue<T>;
    if (!this.storeDir && this.queues.size === 0) {
      this.emit('warning', 'store: no store.dir or site.stateDir: upstream queues are in memory and lost on a restart');
    }
    const maxMB = this.load.mapping?.store?.maxMB ?? 2048;
    const queue = openQueue<T>(name, { dir: this.storeDir, maxBytes: maxMB * 1024 * 1024 });
    let warnedAt = -Infinity;
    let unreported = 0;
    queue.onEvict = (n) => {
      unreported += n;
      const now = this.clock.monotonic();
      if (now - warnedAt < 60_000) return; // at most one warning a minute, with the count since the last one
      warnedAt = now;
      this.emit('warning', `store ${name}: quota of ${maxMB} MiB reached; ${unreported} oldest undelivered item(s) dropped (evicted ${queue.stats().evicted} in total)`);
      unreported = 0;
    };
    this.queues.set(name, { queue: queue as StoreQueue<unknown>, forwarders: [] });
    return queue;
  }

  /** Store-and-forward counters per upstream queue: stored, delivered, evicted, depth, bytes, in flight, refused. */
  storeStats(): Record<string, UpstreamStoreStats> {
    const out: Record<string, UpstreamStoreStats> = {};
    for (const [name, { queue, forwarders }] of this.queues) {
      out[name] = {
        ...queue.stats(),
        inflight: forwarders.reduce((n, f) => n + f.inFlight, 0),
        refused: forwarders.reduce((n, f) => n + f.refused, 0),
        retries: forwarders.reduce((n, f) => n + f.retries, 0),
      };
    }
    return out;
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

  /** Why a control on a point no profile lets us write would never be held (the arbiter rejects it with this). */
  private targetProblem(t: { device: string; name: string }): string | undefined {
    const profile = this.load.profiles.get(t.device);
    if (!profile) return `unknown device "${t.device}" (devices: ${[...this.load.profiles.keys()].join(', ')})`;
    const pt = profile.points.find((p) => p.name === t.name);
    if (!pt) return `device "${t.device}" (profile ${profile.id}) has no point "${t.name}"`;
    return pt.access === 'r' ? `${t.device}/${t.name} is read-only (profile ${profile.id}): a control on it could never be held` : undefined;
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
    this.stopped = false;
    for (const p of this.ports.values()) p.start();
    for (const f of this.fields.values()) f.start();
    // Fail safe from the first moment: write the default of every controlled point that has one, and every control
    // held across a restart (persisted intents).
    const todo = new Map<string, ControlTarget>();
    for (const t of this.targets.values()) if (t.default !== undefined) todo.set(`${t.device}/${t.name}`, t);
    for (const i of this.arbiter.list()) todo.set(`${i.target.device}/${i.target.name}`, i.target);
    for (const t of todo.values()) this.applyEffective(this.arbiter.effective(t));
    for (const a of this.adapters) {
      try {
        await a.start();
      } catch (e) {
        this.emit('warning', `${a.name}: start failed: ${errorMessage(e)}`);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pointBatches.flush(); // points already polled go to the store before the upstreams stop
    for (const slot of this.field.values()) this.clock.clearTimeout(slot.retry);
    this.arbiter.close();
    this.persistence?.close();
    for (const u of this.unregister.splice(0)) u();
    for (const a of this.adapters) await a.stop().catch((e: unknown) => this.emit('warning', `${a.name}: stop: ${errorMessage(e)}`));
    for (const { queue, forwarders } of this.queues.values()) {
      for (const f of forwarders) f.stop();
      queue.close();
    }
    this.queues.clear();
    await Promise.all([...this.ports.values()].map((p) => p.stop()));
    await Promise.all([...this.fields.values()].map((f) => f.stop()));
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

  /** The field write caused by the last submit of this intent, when that submit changed the point's value. */
  awaitWrite(intentId: string): Promise<WriteResult | undefined> | undefined {
    return this.writeOfIntent.get(intentId);
  }

  /** A direct profile-checked write (not arbitrated): for protocols whose commands are writes. */
  write(device: string, name: string, value: PointValue): Promise<WriteResult> {
    const field = this.deviceToField.get(device);
    if (field) return field.write(device, name, value);
    const port = this.deviceToPort.get(device);
    if (!port) return Promise.resolve({ ok: false, device, name, value, failure: 'refused', reason: `unknown device "${device}"` });
    return port.write(device, name, value);
  }

  /** Control intents held, with whether each governs its target and whether the field holds the result. */
  controls(target?: ControlTarget): HeldIntent[] {
    return this.arbiter.list(target);
  }

  private onPoints(pts: Point[]): void {
    if (this.adapters.length === 0) this.emit('points', pts);
    else this.pointBatches.push(pts);
  }

  private applyEffective(e: Effective): void {
    const key = `${e.target.device}/${e.target.name}`;
    let slot = this.field.get(key);
    if (!slot) {
      if (e.value === undefined) return; // nothing active and no default: leave the device to its own behaviour
      slot = { target: { device: e.target.device, name: e.target.name }, desired: undefined, held: undefined, chain: Promise.resolve(undefined), retry: undefined, attempts: 0, inFlight: 0 };
      this.field.set(key, slot);
    }
    slot.desired = e.value;
    slot.attempts = 0;
    this.clock.clearTimeout(slot.retry);
    slot.retry = undefined;
    if (e.value === undefined) return; // control ended with no default: the device keeps what it has
    this.assertField(key, slot, true);
  }

  /** Queue a write of the slot's desired value (one at a time per target; `force` rewrites a held value). */
  private assertField(key: string, slot: FieldSlot, force: boolean): void {
    const run = async (): Promise<WriteResult | undefined> => {
      const value = slot.desired;
      if (value === undefined || this.stopped) return undefined;
      if (!force && slot.held === value) return undefined;
      this.arbiter.noteField(slot.target, value, 'pending');
      let r: WriteResult | undefined;
      try {
        r = await this.write(slot.target.device, slot.target.name, value);
        this.emit('write', { ...r, target: slot.target });
      } catch (err) {
        this.emit('warning', `write ${key}=${String(value)} failed: ${errorMessage(err)}`);
      }
      if (slot.desired !== value) return r; // a newer value is queued behind this write
      if (r?.ok) {
        slot.held = value;
        slot.attempts = 0;
        this.arbiter.noteField(slot.target, value, 'held');
      } else {
        slot.held = undefined;
        const why = r ? `${r.failure ?? 'error'}: ${r.reason ?? 'write failed'}` : 'write failed';
        if (r?.failure === 'refused') {
          this.arbiter.noteField(slot.target, value, 'not_held', `${why} (not retried: the profile refuses this value)`);
        } else if (!this.stopped) {
          const wait = Math.min(REASSERT_MAX_MS, REASSERT_MIN_MS * 2 ** slot.attempts++);
          this.arbiter.noteField(slot.target, value, 'not_held', `${why}; re-asserted when ${slot.target.device} is back (next try in ${wait / 1000} s)`);
          this.clock.clearTimeout(slot.retry);
          slot.retry = this.clock.setTimeout(() => {
            slot.retry = undefined;
            this.assertField(key, slot, true);
          }, wait);
        }
      }
      return r;
    };
    slot.inFlight++;
    const done = (r: WriteResult | undefined) => (slot.inFlight--, r);
    const p = slot.chain.then(run, run).then(done);
    slot.chain = p;
    this.pendingWrites.set(key, p);
  }

  /**
   * A device (or its connection) is back: write every value it should hold and is not known to hold, at once (a drop
   * cleared `held`; a write already queued, e.g. at start-up, is not doubled).
   */
  private reassertDevice(device: string, why: string): void {
    for (const [key, slot] of this.field) {
      if (slot.target.device !== device || slot.desired === undefined || slot.held !== undefined || slot.inFlight > 0) continue;
      this.clock.clearTimeout(slot.retry);
      slot.retry = undefined;
      slot.attempts = 0;
      this.emit('warning', `re-asserting ${key}=${String(slot.desired)}: ${why}`);
      this.assertField(key, slot, true);
    }
  }

  /** A device (or its connection) dropped: whatever it held is no longer known to be held. */
  private fieldLost(device: string, why: string): void {
    for (const slot of this.field.values()) {
      if (slot.target.device !== device || slot.desired === undefined) continue;
      slot.held = undefined;
      this.arbiter.noteField(slot.target, slot.desired, 'not_held', `${why}; re-asserted when it is back`);
    }
  }
}
