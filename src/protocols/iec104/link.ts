/**
 * IEC 60870-5-104 link layer (APCI procedures, IEC 60870-5-104 §5 and §6.9), shared by the controlling station
 * (client) and the controlled station (server). It owns sequence numbers, the k/w windows, the t1/t2/t3 timers and
 * STARTDT/STOPDT/TESTFR; it does not own the socket: bytes come in through `receive()` and go out through the
 * transport callbacks, so tests drive it with a FakeClock and no network.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { DecodeError, errorMessage } from '../../core/errors.js';
import { decodeApdu, encodeIFrame, encodeSFrame, encodeUFrame, FrameReader, seqDiff, SEQ_MODULO, writeIHeader, type UFunction } from './apci.js';
import { decodeAsdu, type Asdu } from './asdu.js';
import { encodeIAsdu } from './codec.js';

export interface LinkParameters {
  /** Max unacknowledged I frames sent (default 12). */
  k: number;
  /** Acknowledge after this many received I frames at the latest (default 8). */
  w: number;
  /** Connection establishment timeout, ms (used by the client's connect; default 30 s). */
  t0: number;
  /** Timeout for acknowledgement of sent I frames and U acts, ms (default 15 s). */
  t1: number;
  /** Acknowledge received I frames after this long without data to send, ms (default 10 s; t2 < t1). */
  t2: number;
  /** Send TESTFR act after this long without receiving anything, ms (default 20 s). */
  t3: number;
  /** Bound of I frames waiting for the k window (default 100 000); beyond it sendAsdu refuses. */
  maxQueue: number;
}

export const DEFAULT_LINK: Readonly<LinkParameters> = Object.freeze({ k: 12, w: 8, t0: 30_000, t1: 15_000, t2: 10_000, t3: 20_000, maxQueue: 100_000 });

export function linkParameters(p: Partial<LinkParameters> = {}): LinkParameters {
  const r = { ...DEFAULT_LINK, ...p };
  if (!(r.k >= 1 && r.k <= 32767 && r.w >= 1 && r.w <= 32767)) throw new RangeError(`k=${r.k}, w=${r.w} must be 1..32767`);
  if (r.w > r.k) throw new RangeError(`w=${r.w} must not exceed k=${r.k} (IEC 60870-5-104 §5.5 recommends w ≤ 2/3 k)`);
  if (!(r.t2 < r.t1)) throw new RangeError(`t2=${r.t2} must be below t1=${r.t1}`);
  for (const t of ['t0', 't1', 't2', 't3'] as const) if (!(r[t] > 0)) throw new RangeError(`${t} must be positive`);
  return r;
}

export type LinkRole = 'controlling' | 'controlled';

export interface LinkHandlers {
  /** Write octets to the transport. */
  write(frame: Buffer): void;
  /** Optional write batching (socket.cork/uncork). */
  cork?(): void;
  uncork?(): void;
  /** A decoded ASDU from an I frame. */
  asdu(asdu: Asdu): void;
  /**
   * Optional: the ASDU octets of each I frame (a view valid only during the call), given INSTEAD of `asdu`; the
   * owner decodes what it needs (the client tables interrogation answers without building objects). `ns` names
   * the frame in warnings.
   */
  octets?(asdu: Buffer, ns: number): void;
  /** The link decided the connection is over (or `close()` was called): the owner closes the transport. */
  closed(reason: string): void;
  /** Data transfer started/stopped (STARTDT/STOPDT completed). */
  state?(started: boolean): void;
  /** I frames carrying these tags were acknowledged by the peer. */
  acked?(tags: unknown[]): void;
  /** A non-fatal problem (an undecodable ASDU in a well-formed I frame, a dropped frame). */
  warn?(message: string): void;
}

interface Outgoing {
  /** An ASDU, or its octets already encoded (interrogation answers from the point store). */
  asdu: Asdu | Buffer;
  tag?: unknown;
  /** `asdu` is a Buffer whose first six octets are room for the APCI. */
  framed?: boolean;
}
interface Sent extends Outgoing {
  seq: number;
  at: number;
}

export interface LinkStats {
  iSent: number;
  iReceived: number;
  sSent: number;
  testFramesSent: number;
  /** I frames received before data transfer was started (controlled: before STARTDT act; controlling: before STARTDT con); the connection was closed. */
  iBeforeStart: number;
}

export class LinkLayer {
  readonly params: LinkParameters;
  private reader = new FrameReader();
  private vs = 0;
  private vr = 0;
  /** Oldest sequence number not yet acknowledged by the peer. */
  private ackBase = 0;
  private unacked: Sent[] = [];
  /** I frames of the current chunk, sequence-checked and counted, not yet decoded and handed on. */
  private inbox: Array<{ ns: number; asdu: Buffer }> = [];
  private queue: Outgoing[] = [];
  private queueHead = 0;
  private rxUnacked = 0;
  private rxFirstUnackedAt = 0;
  private lastRx: number;
  private startedFlag = false;
  private stopPending = false;
  private stopRequested = false;
  private pendingU: { fn: UFunction; at: number } | undefined;
  private t1Timer: TimerHandle | undefined;
  private t1Due = Infinity;
  private t2Timer: TimerHandle | undefined;
  private t3Timer: TimerHandle | undefined;
  private isClosed = false;
  readonly stats: LinkStats = { iSent: 0, iReceived: 0, sSent: 0, testFramesSent: 0, iBeforeStart: 0 };

  constructor(
    readonly role: LinkRole,
    private readonly h: LinkHandlers,
    private readonly clock: Clock,
    params: Partial<LinkParameters> = {},
  ) {
    this.params = linkParameters(params);
    this.lastRx = clock.monotonic();
    this.armT3();
  }

  get started(): boolean {
    return this.startedFlag;
  }
  get closed(): boolean {
    return this.isClosed;
  }
  /** I frames waiting for the window. */
  get queued(): number {
    return this.queue.length - this.queueHead;
  }
  /** I frames sent and not yet acknowledged. */
  get inFlight(): number {
    return this.unacked.length;
  }
  get sequence(): { vs: number; vr: number; ackBase: number } {
    return { vs: this.vs, vr: this.vr, ackBase: this.ackBase };
  }

  /** Controlling station: request data transfer (STARTDT act). */
  start(): void {
    if (this.isClosed) return;
    this.sendU('STARTDT_ACT');
  }
  /** Controlling station: stop data transfer (STOPDT act). */
  stop(): void {
    if (this.isClosed) return;
    // The peer confirms only once everything it sent is acknowledged: acknowledge now and on every frame until then.
    this.stopRequested = true;
    if (this.rxUnacked > 0) this.sendS();
    this.sendU('STOPDT_ACT');
  }

  /** Queue an ASDU; it goes out when data transfer is started and the k window has room. False when refused. */
  sendAsdu(asdu: Asdu | Buffer, tag?: unknown): boolean {
    if (this.isClosed || this.queued >= this.params.maxQueue) return false;
    this.queue.push(tag === undefined ? { asdu } : { asdu, tag });
    this.flush();
    return true;
  }

  /** Queue an encoded ASDU that starts with six spare octets for the APCI (no copy when it goes out). */
  sendFramed(frame: Buffer): boolean {
    if (this.isClosed || this.queued >= this.params.maxQueue) return false;
    if (frame.length < 6 + 6) return false;
    this.queue.push({ asdu: frame, framed: true });
    this.flush();
    return true;
  }

  /** Unacknowledged and queued ASDUs with their tags (for re-sending on another connection after a close). */
  pending(): Outgoing[] {
    return [...this.unacked.map(({ asdu, tag }) => ({ asdu, tag })), ...this.queue.slice(this.queueHead)];
  }

  /** Like pending(), and empties the send queue (data transfer stopped: queued frames go elsewhere or nowhere). */
  takePending(): Outgoing[] {
    const r = this.pending();
    this.queue = [];
    this.queueHead = 0;
    return r;
  }

  /** Feed received octets. */
  receive(chunk: Buffer): void {
    if (this.isClosed) return;
    this.lastRx = this.clock.monotonic();
    try {
      this.reader.push(chunk, (f) => {
        if (!this.isClosed) this.onFrame(f);
      });
    } catch (e) {
      this.fail(e instanceof DecodeError ? `framing error: ${e.message}` : `receive failed: ${errorMessage(e)}`);
      return;
    }
    this.deliver();
  }

  /** Deliver what was received in order, then close (a protocol error after good frames in the same chunk). */
  private fail(reason: string): void {
    this.deliver();
    this.close(reason);
  }

  /**
   * Acknowledge (when w is reached) before decoding and handing on the ASDUs received so far: the peer refills its
   * k window while this side decodes. Acknowledgement is receipt at the link layer (IEC 60870-5-104 §5.5), not
   * application processing; with the ack after each w-th decode instead, a sender in another process waited for
   * this side's decoding every w frames.
   */
  private deliver(): void {
    if (this.inbox.length === 0 || this.isClosed) return;
    if (this.rxUnacked >= this.params.w || this.stopRequested) this.sendS();
    else if (this.rxUnacked > 0) this.armT2();
    const box = this.inbox;
    this.inbox = [];
    const raw = this.h.octets;
    for (const { ns, asdu: octets } of box) {
      if (this.isClosed) return;
      if (raw) {
        raw(octets, ns);
        continue;
      }
      let asdu: Asdu | undefined;
      try {
        asdu = decodeAsdu(octets, 6);
      } catch (e) {
        this.h.warn?.(`dropped undecodable ASDU in I frame N(S)=${ns}: ${errorMessage(e)}`);
      }
      if (asdu) this.h.asdu(asdu);
    }
    if (!this.isClosed) this.flush();
  }

  close(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.clock.clearTimeout(this.t1Timer);
    this.clock.clearTimeout(this.t2Timer);
    this.clock.clearTimeout(this.t3Timer);
    const was = this.startedFlag;
    this.startedFlag = false;
    if (was && this.h.state) this.h.state(false);
    this.h.closed(reason);
  }

  private onFrame(frame: Buffer): void {
    let apdu;
    try {
      apdu = decodeApdu(frame);
    } catch (e) {
      this.fail(`protocol error: ${errorMessage(e)}`);
      return;
    }
    const a = apdu.apci;
    if (a.format === 'I') {
      if (!this.startedFlag) {
        // IEC 60870-5-104 §5.3: I frames only in the started state. A controlled station answering them would act
        // on commands from a peer that never started data transfer; a controlling station taking them would accept
        // data its peer was not allowed to send (before STARTDT con, after STOPDT con). Ignoring them silently would
        // hide a broken peer.
        this.stats.iBeforeStart++;
        this.fail(`protocol error: I frame N(S)=${a.ns} received before STARTDT ${this.role === 'controlled' ? '' : 'con '}(data transfer not started)`);
        return;
      }
      if (a.ns !== this.vr) {
        this.fail(`sequence error: received N(S)=${a.ns}, expected ${this.vr}`);
        return;
      }
      if (!this.ackUpTo(a.nr)) return;
      this.vr = (this.vr + 1) % SEQ_MODULO;
      this.stats.iReceived++;
      if (this.rxUnacked === 0) this.rxFirstUnackedAt = this.lastRx;
      this.rxUnacked++;
      this.inbox.push({ ns: a.ns, asdu: apdu.asdu! });
      return;
    }
    // S and U frames act after the I frames before them were delivered (their order on the wire).
    this.deliver();
    if (this.isClosed) return;
    if (a.format === 'S') {
      if (this.ackUpTo(a.nr)) this.flush();
    } else this.onU(a.fn);
  }

  private onU(fn: UFunction): void {
    switch (fn) {
      case 'TESTFR_ACT':
        this.writeFrame(encodeUFrame('TESTFR_CON'));
        return;
      case 'TESTFR_CON':
        if (this.pendingU?.fn === 'TESTFR_ACT') this.clearPendingU();
        return;
      case 'STARTDT_ACT':
        this.writeFrame(encodeUFrame('STARTDT_CON'));
        this.stopPending = false;
        this.setStarted(true);
        this.flush();
        return;
      case 'STOPDT_ACT':
        // Finish what is in flight, then confirm (IEC 60870-5-104 §5.3): no new I frames meanwhile.
        this.stopPending = true;
        this.maybeConfirmStop();
        return;
      case 'STARTDT_CON':
        if (this.pendingU?.fn === 'STARTDT_ACT') this.clearPendingU();
        this.stopRequested = false;
        this.setStarted(true);
        this.flush();
        return;
      case 'STOPDT_CON':
        if (this.pendingU?.fn === 'STOPDT_ACT') this.clearPendingU();
        this.stopRequested = false;
        this.setStarted(false);
        return;
    }
  }

  private maybeConfirmStop(): void {
    if (!this.stopPending || this.unacked.length > 0) return;
    if (this.rxUnacked > 0) this.sendS();
    this.stopPending = false;
    this.writeFrame(encodeUFrame('STOPDT_CON'));
    this.setStarted(false);
  }

  private setStarted(v: boolean): void {
    if (this.startedFlag === v) return;
    this.startedFlag = v;
    this.h.state?.(v);
  }

  /** Apply a received N(R); false (and closed) when it acknowledges frames never sent. */
  private ackUpTo(nr: number): boolean {
    const outstanding = seqDiff(this.vs, this.ackBase);
    const acked = seqDiff(nr, this.ackBase);
    if (acked > outstanding) {
      this.fail(`sequence error: N(R)=${nr} outside ${this.ackBase}..${this.vs}`);
      return false;
    }
    if (acked === 0) return true;
    const done = this.unacked.splice(0, acked);
    this.ackBase = nr;
    if (this.h.acked) {
      const tags: unknown[] = [];
      for (const s of done) if (s.tag !== undefined) tags.push(s.tag);
      if (tags.length) this.h.acked(tags);
    }
    this.armT1();
    if (this.stopPending) this.maybeConfirmStop();
    return true;
  }

  private canSend(): boolean {
    if (this.isClosed || this.stopPending) return false;
    // The controlled station sends only after STARTDT; the controlling station only after STARTDT con.
    return this.startedFlag && this.unacked.length < this.params.k;
  }

  private flush(): void {
    if (!this.canSend() || this.queued === 0) return;
    this.h.cork?.();
    while (this.queued > 0 && this.canSend()) {
      const out = this.queue[this.queueHead++]!;
      let frame: Buffer;
      try {
        if (out.framed) {
          frame = out.asdu as Buffer;
          writeIHeader(frame, this.vs, this.vr, frame.length - 6);
        } else frame = Buffer.isBuffer(out.asdu) ? encodeIFrame(this.vs, this.vr, out.asdu) : encodeIAsdu(this.vs, this.vr, out.asdu);
      } catch (e) {
        this.h.warn?.(`dropped ASDU that cannot be encoded: ${errorMessage(e)}`);
        continue;
      }
      const now = this.clock.monotonic();
      const sent: Sent = { asdu: out.asdu, seq: this.vs, at: now };
      if (out.tag !== undefined) sent.tag = out.tag;
      this.unacked.push(sent);
      this.vs = (this.vs + 1) % SEQ_MODULO;
      this.stats.iSent++;
      this.rxUnacked = 0; // the I frame carries N(R)
      this.h.write(frame);
    }
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    this.h.uncork?.();
    this.armT1();
  }

  private sendS(): void {
    this.rxUnacked = 0;
    this.stats.sSent++;
    this.writeFrame(encodeSFrame(this.vr));
  }

  private sendU(fn: UFunction): void {
    this.pendingU = { fn, at: this.clock.monotonic() };
    if (fn === 'TESTFR_ACT') this.stats.testFramesSent++;
    this.writeFrame(encodeUFrame(fn));
    this.armT1();
  }

  private clearPendingU(): void {
    this.pendingU = undefined;
    this.armT1();
  }

  private writeFrame(f: Buffer): void {
    if (!this.isClosed) this.h.write(f);
  }

  // --- timers: deadlines are kept as monotonic times; a timer fires at the earliest and re-checks ---------------
  private armT1(): void {
    let due = Infinity;
    if (this.unacked.length) due = this.unacked[0]!.at + this.params.t1;
    if (this.pendingU) due = Math.min(due, this.pendingU.at + this.params.t1);
    if (due === this.t1Due) return;
    this.clock.clearTimeout(this.t1Timer);
    this.t1Timer = undefined;
    this.t1Due = due;
    if (due === Infinity) return;
    this.t1Timer = this.clock.setTimeout(() => this.onT1(), Math.max(0, due - this.clock.monotonic()));
  }

  private onT1(): void {
    this.t1Timer = undefined;
    this.t1Due = Infinity;
    const now = this.clock.monotonic();
    if (this.unacked.length && now - this.unacked[0]!.at >= this.params.t1) {
      this.close(`t1 expired: I frame N(S)=${this.unacked[0]!.seq} not acknowledged within ${this.params.t1} ms`);
      return;
    }
    if (this.pendingU && now - this.pendingU.at >= this.params.t1) {
      this.close(`t1 expired: no confirmation of ${this.pendingU.fn} within ${this.params.t1} ms`);
      return;
    }
    this.armT1();
  }

  private armT2(): void {
    if (this.t2Timer !== undefined) return;
    this.t2Timer = this.clock.setTimeout(() => this.onT2(), this.params.t2);
  }

  private onT2(): void {
    this.t2Timer = undefined;
    if (this.isClosed || this.rxUnacked === 0) return;
    const left = this.rxFirstUnackedAt + this.params.t2 - this.clock.monotonic();
    if (left > 0) {
      this.t2Timer = this.clock.setTimeout(() => this.onT2(), left);
      return;
    }
    this.sendS();
  }

  private armT3(): void {
    this.t3Timer = this.clock.setTimeout(() => this.onT3(), this.params.t3);
  }

  private onT3(): void {
    this.t3Timer = undefined;
    if (this.isClosed) return;
    const idle = this.clock.monotonic() - this.lastRx;
    if (idle >= this.params.t3) {
      if (!this.pendingU) this.sendU('TESTFR_ACT');
      this.lastRx = this.clock.monotonic(); // next test frame after another t3 of silence
    }
    this.t3Timer = this.clock.setTimeout(() => this.onT3(), Math.max(1, this.lastRx + this.params.t3 - this.clock.monotonic()));
  }
}
