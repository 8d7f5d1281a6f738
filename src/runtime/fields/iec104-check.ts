/**
 * Checking an `iec104` field connection of a mapping and describing its devices: the connection's `points` and
 * `commands` are checked by the IEC 104 mapping schema (client role), and each device on the connection gets a
 * point list (a profile without registers) so upstream bindings, controls and the arbiter see its points like any
 * Modbus device's. Kept apart from the runtime field so validation loads no sockets.
 */
import type { DeviceConfig, Iec104ConnectionConfig } from '../../core/mapping/schema.js';
import type { Profile, ProfilePoint } from '../../core/profile/types.js';
import { DEFAULT_LIMITS, DEFAULT_POLL_CLASSES } from '../../core/profile/types.js';
import { zodIssues, type Issue } from '../../core/yaml.js';
import { iec104MappingSchema, type Iec104Mapping } from '../../protocols/iec104/mapping.js';

/** The connection's addresses as an IEC 104 mapping block (client role), or located issues. */
export function iec104ConnectionMapping(conn: Iec104ConnectionConfig, at: PropertyKey[]): { mapping?: Iec104Mapping; issues: Issue[] } {
  const r = iec104MappingSchema.safeParse({ role: 'client', commonAddress: conn.commonAddress, points: conn.points, commands: conn.commands });
  if (!r.success) return { issues: zodIssues(r.error, at) };
  return { mapping: r.data, issues: [] };
}

function point(name: string, access: ProfilePoint['access'], ioa: number, extra: Partial<ProfilePoint>): ProfilePoint {
  return { name, address: ioa, function: access === 'r' ? 'input' : 'holding', type: 'f32', length: 2, byteOrder: 'BE', wordOrder: 'BE', scale: 1, offset: 0, access, poll: 'normal', ...extra };
}

/** The point list of one device on an IEC 104 connection: monitored points (r), commanded points (w, or rw when also monitored). */
export function iec104DeviceProfile(connId: string, d: DeviceConfig, m: Iec104Mapping): Profile {
  const points = new Map<string, ProfilePoint>();
  for (const p of m.points) if (p.device === d.id) points.set(p.name, point(p.name, 'r', p.ioa, p.unit ? { unit: p.unit } : {}));
  for (const c of m.commands) {
    if (c.device !== d.id) continue;
    const lim = { ...(c.min !== undefined ? { min: c.min } : {}), ...(c.max !== undefined ? { max: c.max } : {}) };
    const mon = points.get(c.name);
    points.set(c.name, mon ? { ...mon, access: 'rw', ...lim } : point(c.name, 'w', c.ioa, lim));
  }
  return {
    id: `iec104:${connId}/${d.id}`,
    kind: d.kind ?? 'meter',
    metadata: { maker: 'IEC 60870-5-104 RTU', model: d.name ?? d.id, source: `points and commands of iec104 connection "${connId}" in the mapping` },
    defaults: { function: 'input', byteOrder: 'BE', wordOrder: 'BE', poll: 'normal' },
    limits: DEFAULT_LIMITS,
    pollClasses: DEFAULT_POLL_CLASSES,
    holes: [],
    points: [...points.values()],
  };
}
