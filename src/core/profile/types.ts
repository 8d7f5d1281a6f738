/**
 * A parsed, checked device profile with every default resolved: what the Modbus driver, planner and simulator use.
 * Nothing here is optional that has a default, so consumers never repeat the defaulting rules.
 */
import type { DeviceKind } from '../kinds.js';
import type { Access, ModbusDataType, ModbusOptions, Order, PollClass, RegisterTable } from './schema.js';

export type { Access, ModbusDataType, ModbusOptions, Order, PollClass, RegisterTable } from './schema.js';

export interface ModbusPointSpec {
  name: string;
  description?: string;
  table: RegisterTable;
  /** Zero-based protocol address of the first register/bit. */
  address: number;
  type: ModbusDataType;
  /** Registers spanned (bits for coil/discrete: always 1). */
  count: number;
  bit?: number;
  byteOrder: Order;
  wordOrder: Order;
  /** Constant multiplier (1 when absent). */
  scale: number;
  offset: number;
  /** Fixed power of ten, the name of a `sunssf` point, or undefined. */
  sf?: number | string;
  /** Engineering unit after scaling (the canonical unit when the profile gives none). */
  unit?: string;
  access: Access;
  poll: PollClass;
  enum?: ReadonlyMap<number, string>;
  min?: number;
  max?: number;
  /** Raw values meaning "not implemented" for this point (the profile's sentinel set plus the point's own). */
  notImplemented: ReadonlyArray<number | bigint>;
  /** False for scale factors and helpers: read and used, never published as a Point. */
  publish: boolean;
  /** Index in the profile's `points` list (for error paths). */
  index: number;
}

export interface DeviceProfile {
  id: string;
  title: string;
  manufacturer?: string;
  model?: string;
  description?: string;
  source?: string;
  kind: DeviceKind;
  protocol: 'modbus';
  modbus: ModbusOptions;
  points: readonly ModbusPointSpec[];
  pointsByName: ReadonlyMap<string, ModbusPointSpec>;
}

/** One finding about a profile, located by its field path (the CLI turns paths into YAML line numbers). */
export interface ProfileIssue {
  /** e.g. ['points', 3, 'address']. */
  path: ReadonlyArray<string | number>;
  message: string;
  severity: 'error' | 'warning';
}

export type ProfileResult =
  | { ok: true; profile: DeviceProfile; warnings: ProfileIssue[] }
  | { ok: false; issues: ProfileIssue[] };
