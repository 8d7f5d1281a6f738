/**
 * The normalized (fully resolved) device profile: what `parseProfile` returns and what the Modbus stack polls.
 * Every default is applied; every name is checked. The YAML shape is in `schema.ts`.
 */
import type { DeviceKind } from '../kinds.js';

export const MODBUS_FUNCTIONS = ['coil', 'discrete', 'holding', 'input'] as const;
export type ModbusFunction = (typeof MODBUS_FUNCTIONS)[number];

export const DATA_TYPES = [
  'u16', 'i16', 'u32', 'i32', 'u64', 'i64', 'f32', 'f64', 'string', 'bit', 'enum', 'bitfield', 'acc16', 'acc32', 'sunssf',
] as const;
export type DataType = (typeof DATA_TYPES)[number];

export type Order = 'BE' | 'LE';
export type Access = 'r' | 'w' | 'rw';

export interface ProfilePoint {
  /** Canonical point name for the profile's kind, or a vendor extension prefixed `x_`. */
  name: string;
  /** 0-based protocol address (what goes on the wire). */
  address: number;
  function: ModbusFunction;
  type: DataType;
  /** Registers occupied (1 for a coil/discrete input). */
  length: number;
  /** Bit number 0..15 (0 = least significant) for `type: bit` inside a register. */
  bit?: number;
  /** BE: high byte first in each register (the Modbus norm); LE: bytes swapped. */
  byteOrder: Order;
  /** BE: most significant register first; LE: least significant register first ("word swap"). */
  wordOrder: Order;
  /** engineering value = raw × 10^sf × scale + offset */
  scale: number;
  offset: number;
  /** Name of the point holding the SunSpec scale factor (a power of ten) for this point. */
  sf?: string;
  unit?: string;
  access: Access;
  /** Limits in engineering units: writes outside are refused; reads outside get quality out_of_range. */
  min?: number;
  max?: number;
  /** Poll class name (a key of Profile.pollClasses). */
  poll: string;
  enum?: Record<number, string>;
  bitfield?: Record<number, string>;
  /** Raw value meaning "not implemented". undefined: the SunSpec sentinel for the type; null: none. */
  notImplemented?: number | null;
  description?: string;
}

export interface Hole {
  function: ModbusFunction;
  start: number;
  count: number;
}

export interface ProfileLimits {
  /** Registers per read request (FC3/FC4), ≤ 125. */
  maxReadRegisters: number;
  /** Bits per read request (FC1/FC2), ≤ 2000. */
  maxReadBits: number;
  /** Registers per write request (FC16), ≤ 123. */
  maxWriteRegisters: number;
  /** Unused registers the planner may read to merge two requests into one. */
  maxGap: number;
}

export interface Profile {
  id: string;
  kind: DeviceKind;
  metadata: { maker: string; model: string; source: string; notes?: string; url?: string };
  defaults: { function: ModbusFunction; byteOrder: Order; wordOrder: Order; poll: string };
  limits: ProfileLimits;
  /** Poll class → period in ms. */
  pollClasses: Record<string, number>;
  /** Address ranges that must never be read (the device answers with an exception or misbehaves). */
  holes: Hole[];
  points: ProfilePoint[];
}

export const DEFAULT_LIMITS: ProfileLimits = { maxReadRegisters: 125, maxReadBits: 2000, maxWriteRegisters: 123, maxGap: 20 };
export const DEFAULT_POLL_CLASSES: Record<string, number> = { fast: 1000, normal: 10000, slow: 60000 };

export function isBitFunction(f: ModbusFunction): boolean {
  return f === 'coil' || f === 'discrete';
}

export function isReadOnlyFunction(f: ModbusFunction): boolean {
  return f === 'input' || f === 'discrete';
}

/** Registers a type occupies; undefined when the type's length is given by the profile (string, enum, bitfield). */
export function fixedLength(type: DataType): number | undefined {
  switch (type) {
    case 'u16': case 'i16': case 'acc16': case 'sunssf': case 'bit':
      return 1;
    case 'u32': case 'i32': case 'f32': case 'acc32':
      return 2;
    case 'u64': case 'i64': case 'f64':
      return 4;
    default:
      return undefined;
  }
}
