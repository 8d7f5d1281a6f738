/**
 * The GridBridge point model: every field value and every upstream value is a Point.
 * Times are epoch milliseconds (UTC); `sourceTime` is when the device (or protocol time tag) says the value
 * was measured, `receiveTime` when GridBridge received it.
 */
import type { DeviceKind } from './kinds.js';

export type PointValue = number | boolean | string;

export const QUALITY_CODES = [
  'good',
  'invalid', // value cannot be trusted (decode failure, sentinel that means "invalid", IEC 104 IV)
  'questionable', // value plausibly right but not confirmed (stale, substituted, IEC 104 NT)
  'not_connected', // field link down / device offline
  'overflow', // value out of the representable range (IEC 104 OV)
  'not_implemented', // device reports the point as not implemented (SunSpec sentinel)
  'device_exception', // device answered with an exception (Modbus exception code)
  'timeout', // device did not answer in time
  'out_of_range', // value outside declared plausible limits
  'substituted', // value set manually / by operator (IEC 104 SB)
  'blocked', // value blocked for transmission (IEC 104 BL)
] as const;
export type QualityCode = (typeof QUALITY_CODES)[number];

export interface Quality {
  code: QualityCode;
  /** Human-readable reason, e.g. "modbus exception 2 (illegal data address)". */
  reason?: string;
}

export const GOOD: Quality = Object.freeze({ code: 'good' }) as Quality;

export interface Point {
  /** `<site>/<device>/<name>`, or `<device>/<name>` when no site is known. */
  id: string;
  /** Device id inside the site. */
  device: string;
  /** Device kind, when the device declares one. */
  kind?: DeviceKind;
  /** Canonical point name (SunSpec name where one exists) or a vendor extension prefixed with `x_`. */
  name: string;
  /** null when no usable value exists (quality says why). */
  value: PointValue | null;
  unit?: string;
  quality: Quality;
  /** Epoch ms from the device/protocol time tag, if any. */
  sourceTime?: number;
  /** Epoch ms when GridBridge received the value. */
  receiveTime: number;
}

export function pointId(site: string | undefined, device: string, name: string): string {
  return site ? `${site}/${device}/${name}` : `${device}/${name}`;
}

export function isGood(p: Pick<Point, 'quality'>): boolean {
  return p.quality.code === 'good';
}

export function quality(code: QualityCode, reason?: string): Quality {
  return reason === undefined ? { code } : { code, reason };
}

/** JSON shape used on the wire (MQTT payloads, CLI JSON lines): ISO times, value kept typed. */
export interface PointJson {
  id: string;
  device: string;
  kind?: DeviceKind;
  name: string;
  value: PointValue | null;
  unit?: string;
  quality: QualityCode;
  reason?: string;
  sourceTime?: string;
  receiveTime: string;
}

export function pointToJson(p: Point): PointJson {
  const j: PointJson = {
    id: p.id,
    device: p.device,
    name: p.name,
    value: p.value,
    quality: p.quality.code,
    receiveTime: new Date(p.receiveTime).toISOString(),
  };
  if (p.kind) j.kind = p.kind;
  if (p.unit) j.unit = p.unit;
  if (p.quality.reason) j.reason = p.quality.reason;
  if (p.sourceTime !== undefined) j.sourceTime = new Date(p.sourceTime).toISOString();
  return j;
}

/** Accept a Point or an array of Points from an untyped source (a Node-RED msg.payload); say what is wrong otherwise. */
export function asPoints(v: unknown): { points: Point[] } | { error: string } {
  const list = Array.isArray(v) ? v : [v];
  const out: Point[] = [];
  for (let i = 0; i < list.length; i++) {
    const p = list[i] as Partial<Point> | null;
    const at = Array.isArray(v) ? `[${i}]` : '';
    if (!p || typeof p !== 'object') return { error: `payload${at} is not a point object` };
    if (typeof p.device !== 'string' || typeof p.name !== 'string') return { error: `payload${at} needs string "device" and "name"` };
    if (!(p.value === null || ['number', 'boolean', 'string'].includes(typeof p.value))) return { error: `payload${at}.value must be a number, boolean, string or null` };
    const q = p.quality as Quality | undefined;
    if (!q || typeof q !== 'object' || !(QUALITY_CODES as readonly string[]).includes(q.code)) return { error: `payload${at}.quality.code must be one of ${QUALITY_CODES.join(', ')}` };
    out.push({ ...p, id: p.id ?? pointId(undefined, p.device, p.name), receiveTime: typeof p.receiveTime === 'number' ? p.receiveTime : Date.now() } as Point);
  }
  return { points: out };
}
