/**
 * SSP-1 frames (GridBridge SAPC serial protocol, version 1; specification in docs/sapc-ssp1.md).
 *
 *   $1,TYPE,SEQ,key=value,…*CRC\r\n
 *
 * Two stages: `parseRaw` checks framing and CRC only (errors there are dropped and counted, never answered);
 * `decodeFrame` turns a CRC-valid raw frame into a typed frame or a `FieldError` carrying the NAK reason to answer.
 */
import { DecodeError } from '../../core/errors.js';
import { crc16arc, crcHex } from './crc.js';

export const SSP_VERSION = '1';
/** Revision of docs/sapc-ssp1.md this implementation follows (compatible revisions keep the wire version `1`). */
export const SSP_DOC_VERSION = '1.1';
export const MAX_FRAME_BYTES = 200;
export const MAX_TEXT_CHARS = 64;
/** Longest command or plan window: 48 h (version 1.1; 24 h in 1.0), the span of an appliance's plans. */
export const MAX_WINDOW_MS = 48 * 3600_000;
/** Most plan steps in one PLN frame part. */
export const MAX_PLAN_STEPS = 48;
export const MAX_RANDOM_DELAY_S = 1800;
export const MAX_SEQ = 65535;

export const FRAME_TYPES = ['CMD', 'CAN', 'ACK', 'NAK', 'HB', 'STQ', 'STA', 'PLN'] as const;
export type FrameType = (typeof FRAME_TYPES)[number];

export const NAK_REASONS = [
  'LEVEL_RANGE', // lvl not an integer 0..100
  'WINDOW_TOO_LONG', // to - from > 48 h (24 h before version 1.1)
  'WINDOW_PAST', // to <= receiver's now
  'WINDOW_ORDER', // to <= from
  'UNKNOWN_SOURCE', // src not LC/SUP/OWN/AGG/EMG
  'UNKNOWN_TYPE', // TYPE not defined by this version
  'VERSION', // version field is not "1"
  'MISSING_FIELD', // a mandatory key is absent (fld= names it)
  'BAD_FIELD', // a value has the wrong syntax, or a key repeats (fld= names it)
  'RANDOM_RANGE', // rnd > 1800 s
  'TEXT_TOO_LONG', // txt > 64 characters
  'SLOT', // controller slot not configured at the receiver
  'NOT_FOUND', // CAN for an unknown event id
  'REJECTED', // receiver's arbiter refused the intent (txt= says why)
] as const;
export type NakReason = (typeof NAK_REASONS)[number];

export type Direction = 'import' | 'export';
/** `emergency` (EMG, version 1.1): the central/emergency override; its limits bind over every other source. */
export type SapcSource = 'load_controller' | 'supplier' | 'owner' | 'aggregator' | 'emergency';
export const SOURCE_CODES: Record<string, SapcSource> = { LC: 'load_controller', SUP: 'supplier', OWN: 'owner', AGG: 'aggregator', EMG: 'emergency' };
const SOURCE_TO_CODE: Record<SapcSource, string> = { load_controller: 'LC', supplier: 'SUP', owner: 'OWN', aggregator: 'AGG', emergency: 'EMG' };
const DIR_CODES: Record<string, Direction> = { IMP: 'import', EXP: 'export' };
const DIR_TO_CODE: Record<Direction, string> = { import: 'IMP', export: 'EXP' };
export type AckState = 'applied' | 'scheduled' | 'duplicate' | 'cancelled' | 'received';
const ACK_STATES: readonly AckState[] = ['applied', 'scheduled', 'duplicate', 'cancelled', 'received'];

/** One step of an appliance plan: from `offsetMin` minutes after the plan's start, run at `level` %. */
export interface PlanStep {
  offsetMin: number;
  level: number;
}

/** A plan frame (PLN, version 1.1): one part of the appliance's plan for a slot, sent to the meter. */
export interface SapcPlanPart {
  slot: number;
  direction: Direction;
  /** Plan id, unique per appliance; every part of a plan carries it. */
  eventId: string;
  part: number;
  parts: number;
  validFrom: number;
  validTo: number;
  steps: PlanStep[];
  /** Power at 100 % (W), so the meter can turn levels into power. */
  ratedW?: number;
  timestamp: number;
}

export interface SapcCommand {
  /** Controller slot 1..15. */
  slot: number;
  direction: Direction;
  /** 0..100 %. */
  level: number;
  source: SapcSource;
  /** Epoch ms (whole seconds); absent = immediately. */
  validFrom?: number;
  /** Epoch ms (whole seconds). */
  validTo: number;
  /** Maximum random delay in seconds (0 = none). */
  randomDelayS: number;
  /** True when the sender already applied the random delay. */
  randomised: boolean;
  eventId: string;
  /** When the command was created, epoch ms (whole seconds). */
  timestamp: number;
  text?: string;
}

export type SapcFrame =
  | { type: 'CMD'; seq: number; command: SapcCommand }
  | { type: 'CAN'; seq: number; eventId: string; source: SapcSource; slot?: number }
  | { type: 'ACK'; seq: number; state?: AckState; eventId?: string }
  | { type: 'NAK'; seq: number; reason: NakReason; field?: string; text?: string; /** a reason code this version does not know (§11), read as REJECTED */ unknownReason?: string }
  | { type: 'HB'; seq: number; timestamp: number; uptimeS?: number }
  | { type: 'STQ'; seq: number; slot?: number }
  | ({ type: 'PLN'; seq: number } & SapcPlanPart)
  | {
      type: 'STA';
      seq: number;
      slot: number;
      direction: Direction;
      level: number;
      source?: SapcSource | 'local';
      eventId?: string;
      validTo?: number;
      timestamp: number;
    };

/** A CRC-valid frame before field decoding. `fields` keeps wire order; `offsets` give each value's byte offset. */
export interface RawFrame {
  version: string;
  type: string;
  seqText: string;
  fields: Array<[string, string]>;
  offsets: number[];
  crc: number;
  /** The whole frame text without the trailing line end. */
  text: string;
}

/** A CRC-valid frame whose fields are wrong: answered with NAK `reason` (seq undefined when unreadable). */
export class FieldError extends DecodeError {
  constructor(
    readonly nak: NakReason,
    readonly field: string | undefined,
    offset: number,
    readonly seq: number | undefined,
    detail?: string,
  ) {
    super(`${nak}${field ? ` (${field})` : ''}${detail ? `: ${detail}` : ''}`, offset, 'sapc');
    this.name = 'FieldError';
  }
}

// ---------------------------------------------------------------- text helpers

/** `YYYYMMDDTHHMMSSZ`, UTC, whole seconds. */
export function formatTime(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

export function parseTime(s: string): number | undefined {
  if (s.length !== 16 || s.charCodeAt(8) !== 0x54 /* T */ || s.charCodeAt(15) !== 0x5a /* Z */) return undefined;
  const num = (from: number, len: number): number => {
    let v = 0;
    for (let k = from; k < from + len; k++) {
      const c = s.charCodeAt(k) - 48;
      if (c < 0 || c > 9) return -1;
      v = v * 10 + c;
    }
    return v;
  };
  const y = num(0, 4);
  const mo = num(4, 2);
  const d = num(6, 2);
  const h = num(9, 2);
  const mi = num(11, 2);
  const se = num(13, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return undefined;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  if (d > days) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, se);
}

const RESERVED = /[$*,=%\r\n]/g;
/** Percent-encode the characters that delimit SSP-1 (`$ * , = %` and line ends) in free text. */
export function escapeText(s: string): string {
  return s.replace(RESERVED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
export function unescapeText(s: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) return undefined;
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

const EVENT_ID = /^[A-Za-z0-9._:-]{1,32}$/;

// ---------------------------------------------------------------- encode

function fieldsOf(f: SapcFrame): Array<[string, string]> {
  switch (f.type) {
    case 'CMD': {
      const c = f.command;
      const out: Array<[string, string]> = [
        ['slot', String(c.slot)],
        ['dir', DIR_TO_CODE[c.direction]],
        ['lvl', String(c.level)],
        ['src', SOURCE_TO_CODE[c.source] ?? String(c.source)],
      ];
      if (c.validFrom !== undefined) out.push(['from', formatTime(c.validFrom)]);
      out.push(['to', formatTime(c.validTo)], ['rnd', String(c.randomDelayS)], ['rz', c.randomised ? '1' : '0']);
      out.push(['evt', c.eventId], ['ts', formatTime(c.timestamp)]);
      if (c.text !== undefined) out.push(['txt', escapeText(c.text)]);
      return out;
    }
    case 'CAN': {
      const out: Array<[string, string]> = [['evt', f.eventId], ['src', SOURCE_TO_CODE[f.source]]];
      if (f.slot !== undefined) out.push(['slot', String(f.slot)]);
      return out;
    }
    case 'ACK': {
      const out: Array<[string, string]> = [];
      if (f.state) out.push(['st', f.state]);
      if (f.eventId) out.push(['evt', f.eventId]);
      return out;
    }
    case 'NAK': {
      const out: Array<[string, string]> = [['rsn', f.reason]];
      if (f.field) out.push(['fld', f.field]);
      if (f.text !== undefined) out.push(['txt', escapeText(f.text.slice(0, MAX_TEXT_CHARS))]);
      return out;
    }
    case 'HB': {
      const out: Array<[string, string]> = [['ts', formatTime(f.timestamp)]];
      if (f.uptimeS !== undefined) out.push(['up', String(Math.floor(f.uptimeS))]);
      return out;
    }
    case 'STQ':
      return f.slot !== undefined ? [['slot', String(f.slot)]] : [];
    case 'PLN': {
      const out: Array<[string, string]> = [
        ['slot', String(f.slot)],
        ['dir', DIR_TO_CODE[f.direction]],
        ['evt', f.eventId],
        ['part', `${f.part}/${f.parts}`],
        ['from', formatTime(f.validFrom)],
        ['to', formatTime(f.validTo)],
        ['stp', f.steps.map((x) => `${x.offsetMin}:${x.level}`).join(';')],
      ];
      if (f.ratedW !== undefined) out.push(['rw', String(Math.round(f.ratedW))]);
      out.push(['ts', formatTime(f.timestamp)]);
      return out;
    }
    case 'STA': {
      const out: Array<[string, string]> = [
        ['slot', String(f.slot)],
        ['dir', DIR_TO_CODE[f.direction]],
        ['lvl', String(f.level)],
      ];
      if (f.source) out.push(['src', f.source === 'local' ? 'LOC' : SOURCE_TO_CODE[f.source]]);
      if (f.eventId) out.push(['evt', f.eventId]);
      if (f.validTo !== undefined) out.push(['to', formatTime(f.validTo)]);
      out.push(['ts', formatTime(f.timestamp)]);
      return out;
    }
  }
}

/** The bytes between `$` and `*` for a frame. */
export function frameBody(f: SapcFrame): string {
  const parts = [SSP_VERSION, f.type, String(f.seq), ...fieldsOf(f).map(([k, v]) => `${k}=${v}`)];
  return parts.join(',');
}

/** Wrap an arbitrary body (bytes between `$` and `*`) into a frame with its CRC; used by tests and `sapc send --raw`. */
export function wrapBody(body: string): string {
  return `$${body}*${crcHex(crc16arc(body))}\r\n`;
}

/** Encode a frame to its wire text (with CRLF). Throws RangeError when the result would exceed 200 bytes. */
export function encodeFrame(f: SapcFrame): string {
  const body = frameBody(f);
  const text = `$${body}*${crcHex(crc16arc(body))}\r\n`;
  if (text.length > MAX_FRAME_BYTES) throw new RangeError(`SSP-1 frame of ${text.length} bytes exceeds ${MAX_FRAME_BYTES}`);
  return text;
}

// ---------------------------------------------------------------- parse (framing + CRC)

/**
 * Check framing and CRC of one frame text (starting with `$`, without line end). Errors are DecodeErrors with
 * the offset; reason starts with `crc`, `syntax` or `overlong` so the framer can count them.
 */
export function parseRaw(text: string): RawFrame {
  if (text.length + 2 > MAX_FRAME_BYTES) throw new DecodeError(`overlong frame (${text.length + 2} > ${MAX_FRAME_BYTES} bytes)`, MAX_FRAME_BYTES, 'sapc');
  if (text[0] !== '$') throw new DecodeError('syntax: frame must start with $', 0, 'sapc');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new DecodeError(`syntax: byte 0x${c.toString(16).padStart(2, '0')} not allowed`, i, 'sapc');
  }
  const star = text.lastIndexOf('*');
  if (star < 0) throw new DecodeError('syntax: missing *CRC', text.length, 'sapc');
  const crcText = text.slice(star + 1);
  if (!/^[0-9A-Fa-f]{4}$/.test(crcText)) throw new DecodeError('syntax: CRC must be 4 hex digits', star + 1, 'sapc');
  const body = text.slice(1, star);
  const want = parseInt(crcText, 16);
  const got = crc16arc(body);
  if (want !== got) throw new DecodeError(`crc mismatch: frame says ${crcText}, computed ${crcHex(got)}`, star + 1, 'sapc');
  const parts = body.split(',');
  const offsets: number[] = [];
  let at = 1;
  const fields: Array<[string, string]> = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i >= 3) {
      const eq = part.indexOf('=');
      const key = eq < 0 ? part : part.slice(0, eq);
      fields.push([key, eq < 0 ? '' : part.slice(eq + 1)]);
      offsets.push(eq < 0 ? at : at + eq + 1);
      if (eq < 0 || !/^[a-z]{1,8}$/.test(key)) throw new DecodeError(`syntax: field "${part.slice(0, 16)}" is not key=value`, at, 'sapc');
    }
    at += part.length + 1;
  }
  if (parts.length < 3) throw new DecodeError('syntax: need version, type and sequence', 1, 'sapc');
  return { version: parts[0]!, type: parts[1]!, seqText: parts[2]!, fields, offsets, crc: got, text };
}

// ---------------------------------------------------------------- decode (fields)

class Fields {
  private map = new Map<string, { value: string; offset: number }>();
  constructor(
    raw: RawFrame,
    readonly seq: number,
  ) {
    raw.fields.forEach(([k, v], i) => {
      const offset = raw.offsets[i] ?? 0;
      if (this.map.has(k)) throw new FieldError('BAD_FIELD', k, offset, seq, 'key repeats');
      this.map.set(k, { value: v, offset });
    });
  }
  opt(key: string): { value: string; offset: number } | undefined {
    return this.map.get(key);
  }
  req(key: string): { value: string; offset: number } {
    const f = this.map.get(key);
    if (!f) throw new FieldError('MISSING_FIELD', key, 0, this.seq);
    return f;
  }
  bad(key: string, f: { offset: number }, detail: string, reason: NakReason = 'BAD_FIELD'): never {
    throw new FieldError(reason, key, f.offset, this.seq, detail);
  }
  int(key: string, f: { value: string; offset: number }, max: number, reason: NakReason = 'BAD_FIELD'): number {
    if (!/^\d{1,6}$/.test(f.value)) this.bad(key, f, 'not a decimal integer');
    const n = Number(f.value);
    if (n > max) this.bad(key, f, `${n} > ${max}`, reason);
    return n;
  }
  time(key: string, f: { value: string; offset: number }): number {
    const t = parseTime(f.value);
    if (t === undefined) this.bad(key, f, 'not YYYYMMDDTHHMMSSZ');
    return t;
  }
  slot(key = 'slot', f = this.req(key)): number {
    const n = this.int(key, f, 15);
    if (n < 1) this.bad(key, f, 'slot must be 1..15');
    return n;
  }
  dir(): Direction {
    const f = this.req('dir');
    return DIR_CODES[f.value] ?? this.bad('dir', f, 'expected IMP or EXP');
  }
  source(): SapcSource {
    const f = this.req('src');
    return SOURCE_CODES[f.value] ?? this.bad('src', f, `unknown source "${f.value.slice(0, 8)}"`, 'UNKNOWN_SOURCE');
  }
  eventId(required: boolean): string | undefined {
    const f = required ? this.req('evt') : this.opt('evt');
    if (!f) return undefined;
    if (!EVENT_ID.test(f.value)) this.bad('evt', f, 'event id must be 1..32 of [A-Za-z0-9._:-]');
    return f.value;
  }
  text(): string | undefined {
    const f = this.opt('txt');
    if (!f) return undefined;
    const t = unescapeText(f.value);
    if (t === undefined) this.bad('txt', f, 'bad % escape');
    if (t.length > MAX_TEXT_CHARS) this.bad('txt', f, `${t.length} > ${MAX_TEXT_CHARS} characters`, 'TEXT_TOO_LONG');
    return t;
  }
}

/** The sequence number of a raw frame, or undefined when it is unreadable. */
export function rawSeq(raw: RawFrame): number | undefined {
  if (!/^\d{1,5}$/.test(raw.seqText)) return undefined;
  const n = Number(raw.seqText);
  return n <= MAX_SEQ ? n : undefined;
}

/** Decode the fields of a CRC-valid raw frame. Throws FieldError (with the NAK reason) on bad fields. */
export function decodeFrame(raw: RawFrame): SapcFrame {
  const seq = rawSeq(raw);
  const typeOffset = 1 + raw.version.length + 1;
  if (raw.version !== SSP_VERSION) throw new FieldError('VERSION', 'version', 1, seq, `version "${raw.version.slice(0, 8)}" not supported`);
  if (seq === undefined) throw new FieldError('BAD_FIELD', 'seq', typeOffset + raw.type.length + 1, undefined, 'sequence must be 0..65535');
  if (!(FRAME_TYPES as readonly string[]).includes(raw.type)) throw new FieldError('UNKNOWN_TYPE', 'type', typeOffset, seq, `type "${raw.type.slice(0, 8)}"`);
  const f = new Fields(raw, seq);
  const type = raw.type as FrameType;
  switch (type) {
    case 'CMD': {
      const slot = f.slot();
      const direction = f.dir();
      const lf = f.req('lvl');
      const level = f.int('lvl', lf, 999_999);
      if (level > 100) f.bad('lvl', lf, `${level} > 100`, 'LEVEL_RANGE');
      const source = f.source();
      const ff = f.opt('from');
      const validFrom = ff ? f.time('from', ff) : undefined;
      const validTo = f.time('to', f.req('to'));
      const rf = f.opt('rnd');
      const randomDelayS = rf ? f.int('rnd', rf, MAX_RANDOM_DELAY_S, 'RANDOM_RANGE') : 0;
      const zf = f.opt('rz');
      if (zf && zf.value !== '0' && zf.value !== '1') f.bad('rz', zf, 'expected 0 or 1');
      const eventId = f.eventId(true)!;
      const timestamp = f.time('ts', f.req('ts'));
      const text = f.text();
      const command: SapcCommand = { slot, direction, level, source, validTo, randomDelayS, randomised: zf?.value === '1', eventId, timestamp };
      if (validFrom !== undefined) command.validFrom = validFrom;
      if (text !== undefined) command.text = text;
      return { type, seq, command };
    }
    case 'CAN': {
      const eventId = f.eventId(true)!;
      const source = f.source();
      const sf = f.opt('slot');
      return sf ? { type, seq, eventId, source, slot: f.slot('slot', sf) } : { type, seq, eventId, source };
    }
    case 'ACK': {
      const out: SapcFrame & { type: 'ACK' } = { type, seq };
      const st = f.opt('st');
      if (st) out.state = (ACK_STATES as readonly string[]).includes(st.value) ? (st.value as AckState) : f.bad('st', st, 'unknown state');
      const evt = f.eventId(false);
      if (evt !== undefined) out.eventId = evt;
      return out;
    }
    case 'NAK': {
      const rf = f.req('rsn');
      // §11: a reason added by a later revision is still a refusal: kept as REJECTED with the reason as sent.
      const known = (NAK_REASONS as readonly string[]).includes(rf.value);
      if (!known && !/^[A-Z][A-Z0-9_]{0,31}$/.test(rf.value)) f.bad('rsn', rf, 'not a reason code');
      const out: SapcFrame & { type: 'NAK' } = { type, seq, reason: known ? (rf.value as NakReason) : 'REJECTED' };
      if (!known) out.unknownReason = rf.value;
      const fld = f.opt('fld');
      if (fld) out.field = fld.value;
      const text = f.text();
      if (text !== undefined) out.text = text;
      return out;
    }
    case 'HB': {
      const out: SapcFrame & { type: 'HB' } = { type, seq, timestamp: f.time('ts', f.req('ts')) };
      const up = f.opt('up');
      if (up) out.uptimeS = f.int('up', up, 999_999_999);
      return out;
    }
    case 'STQ': {
      const sf = f.opt('slot');
      return sf ? { type, seq, slot: f.slot('slot', sf) } : { type, seq };
    }
    case 'PLN': {
      const slot = f.slot();
      const direction = f.dir();
      const eventId = f.eventId(true)!;
      const pf = f.req('part');
      const pm = /^(\d{1,2})\/(\d{1,2})$/.exec(pf.value);
      const part = Number(pm?.[1]);
      const parts = Number(pm?.[2]);
      if (!pm || part < 1 || part > parts) f.bad('part', pf, 'expected i/n with 1 ≤ i ≤ n ≤ 99');
      const validFrom = f.time('from', f.req('from'));
      const validTo = f.time('to', f.req('to'));
      const sf = f.req('stp');
      const steps: PlanStep[] = [];
      for (const item of sf.value.split(';')) {
        const m = /^(\d{1,4}):(\d{1,3})$/.exec(item);
        if (!m) return f.bad('stp', sf, `step "${item.slice(0, 12)}" is not minutes:level`);
        const step = { offsetMin: Number(m[1]), level: Number(m[2]) };
        if (step.level > 100) f.bad('stp', sf, `level ${step.level} > 100`, 'LEVEL_RANGE');
        if (steps.length && step.offsetMin <= steps.at(-1)!.offsetMin) f.bad('stp', sf, 'step offsets must increase');
        if (validFrom + step.offsetMin * 60_000 >= validTo) f.bad('stp', sf, `step at ${step.offsetMin} min is not before the plan end`);
        steps.push(step);
      }
      if (steps.length > MAX_PLAN_STEPS) f.bad('stp', sf, `${steps.length} > ${MAX_PLAN_STEPS} steps`);
      const rf = f.opt('rw');
      const out: SapcFrame & { type: 'PLN' } = { type, seq, slot, direction, eventId, part, parts, validFrom, validTo, steps, timestamp: f.time('ts', f.req('ts')) };
      if (rf) out.ratedW = f.int('rw', rf, 99_999_999);
      return out;
    }
    case 'STA': {
      const slot = f.slot();
      const direction = f.dir();
      const lf = f.req('lvl');
      const level = f.int('lvl', lf, 100, 'LEVEL_RANGE');
      const out: SapcFrame & { type: 'STA' } = { type, seq, slot, direction, level, timestamp: 0 };
      const sf = f.opt('src');
      if (sf) out.source = sf.value === 'LOC' ? 'local' : f.source();
      const evt = f.eventId(false);
      if (evt !== undefined) out.eventId = evt;
      const tf = f.opt('to');
      if (tf) out.validTo = f.time('to', tf);
      out.timestamp = f.time('ts', f.req('ts'));
      return out;
    }
  }
}

/** parseRaw + decodeFrame for one frame text (tests, CLI). */
export function decodeText(text: string): SapcFrame {
  return decodeFrame(parseRaw(text.replace(/\r?\n$/, '')));
}

/**
 * Time-dependent checks of a command at the receiver (`now` = receiver's wall clock, epoch ms).
 * Returns the NAK reason, or undefined when acceptable.
 */
export function checkCommandWindow(c: Pick<SapcCommand, 'validFrom' | 'validTo'>, now: number): { reason: NakReason; field: string; text: string } | undefined {
  const from = c.validFrom ?? now;
  if (c.validTo <= from) return { reason: 'WINDOW_ORDER', field: 'to', text: 'to must be after from' };
  if (c.validTo <= now) return { reason: 'WINDOW_PAST', field: 'to', text: 'window already ended' };
  if (c.validTo - from > MAX_WINDOW_MS) return { reason: 'WINDOW_TOO_LONG', field: 'to', text: 'window longer than 48 h' };
  return undefined;
}
