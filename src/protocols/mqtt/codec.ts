/**
 * MQTT payloads: point values up (JSON of pointToJson), commands down (`…/set`), command results (`…/result`).
 *
 * Command payload (UTF-8 JSON), either a bare value or an object:
 *   42 | true | "auto" | {"value": 42, "id": "c-17", "validFor": 600}
 * `validFor` is in seconds. Anything else is a CommandError naming the field (and the JSON offset for syntax errors).
 */
import type { Point, PointJson, PointValue } from '../../core/point.js';
import { pointToJson } from '../../core/point.js';
import { DecodeError } from '../../core/errors.js';

export const MAX_COMMAND_BYTES = 4096;
export const MAX_COMMAND_ID_LENGTH = 128;

export function encodePointPayload(p: Point): string {
  return JSON.stringify(pointToJson(p));
}

/** Parse an uplink payload back (for subscribers, tests and the Node-RED side); DecodeError when it is not one. */
export function decodePointPayload(payload: Buffer | string): PointJson {
  let v: unknown;
  try {
    v = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (e) {
    const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    throw new DecodeError('malformed JSON', m ? Number(m[1]) : 0, 'mqtt');
  }
  if (!isRecord(v) || typeof v.device !== 'string' || typeof v.name !== 'string' || typeof v.quality !== 'string' || typeof v.receiveTime !== 'string') {
    throw new DecodeError('not a GridBridge point payload (needs device, name, quality, receiveTime)', 0, 'mqtt');
  }
  return v as unknown as PointJson;
}

/** A command payload that cannot be accepted; `field` names the part at fault, `offset` the byte for JSON errors. */
export class CommandError extends Error {
  constructor(
    readonly reason: string,
    readonly field?: string,
    readonly offset?: number,
  ) {
    super(`${field ? `${field}: ` : ''}${reason}${offset !== undefined ? ` at offset ${offset}` : ''}`);
    this.name = 'CommandError';
  }
}

export interface CommandPayload {
  value: PointValue;
  id?: string;
  /** Milliseconds (the wire carries seconds). */
  validForMs?: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function parseCommandPayload(payload: Uint8Array): CommandPayload {
  if (payload.length === 0) throw new CommandError('empty payload (expected a JSON value or {"value": …})');
  if (payload.length > MAX_COMMAND_BYTES) throw new CommandError(`payload of ${payload.length} bytes exceeds ${MAX_COMMAND_BYTES}`);
  let text: string;
  try {
    text = decoder.decode(payload);
  } catch {
    throw new CommandError('payload is not valid UTF-8');
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    throw new CommandError(`malformed JSON (${e instanceof Error ? e.message : String(e)})`, undefined, m ? Number(m[1]) : undefined);
  }
  if (!isRecord(v)) return { value: checkValue(v, 'value') };
  for (const k of Object.keys(v)) {
    if (k !== 'value' && k !== 'id' && k !== 'validFor') throw new CommandError('unknown field (allowed: value, id, validFor)', k);
  }
  if (!('value' in v)) throw new CommandError('missing', 'value');
  const out: CommandPayload = { value: checkValue(v.value, 'value') };
  if (v.id !== undefined) {
    if (typeof v.id !== 'string' || v.id.length === 0 || v.id.length > MAX_COMMAND_ID_LENGTH) {
      throw new CommandError(`must be a non-empty string of at most ${MAX_COMMAND_ID_LENGTH} characters`, 'id');
    }
    out.id = v.id;
  }
  if (v.validFor !== undefined) {
    if (typeof v.validFor !== 'number' || !Number.isFinite(v.validFor) || v.validFor <= 0) {
      throw new CommandError('must be a positive number of seconds', 'validFor');
    }
    out.validForMs = Math.round(v.validFor * 1000);
  }
  return out;
}

function checkValue(v: unknown, field: string): PointValue {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new CommandError('number out of range', field);
    return v;
  }
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  throw new CommandError(`must be a number, boolean or string, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`, field);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Answer on `…/result`. Every key is always present (null when absent) so consumers need no special cases. */
export interface CommandResultJson {
  id: string | null;
  ok: boolean;
  reason: string | null;
  value: PointValue | null;
  ts: string;
}

export function encodeCommandResult(r: { id?: string | undefined; ok: boolean; reason?: string | undefined; value?: PointValue | undefined }, now: number): string {
  const j: CommandResultJson = {
    id: r.id ?? null,
    ok: r.ok,
    reason: r.reason ?? null,
    value: r.value ?? null,
    ts: new Date(now).toISOString(),
  };
  return JSON.stringify(j);
}
