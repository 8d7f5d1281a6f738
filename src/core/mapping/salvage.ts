/**
 * One pass of `gridbridge validate` names every problem of a mapping: when the shape check fails, the parts that are
 * well formed are kept (a repaired copy) so the cross-checks (profiles, unit ids, point references, plans …) still
 * run on them. Malformed connections, devices and controls are left out of the copy; a device or connection left out
 * keeps its id, so references to it are not reported as unknown (its own problem is already reported). Malformed
 * optional fields are dropped, malformed required top-level fields get a stand-in. Paths into the copy are mapped
 * back to the raw file by `rawPath`.
 */
import { z } from 'zod';
import { DeviceSchema, MappingSchema, type Mapping } from './schema.js';

export interface SalvagedMapping {
  mapping: Mapping;
  /** True when references to this device id must not be reported (the device is malformed or the list is). */
  skipDevice(id: string): boolean;
  skipConnection(id: string): boolean;
  /** Top-level fields replaced by a stand-in or dropped (their problems are already reported). */
  replaced: ReadonlySet<string>;
  /** A path into the repaired copy → the same place in the raw file. */
  rawPath(path: ReadonlyArray<PropertyKey>): PropertyKey[];
}

/** The mapping schema with an empty device list allowed (a stand-in for a malformed one). */
const RelaxedMappingSchema = MappingSchema.extend({ devices: z.array(DeviceSchema) });

const STAND_INS: Record<string, unknown> = { mapping: 1, site: { id: 'invalid' }, connections: {}, devices: [] };
/** Device fields whose loss would change what the cross-checks say (so a device malformed there is left out). */
const DEVICE_KEY_FIELDS = new Set(['id', 'connection', 'unit', 'profile']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

interface ListRepair {
  items: unknown[] | undefined;
  dropped: Set<number>;
}

/** Copy of a list whose elements are plain objects (copied so fields can be deleted). */
function listOf(v: unknown): ListRepair {
  return { items: Array.isArray(v) ? v.map((x) => (isObj(x) ? { ...x } : x)) : undefined, dropped: new Set() };
}

export function salvageMapping(raw: unknown, issues: ReadonlyArray<z.core.$ZodIssue>): SalvagedMapping | undefined {
  if (!isObj(raw)) return undefined;
  const top: Obj = { ...raw };
  const conns: Obj | undefined = isObj(top.connections) ? { ...top.connections } : undefined;
  const upstream: Obj | undefined = isObj(top.upstream) ? { ...top.upstream } : undefined;
  const devices = listOf(top.devices);
  const controls = listOf(top.controls);
  const replaced = new Set<string>();
  const brokenDevices = new Set<string>();
  const brokenConnections = new Set<string>();
  const dropTop = (key: string): void => {
    replaced.add(key);
    if (key in STAND_INS) top[key] = STAND_INS[key];
    else delete top[key];
  };
  for (const i of issues) {
    const [k0, k1, k2] = i.path;
    if (i.path.length === 0) {
      if (i.code === 'unrecognized_keys') for (const k of i.keys) delete top[k];
      else return undefined; // not an object at all
      continue;
    }
    if (k0 === 'connections' && conns && k1 !== undefined) {
      const cid = String(k1);
      if (i.code === 'unrecognized_keys' && i.path.length === 2 && isObj(conns[cid])) {
        const c = { ...(conns[cid] as Obj) };
        for (const k of i.keys) delete c[k];
        conns[cid] = c;
      } else {
        brokenConnections.add(cid);
        delete conns[cid];
      }
      continue;
    }
    if (k0 === 'devices' && devices.items && typeof k1 === 'number') {
      const d = devices.items[k1];
      if (isObj(d) && i.code === 'unrecognized_keys' && i.path.length === 2) {
        for (const k of i.keys) delete d[k];
      } else if (isObj(d) && typeof k2 === 'string' && !DEVICE_KEY_FIELDS.has(k2)) {
        delete d[k2];
      } else {
        devices.dropped.add(k1);
        if (isObj(d) && typeof d.id === 'string') brokenDevices.add(d.id);
      }
      continue;
    }
    if (k0 === 'controls' && controls.items && typeof k1 === 'number') {
      controls.dropped.add(k1);
      continue;
    }
    if (k0 === 'upstream' && upstream && (k1 !== undefined || i.code === 'unrecognized_keys')) {
      if (k1 !== undefined) delete upstream[String(k1)];
      else if (i.code === 'unrecognized_keys') for (const k of i.keys) delete upstream[k];
      continue;
    }
    dropTop(String(k0));
  }
  if (conns && !replaced.has('connections')) top.connections = conns;
  if (upstream && !replaced.has('upstream')) top.upstream = upstream;
  const kept = (l: ListRepair): number[] => (l.items ?? []).map((_, i) => i).filter((i) => !l.dropped.has(i));
  const devIdx = kept(devices);
  const ctlIdx = kept(controls);
  if (devices.items && !replaced.has('devices')) top.devices = devIdx.map((i) => devices.items![i]);
  if (controls.items && !replaced.has('controls')) top.controls = ctlIdx.map((i) => controls.items![i]);
  const r = RelaxedMappingSchema.safeParse(top);
  if (!r.success) return undefined; // an issue this repair does not know: the shape problems alone are reported
  const allDevices = replaced.has('devices');
  const allConnections = replaced.has('connections');
  return {
    mapping: r.data,
    replaced,
    skipDevice: (id) => allDevices || brokenDevices.has(id),
    skipConnection: (id) => allConnections || brokenConnections.has(id),
    rawPath(path) {
      const [k0, k1, ...rest] = path;
      if (typeof k1 === 'number' && k0 === 'devices') return [k0, devIdx[k1] ?? k1, ...rest];
      if (typeof k1 === 'number' && k0 === 'controls') return [k0, ctlIdx[k1] ?? k1, ...rest];
      return [...path];
    },
  };
}
