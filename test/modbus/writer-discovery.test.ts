import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/sim/modbus/profile-file.js';
import { buildWrite, findPoint, WriteRefused } from '../../src/protocols/modbus/writer.js';
import { discoverSunSpec } from '../../src/protocols/modbus/sunspec-discovery.js';
import { mapModbusSerialError } from '../../src/protocols/modbus/transport.js';
import { ModbusExceptionError, ModbusTimeoutError, ModbusConnectionError } from '../../src/protocols/modbus/types.js';
import { parseFault, faultFor } from '../../src/sim/modbus/faults.js';

const bat = loadProfile('dcbel-station-battery');
const refuse = (name: string, v: number | string | boolean) => {
  try {
    buildWrite(bat, findPoint(bat, name), v, { unitId: 1 });
  } catch (e) {
    expect(e).toBeInstanceOf(WriteRefused);
    return (e as Error).message;
  }
  throw new Error('not refused');
};

describe('writer: checked before the bus', () => {
  it('encodes i32 with FC16 and u16 with FC6, enum labels to codes', () => {
    expect(buildWrite(bat, findPoint(bat, 'WSet'), -2, { unitId: 3 })).toEqual({ fc: 16, unitId: 3, address: 100, values: [0xffff, 0xfffe] });
    expect(buildWrite(bat, findPoint(bat, 'WChaMax'), 1500, { unitId: 3 })).toEqual({ fc: 6, unitId: 3, address: 102, value: 1500 });
    expect(buildWrite(bat, findPoint(bat, 'Conn'), 'CONNECT', { unitId: 3 })).toMatchObject({ fc: 6, value: 1 });
    expect(buildWrite(bat, findPoint(bat, 'WChaMax'), 1.5, { unitId: 3, valueUnit: 'kW' })).toMatchObject({ value: 1500 });
  });
  it('refuses read-only, out of limits, bad types, unknown enum labels and incompatible units', () => {
    expect(refuse('SoC', 1)).toMatch(/read-only/);
    expect(refuse('WSet', 7601)).toMatch(/max 7600/);
    expect(refuse('WChaMax', -1)).toMatch(/min 0/);
    expect(refuse('WChaMax', 'lots')).toMatch(/not a number/);
    expect(refuse('Conn', 'MAYBE')).toMatch(/not one of/);
    expect(() => buildWrite(bat, findPoint(bat, 'WChaMax'), 5, { unitId: 1, valueUnit: 'V' })).toThrow(/cannot be converted/);
    expect(() => findPoint(bat, 'Nope')).toThrow(WriteRefused);
  });
});

describe('SunSpec discovery over a register reader', () => {
  const image = (base: number, chain: Array<[number, number]>, end = true) => {
    const m = new Map<number, number>([[base, 0x5375], [base + 1, 0x6e53]]);
    let a = base + 2;
    for (const [id, len] of chain) {
      m.set(a, id);
      m.set(a + 1, len);
      a += 2 + len;
    }
    if (end) m.set(a, 0xffff);
    else for (let i = 0; i < 20000; i += 2) {
      m.set(a + i, 64000);
      m.set(a + i + 1, 0);
    }
    return async (addr: number, n: number) => {
      if (addr === 40000 && base !== 40000) throw new ModbusExceptionError(2);
      return Array.from({ length: n }, (_, i) => m.get(addr + i) ?? 0);
    };
  };
  it('finds SunS at 0 after an exception at 40000, walks to 0xFFFF, reports unknown models', async () => {
    const r = await discoverSunSpec(image(0, [[1, 66], [64999, 4]]));
    expect(r?.base).toBe(0);
    expect(r!.models.map((m) => [m.id, m.address, m.length])).toEqual([[1, 2, 66], [64999, 70, 4]]);
    expect(r!.models[0]!.decoded?.name).toBeTruthy();
    expect(r!.models[1]!.problem).toMatch(/not known/);
  });
  it('returns undefined without a marker, and stops a chain without an end marker', async () => {
    expect(await discoverSunSpec(async (_a, n) => new Array<number>(n).fill(0))).toBeUndefined();
    await expect(discoverSunSpec(image(40000, [], false), { decode: false, maxModels: 10 })).rejects.toThrow(/without the 0xFFFF end marker/);
  });
});

describe('transport error mapping and sim faults', () => {
  it('maps modbus-serial errors to typed errors', () => {
    const req = { fc: 3 as const, unitId: 1, address: 0, count: 1 };
    expect(mapModbusSerialError(Object.assign(new Error('Modbus exception 2'), { modbusCode: 2 }), req, 100)).toBeInstanceOf(ModbusExceptionError);
    expect(mapModbusSerialError({ name: 'TransactionTimedOutError', message: 'Timed out' }, req, 100)).toBeInstanceOf(ModbusTimeoutError);
    expect(mapModbusSerialError({ name: 'PortNotOpenError', message: 'Port Not Open' }, req, 100)).toBeInstanceOf(ModbusConnectionError);
  });
  it('parses and matches faults; rejects bad specs', () => {
    const f = [parseFault('exception=2,fn=holding,start=100,count=10'), parseFault('silent,unit=3')];
    expect(faultFor(f, { fc: 3, unitId: 1, address: 95, count: 6 })).toMatchObject({ exception: 2 });
    expect(faultFor(f, { fc: 3, unitId: 1, address: 110, count: 6 })).toBeUndefined();
    expect(faultFor(f, { fc: 4, unitId: 3, address: 0, count: 1 })).toMatchObject({ silent: true });
    expect(() => parseFault('exception=x')).toThrow(/integer/);
    expect(() => parseFault('unit=2')).toThrow(/give exception/);
    expect(() => parseFault('bogus=1')).toThrow(/unknown key/);
  });
});
