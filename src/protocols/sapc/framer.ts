/**
 * Byte-stream framer for SSP-1: finds `$ … \n` frames in whatever the serial line delivers (chunks split anywhere,
 * junk between frames, frames cut short by a new `$`, overlong runs) and checks framing + CRC. It never throws:
 * every byte ends up either in a frame or in a counter.
 */
import { DecodeError } from '../../core/errors.js';
import { MAX_FRAME_BYTES, parseRaw, type RawFrame } from './frame.js';

export interface FramerStats {
  /** CRC-valid frames delivered. */
  frames: number;
  /** Frames dropped for a CRC mismatch (never answered, per SSP-1 §4). */
  badCrc: number;
  /** Frames cut short by a new `$` before their line end. */
  truncated: number;
  /** Runs longer than 200 bytes without a line end (dropped until the next `$`). */
  overlong: number;
  /** Frames with a line end but broken syntax (bad characters, no `*CRC`, fields not key=value). */
  malformed: number;
  /** Bytes outside any frame (noise, line idle garbage). */
  junkBytes: number;
}

export type FramerEvent = { kind: 'frame'; frame: RawFrame } | { kind: 'error'; error: DecodeError; counter: keyof FramerStats };

export class SspFramer {
  readonly stats: FramerStats = { frames: 0, badCrc: 0, truncated: 0, overlong: 0, malformed: 0, junkBytes: 0 };
  private buf: number[] = [];
  private collecting = false;
  private skipping = false;

  /** Feed bytes; returns the frames and errors completed by this chunk, in order. */
  push(chunk: Uint8Array | string): FramerEvent[] {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    const out: FramerEvent[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b === 0x24 /* $ */) {
        if (this.collecting && this.buf.length > 0) {
          this.stats.truncated++;
          out.push({ kind: 'error', error: new DecodeError('truncated frame (new $ before line end)', this.buf.length, 'sapc'), counter: 'truncated' });
        }
        this.buf = [b];
        this.collecting = true;
        this.skipping = false;
        continue;
      }
      if (!this.collecting) {
        if (!this.skipping) this.stats.junkBytes++;
        continue;
      }
      if (b === 0x0a /* \n */) {
        out.push(this.finish());
        continue;
      }
      this.buf.push(b);
      if (this.buf.length > MAX_FRAME_BYTES - 1) {
        this.stats.overlong++;
        out.push({ kind: 'error', error: new DecodeError(`overlong frame (> ${MAX_FRAME_BYTES} bytes without line end)`, MAX_FRAME_BYTES, 'sapc'), counter: 'overlong' });
        this.buf = [];
        this.collecting = false;
        this.skipping = true;
      }
    }
    return out;
  }

  /** Drop a partial frame (e.g. after an inter-character timeout); counted as truncated. */
  reset(): void {
    if (this.collecting && this.buf.length > 0) this.stats.truncated++;
    this.buf = [];
    this.collecting = false;
    this.skipping = false;
  }

  get partial(): boolean {
    return this.collecting;
  }

  private finish(): FramerEvent {
    let end = this.buf.length;
    if (end > 0 && this.buf[end - 1] === 0x0d) end--;
    const text = Buffer.from(this.buf.slice(0, end)).toString('latin1');
    this.buf = [];
    this.collecting = false;
    try {
      const frame = parseRaw(text);
      this.stats.frames++;
      return { kind: 'frame', frame };
    } catch (e) {
      const error = e instanceof DecodeError ? e : new DecodeError(String(e), 0, 'sapc');
      const counter: keyof FramerStats = error.reason.startsWith('crc') ? 'badCrc' : error.reason.startsWith('overlong') ? 'overlong' : 'malformed';
      this.stats[counter]++;
      return { kind: 'error', error, counter };
    }
  }
}
