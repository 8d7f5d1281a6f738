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
    buf = [];
    collecting = false;
    skipping = false;
    /** Feed bytes; returns the frames and errors completed by this chunk, in order. */
    push(chunk) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
        const out = [];
        for (let i = 0; i < bytes.length; i++) {
            const b = bytes[i];
            if (b === 0x24 /* $ */) {
                if (this.collecting && this.buf.length > 0) {
                    this.stats.truncated++;
                    out.push({ kind: 'error', error: new errors_js_1.DecodeError('truncated frame (new $ before line end)', this.buf.length, 'sapc'), counter: 'truncated' });
                }
                this.buf = [b];
                this.collecting = true;
                this.skipping = false;
                continue;
            }
            if (!this.collecting) {
                if (!this.skipping)
                    this.stats.junkBytes++;
                continue;
            }
            if (b === 0x0a /* \n */) {
                out.push(this.finish());
                continue;
            }
            this.buf.push(b);
            if (this.buf.length > frame_js_1.MAX_FRAME_BYTES - 1) {
                this.stats.overlong++;
                out.push({ kind: 'error', error: new errors_js_1.DecodeError(`overlong frame (> ${frame_js_1.MAX_FRAME_BYTES} bytes without line end)`, frame_js_1.MAX_FRAME_BYTES, 'sapc'), counter: 'overlong' });
                this.buf = [];
                this.collecting = false;
                this.skipping = true;
            }
        }
        return out;
    }
    /** Drop a partial frame (e.g. after an inter-character timeout); counted as truncated. */
    reset() {
        if (this.collecting && this.buf.length > 0)
            this.stats.truncated++;
        this.buf = [];
        this.collecting = false;
        this.skipping = false;
    }
    get partial() {
        return this.collecting;
    }
    finish() {
        let end = this.buf.length;
        if (end > 0 && this.buf[end - 1] === 0x0d)
            end--;
        const text = Buffer.from(this.buf.slice(0, end)).toString('latin1');
        this.buf = [];
        this.collecting = false;
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