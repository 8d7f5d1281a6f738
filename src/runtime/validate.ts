/**
 * Loading and validating profiles and site mappings, with every problem located to file, line and field.
 * Used by `gridbridge validate`, the runtime and the Node-RED device node.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ProfileError } from '../core/errors.js';
import { MappingSchema, type Mapping } from '../core/mapping/schema.js';
import { salvageMapping, type SalvagedMapping } from '../core/mapping/salvage.js';
import { mappingPlanIssues } from './plan-check.js';
import type { Profile } from '../core/profile/schema.js';
import { loadProfileFile, profileFrom, resolveProfileRef, type ProfileLoad } from './profile-files.js';
import { builtinProfileDir, packageRoot } from './package-root.js';
import { loadYamlFile, parseYamlText, zodIssues, type Issue, type LoadedYaml } from '../core/yaml.js';
import { upstreamSchemas } from './upstreams.js';
import type { Iec104Mapping } from '../protocols/iec104/mapping.js';
import { iec104ConnectionMapping, iec104DeviceProfile } from './fields/iec104-check.js';
import { checkSapcConnections, sapcProfileFrom } from './fields/sapc-check.js';
import type { SapcProfile } from '../protocols/sapc/profile.js';

export { builtinProfileDir, loadProfileFile, packageRoot, resolveProfileRef, type ProfileLoad };

export interface MappingLoad {
  file: string;
  mapping?: Mapping;
  /** Profile per device id (only for devices whose profile loaded). */
  profiles: Map<string, Profile>;
  /** SAPC profile (SSP-1 point sources) per device on a `sapc` connection. */
  sapcProfiles?: Map<string, SapcProfile>;
  errors: ProfileError[];
}

export type FileKind = 'profile' | 'mapping' | 'sapc-profile';

export function detectKind(data: unknown): FileKind | undefined {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return undefined;
  if ('mapping' in data || 'devices' in data) return 'mapping';
  if ((data as { protocol?: unknown }).protocol === 'sapc') return 'sapc-profile';
  if ('points' in data || 'profile' in data) return 'profile';
  return undefined;
}

interface PointRef {
  device: string;
  name?: string;
  /** The key that names the point: `name` (core, MQTT) or `point` (OpenADR, SAPC, IEC 104, 2030.5). */
  nameKey: 'name' | 'point';
  path: PropertyKey[];
}

/** Every object with a `device` (and a `name` or `point`) inside a block, with its path. */
function* pointRefs(v: unknown, path: PropertyKey[]): Generator<PointRef> {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) yield* pointRefs(v[i], [...path, i]);
  } else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.device === 'string') {
      const nameKey = typeof o.name !== 'string' && typeof o.point === 'string' ? 'point' : 'name';
      const name = o[nameKey];
      yield { device: o.device, ...(typeof name === 'string' ? { name } : {}), nameKey, path };
    }
    for (const [k, c] of Object.entries(o)) if (c && typeof c === 'object') yield* pointRefs(c, [...path, k]);
  }
}

export function checkMapping(y: LoadedYaml): MappingLoad {
  const out: MappingLoad = { file: y.file, profiles: new Map(), errors: [...y.errors] };
  if (y.errors.length) return out;
  const parsed = MappingSchema.safeParse(y.data);
  let m: Mapping;
  // When the shape check fails, the well-formed parts are still cross-checked (one pass names every problem).
  let salvaged: SalvagedMapping | undefined;
  if (parsed.success) m = parsed.data;
  else {
    out.errors.push(...zodIssues(parsed.error).map((i) => y.locate(i)));
    salvaged = salvageMapping(y.data, parsed.error.issues);
    if (!salvaged) return out;
    m = salvaged.mapping;
  }
  const skipDevice = (id: string): boolean => salvaged?.skipDevice(id) ?? false;
  const skipConnection = (id: string): boolean => salvaged?.skipConnection(id) ?? false;
  const issues: Issue[] = [];
  const checkRef = (ref: PointRef): void => {
    const prof = out.profiles.get(ref.device);
    if (skipDevice(ref.device)) return;
    if (!seen.has(ref.device)) issues.push({ path: [...ref.path, 'device'], message: `unknown device "${ref.device}"` });
    else if (prof && ref.name !== undefined && !prof.points.some((p) => p.name === ref.name)) {
      issues.push({ path: [...ref.path, ref.nameKey], message: `device "${ref.device}" (profile ${prof.id}) has no point "${ref.name}"` });
    }
  };
  const baseDir = dirname(resolve(y.file));
  const seen = new Map<string, number>();
  const units = new Map<string, string>();
  // IEC 104 field connections: their addresses checked, and every device they name must be on them.
  const iec104Maps = new Map<string, Iec104Mapping>();
  for (const [cid, c] of Object.entries(m.connections)) {
    if (c.type !== 'iec104') continue;
    const r = iec104ConnectionMapping(c, ['connections', cid]);
    issues.push(...r.issues);
    if (r.mapping) iec104Maps.set(cid, r.mapping);
    for (const [list, entries] of [['points', c.points], ['commands', c.commands]] as const) {
      entries.forEach((e, j) => {
        if (!e || typeof e !== 'object' || typeof (e as { device?: unknown }).device !== 'string') return; // reported by the schema
        const dev = m.devices.find((x) => x.id === (e as { device: string }).device);
        const name = (e as { device: string }).device;
        if (!dev && skipDevice(name)) return;
        if (!dev) issues.push({ path: ['connections', cid, list, j, 'device'], message: `unknown device "${name}" (add it to devices with connection: ${cid})` });
        else if (dev.connection !== cid) issues.push({ path: ['connections', cid, list, j, 'device'], message: `device "${name}" is on connection "${dev.connection}", not "${cid}"` });
      });
    }
  }
  // SAPC field connections: slots, devices and their SAPC profiles (src/runtime/fields/sapc-check.ts).
  out.sapcProfiles = new Map();
  issues.push(...checkSapcConnections(m, (ref) => resolveProfileRef(ref, baseDir, m.profileDirs), out.profiles, out.sapcProfiles));
  m.devices.forEach((d, i) => {
    const at = ['devices', i];
    if (seen.has(d.id)) issues.push({ path: [...at, 'id'], message: `duplicate device id "${d.id}" (also devices[${seen.get(d.id)}])` });
    seen.set(d.id, i);
    const connBroken = !m.connections[d.connection] && skipConnection(d.connection);
    if (connBroken && (d.profile === undefined || d.unit === undefined)) return; // its connection's type is unknown
    if (!m.connections[d.connection] && !connBroken) {
      issues.push({ path: [...at, 'connection'], message: `unknown connection "${d.connection}" (defined: ${Object.keys(m.connections).join(', ') || 'none'})` });
    }
    const conn = m.connections[d.connection];
    if (conn?.type === 'sapc') return; // checked with its connection above
    if (conn?.type === 'iec104') {
      for (const k of ['profile', 'unit', 'pollClasses', 'points'] as const) {
        if (d[k] !== undefined) issues.push({ path: [...at, k], message: `a device on iec104 connection "${d.connection}" takes its points from the connection's points/commands; remove ${k}` });
      }
      const cm = iec104Maps.get(d.connection);
      if (cm) out.profiles.set(d.id, iec104DeviceProfile(d.connection, d, cm));
      return;
    }
    if (d.profile === undefined) issues.push({ path: at, message: 'a device on a Modbus connection needs a profile' });
    if (d.unit === undefined) issues.push({ path: at, message: 'a device on a Modbus connection needs a unit id (1-247)' });
    if (d.profile === undefined || d.unit === undefined) return;
    if (d.unit === 0) issues.push({ path: [...at, 'unit'], message: 'unit id 0 is the Modbus broadcast address (writes only, no replies); a polled device needs 1-247' });
    // Modbus TCP: 255 addresses the device itself (MODBUS Messaging on TCP/IP Implementation Guide 4.4.1; e.g. KEBA).
    else if (d.unit > 247 && !(d.unit === 255 && conn?.type === 'tcp')) issues.push({ path: [...at, 'unit'], message: `unit id ${d.unit} is reserved (Modbus serial unit ids are 1-247; 255 only on a TCP connection)` });
    const key = `${d.connection}#${d.unit}`;
    const other = units.get(key);
    if (other) issues.push({ path: [...at, 'unit'], message: `unit ${d.unit} on connection "${d.connection}" is already used by device "${other}"` });
    else units.set(key, d.id);
    const file = resolveProfileRef(d.profile, baseDir, m.profileDirs);
    if (!file) {
      if (salvaged?.replaced.has('profileDirs')) return; // looked up without the malformed profileDirs
      issues.push({ path: [...at, 'profile'], message: `missing profile "${d.profile}" (looked in ${[...(m.profileDirs ?? []), '../device-profiles', '.', 'built-in device-profiles'].join(', ')})` });
      return;
    }
    const pl = loadProfileFile(file);
    if (!pl.profile) {
      issues.push({ path: [...at, 'profile'], message: `profile "${d.profile}" (${file}) has ${pl.errors.length} problem(s); run gridbridge validate ${file}` });
      return;
    }
    out.profiles.set(d.id, pl.profile);
    const names = new Set(pl.profile.points.map((p) => p.name));
    d.points?.forEach((n, j) => {
      if (!names.has(n)) issues.push({ path: [...at, 'points', j], message: `profile "${pl.profile!.id}" has no point "${n}"` });
    });
    for (const c of Object.keys(d.pollClasses ?? {})) {
      if (!(c in pl.profile.pollClasses)) issues.push({ path: [...at, 'pollClasses', c], message: `profile "${pl.profile.id}" has no poll class "${c}" (has: ${Object.keys(pl.profile.pollClasses).join(', ')})` });
    }
  });
  for (const ref of pointRefs(m.controls ?? [], ['controls'])) checkRef(ref);
  for (const [name, block] of Object.entries(m.upstream ?? {})) {
    const schema = upstreamSchemas[name as keyof typeof upstreamSchemas];
    if (schema) {
      const r = schema.safeParse(block);
      if (!r.success) issues.push(...zodIssues(r.error, ['upstream', name]));
    }
    for (const ref of pointRefs(block, ['upstream', name])) checkRef(ref);
  }
  issues.push(...mappingPlanIssues(m.plans, (id) => seen.has(id) || skipDevice(id)));
  out.errors.push(...issues.map((i) => y.locate(salvaged ? { ...i, path: salvaged.rawPath(i.path) } : i)));
  if (out.errors.length === 0) out.mapping = m;
  return out;
}

/**
 * `${NAME}` and `${NAME:-default}` in a mapping's text are replaced by environment variables (so one mapping follows
 * ports and hosts that change per install, as Node-RED properties do); `$${` stays a literal `${`. A variable that is
 * unset and has no default is an error located to its line. Values are inserted as text before YAML parsing and may
 * not contain line breaks (line numbers of all other errors stay right).
 */
export function expandMappingEnv(text: string, file: string, env: NodeJS.ProcessEnv = process.env): { text: string; errors: ProfileError[] } {
  const errors: ProfileError[] = [];
  const out = text.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}\n]*))?\}/g, (whole: string, name: string, dflt: string | undefined, offset: number) => {
    if (whole.startsWith('$$')) return whole.slice(1);
    const v = env[name] !== undefined && env[name] !== '' ? env[name]! : dflt;
    const line = text.slice(0, offset).split('\n').length;
    if (v === undefined) {
      errors.push({ file, line, path: '', message: `environment variable ${name} is not set and \${${name}} has no default (write \${${name}:-value})` });
      return unsetPlaceholder(name);
    }
    if (/[\r\n]/.test(v)) {
      errors.push({ file, line, path: '', message: `environment variable ${name} contains a line break; not inserted` });
      return unsetPlaceholder(name);
    }
    return v;
  });
  return { text: out, errors };
}

/**
 * What an unset variable becomes in the text that is still checked: a plain YAML scalar (also valid inside flow
 * collections), so the rest of the mapping is checked in the same pass.
 */
const unsetPlaceholder = (name: string): string => `__unset_${name}__`;

/**
 * Check a mapping held as text (e.g. edited in the Node-RED site node); `file` names it in errors and is the base for
 * relative paths. An unset variable does not hide the other problems: the rest is checked with a placeholder in its
 * place, and problems on the line of an unset variable (consequences of the placeholder) are left out.
 */
export function loadMappingText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): MappingLoad {
  const x = expandMappingEnv(text, file, env);
  const r = checkMapping(parseYamlText(x.text, file));
  if (x.errors.length === 0) return r;
  const envLines = new Set(x.errors.map((e) => e.line));
  const rest = r.errors.filter((e) => e.line === undefined || !envLines.has(e.line));
  return { file, profiles: new Map(), errors: [...x.errors, ...rest].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
}

export function loadMappingFile(file: string, env: NodeJS.ProcessEnv = process.env): MappingLoad {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return checkMapping(loadYamlFile(file)); // the same located "file not found"/"is a directory" errors as profiles
  }
  return loadMappingText(text, file, env);
}

export interface FileReport {
  file: string;
  kind?: FileKind;
  errors: ProfileError[];
}

export function validateFile(file: string): FileReport {
  // Mappings may use ${VAR:-default} (also inside YAML flow collections), so the kind is told after expansion.
  let y = loadYamlFile(file);
  if (y.errors.length && !y.errors.some((e) => e.message === 'file not found' || e.message === 'is a directory')) {
    // Unset variables become placeholders here: the kind is told, and loadMappingFile reports them with the rest.
    const expanded = parseYamlText(expandMappingEnv(readFileSync(file, 'utf8'), file).text, file);
    if (expanded.errors.length === 0 && detectKind(expanded.data) === 'mapping') y = expanded;
  }
  if (y.errors.length) return { file, errors: y.errors };
  const kind = detectKind(y.data);
  if (kind === 'profile') return { file, kind, errors: profileFrom(y).errors };
  if (kind === 'mapping') return { file, kind, errors: loadMappingFile(file).errors };
  if (kind === 'sapc-profile') return { file, kind, errors: sapcProfileFrom(y).errors };
  return { file, errors: [{ file, line: 1, path: '', message: 'neither a device profile (has "points") nor a site mapping (has "mapping"/"devices")' }] };
}
