/**
 * Controlling station (IEC 60870-5-104 client): connects with failover across hosts, starts data transfer, runs
 * interrogations, clock sync, read and commands (with select-before-operate), tracks ACT_CON/ACT_TERM with timeouts,
 * and turns incoming monitor data into GridBridge Points.
 */
import { EventEmitter } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Point } from '../../core/point.js';
import { asduLayout, decodeAsdu, type Asdu } from './asdu.js';
import { Cot, isCommandType, isMonitorType, QOI_STATION, TypeId, typeName, withTime } from './constants.js';
import { cp56FromEpoch } from './cp56time.js';
import { LinkLayer, type LinkParameters } from './link.js';
import { defaultNaming, objectToPoint, type ObjectUpdate, type PointNaming } from './points.js';
import { ObjectTable } from './table.js';
import { checkPeer, clientTlsOptions, recordPerApduWriter, type Iec104TlsConfig } from './tls.js';
import type { InfoObject } from './types/object.js';

export interface HostAddress {
  host: string;
  port?: number;
}

export interface ClientOptions {
  hosts: HostAddress[];
  tls?: Iec104TlsConfig;
  clock?: Clock;
  link?: Partial<LinkParameters>;
  /** Common address used when a request names none (default 1). */
  ca?: number;
  originator?: number;
  /** Send STARTDT after connecting (default true). */
  autoStart?: boolean;
  /** Run a general interrogation after every STARTDT con (default false). */
  interrogateOnStart?: boolean;
  /** Reconnect after failures (default true); delay grows from reconnectMinMs to reconnectMaxMs per full cycle. */
  reconnect?: boolean;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Wait this long for ACT_CON (default 10 s) and for ACT_TERM after it (default 30 s). */
  confirmTimeoutMs?: number;
  terminationTimeoutMs?: number;
  utcOffsetMinutes?: number;
  site?: string;
  /** Address → point name (the mapping); unknown addresses get `ca<CA>/x_ioa<IOA>`. */
  naming?: (ca: number, ioa: number, typeId: number) => PointNaming | undefined;
}

export type ClientState = 'connecting' | 'up' | 'down' | 'idle';

export interface RequestResult {
  ok: boolean;
  /** Stage reached: 'con' (ACT_CON), 'term' (ACT_TERM). */
  stage: 'send' | 'con' | 'term';
  reason?: string;
  /**
   * Objects received (interrogation) or the object read. For interrogations this is built from `table` on first
   * access (a non-enumerable getter: spreading or logging a result does not build 100 000 objects).
   */
  objects?: InfoObject[];
  /** Interrogation answers, column-wise (typed arrays, accessors per object): the cheap way to read a large GI. */
  table?: ObjectTable;
}

/** A result as plain data (for messages and JSON): `objects` is the number of objects, the table is left out. */
export function resultSummary(r: RequestResult): Omit<RequestResult, 'objects' | 'table'> & { objects?: number } {
  const out: Omit<RequestResult, 'objects' | 'table'> & { objects?: number } = { ok: r.ok, stage: r.stage };
  if (r.reason !== undefined) out.reason = r.reason;
  const n = r.table ? r.table.length : r.objects?.length;
  if (n !== undefined) out.objects = n;
  return out;
}

export interface CommandSpec {
  /** Command type (C_SC_NA_1 …); time-tagged variant used when `withTime`. */
  typeId: number;
  ioa: number;
  value: number | boolean;
  ca?: number;
  /** Select before operate. */
  sbo?: boolean;
  qualifier?: number;
  withTime?: boolean;
  /** Wait for ACT_TERM after a positive ACT_CON (default true). */
  awaitTermination?: boolean;
}

interface Pending {
  key: string;
  typeId: number;
  ca: number;
  needTerm: boolean;
  stage: RequestResult['stage'];
  timer: TimerHandle | undefined;
  objects: InfoObject[];
  /** Interrogations that collect: the answers (COT collectCot, same CA) go here as octets are received. */
  table?: ObjectTable;
  collectCot?: number;
  resolve(r: RequestResult): void;
}

export class Iec104Client extends EventEmitter {
  private readonly clock: Clock;
  private socket: Socket | undefined;
  private link: LinkLayer | undefined;
  private hostIndex = 0;
  private failures = 0;
  private stopped = true;
  private retryTimer: TimerHandle | undefined;
  private pending = new Map<string, Pending>();
  private stateValue: ClientState = 'idle';
  private current: HostAddress | undefined;
  private readBuffer: Buffer | undefined;
  /** Where the plain-TCP read callback hands the octets (the current link). */
  private onBytes: ((d: Buffer) => void) | undefined;
  /** Connections closed because the station sent an I frame before STARTDT con (or after STOPDT con). */
  readonly stats = { iFramesBeforeStart: 0 };

  constructor(private readonly opts: ClientOptions) {
    super();
    if (!opts.hosts.length) throw new RangeError('at least one host is needed');
    this.clock = opts.clock ?? systemClock;
  }

  get state(): ClientState {
    return this.stateValue;
  }
  get connectedTo(): HostAddress | undefined {
    return this.current;
  }
  get started(): boolean {
    return this.link?.started ?? false;
  }

  /** Start connecting (with failover and reconnect). Resolves at the first STARTDT con, rejects on stop. */
  connect(): Promise<void> {
    this.stopped = false;
    const up = new Promise<void>((resolve, reject) => {
      const onState = (s: ClientState) => {
        if (s === 'up') done(resolve);
      };
      const onStop = () => done(() => reject(new Error('client closed before the link came up')));
      const done = (f: () => void) => {
        this.off('state', onState);
        this.off('stopped', onStop);
        f();
      };
      this.on('state', onState);
      this.on('stopped', onStop);
    });
    this.dial();
    return up;
  }

  close(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.retryTimer);
    const link = this.link;
    this.link = undefined;
    link?.close('closed by user');
    this.socket?.destroy();
    this.socket = undefined;
    this.current = undefined;
    for (const p of [...this.pending.values()]) this.finish(p, false, 'client closed');
    this.setState('idle', 'closed');
    this.emit('stopped');
  }

  private setState(s: ClientState, reason: string): void {
    if (s === this.stateValue) return;
    this.stateValue = s;
    this.emit('state', s, reason);
  }

  private dial(): void {
    if (this.stopped) return;
    const h = this.opts.hosts[this.hostIndex % this.opts.hosts.length]!;
    const port = h.port ?? (this.opts.tls ? 19998 : 2404);
    this.setState('connecting', `${h.host}:${port}`);
    let settled = false;
    const t0 = this.opts.link?.t0 ?? 30_000;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      this.clock.clearTimeout(timer);
      sock.destroy();
      this.emit('warn', `connect ${h.host}:${port} failed: ${why}`);
      this.scheduleRetry();
    };
    // Plain TCP reads into one buffer per client (`onread`): no Buffer and no stream event per read. A station that
    // writes every APDU on its own (lib60870 does) gives one read per frame, ≈ 2 000 per GI of 100 000 floats.
    const onread = {
      buffer: (this.readBuffer ??= Buffer.allocUnsafe(64 * 1024)),
      callback: (n: number, b: Buffer): boolean => {
        if (this.socket === sock) this.onBytes?.(b.subarray(0, n));
        return true;
      },
    };
    const sock: Socket = this.opts.tls ? tlsConnect({ host: h.host, port, ...clientTlsOptions(this.opts.tls, h.host) }) : tcpConnect({ host: h.host, port, onread });
    const timer = this.clock.setTimeout(() => fail(`t0 (${t0} ms) expired`), t0);
    sock.once('error', (e) => fail(errorMessage(e)));
    sock.once(this.opts.tls ? 'secureConnect' : 'connect', () => {
      if (settled) return;
      if (this.opts.tls) {
        const why = checkPeer(sock as TLSSocket, this.opts.tls.allowedPeers);
        if (why) return fail(why);
      }
      settled = true;
      this.clock.clearTimeout(timer);
      this.attach(sock, h);
    });
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.hostIndex++;
    if (this.opts.reconnect === false && this.hostIndex >= this.opts.hosts.length) {
      this.setState('down', 'all hosts failed');
      this.stopped = true;
      this.emit('stopped');
      return;
    }
    // Try the next host at once; wait (with backoff) only after a full cycle over all hosts.
    const cycle = this.hostIndex % this.opts.hosts.length === 0;
    if (cycle) this.failures++;
    const min = this.opts.reconnectMinMs ?? 1000;
    const delay = cycle ? Math.min(this.opts.reconnectMaxMs ?? 30_000, min * 2 ** Math.min(10, this.failures - 1)) : 0;
    this.setState('down', 'reconnecting');
    this.retryTimer = this.clock.setTimeout(() => this.dial(), delay);
  }

  private attach(sock: Socket, h: HostAddress): void {
    this.socket = sock;
    this.current = h;
    sock.setNoDelay(true);
    const batching = this.opts.tls ? {} : { cork: () => sock.cork(), uncork: () => sock.uncork() };
    const link = new LinkLayer(
      'controlling',
      {
        write: this.opts.tls ? recordPerApduWriter(sock) : (f) => void sock.write(f),
        ...batching,
        asdu: (a) => this.onAsdu(a),
        octets: (o, ns) => this.onOctets(o, ns),
        closed: (reason) => {
          this.stats.iFramesBeforeStart += link.stats.iBeforeStart;
          sock.destroy();
          if (this.link === link) this.onLinkClosed(reason);
        },
        state: (started) => {
          if (started) {
            this.failures = 0;
            this.setState('up', `${h.host}:${h.port ?? ''}`);
            if (this.opts.interrogateOnStart) void this.interrogate(undefined, undefined, { collect: false });
          } else if (!link.closed) this.setState('down', 'data transfer stopped');
        },
        warn: (m) => this.emit('warn', m),
      },
      this.clock,
      this.opts.link,
    );
    this.link = link;
    if (this.opts.tls) sock.on('data', (d: Buffer) => link.receive(d));
    else this.onBytes = (d) => link.receive(d);
    sock.on('error', (e) => link.close(`socket error: ${errorMessage(e)}`));
    sock.on('close', () => link.close('connection closed by peer'));
    if (this.opts.autoStart !== false) link.start();
  }

  private onLinkClosed(reason: string): void {
    this.link = undefined;
    this.socket = undefined;
    this.current = undefined;
    for (const p of [...this.pending.values()]) this.finish(p, false, `connection lost: ${reason}`);
    this.emit('warn', `link closed: ${reason}`);
    if (this.stopped) return;
    this.setState('down', reason);
    this.scheduleRetry();
  }

  /** Send STARTDT act (when autoStart is off) or STOPDT act. */
  startDataTransfer(): void {
    this.link?.start();
  }
  stopDataTransfer(): void {
    this.link?.stop();
  }

  /** Send any ASDU (raw access). */
  send(a: Asdu): boolean {
    return this.link?.started ? this.link.sendAsdu({ originator: this.opts.originator ?? 0, ...a }) : false;
  }

  // --- requests ----------------------------------------------------------------------------------------------
  /**
   * General (qoi 20) or group (21..36) interrogation; resolves at ACT_TERM with the objects received, or without
   * them when `collect` is false (the data still arrives as `asdu`/`object`/`point` events: no copy of a large
   * station is kept).
   */
  interrogate(ca = this.opts.ca ?? 1, qoi = QOI_STATION, opts: { collect?: boolean } = {}): Promise<RequestResult> {
    return this.request({ typeId: TypeId.C_IC_NA_1, cot: Cot.ACTIVATION, ca, objects: [{ ioa: 0, qualifier: qoi }] }, 0, true, opts.collect === false ? undefined : qoi);
  }

  /** Counter interrogation: rqt 5 = general, 1..4 = group; frz 0 read, 1 freeze, 2 freeze+reset, 3 reset. */
  counterInterrogate(ca = this.opts.ca ?? 1, rqt = 5, freeze = 0): Promise<RequestResult> {
    const cot = rqt === 5 ? Cot.REQUESTED_BY_GENERAL_COUNTER : Cot.REQUESTED_BY_GENERAL_COUNTER + rqt;
    return this.request({ typeId: TypeId.C_CI_NA_1, cot: Cot.ACTIVATION, ca, objects: [{ ioa: 0, qualifier: rqt, freeze }] }, 0, true, cot);
  }

  /** Clock synchronisation with the given epoch ms (default now). */
  clockSync(ca = this.opts.ca ?? 1, epochMs = this.clock.now()): Promise<RequestResult> {
    const time = cp56FromEpoch(epochMs, { utcOffsetMinutes: this.opts.utcOffsetMinutes ?? 0 });
    return this.request({ typeId: TypeId.C_CS_NA_1, cot: Cot.ACTIVATION, ca, objects: [{ ioa: 0, time }] }, 0, false);
  }

  /** Read one object (C_RD_NA_1); resolves with the object answered with COT 5. */
  read(ioa: number, ca = this.opts.ca ?? 1): Promise<RequestResult> {
    return this.request({ typeId: TypeId.C_RD_NA_1, cot: Cot.REQUEST, ca, objects: [{ ioa }] }, ioa, false, Cot.REQUEST);
  }

  /** Test command with time tag (C_TS_TA_1). */
  testCommand(ca = this.opts.ca ?? 1, counter = 0): Promise<RequestResult> {
    const time = cp56FromEpoch(this.clock.now(), { utcOffsetMinutes: this.opts.utcOffsetMinutes ?? 0 });
    return this.request({ typeId: TypeId.C_TS_TA_1, cot: Cot.ACTIVATION, ca, objects: [{ ioa: 0, value: counter, time }] }, 0, false);
  }

  /** A process command, with select-before-operate when `sbo`. */
  async command(c: CommandSpec): Promise<RequestResult> {
    if (!isCommandType(c.typeId)) return { ok: false, stage: 'send', reason: `type ${c.typeId} is not a command type` };
    const typeId = c.withTime ? withTime(c.typeId) : c.typeId;
    const ca = c.ca ?? this.opts.ca ?? 1;
    const obj = (select: boolean): InfoObject => {
      const o: InfoObject = { ioa: c.ioa, value: c.value, select, qualifier: c.qualifier ?? 0 };
      if (typeId >= TypeId.C_SC_TA_1 && typeId <= TypeId.C_BO_TA_1) o.time = cp56FromEpoch(this.clock.now(), { utcOffsetMinutes: this.opts.utcOffsetMinutes ?? 0 });
      return o;
    };
    const mk = (select: boolean): Asdu => ({ typeId, cot: Cot.ACTIVATION, ca, objects: [obj(select)] });
    if (c.sbo) {
      const sel = await this.request(mk(true), c.ioa, false);
      if (!sel.ok) return { ...sel, reason: `select: ${sel.reason ?? 'failed'}` };
    }
    return this.request(mk(false), c.ioa, c.awaitTermination !== false);
  }

  private request(a: Asdu, ioa: number, needTerm: boolean, collectCot?: number): Promise<RequestResult> {
    const key = `${a.typeId}:${a.ca}:${ioa}`;
    if (!this.link?.started) return Promise.resolve({ ok: false, stage: 'send', reason: 'not connected (data transfer not started)' });
    if (this.pending.has(key)) return Promise.resolve({ ok: false, stage: 'send', reason: `a ${typeName(a.typeId)} for CA ${a.ca} IOA ${ioa} is already pending` });
    return new Promise((resolve) => {
      const p: Pending = { key, typeId: a.typeId, ca: a.ca, needTerm, stage: 'send', timer: undefined, objects: [], resolve };
      if (collectCot !== undefined) {
        p.collectCot = collectCot;
        if (collectCot !== Cot.REQUEST) p.table = new ObjectTable();
      }
      this.pending.set(key, p);
      this.arm(p, this.opts.confirmTimeoutMs ?? 10_000, 'no ACT_CON');
      if (!this.link!.sendAsdu({ originator: this.opts.originator ?? 0, ...a })) this.finish(p, false, 'send queue full');
    });
  }

  private arm(p: Pending, ms: number, what: string): void {
    this.clock.clearTimeout(p.timer);
    p.timer = this.clock.setTimeout(() => this.finish(p, false, `timeout: ${what} within ${ms} ms`), ms);
  }

  private finish(p: Pending, ok: boolean, reason?: string): void {
    if (this.pending.get(p.key) !== p) return;
    this.pending.delete(p.key);
    this.clock.clearTimeout(p.timer);
    const r: RequestResult = { ok, stage: p.stage };
    if (reason) r.reason = reason;
    const table = p.table;
    if (table) {
      r.table = table;
      let built: InfoObject[] | undefined;
      Object.defineProperty(r, 'objects', { enumerable: false, configurable: true, get: () => (built ??= table.toObjects()), set: (v: InfoObject[]) => void (built = v) });
    } else if (p.objects.length) r.objects = p.objects;
    p.resolve(r);
  }

  private findPending(a: Asdu): Pending | undefined {
    const ioa = a.objects[0]?.ioa ?? 0;
    const exact = this.pending.get(`${a.typeId}:${a.ca}:${ioa}`);
    if (exact) return exact;
    // Peer quirk: GI ACT_TERM with TypeID 0 and no objects.
    if (a.typeId === 0 && a.cot === Cot.ACTIVATION_TERMINATION) {
      for (const p of this.pending.values()) if (p.typeId === TypeId.C_IC_NA_1 && p.stage === 'con' && (p.ca === a.ca || a.ca === 0)) return p;
    }
    return undefined;
  }

  /**
   * An I frame's ASDU octets. Interrogation answers go into the collecting request's table straight from the
   * octets; an ASDU is decoded into objects only when someone needs them ('asdu'/'object'/'point' listeners,
   * confirmations, read answers). Malformed ASDUs are dropped with a warning either way.
   */
  private onOctets(octets: Buffer, ns: number): void {
    const drop = (e: unknown): void => void this.emit('warn', `dropped undecodable ASDU in I frame N(S)=${ns}: ${errorMessage(e)}`);
    const typeId = octets[0] ?? 0;
    const monitor = isMonitorType(typeId) && typeId !== TypeId.M_EI_NA_1 && octets.length >= 6;
    if (monitor) {
      const cot = octets[2]! & 0x3f;
      const ca = octets[4]! | (octets[5]! << 8);
      try {
        // Monitor types without an element codec (M_EP_TE/TF …) are not tabled; they still reach 'asdu' listeners.
        if (asduLayout(octets, 6).codec) {
          for (const p of this.pending.values()) if (p.table && p.collectCot === cot && p.ca === ca && p.stage !== 'send') p.table.appendAsdu(octets, 6);
        }
      } catch (e) {
        return drop(e);
      }
      const decodedWanted = cot === Cot.REQUEST || this.listenerCount('asdu') > 0 || this.listenerCount('object') > 0 || this.listenerCount('point') > 0;
      if (!decodedWanted) return;
    }
    let a: Asdu;
    try {
      a = decodeAsdu(octets, 6);
    } catch (e) {
      return drop(e);
    }
    this.onAsdu(a);
  }

  private onAsdu(a: Asdu): void {
    this.emit('asdu', a);
    if (isMonitorType(a.typeId) && a.typeId !== TypeId.M_EI_NA_1) {
      const now = this.clock.now();
      const wantObjects = this.listenerCount('object') > 0;
      const wantPoints = this.listenerCount('point') > 0;
      if (wantObjects || wantPoints) {
        const popts: { site?: string; utcOffsetMinutes?: number } = { utcOffsetMinutes: this.opts.utcOffsetMinutes ?? 0 };
        if (this.opts.site) popts.site = this.opts.site;
        for (const o of a.objects) {
          const u: ObjectUpdate = { ca: a.ca, typeId: a.typeId, cot: a.cot, test: a.test ?? false, object: o };
          if (wantObjects) this.emit('object', u);
          if (wantPoints) {
            const naming = this.opts.naming?.(a.ca, o.ioa, a.typeId) ?? defaultNaming(a.ca, o.ioa);
            this.emit('point', objectToPoint(u, naming, now, popts) satisfies Point, u);
          }
        }
      }
      if (a.cot === Cot.REQUEST) {
        const p = this.pending.get(`${TypeId.C_RD_NA_1}:${a.ca}:${a.objects[0]?.ioa ?? -1}`);
        if (p) {
          p.stage = 'con';
          p.objects = [...a.objects];
          this.finish(p, true);
        }
      }
      return;
    }
    if (a.typeId === TypeId.M_EI_NA_1) {
      this.emit('endOfInit', a.ca, a.objects[0]?.value);
      return;
    }
    const p = this.findPending(a);
    if (!p) {
      if (a.cot >= Cot.UNKNOWN_TYPE_ID) this.emit('warn', `peer answered COT ${a.cot} to ${typeName(a.typeId) ?? a.typeId} IOA ${a.objects[0]?.ioa ?? '?'} with nothing pending`);
      return;
    }
    switch (a.cot) {
      case Cot.ACTIVATION_CON:
      case Cot.DEACTIVATION_CON:
        p.stage = 'con';
        if (a.negative) return this.finish(p, false, 'negative confirmation (P/N)');
        if (!p.needTerm) return this.finish(p, true);
        return this.arm(p, this.opts.terminationTimeoutMs ?? 30_000, 'no ACT_TERM');
      case Cot.ACTIVATION_TERMINATION:
        p.stage = 'term';
        return this.finish(p, !a.negative, a.negative ? 'negative termination' : undefined);
      case Cot.UNKNOWN_TYPE_ID:
      case Cot.UNKNOWN_COT:
      case Cot.UNKNOWN_CA:
      case Cot.UNKNOWN_IOA: {
        // Accept these with or without the P/N bit (peer quirk: COT 47 without it).
        const what = { 44: 'unknown type', 45: 'unknown cause of transmission', 46: 'unknown common address', 47: 'unknown information object address' }[a.cot];
        p.stage = 'con';
        return this.finish(p, false, `${what} (COT ${a.cot})`);
      }
      default:
        this.emit('warn', `unexpected COT ${a.cot} for ${typeName(a.typeId) ?? a.typeId}`);
    }
  }
}
