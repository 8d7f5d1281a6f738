/**
 * The `iec104` block of a pilot mapping: which device points are served to SCADA (or read from an RTU) at which
 * common address / IOA / type, and which IEC 104 commands become which field writes. Keyed by device id + canonical
 * point name. Pure functions here let the site runtime bridge Points ↔ the 104 server without knowing the protocol.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Point, PointValue } from '../../core/point.js';
import { TypeId, typeIdOf, withoutTime, type TypeName } from './constants.js';
import { cp56FromEpoch } from './cp56time.js';
import { fromPointQuality } from './quality.js';
import type { CommandSpec } from './client.js';
import type { CommandDecision, CommandPoint, CommandRequest, Iec104Server } from './server.js';
import type { PointDefinition } from './store.js';
import type { InfoObject } from './types/object.js';

const monitorTypes = ['M_SP_NA_1', 'M_DP_NA_1', 'M_ST_NA_1', 'M_BO_NA_1', 'M_ME_NA_1', 'M_ME_NB_1', 'M_ME_NC_1', 'M_IT_NA_1', 'M_SP_TB_1', 'M_DP_TB_1', 'M_ST_TB_1', 'M_BO_TB_1', 'M_ME_TD_1', 'M_ME_TE_1', 'M_ME_TF_1', 'M_IT_TB_1'] as const;
const commandTypes = ['C_SC_NA_1', 'C_DC_NA_1', 'C_RC_NA_1', 'C_SE_NA_1', 'C_SE_NB_1', 'C_SE_NC_1', 'C_BO_NA_1', 'C_SC_TA_1', 'C_DC_TA_1', 'C_RC_TA_1', 'C_SE_TA_1', 'C_SE_TB_1', 'C_SE_TC_1', 'C_BO_TA_1'] as const;

const ioa = z.number().int().min(0).max(0xffffff);
const ca = z.number().int().min(0).max(0xfffe);

export const iec104PointSchema = z.strictObject({
  device: z.string().min(1),
  name: z.string().min(1),
  ioa,
  type: z.enum(monitorTypes),
  /** Overrides the block's common address. */
  ca: ca.optional(),
  /** Interrogation groups 1..16. */
  groups: z.array(z.number().int().min(1).max(16)).optional(),
  /** Counter interrogation group 1..4 (M_IT only). */
  counterGroup: z.number().int().min(1).max(4).optional(),
  cyclic: z.boolean().optional(),
  /** 104 value = point value × scale (e.g. 0.001 to send W as kW). */
  scale: z.number().refine((v) => v !== 0, 'scale must not be 0').optional(),
  unit: z.string().optional(),
});

export const iec104CommandSchema = z
  .strictObject({
    device: z.string().min(1),
    name: z.string().min(1),
    ioa,
    type: z.enum(commandTypes),
    ca: ca.optional(),
    /** Require select before operate. */
    sbo: z.boolean().default(false),
    /** Also accept the time-tagged variant (TA) of the type (default true). */
    acceptTimeTag: z.boolean().default(true),
    /** Field value = command value × scale. */
    scale: z.number().refine((v) => v !== 0, 'scale must not be 0').optional(),
    /** Accepted range of the field value (after scaling). */
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, { message: 'min must not exceed max', path: ['min'] });

export const iec104MappingSchema = z
  .strictObject({
    /** server: GridBridge is the controlled station SCADA connects to; client: GridBridge reads an RTU. */
    role: z.enum(['server', 'client']).default('server'),
    commonAddress: ca.default(1),
    points: z.array(iec104PointSchema).default([]),
    commands: z.array(iec104CommandSchema).default([]),
  })
  .superRefine((m, ctx) => {
    const seen = new Map<string, string>();
    const check = (kind: 'points' | 'commands', i: number, a: number, o: number, what: string) => {
      const k = `${a}:${o}`;
      const prev = seen.get(k);
      if (prev) ctx.addIssue({ code: 'custom', path: [kind, i, 'ioa'], message: `CA ${a} IOA ${o} already used by ${prev}` });
      else seen.set(k, what);
    };
    m.points.forEach((p, i) => check('points', i, p.ca ?? m.commonAddress, p.ioa, `${p.device}/${p.name}`));
    m.commands.forEach((c, i) => check('commands', i, c.ca ?? m.commonAddress, c.ioa, `${c.device}/${c.name}`));
    m.points.forEach((p, i) => {
      if (p.counterGroup !== undefined && withoutTime(typeIdOf(p.type)!) !== TypeId.M_IT_NA_1) ctx.addIssue({ code: 'custom', path: ['points', i, 'counterGroup'], message: 'counterGroup applies to M_IT types only' });
    });
  });

export type Iec104Mapping = z.output<typeof iec104MappingSchema>;
export type Iec104MappingInput = z.input<typeof iec104MappingSchema>;
export type Iec104PointMapping = z.output<typeof iec104PointSchema>;
export type Iec104CommandMapping = z.output<typeof iec104CommandSchema>;

const tid = (t: TypeName): number => typeIdOf(t)!;

/** Point and command definitions for an Iec104Server. */
export function serverDefinitions(m: Iec104Mapping): { points: PointDefinition[]; commands: CommandPoint[] } {
  const points = m.points.map((p): PointDefinition => {
    const d: PointDefinition = { ca: p.ca ?? m.commonAddress, ioa: p.ioa, typeId: tid(p.type), groups: p.groups ?? [], cyclic: p.cyclic ?? false };
    if (p.counterGroup !== undefined) d.counterGroup = p.counterGroup;
    return d;
  });
  const commands = m.commands.map((c): CommandPoint => {
    const base = tid(c.type);
    const typeIds = [base];
    if (c.acceptTimeTag && base < TypeId.C_SC_TA_1) typeIds.push(base + (TypeId.C_SC_TA_1 - TypeId.C_SC_NA_1));
    return { ca: c.ca ?? m.commonAddress, ioa: c.ioa, typeIds, sbo: c.sbo };
  });
  return { points, commands };
}

export interface ServerPointUpdate {
  ca: number;
  ioa: number;
  typeId: number;
  change: Omit<InfoObject, 'ioa'>;
}

function numeric(v: PointValue | null): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** GridBridge Points → server updates for the mapped ones (unmapped points are skipped). */
export function pointsToUpdates(points: readonly Point[], m: Iec104Mapping, opts: { utcOffsetMinutes?: number } = {}): ServerPointUpdate[] {
  const index = new Map<string, Iec104PointMapping[]>();
  for (const p of m.points) {
    const k = `${p.device}/${p.name}`;
    const arr = index.get(k);
    if (arr) arr.push(p);
    else index.set(k, [p]);
  }
  const out: ServerPointUpdate[] = [];
  for (const pt of points) {
    for (const mp of index.get(`${pt.device}/${pt.name}`) ?? []) {
      const typeId = tid(mp.type);
      const base = withoutTime(typeId);
      const quality = fromPointQuality(pt.quality);
      const n = numeric(pt.value);
      // No value (the field link dropped, a read failed): send the quality only, so the station keeps the last
      // known value and flags it IV + NT, as SCADA operators expect, instead of a made-up 0.
      const change: Omit<InfoObject, 'ioa'> = { quality };
      if (n === undefined) Object.assign(quality, { iv: true, nt: true });
      else if (base === TypeId.M_SP_NA_1) change.value = n !== 0;
      else if (base === TypeId.M_DP_NA_1) change.value = n !== 0 ? 2 : 1;
      else change.value = n * (mp.scale ?? 1);
      if (base !== typeId) change.time = cp56FromEpoch(pt.sourceTime ?? pt.receiveTime, { utcOffsetMinutes: opts.utcOffsetMinutes ?? 0 });
      out.push({ ca: mp.ca ?? m.commonAddress, ioa: mp.ioa, typeId, change });
    }
  }
  return out;
}

export type FieldWrite = { ok: true; device: string; name: string; value: PointValue } | { ok: false; reason: string };

/** A command received by the server → the field write it stands for, validated against the mapping. */
export function commandToWrite(c: Pick<CommandRequest, 'ca' | 'ioa' | 'typeId' | 'value'>, m: Iec104Mapping): FieldWrite {
  const mc = m.commands.find((x) => (x.ca ?? m.commonAddress) === c.ca && x.ioa === c.ioa);
  if (!mc) return { ok: false, reason: `no command mapped at CA ${c.ca} IOA ${c.ioa}` };
  const base = tid(mc.type);
  const got = c.typeId >= TypeId.C_SC_TA_1 && c.typeId <= TypeId.C_BO_TA_1 ? c.typeId - (TypeId.C_SC_TA_1 - TypeId.C_SC_NA_1) : c.typeId;
  if (got !== base) return { ok: false, reason: `type ${c.typeId} does not match ${mc.type}` };
  let value: PointValue;
  if (base === TypeId.C_SC_NA_1) value = c.value === true || c.value === 1;
  else if (base === TypeId.C_DC_NA_1) {
    if (c.value !== 1 && c.value !== 2) return { ok: false, reason: `double command state ${String(c.value)} is not off (1) or on (2)` };
    value = c.value === 2;
  } else if (base === TypeId.C_RC_NA_1) {
    if (c.value !== 1 && c.value !== 2) return { ok: false, reason: `regulating step ${String(c.value)} is not lower (1) or higher (2)` };
    value = c.value === 2 ? 1 : -1;
  } else {
    const n = typeof c.value === 'number' ? c.value : c.value ? 1 : 0;
    value = n * (mc.scale ?? 1);
    if (!Number.isFinite(value)) return { ok: false, reason: 'value is not finite' };
    if (mc.min !== undefined && value < mc.min) return { ok: false, reason: `${value} below min ${mc.min}` };
    if (mc.max !== undefined && value > mc.max) return { ok: false, reason: `${value} above max ${mc.max}` };
  }
  return { ok: true, device: mc.device, name: mc.name, value };
}

/**
 * Client role (GridBridge reads and commands an RTU): a field write for a mapped device point → the IEC 104 command
 * to send (the inverse of commandToWrite), with select-before-operate as the mapping says.
 */
export function writeToCommand(w: { device: string; name: string; value: PointValue }, m: Iec104Mapping): { ok: true; command: CommandSpec } | { ok: false; reason: string } {
  const mc = m.commands.find((x) => x.device === w.device && x.name === w.name);
  if (!mc) return { ok: false, reason: `no iec104 command mapped for ${w.device}/${w.name}` };
  const typeId = tid(mc.type);
  const base = typeId >= TypeId.C_SC_TA_1 ? typeId - (TypeId.C_SC_TA_1 - TypeId.C_SC_NA_1) : typeId;
  const n = typeof w.value === 'number' ? w.value : typeof w.value === 'boolean' ? (w.value ? 1 : 0) : Number(w.value);
  if (!Number.isFinite(n)) return { ok: false, reason: `value ${String(w.value)} is not a number or boolean` };
  let value: number | boolean;
  if (base === TypeId.C_SC_NA_1) value = n !== 0;
  else if (base === TypeId.C_DC_NA_1) value = n !== 0 ? 2 : 1;
  else if (base === TypeId.C_RC_NA_1) {
    if (n === 0) return { ok: false, reason: 'regulating step needs a direction (+1 higher, -1 lower)' };
    value = n > 0 ? 2 : 1;
  } else {
    if (mc.min !== undefined && n < mc.min) return { ok: false, reason: `${n} below min ${mc.min}` };
    if (mc.max !== undefined && n > mc.max) return { ok: false, reason: `${n} above max ${mc.max}` };
    value = n / (mc.scale ?? 1);
  }
  const command: CommandSpec = { typeId: base, ioa: mc.ioa, value, ca: mc.ca ?? m.commonAddress, sbo: mc.sbo };
  if (typeId !== base) command.withTime = true;
  return { ok: true, command };
}

/** Client role: (CA, IOA) → device point name, for Iec104Client's `naming` option. */
export function clientNaming(m: Iec104Mapping): (ca: number, ioa: number) => { device: string; name: string; unit?: string } | undefined {
  const map = new Map<number, { device: string; name: string; unit?: string }>();
  for (const p of m.points) {
    const n: { device: string; name: string; unit?: string } = { device: p.device, name: p.name };
    if (p.unit) n.unit = p.unit;
    map.set((p.ca ?? m.commonAddress) * 0x1000000 + p.ioa, n);
  }
  return (a, o) => map.get(a * 0x1000000 + o);
}

/** Define the mapping's points and commands on a server. */
export function applyMapping(server: Iec104Server, m: Iec104Mapping): void {
  const d = serverDefinitions(m);
  for (const p of d.points) server.definePoint(p);
  for (const c of d.commands) server.defineCommand(c);
}

/** Push Points into a server (spontaneous transmission of the mapped ones). Returns how many were applied. */
export function publishPoints(server: Iec104Server, points: readonly Point[], m: Iec104Mapping): number {
  let n = 0;
  for (const u of pointsToUpdates(points, m)) if (server.update(u.ca, u.ioa, u.change)) n++;
  return n;
}

/**
 * A server `onCommand` handler that validates commands against the mapping and hands them to `write` (the field
 * driver). Selects are checked but not written. `write` resolves true when the field accepted the write; a field
 * link that is down should make it resolve false (negative ACT_CON) — never leave SCADA believing it was done.
 */
export function mappingCommandHandler(
  m: Iec104Mapping,
  write: (w: { device: string; name: string; value: PointValue }) => Promise<boolean> | boolean,
  isLinkUp: (device: string) => boolean = () => true,
): (c: CommandRequest) => Promise<CommandDecision> {
  return async (c) => {
    const w = commandToWrite(c, m);
    if (!w.ok) return { accept: false, reason: w.reason };
    if (!isLinkUp(w.device)) return { accept: false, reason: `field link to ${w.device} is down` };
    if (c.select) return { accept: true };
    const ok = await write({ device: w.device, name: w.name, value: w.value });
    return ok ? { accept: true } : { accept: false, reason: `field write to ${w.device}/${w.name} failed` };
  };
}

/** Parse an `iec104` block given as YAML or JSON text (Node-RED config fields); errors name the field path. */
export function parseIec104MappingText(text: string): { ok: true; mapping: Iec104Mapping } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    return { ok: false, error: `mapping is not valid YAML/JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const block = raw && typeof raw === 'object' && 'iec104' in raw ? (raw as { iec104: unknown }).iec104 : (raw ?? {});
  const r = iec104MappingSchema.safeParse(block);
  if (r.success) return { ok: true, mapping: r.data };
  const i = r.error.issues[0]!;
  return { ok: false, error: `${i.path.map(String).join('.') || '(block)'}: ${i.message}` };
}
