/**
 * SSP-1 session: one end of a SAPC serial line (meter or appliance; the protocol is symmetric).
 * - Requests (CMD, CAN, STQ) are sent one at a time, answered within `ackTimeoutMs` (500 ms) or resent with the
 *   same SEQ and bytes up to `retries` (3) times, then fail with SapcTimeoutError.
 * - Received requests are checked (fields, window against our clock) and answered synchronously; a retransmission
 *   (same SEQ and CRC as one of the last `duplicateMemory` requests) gets the same answer again and is not applied.
 * - Heartbeats every `heartbeatMs` (60 s); the link is `down` after `linkTimeoutMs` (3 heartbeats) of silence.
 * Every timer goes through the injected Clock (monotonic).
 */
import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { DecodeError } from '../../core/errors.js';
import {
  checkCommandWindow,
  decodeFrame,
  encodeFrame,
  FieldError,
  MAX_SEQ,
  rawSeq,
  type AckState,
  type NakReason,
  type RawFrame,
  type SapcCommand,
  type SapcFrame,
  type SapcPlanPart,
  type SapcSource,
} from './frame.js';
import { SspFramer, type FramerStats } from './framer.js';

export type CommandAnswer = { ok: true; state?: AckState } | { ok: false; reason: NakReason; field?: string; text?: string };
export type StatusAnswer = Omit<Extract<SapcFrame, { type: 'STA' }>, 'type' | 'seq' | 'timestamp'>;

export interface SessionHandler {
  onCommand?(command: SapcCommand, frame: Extract<SapcFrame, { type: 'CMD' }>): CommandAnswer;
  onCancel?(eventId: string, source: SapcSource, slot: number | undefined): CommandAnswer;
  onStatusRequest?(slot: number | undefined): StatusAnswer | CommandAnswer;
  /** A part of an appliance plan (PLN, version 1.1; normally at the meter end). Without a handler: NAK REJECTED. */
  onPlan?(plan: SapcPlanPart): CommandAnswer;
}

export interface SessionOptions {
  write: (text: string) => void;
  clock?: Clock;
  handler?: SessionHandler;
  ackTimeoutMs?: number;
  retries?: number;
  heartbeatMs?: number;
  /** 0 disables sending heartbeats (still tracks the link). */
  sendHeartbeats?: boolean;
  linkTimeoutMs?: number;
  duplicateMemory?: number;
  /**
   * SEQ of the first request or heartbeat (default 1). A sender that restarts SHOULD start at a random value
   * (SSP-1 §2.3) so its first requests are not taken for retransmissions of its previous life's.
   */
  firstSeq?: number;
  /** Drop a partial frame after this much silence (ms). */
  interCharTimeoutMs?: number;
  /**
   * Line speed; when given, the answer timeout also covers the time to transmit the request and a 64-byte answer
   * (10 bits per byte), per SSP-1 §4. Without it the timeout counts from the write.
   */
  baudRate?: number;
  /**
   * The line echoes what we send (two-wire RS-485 adapters without echo suppression): drop received frames that are
   * byte-identical to one we sent in the last 2 s.
   */
  echo?: boolean;
}

export type Reply = (Extract<SapcFrame, { type: 'ACK' }> | Extract<SapcFrame, { type: 'NAK' }> | Extract<SapcFrame, { type: 'STA' }>) & {
  attempts: number;
  elapsedMs: number;
};

export class SapcTimeoutError extends Error {
  constructor(
    readonly seq: number,
    readonly attempts: number,
  ) {
    super(`sapc: no answer to SEQ ${seq} after ${attempts} attempts`);
    this.name = 'SapcTimeoutError';
  }
}

export interface SessionStats extends FramerStats {
  /** Own frames heard back on an echoing line (dropped). */
  echoes: number;
  sent: number;
  retries: number;
  timeouts: number;
  duplicates: number;
  naksSent: number;
  naksReceived: number;
  unexpected: number;
  fieldErrors: number;
}

type RequestFrame = Extract<SapcFrame, { type: 'CMD' | 'CAN' | 'STQ' | 'PLN' }>;
type Unsequenced<T> = T extends unknown ? Omit<T, 'seq'> : never;
export type RequestBody = Unsequenced<RequestFrame>;

interface Pending {
  seq: number;
  text: string;
  attempts: number;
  started: number;
  timer?: TimerHandle;
  resolve(r: Reply): void;
  reject(e: Error): void;
}

export type LinkState = 'up' | 'down';

export interface SapcSessionEvents {
  frame: [SapcFrame];
  sent: [string];
  /** A dropped or refused frame (bad CRC, truncated, field error); never the 'error' event, so nothing throws. */
  rxError: [DecodeError];
  link: [LinkState];
  heartbeat: [Extract<SapcFrame, { type: 'HB' }>];
}

export class SapcSession extends EventEmitter<SapcSessionEvents> {
  readonly clock: Clock;
  private readonly framer = new SspFramer();
  private readonly opts: Required<Omit<SessionOptions, 'handler' | 'clock' | 'firstSeq'>>;
  private handler: SessionHandler;
  private seq = 0;
  private queue: Array<{ body: RequestBody; resolve(r: Reply): void; reject(e: Error): void }> = [];
  private pending: Pending | undefined;
  private answered = new Map<string, string>();
  private hbTimer: TimerHandle | undefined;
  private linkTimer: TimerHandle | undefined;
  private icTimer: TimerHandle | undefined;
  private started: number;
  private closed = false;
  link: LinkState = 'down';
  private recentSent: Array<{ text: string; at: number }> = [];
  private counters = { echoes: 0, sent: 0, retries: 0, timeouts: 0, duplicates: 0, naksSent: 0, naksReceived: 0, unexpected: 0, fieldErrors: 0 };

  constructor(options: SessionOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.handler = options.handler ?? {};
    const hb = options.heartbeatMs ?? 60_000;
    this.opts = {
      write: options.write,
      ackTimeoutMs: options.ackTimeoutMs ?? 500,
      retries: options.retries ?? 3,
      heartbeatMs: hb,
      sendHeartbeats: options.sendHeartbeats ?? true,
      linkTimeoutMs: options.linkTimeoutMs ?? 3 * hb,
      duplicateMemory: options.duplicateMemory ?? 32,
      interCharTimeoutMs: options.interCharTimeoutMs ?? 1000,
      baudRate: options.baudRate ?? 0,
      echo: options.echo ?? false,
    };
    if (this.opts.echo) {
      const raw = this.opts.write;
      this.opts.write = (t) => {
        const now = this.clock.monotonic();
        this.recentSent = this.recentSent.filter((r) => now - r.at < 2000);
        this.recentSent.push({ text: t.replace(/\r?\n$/, ''), at: now });
        raw(t);
      };
    }
    if (options.firstSeq !== undefined) this.seq = (((options.firstSeq - 1) % (MAX_SEQ + 1)) + MAX_SEQ + 1) % (MAX_SEQ + 1);
    this.started = this.clock.monotonic();
    if (this.opts.sendHeartbeats) this.scheduleHeartbeat();
  }

  get stats(): SessionStats {
    return { ...this.framer.stats, ...this.counters };
  }

  setHandler(h: SessionHandler): void {
    this.handler = h;
  }

  /** Send a request and wait for its ACK/NAK (or STA for STQ). Requests are serialised. */
  request(body: RequestBody): Promise<Reply> {
    if (this.closed) return Promise.reject(new Error('sapc: session closed'));
    return new Promise<Reply>((resolve, reject) => {
      // An emergency command goes ahead of everything queued (SSP-1 §8: cease-to-energise has primacy).
      const emergency = body.type === 'CMD' && body.command.source === 'emergency';
      if (emergency) this.queue.splice(this.queue.findIndex((q) => !(q.body.type === 'CMD' && q.body.command.source === 'emergency')) >>> 0, 0, { body, resolve, reject });
      else this.queue.push({ body, resolve, reject });
      this.pump();
    });
  }

  /** Send a heartbeat now (also done every heartbeatMs). */
  heartbeat(): void {
    this.transmit({ type: 'HB', seq: this.nextSeq(), timestamp: this.clock.now(), uptimeS: Math.floor((this.clock.monotonic() - this.started) / 1000) });
  }

  /** Feed bytes received from the line. Never throws. */
  receive(chunk: Uint8Array | string): void {
    if (this.closed) return;
    for (const ev of this.framer.push(chunk)) {
      if (ev.kind === 'error') this.emit('rxError', ev.error);
      else this.onRaw(ev.frame);
    }
    this.clock.clearTimeout(this.icTimer);
    this.icTimer = undefined;
    if (this.framer.partial) this.icTimer = this.clock.setTimeout(() => this.framer.reset(), this.opts.interCharTimeoutMs);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of [this.hbTimer, this.linkTimer, this.icTimer, this.pending?.timer]) this.clock.clearTimeout(t);
    const err = new Error('sapc: session closed');
    this.pending?.reject(err);
    this.pending = undefined;
    for (const q of this.queue.splice(0)) q.reject(err);
  }

  // ------------------------------------------------------------------ internals

  private nextSeq(): number {
    this.seq = this.seq >= MAX_SEQ ? 0 : this.seq + 1;
    return this.seq;
  }

  private transmit(f: SapcFrame): string {
    let text: string;
    try {
      text = encodeFrame(f);
    } catch {
      // Only a NAK's echo text can push a frame past 200 bytes: drop the text, keep the reason.
      text = encodeFrame(f.type === 'NAK' ? { type: 'NAK', seq: f.seq, reason: f.reason } : { type: 'NAK', seq: f.seq, reason: 'REJECTED' });
    }
    this.counters.sent++;
    this.opts.write(text);
    this.emit('sent', text);
    return text;
  }

  private pump(): void {
    if (this.pending || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    const seq = this.nextSeq();
    let text: string;
    try {
      text = encodeFrame({ ...next.body, seq } as SapcFrame);
    } catch (e) {
      next.reject(e instanceof Error ? e : new Error(String(e)));
      this.pump();
      return;
    }
    this.pending = { seq, text, attempts: 0, started: this.clock.monotonic(), resolve: next.resolve, reject: next.reject };
    this.attempt();
  }

  private attempt(): void {
    const p = this.pending;
    if (!p) return;
    if (p.attempts > this.opts.retries) {
      this.counters.timeouts++;
      this.pending = undefined;
      p.reject(new SapcTimeoutError(p.seq, p.attempts));
      this.pump();
      return;
    }
    if (p.attempts > 0) this.counters.retries++;
    p.attempts++;
    const lineMs = this.opts.baudRate > 0 ? ((p.text.length + 64) * 10 * 1000) / this.opts.baudRate : 0;
    p.timer = this.clock.setTimeout(() => this.attempt(), this.opts.ackTimeoutMs + lineMs);
    this.counters.sent++;
    this.opts.write(p.text);
    this.emit('sent', p.text);
  }

  private scheduleHeartbeat(): void {
    this.hbTimer = this.clock.setTimeout(() => {
      if (this.closed) return;
      this.heartbeat();
      this.scheduleHeartbeat();
    }, this.opts.heartbeatMs);
  }

  private alive(): void {
    this.clock.clearTimeout(this.linkTimer);
    this.linkTimer = this.clock.setTimeout(() => this.setLink('down'), this.opts.linkTimeoutMs);
    this.setLink('up');
  }

  private setLink(s: LinkState): void {
    if (s === this.link) return;
    this.link = s;
    this.emit('link', s);
  }

  private onRaw(raw: RawFrame): void {
    if (this.opts.echo) {
      const now = this.clock.monotonic();
      const i = this.recentSent.findIndex((r) => r.text === raw.text && now - r.at < 2000);
      if (i >= 0) {
        this.recentSent.splice(i, 1);
        this.counters.echoes++;
        return;
      }
    }
    this.alive();
    let frame: SapcFrame;
    try {
      frame = decodeFrame(raw);
    } catch (e) {
      this.counters.fieldErrors++;
      const err = e instanceof DecodeError ? e : new DecodeError(String(e), 0, 'sapc');
      this.emit('rxError', err);
      // Answer only requests (or frames we cannot classify); never NAK an answer, avoiding NAK ping-pong.
      const seq = rawSeq(raw);
      if (err instanceof FieldError && seq !== undefined && !['ACK', 'NAK', 'STA', 'HB'].includes(raw.type)) {
        this.answer(raw, { type: 'NAK', seq, reason: err.nak, ...(err.field ? { field: err.field } : {}), text: err.reason.slice(0, 64) });
      }
      return;
    }
    this.emit('frame', frame);
    switch (frame.type) {
      case 'ACK':
      case 'NAK':
      case 'STA':
        return this.onReply(frame);
      case 'HB':
        this.emit('heartbeat', frame);
        return;
      default:
        return this.onRequest(raw, frame);
    }
  }

  private onReply(frame: Extract<SapcFrame, { type: 'ACK' | 'NAK' | 'STA' }>): void {
    const p = this.pending;
    if (!p || p.seq !== frame.seq) {
      this.counters.unexpected++;
      return;
    }
    if (frame.type === 'NAK') this.counters.naksReceived++;
    this.clock.clearTimeout(p.timer);
    this.pending = undefined;
    p.resolve({ ...frame, attempts: p.attempts, elapsedMs: this.clock.monotonic() - p.started });
    this.pump();
  }

  private onRequest(raw: RawFrame, frame: RequestFrame): void {
    const key = `${raw.type}:${frame.seq}:${raw.crc}`;
    const previous = this.answered.get(key);
    if (previous !== undefined) {
      this.counters.duplicates++;
      this.counters.sent++;
      this.opts.write(previous);
      this.emit('sent', previous);
      return;
    }
    const seq = frame.seq;
    let answer: SapcFrame;
    if (frame.type === 'CMD') {
      const w = checkCommandWindow(frame.command, this.clock.now());
      const a: CommandAnswer = w
        ? { ok: false, reason: w.reason, field: w.field, text: w.text }
        : (this.handler.onCommand?.(frame.command, frame) ?? { ok: false, reason: 'REJECTED', text: 'no command handler' });
      answer = a.ok ? { type: 'ACK', seq, state: a.state ?? 'applied', eventId: frame.command.eventId } : nakOf(seq, a);
    } else if (frame.type === 'PLN') {
      const { type: _t, seq: _s, ...plan } = frame;
      const w = checkCommandWindow(plan, this.clock.now());
      const a: CommandAnswer = w ? { ok: false, reason: w.reason, field: w.field, text: w.text } : (this.handler.onPlan?.(plan) ?? { ok: false, reason: 'REJECTED', text: 'plans not accepted' });
      answer = a.ok ? { type: 'ACK', seq, state: 'received', eventId: frame.eventId } : nakOf(seq, a);
    } else if (frame.type === 'CAN') {
      const a = this.handler.onCancel?.(frame.eventId, frame.source, frame.slot) ?? { ok: false, reason: 'NOT_FOUND' as const };
      answer = a.ok ? { type: 'ACK', seq, state: 'cancelled', eventId: frame.eventId } : nakOf(seq, a);
    } else {
      const s = this.handler.onStatusRequest?.(frame.slot) ?? { ok: false, reason: 'SLOT' as const, text: 'no status' };
      answer = 'ok' in s ? (s.ok ? { type: 'ACK', seq } : nakOf(seq, s)) : { type: 'STA', seq, ...s, timestamp: this.clock.now() };
    }
    this.answer(raw, answer, key);
  }

  private answer(raw: RawFrame, f: SapcFrame, key = `${raw.type}:${f.seq}:${raw.crc}`): void {
    if (f.type === 'NAK') this.counters.naksSent++;
    const text = this.transmit(f);
    this.answered.set(key, text);
    while (this.answered.size > this.opts.duplicateMemory) {
      const first = this.answered.keys().next();
      if (first.done) break;
      this.answered.delete(first.value);
    }
  }
}

function nakOf(seq: number, a: { reason: NakReason; field?: string; text?: string }): SapcFrame {
  return { type: 'NAK', seq, reason: a.reason, ...(a.field ? { field: a.field } : {}), ...(a.text !== undefined ? { text: a.text } : {}) };
}
