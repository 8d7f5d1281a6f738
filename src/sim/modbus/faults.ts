/**
 * Fault injection for the simulator. A fault matches requests by unit id, function and address range and makes
 * the simulator answer with an exception code, stay silent, or answer late.
 * CLI syntax (comma separated key=value, flags without a value):
 *   exception=2,fn=holding,start=100,count=10   exception 2 for holding registers 100..109
 *   silent,unit=3                                unit 3 never answers
 *   slow=250                                     every answer 250 ms late
 */
import { isRead, type ModbusRequest } from '../../protocols/modbus/types.js';

export type FaultFunction = 'coil' | 'discrete' | 'holding' | 'input';

export interface Fault {
  unit?: number;
  fn?: FaultFunction;
  start?: number;
  count?: number;
  exception?: number;
  silent?: boolean;
  slowMs?: number;
}

const FC_FUNCTION: Record<number, FaultFunction> = { 1: 'coil', 2: 'discrete', 3: 'holding', 4: 'input', 5: 'coil', 6: 'holding', 15: 'coil', 16: 'holding' };

export function faultFor(faults: readonly Fault[], req: ModbusRequest): Fault | undefined {
  if (faults.length === 0) return undefined;
  const n = isRead(req) ? req.count : req.fc === 15 || req.fc === 16 ? req.values.length : 1;
  let merged: Fault | undefined;
  for (const f of faults) {
    if (f.unit !== undefined && f.unit !== req.unitId) continue;
    if (f.fn !== undefined && f.fn !== FC_FUNCTION[req.fc]) continue;
    if (f.start !== undefined) {
      const end = f.start + (f.count ?? 1);
      if (!(req.address < end && f.start < req.address + n)) continue;
    }
    merged = { ...merged, ...f };
  }
  return merged;
}

/** Parse one `--fault` value; throws an Error naming the bad key. */
export function parseFault(spec: string): Fault {
  const f: Fault = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, v] = part.split('=', 2) as [string, string | undefined];
    const num = (): number => {
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`fault "${spec}": ${k} needs a non-negative integer`);
      return n;
    };
    switch (k) {
      case 'exception':
        f.exception = num();
        if (f.exception < 1 || f.exception > 255) throw new Error(`fault "${spec}": exception code must be 1..255`);
        break;
      case 'silent':
        f.silent = true;
        break;
      case 'slow':
        f.slowMs = num();
        break;
      case 'unit':
        f.unit = num();
        break;
      case 'start':
        f.start = num();
        break;
      case 'count':
        f.count = num();
        break;
      case 'fn':
        if (v !== 'coil' && v !== 'discrete' && v !== 'holding' && v !== 'input') throw new Error(`fault "${spec}": fn must be coil, discrete, holding or input`);
        f.fn = v;
        break;
      default:
        throw new Error(`fault "${spec}": unknown key "${k}" (exception, silent, slow, unit, fn, start, count)`);
    }
  }
  if (f.exception === undefined && !f.silent && f.slowMs === undefined) throw new Error(`fault "${spec}": give exception=N, silent or slow=MS`);
  return f;
}
