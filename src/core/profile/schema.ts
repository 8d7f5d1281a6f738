/**
 * Device profile YAML format (`device-profiles/<id>.yaml`) as a zod schema, plus `parseProfile`, which validates the
 * shape, runs the cross-field checks (./check.ts) and returns the normalized `Profile` (./types.ts) with every default
 * resolved. Unknown keys are errors everywhere, so typos are caught. Issue paths index the RAW input, so the CLI can
 * turn them into YAML line numbers. Format reference with examples: docs/profiles.md.
 */
import { z } from 'zod';
import { DEVICE_KINDS } from '../kinds.js';
import { normalizeProfile } from './check.js';
import type { Profile } from './types.js';

export type { Profile, ProfilePoint, Hole, ProfileLimits, DataType, ModbusFunction, Order, Access } from './types.js';

/** Modbus table by name or by read function code (1 coil, 2 discrete input, 3 holding, 4 input register). */
export const FunctionSchema = z
  .union([z.enum(['holding', 'input', 'coil', 'discrete']), z.literal(1), z.literal(2), z.literal(3), z.literal(4)])
  .meta({ description: 'holding | input | coil | discrete, or the read function code 3 | 4 | 1 | 2' });

const OrderSchema = z.enum(['BE', 'LE']);
/** Register byte layout shorthand: ABCD = BE/BE, CDAB = word swap, BADC = byte swap, DCBA = both. */
export const LayoutSchema = z.enum(['ABCD', 'CDAB', 'BADC', 'DCBA']);
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const address = z.number().int('must be an integer').min(0).max(0xffff);
const codeMap = z.record(z.string().regex(/^-?\d+$/, 'keys must be integers'), z.string().min(1));

export const PointSchema = z.strictObject({
  name: z.string().min(1).meta({ description: 'Canonical point name for the kind (SunSpec name) or x_-prefixed vendor name' }),
  description: z.string().optional(),
  address: address.meta({ description: '0-based protocol address (0x0034, not "30053")' }),
  function: FunctionSchema.optional(),
  type: z.string().meta({
    description:
      'u16 i16 u32 i32 u64 i64 f32 f64 string(n) bit enum bitfield acc16 acc32 sunssf (aliases: uint16 int16 uint32 int32 uint64 int64 float32 float64 enum16 enum32 bitfield16 bitfield32 bool)',
  }),
  length: z.number().int().min(1).max(125).optional().meta({ description: 'Registers (string: 2 chars per register; enum/bitfield: 1 or 2)' }),
  bit: z.number().int().min(0).max(15).optional().meta({ description: 'Bit 0..15 (0 = least significant) for type bit in a register' }),
  byteOrder: OrderSchema.optional(),
  wordOrder: OrderSchema.optional(),
  layout: LayoutSchema.optional(),
  scale: finite.optional(),
  offset: finite.optional(),
  sf: z.string().min(1).optional().meta({ description: 'Name of the sunssf point: value = raw × 10^sf × scale + offset' }),
  unit: z.string().min(1).optional(),
  access: z.enum(['r', 'w', 'rw']).optional(),
  min: finite.optional(),
  max: finite.optional(),
  poll: z.string().min(1).optional(),
  enum: codeMap.optional(),
  bitfield: codeMap.optional(),
  notImplemented: z.union([z.number(), z.null()]).optional().meta({ description: 'Raw sentinel meaning "not implemented" (null: none)' }),
});
export type PointInput = z.input<typeof PointSchema>;

export const HoleSchema = z.strictObject({
  function: FunctionSchema,
  start: address,
  count: z.number().int().min(1).max(0x10000),
});

/**
 * A poll class period: milliseconds (at least `minMs`) or `continuous` — as fast as the connection allows, each block
 * of each device in turn (parsed to 0 ms, which the Modbus scheduler reads as "continuous").
 */
export function pollPeriod(minMs: number) {
  return z.union([z.number().int().min(minMs).max(86_400_000), z.literal('continuous').transform(() => 0)]);
}

export const ProfileSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only'),
  kind: z.enum(DEVICE_KINDS),
  metadata: z.strictObject({
    maker: z.string().min(1),
    model: z.string().min(1),
    source: z.string().min(1).meta({ description: 'Where the register map comes from (manual, version, URL)' }),
    notes: z.string().optional(),
    url: z.string().optional(),
  }),
  defaults: z
    .strictObject({
      function: FunctionSchema.optional(),
      byteOrder: OrderSchema.optional(),
      wordOrder: OrderSchema.optional(),
      layout: LayoutSchema.optional(),
      poll: z.string().min(1).optional(),
      notImplemented: z.enum(['sunspec', 'none']).optional().meta({ description: 'Default sentinels: SunSpec per type (default) or none' }),
    })
    .optional(),
  limits: z
    .strictObject({
      maxReadRegisters: z.number().int().min(1).max(125).optional(),
      maxReadBits: z.number().int().min(1).max(2000).optional(),
      maxWriteRegisters: z.number().int().min(1).max(123).optional(),
      maxGap: z.number().int().min(0).max(124).optional(),
    })
    .optional(),
  pollClasses: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/), pollPeriod(10)).optional(),
  holes: z.array(HoleSchema).optional(),
  points: z.array(PointSchema).min(1, 'a profile needs at least one point'),
});
export type ProfileInput = z.input<typeof ProfileSchema>;

export interface ProfileIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Validate and normalize a profile read from YAML/JSON. Returns the profile only when there are no issues.
 * Never throws on bad input.
 */
export function parseProfile(raw: unknown): { profile?: Profile; issues: ProfileIssue[] } {
  const r = ProfileSchema.safeParse(raw);
  if (r.success) return normalizeProfile(r.data);
  const issues: ProfileIssue[] = r.error.issues.map((i) => ({
    path: i.path.map((k) => (typeof k === 'number' ? k : String(k))),
    message: friendlyZodMessage(i),
  }));
  return { issues: [...issues, ...checksOfValidPoints(raw, r.error.issues)] };
}

/** Valid stand-ins for required top-level fields whose value is malformed, so the cross-field checks still run. */
const TOP_PLACEHOLDERS: Record<string, unknown> = {
  id: 'invalid',
  kind: DEVICE_KINDS[0],
  metadata: { maker: '?', model: '?', source: '?' },
};
/** Point checks that depend on a top-level field: dropped when that field was replaced by a stand-in. */
const DEPENDS_ON: Record<string, RegExp> = {
  kind: /canonical (point name|unit)|unknown unit/,
  pollClasses: /poll class/,
  defaults: /overlap|single bit|bit applies|type bit|poll class|hole|registers \(16 or 32 bits\)/,
  limits: /limits\./,
};

/**
 * When the shape check fails, still run the cross-field checks (overlaps, duplicates, types, sf references …) on a
 * repaired copy, so one `gridbridge validate` run names every problem: malformed top-level fields are replaced by
 * valid stand-ins (or dropped when optional), malformed optional point fields are dropped, and a point whose name or
 * address is malformed is checked on its own (its type, length, bit …) but left out of the overlap checks. Issues
 * about stand-ins are not reported; paths are mapped back to the raw file.
 */
function checksOfValidPoints(raw: unknown, zodIssues: ReadonlyArray<z.core.$ZodIssue>): ProfileIssue[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const top: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  const points = Array.isArray(top.points) ? top.points.map((p) => (p && typeof p === 'object' && !Array.isArray(p) ? { ...(p as Record<string, unknown>) } : undefined)) : undefined;
  const replacedTop = new Set<string>();
  const isolated = new Set<number>();
  const repairedFields = new Set<string>();
  for (const i of zodIssues) {
    const [k0, k1, k2] = i.path;
    if (i.path.length === 0) {
      if (i.code === 'unrecognized_keys') for (const k of i.keys) delete top[k];
      continue;
    }
    if (k0 === 'points' && points && typeof k1 === 'number') {
      const pt = points[k1];
      if (!pt) continue;
      if (i.code === 'unrecognized_keys' && i.path.length === 2) {
        for (const k of i.keys) delete pt[k];
      } else if (k2 === 'name' || k2 === 'address' || k2 === 'type') {
        pt[k2] = k2 === 'name' ? `x_invalid_${k1}` : k2 === 'address' ? 0 : 'u16';
        isolated.add(k1);
        repairedFields.add(`${k1}.${k2}`);
      } else if (typeof k2 === 'string') {
        delete pt[k2];
        repairedFields.add(`${k1}.${k2}`);
      } else if (k2 === undefined) {
        points[k1] = undefined;
      }
      continue;
    }
    if (k0 === 'points') return []; // no usable point list
    const key = String(k0);
    if (key in TOP_PLACEHOLDERS) top[key] = TOP_PLACEHOLDERS[key];
    else delete top[key];
    replacedTop.add(key);
  }
  if (!points) return [];
  const keep = (issue: ProfileIssue): boolean => {
    if (replacedTop.has(String(issue.path[0]))) return false;
    for (const k of replacedTop) if (DEPENDS_ON[k]?.test(issue.message)) return false;
    if (issue.path[0] === 'points' && repairedFields.has(`${String(issue.path[1])}.${String(issue.path[2])}`)) return false;
    return true;
  };
  const check = (indices: number[]): ProfileIssue[] => {
    if (indices.length === 0) return [];
    const r = ProfileSchema.safeParse({ ...top, points: indices.map((i) => points[i]) });
    if (!r.success) return [];
    return normalizeProfile(r.data)
      .issues.map((i) => (i.path[0] === 'points' && typeof i.path[1] === 'number' ? { ...i, path: ['points', indices[i.path[1]]!, ...i.path.slice(2)] } : i))
      .filter(keep);
  };
  const usable = points.map((p, i) => (p ? i : -1)).filter((i) => i >= 0);
  const out = check(usable.filter((i) => !isolated.has(i)));
  for (const i of isolated) out.push(...check([i]).filter((x) => x.path[0] === 'points'));
  return out;
}

function friendlyZodMessage(i: z.core.$ZodIssue): string {
  if (i.code === 'unrecognized_keys') return `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')} (typo?)`;
  return i.message;
}
