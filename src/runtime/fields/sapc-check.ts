/**
 * Checking a `sapc` field connection of a mapping and describing its devices: each slot names a device on the
 * connection, each device has a SAPC profile (`protocol: sapc`) and is driven by exactly one slot, and the slot's
 * point is the profile's level. Each device gets a point list (a profile without registers) so upstream bindings,
 * controls and the arbiter see its points like any Modbus device's. Kept apart from the runtime field so validation
 * opens no port.
 */
import type { Mapping, SapcConnectionConfig } from '../../core/mapping/schema.js';
import type { Profile, ProfilePoint } from '../../core/profile/types.js';
import { DEFAULT_LIMITS, DEFAULT_POLL_CLASSES } from '../../core/profile/types.js';
import { isCanonicalName } from '../../core/kinds.js';
import { loadYamlFile, zodIssues, type Issue, type LoadedYaml } from '../../core/yaml.js';
import type { ProfileError } from '../../core/errors.js';
import { sapcProfileSchema, type SapcProfile } from '../../protocols/sapc/profile.js';

export interface SapcProfileLoad {
  file: string;
  profile?: SapcProfile;
  errors: ProfileError[];
}

/** A SAPC profile from parsed YAML: schema, then canonical names for its kind. */
export function sapcProfileFrom(y: LoadedYaml): SapcProfileLoad {
  if (y.errors.length) return { file: y.file, errors: y.errors };
  const r = sapcProfileSchema.safeParse(y.data);
  if (!r.success) return { file: y.file, errors: zodIssues(r.error).map((i) => y.locate(i)) };
  const issues: Issue[] = [];
  r.data.points.forEach((p, i) => {
    if (!isCanonicalName(r.data.kind, p.name)) issues.push({ path: ['points', i, 'name'], message: `"${p.name}" is not a canonical point of kind ${r.data.kind} (prefix vendor points with x_)` });
  });
  if (issues.length) return { file: y.file, errors: issues.map((i) => y.locate(i)) };
  return { file: y.file, profile: r.data, errors: [] };
}

export function loadSapcProfileFile(file: string): SapcProfileLoad {
  return sapcProfileFrom(loadYamlFile(file));
}

/** The point list of one device on a SAPC connection, for the site (arbiter targets, point references). */
export function sapcDeviceProfile(connId: string, deviceId: string, p: SapcProfile, kind = p.kind): Profile {
  const points: ProfilePoint[] = p.points.map((pt, i) => ({
    name: pt.name,
    address: i,
    function: pt.access === 'r' ? 'input' : 'holding',
    type: pt.from === 'STA.lvl' || pt.from === 'HB.up' ? 'u16' : 'string',
    length: 1,
    byteOrder: 'BE',
    wordOrder: 'BE',
    scale: 1,
    offset: 0,
    access: pt.access,
    poll: 'normal',
    ...(pt.unit ? { unit: pt.unit } : {}),
    ...(pt.from === 'STA.lvl' ? { min: pt.min ?? 0, max: pt.max ?? 100 } : {}),
    ...(pt.description ? { description: pt.description } : {}),
  }));
  return {
    id: p.id,
    kind,
    metadata: { ...p.metadata, source: `${p.metadata.source} (SAPC connection "${connId}", device ${deviceId})` },
    defaults: { function: 'input', byteOrder: 'BE', wordOrder: 'BE', poll: 'normal' },
    limits: DEFAULT_LIMITS,
    pollClasses: DEFAULT_POLL_CLASSES,
    holes: [],
    points,
  };
}

/**
 * Check every `sapc` connection of a mapping; the profiles of its devices go to `profiles` (runtime point lists) and
 * `sapcProfiles` (the SSP-1 point sources). `resolve` finds a profile reference as for Modbus devices.
 */
export function checkSapcConnections(
  m: Mapping,
  resolve: (ref: string) => string | undefined,
  profiles: Map<string, Profile>,
  sapcProfiles?: Map<string, SapcProfile>,
): Issue[] {
  const issues: Issue[] = [];
  for (const [cid, c] of Object.entries(m.connections)) {
    if (c.type !== 'sapc') continue;
    const slotOf = new Map<string, number>();
    const seen = new Set<string>();
    c.slots.forEach((s, j) => {
      const at = ['connections', cid, 'slots', j];
      const key = `${s.slot}/${s.direction}`;
      if (seen.has(key)) issues.push({ path: [...at, 'slot'], message: `slot ${s.slot} ${s.direction} defined twice` });
      seen.add(key);
      const dev = m.devices.find((d) => d.id === s.device);
      if (!dev) issues.push({ path: [...at, 'device'], message: `unknown device "${s.device}" (add it to devices with connection: ${cid})` });
      else if (dev.connection !== cid) issues.push({ path: [...at, 'device'], message: `device "${s.device}" is on connection "${dev.connection}", not "${cid}"` });
      if (slotOf.has(s.device)) issues.push({ path: [...at, 'device'], message: `device "${s.device}" is already driven by slots[${slotOf.get(s.device)}]; one slot per device` });
      else slotOf.set(s.device, j);
    });
    m.devices.forEach((d, i) => {
      if (d.connection !== cid) return;
      const at = ['devices', i];
      for (const k of ['unit', 'pollClasses', 'points'] as const) {
        if (d[k] !== undefined) issues.push({ path: [...at, k], message: `a device on sapc connection "${cid}" has no ${k} (its points come from its SAPC profile); remove ${k}` });
      }
      const slotIndex = slotOf.get(d.id);
      if (slotIndex === undefined) issues.push({ path: at, message: `device "${d.id}" is on sapc connection "${cid}" but no slot drives it; add it to connections.${cid}.slots` });
      if (d.profile === undefined) {
        issues.push({ path: at, message: 'a device on a sapc connection needs a SAPC profile (e.g. profile: sapc-appliance)' });
        return;
      }
      const file = resolve(d.profile);
      if (!file) {
        issues.push({ path: [...at, 'profile'], message: `missing profile "${d.profile}"` });
        return;
      }
      const pl = loadSapcProfileFile(file);
      if (!pl.profile) {
        const modbus = pl.errors.some((e) => /protocol/.test(e.path) || /protocol/.test(e.message));
        issues.push({ path: [...at, 'profile'], message: modbus ? `profile "${d.profile}" (${file}) is not a SAPC profile (protocol: sapc); a Modbus profile cannot be used on a sapc connection` : `profile "${d.profile}" (${file}) has ${pl.errors.length} problem(s); run gridbridge validate ${file}` });
        return;
      }
      profiles.set(d.id, sapcDeviceProfile(cid, d.id, pl.profile, d.kind));
      sapcProfiles?.set(d.id, pl.profile);
      if (slotIndex === undefined) return;
      const slot = c.slots[slotIndex]!;
      const lvl = pl.profile.points.find((p) => p.from === 'STA.lvl' && p.access === 'rw');
      if (lvl && lvl.name !== slot.point) issues.push({ path: ['connections', cid, 'slots', slotIndex, 'point'], message: `profile "${pl.profile.id}" sets the level through point "${lvl.name}", not "${slot.point}"` });
    });
  }
  return issues;
}

/** A mapping's sapc connection by id (for the runtime), or undefined. */
export function sapcConnection(m: Mapping, id: string): SapcConnectionConfig | undefined {
  const c = m.connections[id];
  return c?.type === 'sapc' ? c : undefined;
}
