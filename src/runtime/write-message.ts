/** Parsing a write request from an untyped message: `{device?, name, value}` payload, or topic = name, payload = value. */
import type { PointValue } from '../core/point.js';

export interface WriteMessage {
  device?: string;
  name: string;
  value: PointValue;
}

const isValue = (v: unknown): v is PointValue => (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean' || typeof v === 'string';

export function parseWriteMessage(msg: { payload?: unknown; topic?: unknown }): WriteMessage | { error: string } {
  const p = msg.payload;
  if (p && typeof p === 'object' && !Array.isArray(p)) {
    const o = p as Record<string, unknown>;
    if (typeof o.name !== 'string' || o.name === '') return { error: 'msg.payload.name must be the canonical point name to write' };
    if (!isValue(o.value)) return { error: `msg.payload.value must be a finite number, boolean or string (got ${JSON.stringify(o.value) ?? 'undefined'})` };
    if (o.device !== undefined && typeof o.device !== 'string') return { error: 'msg.payload.device must be a string' };
    return { ...(typeof o.device === 'string' ? { device: o.device } : {}), name: o.name, value: o.value };
  }
  if (typeof msg.topic === 'string' && msg.topic !== '') {
    if (!isValue(p)) return { error: `msg.payload must be a finite number, boolean or string when msg.topic names the point (got ${JSON.stringify(p) ?? 'undefined'})` };
    const parts = msg.topic.split('/');
    const name = parts.pop()!;
    const device = parts.pop();
    return { ...(device ? { device } : {}), name, value: p };
  }
  return { error: 'expected msg.payload = {name, value[, device]} or msg.topic = "[device/]name" with msg.payload = value' };
}
