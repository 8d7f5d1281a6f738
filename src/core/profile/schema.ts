/**
 * Device profile format (`device-profiles/<id>.yaml`), as zod schemas. A profile describes one device model: its kind
 * and, point by point, where each canonical point lives in the device's Modbus register map and how to turn raw
 * registers into an engineering value. Profiles carry no site data (unit id, connection, poll intervals): mappings do.
 * See docs/device-profiles.md for the format with examples; `parseProfile` (./parse.ts) adds the cross-field checks.
 */
import { z } from 'zod';
import { DEVICE_KINDS } from '../kinds.js';

/** Profile format versions this code reads. */
export const PROFILE_FORMATS = ['gridbridge-profile/1'] as const;

/** The four Modbus data tables. Coils and holding registers are writable; discrete inputs and input registers are not. */
export const REGISTER_TABLES = ['coil', 'discrete', 'input', 'holding'] as const;
export type RegisterTable = (typeof REGISTER_TABLES)[number];

/**
 * Value encodings. `acc*` are SunSpec accumulators (unsigned counters whose 0 means "not implemented" under SunSpec
 * sentinels); `sunssf` is a SunSpec scale factor (int16 power of ten, never published, referenced by other points'
 * `sf`); `string` spans `count` registers, two characters per register.
 */
export const MODBUS_TYPES = [
  'bool',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
  'acc16',
  'acc32',
  'acc64',
  'sunssf',
  'string',
] as const;
export type ModbusDataType = (typeof MODBUS_TYPES)[number];

/** `big`: most significant first. `byteOrder` is within a register, `wordOrder` across the registers of one value. */
export const ORDERS = ['big', 'little'] as const;
export type Order = (typeof ORDERS)[number];

/** How often a point is read; a mapping gives each class its interval. `once` = after each (re)connect. */
export const POLL_CLASSES = ['fast', 'normal', 'slow', 'once'] as const;
export type PollClass = (typeof POLL_CLASSES)[number];

export const ACCESS_MODES = ['read', 'write', 'readwrite'] as const;
export type Access = (typeof ACCESS_MODES)[number];

/** Raw values that mean "not implemented": `sunspec` applies the SunSpec sentinels by type; `none` applies none. */
export const SENTINEL_SETS = ['none', 'sunspec'] as const;
export type SentinelSet = (typeof SENTINEL_SETS)[number];

const register = z.number().int().min(0).max(0xffff);
/** Identifier shape for points: canonical names (`W`, `WMaxLim_Ena`), vendor extensions (`x_…`), scale factors. */
const pointName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must start with a letter and use only letters, digits and _');
const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const modbusPointSchema = z.strictObject({
  name: pointName,
  description: z.string().optional(),
  table: z.enum(REGISTER_TABLES),
  /** Zero-based protocol address (the number on the wire), e.g. 0x0034, not the "30053" register number. */
  address: register,
  /** Default: `bool` for coils and discrete inputs, `uint16` for registers. */
  type: z.enum(MODBUS_TYPES).optional(),
  /** Registers spanned; required for `string` (it is implied by every other type). */
  count: z.number().int().min(1).max(125).optional(),
  /** A single bit (0 = least significant) of a 16-bit register, read as a boolean. */
  bit: z.number().int().min(0).max(15).optional(),
  byteOrder: z.enum(ORDERS).optional(),
  wordOrder: z.enum(ORDERS).optional(),
  /** value = raw × scale × 10^sf + offset */
  scale: finite.refine((v) => v !== 0, 'must not be 0').optional(),
  offset: finite.optional(),
  /** A fixed power of ten, or the name of a `sunssf` point holding it (read in the same poll). */
  sf: z.union([z.number().int().min(-10).max(10), pointName]).optional(),
  /** Engineering unit after scaling; must equal the canonical unit when the name has one. */
  unit: z.string().min(1).optional(),
  access: z.enum(ACCESS_MODES).optional(),
  poll: z.enum(POLL_CLASSES).optional(),
  /** Raw integer → label, e.g. `{1: off, 4: mppt}`; the published value is the label. */
  enum: z.record(z.string().regex(/^-?\d+$/, 'enum keys must be integers'), z.string().min(1)).optional(),
  /** Plausible (read) / permitted (write) engineering range; outside it a reading has quality `out_of_range`. */
  min: finite.optional(),
  max: finite.optional(),
  /** Extra raw values meaning "not implemented", on top of the profile's `notImplemented` set. */
  notImplemented: z.array(z.number().int()).optional(),
  /** False keeps a helper value (e.g. a status word split into bits) out of the published points. */
  publish: z.boolean().optional(),
});
export type ModbusPointInput = z.input<typeof modbusPointSchema>;

export const modbusOptionsSchema = z.strictObject({
  byteOrder: z.enum(ORDERS).default('big'),
  wordOrder: z.enum(ORDERS).default('big'),
  /** Largest read the device accepts (Modbus allows 125 registers per FC3/FC4). */
  maxReadRegisters: z.number().int().min(1).max(125).default(125),
  /** Largest coil/discrete read the device accepts (Modbus allows 2000 bits). */
  maxReadBits: z.number().int().min(1).max(2000).default(2000),
  /**
   * Unused registers a read may span to save a request. 0 for devices that answer exception 2 for unmapped
   * registers inside a block.
   */
  maxGap: z.number().int().min(0).max(124).default(16),
  /** Function code for writing one register: some devices accept only FC16. */
  singleRegisterWrite: z.enum(['fc6', 'fc16']).default('fc6'),
  notImplemented: z.enum(SENTINEL_SETS).default('none'),
});
export type ModbusOptions = z.output<typeof modbusOptionsSchema>;

export const profileSchema = z.strictObject({
  format: z.enum(PROFILE_FORMATS),
  /** Slug, equal to the file name without `.yaml`. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only'),
  title: z.string().min(1),
  manufacturer: z.string().optional(),
  model: z.string().optional(),
  description: z.string().optional(),
  /** Where the register map comes from (manual title and version, URL): a reviewer checks points against it. */
  source: z.string().optional(),
  kind: z.enum(DEVICE_KINDS),
  protocol: z.literal('modbus'),
  modbus: modbusOptionsSchema.prefault({}),
  points: z.array(modbusPointSchema).min(1, 'a profile needs at least one point'),
});
export type ProfileInput = z.input<typeof profileSchema>;
export type ProfileParsed = z.output<typeof profileSchema>;
