/**
 * SunSpec discovery over the wire: find the "SunS" marker (0x5375 0x6e53) at 40000, 0 or 50000 (holding registers),
 * then walk the (model id, length L) chain until id 0xFFFF, decoding known models with the SunSpec decoder
 * (src/protocols/modbus/sunspec). Source: SunSpec Information Model Specification, "Device Modbus map".
 */
import { DecodeError } from '../../core/errors.js';
import { decodeSunSpecModel, type SunSpecModelBlock } from './sunspec/index.js';
import { ModbusExceptionError, type ReadRequest } from './types.js';

export const SUNSPEC_BASES = [40000, 0, 50000] as const;
export const SUNS = [0x5375, 0x6e53] as const;

/** Reads `count` holding registers at `address` (the caller decides unit id and scheduling). */
export type RegisterReader = (address: number, count: number) => Promise<number[]>;

export interface DiscoveredModel {
  id: number;
  /** Address of the model's ID register. */
  address: number;
  /** L: registers after ID and L. */
  length: number;
  decoded?: SunSpecModelBlock;
  /** Why the model was not decoded (unknown model, decode error, read error). */
  problem?: string;
}

export interface SunSpecDiscovery {
  base: number;
  models: DiscoveredModel[];
}

export interface DiscoverOptions {
  bases?: readonly number[];
  /** Safety bound on the number of models walked (default 64). */
  maxModels?: number;
  /** Decode models (default true); false only lists ids and lengths. */
  decode?: boolean;
}

/** Read up to 125 registers per request. */
async function readLong(read: RegisterReader, address: number, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let a = address; a < address + count; a += 125) out.push(...(await read(a, Math.min(125, address + count - a))));
  return out;
}

/** Returns undefined when no base holds "SunS". Read errors at a candidate base just move to the next base. */
export async function discoverSunSpec(read: RegisterReader, opts: DiscoverOptions = {}): Promise<SunSpecDiscovery | undefined> {
  let base: number | undefined;
  for (const b of opts.bases ?? SUNSPEC_BASES) {
    try {
      const r = await read(b, 2);
      if (r[0] === SUNS[0] && r[1] === SUNS[1]) {
        base = b;
        break;
      }
    } catch (e) {
      if (!(e instanceof ModbusExceptionError)) throw e; // timeouts/connection: let the caller see them
    }
  }
  if (base === undefined) return undefined;
  const models: DiscoveredModel[] = [];
  let addr = base + 2;
  const max = opts.maxModels ?? 64;
  for (let i = 0; i < max; i++) {
    if (addr + 2 > 0x10000) throw new DecodeError(`model chain runs past register 65535`, addr, 'sunspec');
    const [id, length] = await read(addr, 2);
    if (id === undefined || id === 0xffff) return { base, models };
    if (length === undefined) throw new DecodeError('short answer reading a model header', addr, 'sunspec');
    if (addr + 2 + length > 0x10000) throw new DecodeError(`model ${id} L=${length} runs past register 65535`, addr + 1, 'sunspec');
    const m: DiscoveredModel = { id, address: addr, length };
    if (opts.decode !== false) {
      try {
        const regs = await readLong(read, addr, length + 2);
        m.decoded = decodeSunSpecModel(id, regs);
      } catch (e) {
        m.problem = e instanceof Error ? e.message : String(e);
      }
    }
    models.push(m);
    addr += 2 + length;
  }
  throw new DecodeError(`more than ${max} models without the 0xFFFF end marker`, addr, 'sunspec');
}

/** A RegisterReader over any `read(request)` function, e.g. `port.readRaw`. */
export function holdingReader(unitId: number, read: (r: ReadRequest) => Promise<{ registers?: number[] }>): RegisterReader {
  return async (address, count) => (await read({ fc: 3, unitId, address, count })).registers ?? [];
}
