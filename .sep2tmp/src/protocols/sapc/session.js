"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SapcSession = exports.SapcTimeoutError = void 0;
/**
 * SSP-1 session: one end of a SAPC serial line (meter or appliance; the protocol is symmetric).
 * - Requests (CMD, CAN, STQ) are sent one at a time, answered within `ackTimeoutMs` (500 ms) or resent with the
 *   same SEQ and bytes up to `retries` (3) times, then fail with SapcTimeoutError.
 * - Received requests are checked (fields, window against our clock) and answered synchronously; a retransmission
 *   (same SEQ and CRC as one of the last `duplicateMemory` requests) gets the same answer again and is not applied.
 * - Heartbeats every `heartbeatMs` (60 s); the link is `down` after `linkTimeoutMs` (3 heartbeats) of silence.
 * Every timer goes through the injected Clock (monotonic).
 */
const node_events_1 = require("node:events");
const clock_js_1 = require("../../core/clock.js");
const errors_js_1 = require("../../core/errors.js");
const frame_js_1 = require("./frame.js");
const framer_js_1 = require("./framer.js");
class SapcTimeoutError extends Error {
    seq;
    attempts;
    constructor(seq, attempts) {
        super(`sapc: no answer to SEQ ${seq} after ${attempts} attempts`);
        this.seq = seq;
        this.attempts = attempts;
        this.name = 'SapcTimeoutError';
    }
}
exports.SapcTimeoutError = SapcTimeoutError;
class SapcSession extends node_events_1.EventEmitter {
    clock;
    framer = new framer_js_1.SspFramer();
    opts;
    handler;
    seq = 0;
    queue = [];
    pending;
    answered = new Map();
    hbTimer;
    linkTimer;
    icTimer;
    started;
    closed = false;
    link = 'down';
    counters = { sent: 0, retries: 0, timeouts: 0, duplicates: 0, naksSent: 0, naksReceived: 0, unexpected: 0, fieldErrors: 0 };
    constructor(options) {
        super();
        this.clock = options.clock ?? clock_js_1.systemClock;
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
        };
        this.started = this.clock.monotonic();
        if (this.opts.sendHeartbeats)
            this.scheduleHeartbeat();
    }
    get stats() {
        return { ...this.framer.stats, ...this.counters };
    }
    setHandler(h) {
        this.handler = h;
    }
    /** Send a request and wait for its ACK/NAK (or STA for STQ). Requests are serialised. */
    request(body) {
        if (this.closed)
            return Promise.reject(new Error('sapc: session closed'));
        return new Promise((resolve, reject) => {
            this.queue.push({ body, resolve, reject });
            this.pump();
        });
    }
    /** Send a heartbeat now (also done every heartbeatMs). */
    heartbeat() {
        this.transmit({ type: 'HB', seq: this.nextSeq(), timestamp: this.clock.now(), uptimeS: Math.floor((this.clock.monotonic() - this.started) / 1000) });
    }
    /** Feed bytes received from the line. Never throws. */
    receive(chunk) {
        if (this.closed)
            return;
        for (const ev of this.framer.push(chunk)) {
            if (ev.kind === 'error')
                this.emit('rxError', ev.error);
            else
                this.onRaw(ev.frame);
        }
        this.clock.clearTimeout(this.icTimer);
        this.icTimer = undefined;
        if (this.framer.partial)
            this.icTimer = this.clock.setTimeout(() => this.framer.reset(), this.opts.interCharTimeoutMs);
    }
    close() {
        if (this.closed)
            return;
        this.closed = true;
        for (const t of [this.hbTimer, this.linkTimer, this.icTimer, this.pending?.timer])
            this.clock.clearTimeout(t);
        const err = new Error('sapc: session closed');
        this.pending?.reject(err);
        this.pending = undefined;
        for (const q of this.queue.splice(0))
            q.reject(err);
    }
    // ------------------------------------------------------------------ internals
    nextSeq() {
        this.seq = this.seq >= frame_js_1.MAX_SEQ ? 0 : this.seq + 1;
        return this.seq;
    }
    transmit(f) {
        let text;
        try {
            text = (0, frame_js_1.encodeFrame)(f);
        }
        catch {
            // Only a NAK's echo text can push a frame past 200 bytes: drop the text, keep the reason.
            text = (0, frame_js_1.encodeFrame)(f.type === 'NAK' ? { type: 'NAK', seq: f.seq, reason: f.reason } : { type: 'NAK', seq: f.seq, reason: 'REJECTED' });
        }
        this.counters.sent++;
        this.opts.write(text);
        this.emit('sent', text);
        return text;
    }
    pump() {
        if (this.pending || this.closed)
            return;
        const next = this.queue.shift();
        if (!next)
            return;
        const seq = this.nextSeq();
        let text;
        try {
            text = (0, frame_js_1.encodeFrame)({ ...next.body, seq });
        }
        catch (e) {
            next.reject(e instanceof Error ? e : new Error(String(e)));
            this.pump();
            return;
        }
        this.pending = { seq, text, attempts: 0, started: this.clock.monotonic(), resolve: next.resolve, reject: next.reject };
        this.attempt();
    }
    attempt() {
        const p = this.pending;
        if (!p)
            return;
        if (p.attempts > this.opts.retries) {
            this.counters.timeouts++;
            this.pending = undefined;
            p.reject(new SapcTimeoutError(p.seq, p.attempts));
            this.pump();
            return;
        }
        if (p.attempts > 0)
            this.counters.retries++;
        p.attempts++;
        const lineMs = this.opts.baudRate > 0 ? ((p.text.length + 64) * 10 * 1000) / this.opts.baudRate : 0;
        p.timer = this.clock.setTimeout(() => this.attempt(), this.opts.ackTimeoutMs + lineMs);
        this.counters.sent++;
        this.opts.write(p.text);
        this.emit('sent', p.text);
    }
    scheduleHeartbeat() {
        this.hbTimer = this.clock.setTimeout(() => {
            if (this.closed)
                return;
            this.heartbeat();
            this.scheduleHeartbeat();
        }, this.opts.heartbeatMs);
    }
    alive() {
        this.clock.clearTimeout(this.linkTimer);
        this.linkTimer = this.clock.setTimeout(() => this.setLink('down'), this.opts.linkTimeoutMs);
        this.setLink('up');
    }
    setLink(s) {
        if (s === this.link)
            return;
        this.link = s;
        this.emit('link', s);
    }
    onRaw(raw) {
        this.alive();
        let frame;
        try {
            frame = (0, frame_js_1.decodeFrame)(raw);
        }
        catch (e) {
            this.counters.fieldErrors++;
            const err = e instanceof errors_js_1.DecodeError ? e : new errors_js_1.DecodeError(String(e), 0, 'sapc');
            this.emit('rxError', err);
            // Answer only requests (or frames we cannot classify); never NAK an answer, avoiding NAK ping-pong.
            const seq = (0, frame_js_1.rawSeq)(raw);
            if (err instanceof frame_js_1.FieldError && seq !== undefined && !['ACK', 'NAK', 'STA', 'HB'].includes(raw.type)) {
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
    onReply(frame) {
        const p = this.pending;
        if (!p || p.seq !== frame.seq) {
            this.counters.unexpected++;
            return;
        }
        if (frame.type === 'NAK')
            this.counters.naksReceived++;
        this.clock.clearTimeout(p.timer);
        this.pending = undefined;
        p.resolve({ ...frame, attempts: p.attempts, elapsedMs: this.clock.monotonic() - p.started });
        this.pump();
    }
    onRequest(raw, frame) {
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
        let answer;
        if (frame.type === 'CMD') {
            const w = (0, frame_js_1.checkCommandWindow)(frame.command, this.clock.now());
            const a = w
                ? { ok: false, reason: w.reason, field: w.field, text: w.text }
                : (this.handler.onCommand?.(frame.command, frame) ?? { ok: false, reason: 'REJECTED', text: 'no command handler' });
            answer = a.ok ? { type: 'ACK', seq, state: a.state ?? 'applied', eventId: frame.command.eventId } : nakOf(seq, a);
        }
        else if (frame.type === 'CAN') {
            const a = this.handler.onCancel?.(frame.eventId, frame.source, frame.slot) ?? { ok: false, reason: 'NOT_FOUND' };
            answer = a.ok ? { type: 'ACK', seq, state: 'cancelled', eventId: frame.eventId } : nakOf(seq, a);
        }
        else {
            const s = this.handler.onStatusRequest?.(frame.slot) ?? { ok: false, reason: 'SLOT', text: 'no status' };
            answer = 'ok' in s ? (s.ok ? { type: 'ACK', seq } : nakOf(seq, s)) : { type: 'STA', seq, ...s, timestamp: this.clock.now() };
        }
        this.answer(raw, answer, key);
    }
    answer(raw, f, key = `${raw.type}:${f.seq}:${raw.crc}`) {
        if (f.type === 'NAK')
            this.counters.naksSent++;
        const text = this.transmit(f);
        this.answered.set(key, text);
        while (this.answered.size > this.opts.duplicateMemory) {
            const first = this.answered.keys().next();
            if (first.done)
                break;
            this.answered.delete(first.value);
        }
    }
}
exports.SapcSession = SapcSession;
function nakOf(seq, a) {
    return { type: 'NAK', seq, reason: a.reason, ...(a.field ? { field: a.field } : {}), ...(a.text !== undefined ? { text: a.text } : {}) };
}
//# sourceMappingURL=session.js.map