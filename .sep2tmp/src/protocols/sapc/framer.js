"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SspFramer = void 0;
/**
 * Byte-stream framer for SSP-1: finds `$ … \n` frames in whatever the serial line delivers (chunks split anywhere,
 * junk between frames, frames cut short by a new `$`, overlong runs) and checks framing + CRC. It never throws:
 * every byte ends up either in a frame or in a counter.
 */
const errors_js_1 = require("../../core/errors.js");
const frame_js_1 = require("./frame.js");
class SspFramer {
    stats = { frames: 0, badCrc: 0, truncated: 0, overlong: 0, malformed: 0, junkBytes: 0 };
    /** Bytes of the current frame from earlier chunks (copied: callers may reuse their buffers). */
    parts = [];
    len = 0;
    collecting = false;
    skipping = false;
    /** Feed bytes; returns the frames and errors completed by this chunk, in order. */
    push(chunk) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        const out = [];
        const n = bytes.length;
        let seg = this.collecting ? 0 : -1;
        for (let i = 0; i < n; i++) {
            const b = bytes[i];
            if (b === 0x24 /* $ */) {
                if (this.collecting) {
                    this.stats.truncated++;
                    out.push({ kind: 'error', error: new errors_js_1.DecodeError('truncated frame (new $ before line end)', this.len + i - seg, 'sapc'), counter: 'truncated' });
                }
                this.parts = [];
                this.len = 0;
                this.collecting = true;
                this.skipping = false;
                seg = i;
                continue;
            }
            if (!this.collecting) {
                if (!this.skipping)
                    this.stats.junkBytes++;
                continue;
            }
            if (b === 0x0a /* \n */) {
                this.parts.push(bytes.subarray(seg, i));
                out.push(this.finish());
                seg = -1;
                continue;
            }
            if (this.len + (i - seg + 1) > frame_js_1.MAX_FRAME_BYTES - 1) {
                this.stats.overlong++;
                out.push({ kind: 'error', error: new errors_js_1.DecodeError(`overlong frame (> ${frame_js_1.MAX_FRAME_BYTES} bytes without line end)`, frame_js_1.MAX_FRAME_BYTES, 'sapc'), counter: 'overlong' });
                this.parts = [];
                this.len = 0;
                this.collecting = false;
                this.skipping = true;
                seg = -1;
            }
        }
        if (this.collecting && seg >= 0 && seg < n) {
            this.parts.push(Buffer.from(bytes.subarray(seg)));
            this.len += n - seg;
        }
        return out;
    }
    /** Drop a partial frame (e.g. after an inter-character timeout); counted as truncated. */
    reset() {
        if (this.collecting)
            this.stats.truncated++;
        this.parts = [];
        this.len = 0;
        this.collecting = false;
        this.skipping = false;
    }
    get partial() {
        return this.collecting;
    }
    finish() {
        const whole = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
        this.parts = [];
        this.len = 0;
        this.collecting = false;
        const end = whole.length > 0 && whole[whole.length - 1] === 0x0d ? whole.length - 1 : whole.length;
        const text = whole.toString('latin1', 0, end);
        try {
            const frame = (0, frame_js_1.parseRaw)(text);
            this.stats.frames++;
            return { kind: 'frame', frame };
        }
        catch (e) {
            const error = e instanceof errors_js_1.DecodeError ? e : new errors_js_1.DecodeError(String(e), 0, 'sapc');
            const counter = error.reason.startsWith('crc') ? 'badCrc' : error.reason.startsWith('overlong') ? 'overlong' : 'malformed';
            this.stats[counter]++;
            return { kind: 'error', error, counter };
        }
    }
}
exports.SspFramer = SspFramer;
//# sourceMappingURL=framer.js.map