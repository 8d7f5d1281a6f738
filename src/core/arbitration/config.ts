/** Parse arbiter settings as typed by a person (Node-RED editor, CLI): targets JSON and random-delay classes. */
import { SOURCE_CLASSES, type SourceClass } from '../control.js';
import type { TargetConfig } from './arbiter.js';

/** `[{"device":"ev1","name":"SAPCLevel","min":0,"max":100,"default":100}]`; throws naming the index on error. */
export function parseTargets(text: string | undefined): TargetConfig[] {
  if (!text || !text.trim()) return [];
  const v: unknown = JSON.parse(text);
  if (!Array.isArray(v)) throw new Error('targets must be a JSON array');
  return v.map((t: unknown, i) => {
    const o = t as Record<string, unknown> | null;
    if (!o || typeof o.device !== 'string' || typeof o.name !== 'string') throw new Error(`targets[${i}]: device and name are required`);
    for (const k of ['min', 'max'] as const) if (o[k] !== undefined && typeof o[k] !== 'number') throw new Error(`targets[${i}].${k} must be a number`);
    const out: TargetConfig = { device: o.device, name: o.name };
    if (typeof o.min === 'number') out.min = o.min;
    if (typeof o.max === 'number') out.max = o.max;
    if (typeof o.default === 'number' || typeof o.default === 'string' || typeof o.default === 'boolean') out.default = o.default;
    return out;
  });
}

/** `supplier, aggregator` → those classes; unknown names throw. */
export function parseClasses(text: string | undefined): SourceClass[] {
  const names = (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!(SOURCE_CLASSES as readonly string[]).includes(n)) throw new Error(`unknown source class "${n}" (${SOURCE_CLASSES.join(', ')})`);
  return names as SourceClass[];
}
