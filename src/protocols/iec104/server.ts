/**
 * Controlled station (IEC 60870-5-104 server): many connections, redundancy groups with one started connection each,
 * GI/counter interrogation/read from the point store, bounded spontaneous buffers per group while no connection is
 * started, cyclic data, clock sync, and commands through a callback that may refuse.
 */
import { EventEmitter } from 'node:events';
import { createServer as createTcpServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Asdu } from './asdu.js';
import { Cot, isCommandType, QOI_STATION, TypeId, withoutTime } from './constants.js';
import { cp56FromEpoch, cp56ToEpoch } from './cp56time.js';
import { LinkLayer, type LinkParameters } from './link.js';
import { PointStore, type PointDefinition, type StoredPoint } from './store.js';
import { checkPeer, describeHandshakeFailure, recordPerApduWriter, serverTlsOptions, trackTlsPeers, type Iec104TlsConfig } from './tls.js';
import type { InfoObject } from './types/object.js';

export interface RedundancyGroup {
  name: string;
  /** Client IP addresses of this group; a group without addresses takes every client no other group lists. */
  clients?: string[];
}

export interface CommandPoint {
  ca: number;
  ioa: number;
  /** Accepted command type ids (e.g. C_SC_NA_1 and C_SC_TA_1). */
  typeIds: number[];
  /** Require select before operate. */
  sbo?: boolean;
  /** False while the field link behind the point is down: commands get a negative ACT_CON. */
  available?: boolean;
}

export interface CommandRequest {
  ca: number;
  ioa: number;
  typeId: number;
  value: number | boolean;
  select: boolean;
  qualifier: number;
  /** Epoch ms of the command's time tag (TA types). */
  time?: number;
  remote: string;
}

/** `true`/`{accept: true}` accepts; `done` (optional) resolves when the action completes (then ACT_TERM). */
export type CommandDecision = boolean | { accept: true; done?: Promise<unknown> } | { accept: false; reason?: string };

export interface ServerOptions {
  port?: number;
  host?: string;
  tls?: Iec104TlsConfig;
  clock?: Clock;
  link?: Partial<LinkParameters>;
  /** Common addresses served; defaults to those of defined points (and 1). */
  commonAddresses?: number[];
  redundancyGroups?: RedundancyGroup[];
  /** Open connections accepted at once (default 16; 0 = no limit); more are closed at once and counted. */
  maxConnections?: number;
  /** Spontaneous ASDUs kept per group while no connection is started (oldest dropped beyond). */
  eventBuffer?: number;
  /** Period of cyclic data (COT 1) in ms; 0 = off. */
  cyclicPeriodMs?: number;
  /** Select is valid for this long, ms (default 10 s). */
  selectTimeoutMs?: number;
  /** Time-tagged commands older than this are refused, ms (default 10 s). */
  maxCommandAgeMs?: number;
  utcOffsetMinutes?: number;
  /** Pack consecutive IOAs with SQ=1 in GI answers (default true). */
  packed?: boolean;
  onCommand?: (c: CommandRequest) => CommandDecision | Promise<CommandDecision>;
  /** Clock synchronisation request; return false to refuse (negative ACT_CON). */
  onClockSync?: (epochMs: number | undefined, remote: string) => boolean;
}

/** Default bound of I frames queued per connection: with at most 255 octets each, about 5 MB per connection. */
export const SERVER_MAX_QUEUE = 20_000;
export const DEFAULT_MAX_CONNECTIONS = 16;

export interface ServerStats {
  /** Connections closed at once because the connection limit was reached. */
  connectionsRefused: number;
  /** Connections closed because the peer sent an I frame before STARTDT. */
  iFramesBeforeStart: number;
  /** Interrogations refused (negative ACT_CON) because the answer did not fit the connection's send queue. */
  interrogationsRefused: number;
}

export interface ServerConnectionInfo {
  id: number;
  remote: string;
  group: string;
  started: boolean;
}

interface Conn {
  id: number;
  socket: Socket;
  link: LinkLayer;
  group: GroupState;
  remote: string;
}
interface GroupState {
  def: RedundancyGroup;
  active?: Conn;
  buffer: QueuedEvent[];
  dropped: number;
  initSent: boolean;
}
interface Selection {
  conn: Conn;
  typeId: number;
  at: number;
}

/**
 * A spontaneous event on its way to one redundancy group; the link layer carries it as the I frame's tag, so an
 * acknowledgement (N(R)) maps back to it and, through `token`, to whatever the caller keeps (a store entry).
 */
class QueuedEvent {
  constructor(
    readonly asdu: Asdu,
    readonly token: unknown,
  ) {}
}
const isEvent = (t: unknown): t is QueuedEvent => t instanceof QueuedEvent;
const tokensOf = (evs: readonly unknown[]): unknown[] => evs.filter(isEvent).flatMap((e) => (e.token === undefined ? [] : [e.token]));
/** Unacknowledged and queued events of a link, in order (they go back to the group buffer). */
const eventsOf = (pending: ReadonlyArray<{ tag?: unknown }>): QueuedEvent[] => pending.map((p) => p.tag).filter(isEvent);

/** `acked`/`dropped` event payload: the tokens given to broadcastEvent, oldest first. */
export interface EventTokens {
  group: string;
  remote?: string;
  tokens: unknown[];
}
const P_N = { negative: true } as const;

export class Iec104Server extends EventEmitter {
  readonly store = new PointStore();
  private readonly clock: Clock;
  private readonly opts: ServerOptions;
  private net: NetServer | undefined;
  private conns = new Set<Conn>();
  private groups: GroupState[];
  private commands = new Map<number, CommandPoint>();
  private selections = new Map<number, Selection>();
  private nextId = 1;
  private cyclicTimer: TimerHandle | undefined;
  private cas: Set<number>;
  readonly stats: ServerStats = { connectionsRefused: 0, iFramesBeforeStart: 0, interrogationsRefused: 0 };

  constructor(opts: ServerOptions = {}) {
    super();
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
    const defs = opts.redundancyGroups?.length ? opts.redundancyGroups : [{ name: 'default' }];
    this.groups = defs.map((def) => ({ def, buffer: [], dropped: 0, initSent: false }));
    this.cas = new Set(opts.commonAddresses ?? []);
  }

  // --- configuration ---------------------------------------------------------------------------------------------
  definePoint(d: PointDefinition): StoredPoint {
    if (!this.opts.commonAddresses) this.cas.add(d.ca);
    return this.store.define(d);
  }

  defineCommand(c: CommandPoint): void {
    if (!this.opts.commonAddresses) this.cas.add(c.ca);
    this.commands.set(c.ca * 0x1000000 + c.ioa, { available: true, ...c });
  }

  setCommandAvailable(ca: number, ioa: number, available: boolean): void {
    const c = this.commands.get(ca * 0x1000000 + ioa);
    if (c) c.available = available;
  }

  /**
   * Update a point's value/quality/time. Sends it spontaneously (COT 3) unless `spontaneous` is false; the time tag
   * defaults to now for time-tagged types.
   */
  update(ca: number, ioa: number, change: Omit<InfoObject, 'ioa'>, opts: { spontaneous?: boolean; cot?: number } = {}): boolean {
    const p = this.store.get(ca, ioa);
    if (!p) return false;
    const obj: InfoObject = { ...p.obj, ...change, ioa };
    if (withoutTime(p.typeId) !== p.typeId && change.time === undefined) obj.time = cp56FromEpoch(this.clock.now(), this.timeOpts());
    this.store.set(p, obj);
    if (opts.spontaneous !== false) this.broadcastEvent({ typeId: p.typeId, cot: opts.cot ?? Cot.SPONTANEOUS, ca, objects: [obj] });
    return true;
  }

  /**
   * Queue a monitor-direction ASDU to the started connection of every group (buffered where none is started).
   * With a `token`, the server emits `acked` ({group, remote, tokens}) when the controlling station's N(R) confirms
   * the I frame that carried it (once per group), and `dropped` ({group, tokens}) when a group's bounded buffer
   * discards it. I frames sent but unconfirmed when a connection closes or stops go back to the group buffer, ahead
   * of newer events, and are sent again (same ASDU, same time tag, same token) on the group's next started connection.
   */
  broadcastEvent(a: Asdu, token?: unknown): void {
    const ev = new QueuedEvent(a, token);
    for (const g of this.groups) {
      if (g.active?.link.started && g.buffer.length === 0) {
        if (g.active.link.sendAsdu(a, ev)) continue;
        this.emit('warn', `group ${g.def.name}: send queue of ${g.active.remote} full, event kept in the group buffer`);
      }
      this.bufferEvent(g, [ev]);
    }
  }

  /** Move buffered events of a group to its started connection, as far as its send queue takes them. */
  private drainGroup(g: GroupState): void {
    const c = g.active;
    if (!c?.link.started) return;
    const room = Math.max(0, c.link.params.maxQueue - c.link.queued);
    const batch = g.buffer.splice(0, room);
    for (const ev of batch) c.link.sendAsdu(ev.asdu, ev);
  }

  /** Largest number of ASDUs waiting for the k window on a started connection (for producers that pace). */
  backlog(): number {
    let n = 0;
    for (const g of this.groups) n = Math.max(n, (g.active?.link.queued ?? 0) + g.buffer.length);
    return n;
  }

  /** Append (or, `front`, put back ahead of newer ones) events; beyond the bound the oldest are dropped. */
  private bufferEvent(g: GroupState, evs: QueuedEvent[], front = false): void {
    const max = Math.max(0, this.opts.eventBuffer ?? 10_000);
    if (front) g.buffer.unshift(...evs);
    else g.buffer.push(...evs);
    if (g.buffer.length <= max) return;
    const gone = g.buffer.splice(0, g.buffer.length - max);
    g.dropped++;
    if (max > 0) this.emit('warn', `group ${g.def.name}: spontaneous buffer full (${max}), oldest events dropped`);
    const tokens = tokensOf(gone);
    if (tokens.length) this.emit('dropped', { group: g.def.name, tokens } satisfies EventTokens);
  }

  connections(): ServerConnectionInfo[] {
    return [...this.conns].map((c) => ({ id: c.id, remote: c.remote, group: c.group.def.name, started: c.link.started }));
  }

  bufferedEvents(group = 'default'): number {
    return this.groups.find((g) => g.def.name === group)?.buffer.length ?? 0;
  }

  // --- lifecycle -------------------------------------------------------------------------------------------------
  listen(): Promise<{ port: number; host: string }> {
    const onSocket = (s: Socket) => this.accept(s);
    if (this.opts.tls) {
      const tlsOpts = serverTlsOptions(this.opts.tls);
      const srv = createTlsServer(tlsOpts, (s: TLSSocket) => {
        const why = checkPeer(s, this.opts.tls?.allowedPeers);
        if (why) {
          this.emit('warn', `TLS client ${s.remoteAddress ?? '?'} refused: ${why}`);
          s.destroy();
          return;
        }
        onSocket(s);
      });
      const peerOf = trackTlsPeers(srv);
      srv.on('tlsClientError', (e, s) => {
        this.emit('warn', describeHandshakeFailure(e, peerOf(s), this.opts.tls!));
      });
      this.net = srv;
    } else this.net = createTcpServer(onSocket);
    if (this.opts.cyclicPeriodMs) this.armCyclic();
    const net = this.net;
    return new Promise((resolve, reject) => {
      net.once('error', reject);
      net.listen(this.opts.port ?? (this.opts.tls ? 19998 : 2404), this.opts.host ?? '0.0.0.0', () => {
        net.off('error', reject);
        net.on('error', (e) => this.emit('warn', `server error: ${errorMessage(e)}`));
        const a = net.address();
        resolve(typeof a === 'object' && a ? { port: a.port, host: a.address } : { port: this.opts.port ?? 2404, host: String(a) });
      });
    });
  }

  async close(): Promise<void> {
    this.clock.clearTimeout(this.cyclicTimer);
    this.cyclicTimer = undefined;
    for (const c of [...this.conns]) c.link.close('server closing');
    const net = this.net;
    this.net = undefined;
    if (net) await new Promise<void>((r) => net.close(() => r()));
  }

  private accept(socket: Socket): void {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    const ip = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const group = this.groups.find((g) => g.def.clients?.includes(ip)) ?? this.groups.find((g) => !g.def.clients?.length);
    if (!group) {
      this.emit('warn', `connection from ${remote} refused: not in any redundancy group`);
      socket.destroy();
      return;
    }
    const limit = this.opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (limit > 0 && this.conns.size >= limit) {
      this.stats.connectionsRefused++;
      this.emit('warn', `connection from ${remote} refused: ${limit} connections open (limit)`);
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const conn = { id: this.nextId++, socket, group, remote } as Conn;
    // Over TLS one APDU per record (see recordPerApduWriter); over TCP, batched writes of a burst.
    const batching = this.opts.tls ? {} : { cork: () => socket.cork(), uncork: () => socket.uncork() };
    conn.link = new LinkLayer(
      'controlled',
      {
        write: this.opts.tls ? recordPerApduWriter(socket) : (f) => void socket.write(f),
        ...batching,
        asdu: (a) => this.onAsdu(conn, a),
        closed: (reason) => this.onClosed(conn, reason),
        state: (started) => this.onState(conn, started),
        acked: (tags) => {
          const tokens = tokensOf(tags);
          if (tokens.length) this.emit('acked', { group: conn.group.def.name, remote, tokens } satisfies EventTokens);
          if (conn.group.active === conn && conn.group.buffer.length) this.drainGroup(conn.group);
        },
        warn: (m) => this.emit('warn', `${remote}: ${m}`),
      },
      this.clock,
      { maxQueue: SERVER_MAX_QUEUE, ...this.opts.link },
    );
    this.conns.add(conn);
    socket.on('data', (d: Buffer) => conn.link.receive(d));
    socket.on('error', (e) => conn.link.close(`socket error: ${errorMessage(e)}`));
    socket.on('close', () => conn.link.close('peer closed the connection'));
    this.emit('connection', { id: conn.id, remote, group: group.def.name });
  }

  private onClosed(conn: Conn, reason: string): void {
    if (!this.conns.delete(conn)) return;
    conn.socket.destroy();
    this.stats.iFramesBeforeStart += conn.link.stats.iBeforeStart;
    const g = conn.group;
    if (g.active === conn) {
      g.active = undefined;
      // Events sent but never acknowledged go back to the group buffer, ahead of newer ones. IEC 60870-5-104 does
      // not retransmit the I frames of a closed connection; sending them again on the next one is this station's
      // choice (at least once: SCADA may get an event twice when the acknowledgement, not the frame, was lost).
      this.bufferEvent(g, eventsOf(conn.link.pending()), true);
    }
    for (const [k, s] of this.selections) if (s.conn === conn) this.selections.delete(k);
    this.emit('disconnect', { id: conn.id, remote: conn.remote, reason });
  }

  private onState(conn: Conn, started: boolean): void {
    const g = conn.group;
    if (started) {
      if (g.active && g.active !== conn) {
        const old = g.active;
        // Redundancy: one started connection per group; the newer one wins and takes over unacknowledged events.
        g.active = conn;
        this.bufferEvent(g, eventsOf(old.link.takePending()), true);
        old.link.close(`redundancy group ${g.def.name}: superseded by ${conn.remote}`);
      }
      g.active = conn;
      if (!g.initSent) {
        g.initSent = true;
        for (const ca of this.cas) conn.link.sendAsdu({ typeId: TypeId.M_EI_NA_1, cot: Cot.INITIALIZED, ca, objects: [{ ioa: 0, value: 0 }] });
      }
      this.drainGroup(g);
    } else if (g.active === conn) {
      g.active = undefined;
      this.bufferEvent(g, eventsOf(conn.link.takePending()), true);
    }
    this.emit('state', { id: conn.id, remote: conn.remote, group: g.def.name, started });
  }

  // --- application layer -----------------------------------------------------------------------------------------
  private reply(conn: Conn, a: Asdu, cot: number, extra: Partial<Asdu> = {}): void {
    conn.link.sendAsdu({ ...a, cot, negative: false, ...extra });
  }

  private onAsdu(conn: Conn, a: Asdu): void {
    this.emit('asdu', a, conn.remote);
    if (a.raw !== undefined) return this.reply(conn, a, Cot.UNKNOWN_TYPE_ID, P_N);
    const broadcastOk = a.typeId === TypeId.C_IC_NA_1 || a.typeId === TypeId.C_CI_NA_1 || a.typeId === TypeId.C_CS_NA_1 || a.typeId === TypeId.C_RP_NA_1;
    const cas = a.ca === 0xffff && broadcastOk ? [...this.cas] : this.cas.has(a.ca) ? [a.ca] : [];
    if (cas.length === 0) return this.reply(conn, a, Cot.UNKNOWN_CA, P_N);
    if (isCommandType(a.typeId)) return void this.onCommand(conn, a);
    switch (a.typeId) {
      case TypeId.C_IC_NA_1:
        return this.onInterrogation(conn, a, cas);
      case TypeId.C_CI_NA_1:
        return this.onCounterInterrogation(conn, a, cas);
      case TypeId.C_RD_NA_1:
        return this.onRead(conn, a);
      case TypeId.C_CS_NA_1:
        return this.onClockSync(conn, a);
      case TypeId.C_TS_TA_1:
      case TypeId.C_RP_NA_1:
        if (a.cot !== Cot.ACTIVATION) return this.reply(conn, a, Cot.UNKNOWN_COT, P_N);
        return this.reply(conn, a, Cot.ACTIVATION_CON);
      default:
        return this.reply(conn, a, Cot.UNKNOWN_TYPE_ID, P_N);
    }
  }

  private onInterrogation(conn: Conn, a: Asdu, cas: number[]): void {
    if (a.cot !== Cot.ACTIVATION && a.cot !== Cot.DEACTIVATION) return this.reply(conn, a, Cot.UNKNOWN_COT, P_N);
    const qoi = a.objects[0]?.qualifier ?? 0;
    if (a.cot === Cot.DEACTIVATION) return this.reply(conn, a, Cot.DEACTIVATION_CON);
    if (qoi < QOI_STATION || qoi > QOI_STATION + 16) return this.reply(conn, a, Cot.ACTIVATION_CON, P_N);
    const group = qoi - QOI_STATION;
    for (const ca of cas) {
      const sel = group === 0 ? ({ kind: 'station' } as const) : ({ kind: 'group', group } as const);
      if (this.queueFull(conn)) return this.refuseInterrogation(conn, { ...a, ca }, 'the send queue is full');
      // Interrogated ASDUs go back to the requester's originator address (IEC 60870-5-101 §7.2.3).
      const answer = this.store.encodeSelection(ca, sel, qoi, { packed: this.opts.packed !== false, apciRoom: 6, originator: a.originator ?? 0 });
      this.sendInterrogationAnswer(conn, { ...a, ca }, answer);
    }
  }

  /** No room even for ACT_CON and ACT_TERM: refuse before encoding anything (a peer that never acknowledges). */
  private queueFull(conn: Conn): boolean {
    return conn.link.queued + 2 > conn.link.params.maxQueue;
  }

  private refuseInterrogation(conn: Conn, a: Asdu, why: string): void {
    this.stats.interrogationsRefused++;
    this.emit('warn', `${conn.remote}: interrogation refused: ${why}`);
    this.reply(conn, a, Cot.ACTIVATION_CON, P_N);
  }

  /**
   * ACT_CON, the answer, ACT_TERM; or a negative ACT_CON when the answer does not fit the connection's send queue
   * (a peer repeating interrogations without acknowledging cannot make the queue grow without bound).
   */
  private sendInterrogationAnswer(conn: Conn, a: Asdu, answer: Buffer[]): void {
    const room = conn.link.params.maxQueue - conn.link.queued;
    if (answer.length + 2 > room) return this.refuseInterrogation(conn, a, `${answer.length} ASDUs of answer do not fit the send queue (${room} free of ${conn.link.params.maxQueue})`);
    this.reply(conn, a, Cot.ACTIVATION_CON);
    for (const buf of answer) conn.link.sendFramed(buf);
    this.reply(conn, a, Cot.ACTIVATION_TERMINATION);
  }

  private onCounterInterrogation(conn: Conn, a: Asdu, cas: number[]): void {
    if (a.cot !== Cot.ACTIVATION) return this.reply(conn, a, Cot.UNKNOWN_COT, P_N);
    const rqt = a.objects[0]?.qualifier ?? 0;
    if (rqt < 1 || rqt > 5) return this.reply(conn, a, Cot.ACTIVATION_CON, P_N);
    const cot = rqt === 5 ? Cot.REQUESTED_BY_GENERAL_COUNTER : Cot.REQUESTED_BY_GENERAL_COUNTER + rqt;
    for (const ca of cas) {
      const sel = rqt === 5 ? ({ kind: 'counters' } as const) : ({ kind: 'counters', group: rqt } as const);
      if (this.queueFull(conn)) return this.refuseInterrogation(conn, { ...a, ca }, 'the send queue is full');
      const answer = this.store.encodeSelection(ca, sel, cot, { packed: this.opts.packed !== false, apciRoom: 6, originator: a.originator ?? 0 });
      this.sendInterrogationAnswer(conn, { ...a, ca }, answer);
    }
  }

  private onRead(conn: Conn, a: Asdu): void {
    if (a.cot !== Cot.REQUEST) return this.reply(conn, a, Cot.UNKNOWN_COT, P_N);
    const ioa = a.objects[0]?.ioa ?? -1;
    const p = this.store.get(a.ca, ioa);
    if (!p) return this.reply(conn, a, Cot.UNKNOWN_IOA, P_N);
    conn.link.sendAsdu({ typeId: p.typeId, cot: Cot.REQUEST, originator: a.originator ?? 0, ca: a.ca, objects: [p.obj] });
  }

  private onClockSync(conn: Conn, a: Asdu): void {
    if (a.cot !== Cot.ACTIVATION) return this.reply(conn, a, Cot.UNKNOWN_COT, P_N);
    const t = a.objects[0]?.time;
    const epoch = t && !t.invalid ? cp56ToEpoch(t, this.opts.utcOffsetMinutes ?? 0) : undefined;
    const ok = this.opts.onClockSync ? this.opts.onClockSync(epoch, conn.remote) : epoch !== undefined;
    this.reply(conn, a, Cot.ACTIVATION_CON, ok ? {} : P_N);
  }

  private async onCommand(conn: Conn, a: Asdu): Promise<void> {
    if (a.cot !== Cot.ACTIVATION && a.cot !== Cot.DEACTIVATION) return this.reply(conn, a, Cot.UNKNOWN_COT, P_N);
    const o = a.objects[0];
    if (!o || a.objects.length !== 1) return this.reply(conn, a, Cot.ACTIVATION_CON, P_N);
    const key = a.ca * 0x1000000 + o.ioa;
    const cp = this.commands.get(key);
    if (!cp) return this.reply(conn, a, Cot.UNKNOWN_IOA, P_N);
    if (a.cot === Cot.DEACTIVATION) {
      this.selections.delete(key);
      return this.reply(conn, a, Cot.DEACTIVATION_CON);
    }
    const refuse = (reason: string): void => {
      this.emit('command', { ca: a.ca, ioa: o.ioa, typeId: a.typeId, outcome: 'refused', reason, remote: conn.remote });
      this.reply(conn, a, Cot.ACTIVATION_CON, P_N);
    };
    if (!cp.typeIds.includes(a.typeId)) return refuse(`type ${a.typeId} not accepted for IOA ${o.ioa}`);
    if (cp.available === false) return refuse('field link down');
    let time: number | undefined;
    if (o.time) {
      time = o.time.invalid ? undefined : cp56ToEpoch(o.time, this.opts.utcOffsetMinutes ?? 0);
      const maxAge = this.opts.maxCommandAgeMs ?? 10_000;
      if (time === undefined || Math.abs(this.clock.now() - time) > maxAge) return refuse('command time tag invalid or too old');
    }
    const select = o.select === true;
    const now = this.clock.monotonic();
    if (!select && cp.sbo) {
      const s = this.selections.get(key);
      this.selections.delete(key);
      if (!s || s.conn !== conn || s.typeId !== a.typeId || now - s.at > (this.opts.selectTimeoutMs ?? 10_000)) return refuse('execute without a valid select');
    }
    const req: CommandRequest = { ca: a.ca, ioa: o.ioa, typeId: a.typeId, value: o.value ?? 0, select, qualifier: o.qualifier ?? 0, remote: conn.remote };
    if (time !== undefined) req.time = time;
    let d: CommandDecision;
    try {
      d = this.opts.onCommand ? await this.opts.onCommand(req) : { accept: false, reason: 'no command handler' };
    } catch (e) {
      d = { accept: false, reason: errorMessage(e) };
    }
    if (conn.link.closed) return;
    const accepted = d === true || (typeof d === 'object' && d.accept);
    if (!accepted) return refuse(typeof d === 'object' && !d.accept && d.reason ? d.reason : 'refused by handler');
    if (select) {
      this.selections.set(key, { conn, typeId: a.typeId, at: now });
      this.emit('command', { ...req, outcome: 'selected' });
      return this.reply(conn, a, Cot.ACTIVATION_CON);
    }
    this.emit('command', { ...req, outcome: 'accepted' });
    this.reply(conn, a, Cot.ACTIVATION_CON);
    const done = typeof d === 'object' && d.accept ? d.done : undefined;
    if (done) {
      try {
        await done;
      } catch (e) {
        this.emit('warn', `command ${a.typeId} IOA ${o.ioa} failed after confirmation: ${errorMessage(e)}`);
      }
    }
    if (!conn.link.closed) this.reply(conn, a, Cot.ACTIVATION_TERMINATION);
  }

  // --- cyclic data ---------------------------------------------------------------------------------------------
  private armCyclic(): void {
    const period = this.opts.cyclicPeriodMs ?? 0;
    if (period <= 0) return;
    this.cyclicTimer = this.clock.setTimeout(() => {
      this.sendCyclic();
      this.armCyclic();
    }, period);
  }

  sendCyclic(): void {
    for (const ca of this.cas) {
      for (const buf of this.store.encodeSelection(ca, { kind: 'cyclic' }, Cot.PERIODIC, { packed: this.opts.packed !== false })) {
        for (const g of this.groups) if (g.active?.link.started) g.active.link.sendAsdu(buf);
      }
    }
  }

  private timeOpts(): { utcOffsetMinutes: number } {
    return { utcOffsetMinutes: this.opts.utcOffsetMinutes ?? 0 };
  }
}
