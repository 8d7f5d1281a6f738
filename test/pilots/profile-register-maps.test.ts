import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadProfileFile } from '../../src/runtime/validate.js';
import { readPoint } from '../../src/core/profile/scaling.js';
import { planReadBlocks } from '../../src/protocols/modbus/planner.js';
import type { Profile } from '../../src/core/profile/types.js';
import { repoRoot } from './cli.js';

// Profiles against the register maps they cite: the raw words a device sends for a documented example (the
// document's own example where it gives one) decode to the documented value, at the documented address.
function profile(id: string): Profile {
  const load = loadProfileFile(join(repoRoot, 'device-profiles', `${id}.yaml`));
  expect(load.errors).toEqual([]);
  return load.profile!;
}
function decode(p: Profile, name: string, words: number[]): { value: unknown; label?: string; address: number; fn: string } {
  const pt = p.points.find((x) => x.name === name);
  if (!pt) throw new Error(`${p.id} has no point ${name}`);
  const r = readPoint(pt, words);
  expect(r.quality.code, `${p.id}.${name}: ${JSON.stringify(r.quality)}`).toBe('good');
  return { value: r.value, ...(r.label !== undefined ? { label: r.label } : {}), address: pt.address, fn: pt.function };
}
const lo = (v: number) => v & 0xffff;
const hi = (v: number) => Math.floor(v / 0x10000) & 0xffff;

describe('device profiles match their cited register maps', () => {
  it('KEBA P30 (Modbus TCP Programmers Guide V1.02): UINT32 high word first, one value per read, state 5 = interrupted', () => {
    const p = profile('keba-p30');
    expect(decode(p, 'TotWhImp', [hi(38101), lo(38101)])).toMatchObject({ value: 38101, address: 1036 }); // guide: 38101 Wh
    expect(decode(p, 'W', [hi(98661), lo(98661)])).toMatchObject({ value: 98.661, address: 1020 }); // guide: 98661 mW
    expect(decode(p, 'AphC', [0, 645])).toMatchObject({ value: 0.645, address: 1012 }); // guide: 645 mA
    expect(decode(p, 'EVState', [0, 5])).toMatchObject({ value: 5, label: 'interrupted', address: 1000 });
    expect(decode(p, 'EVState', [0, 3])).toMatchObject({ label: 'charging' });
    // "It is not possible to read several registers at once": every planned read is one value.
    const blocks = planReadBlocks(p.points, p.limits, { holes: p.holes });
    expect(blocks.every((b) => b.count <= 2)).toBe(true);
  });

  it('Carlo Gavazzi EM24 (protocol table 2.3-1): INT32 LSW first, FC3, weights ×10 / ×1000', () => {
    const p = profile('carlo-gavazzi-em24');
    expect(decode(p, 'W', [lo(-12345), hi(-12345)])).toMatchObject({ value: -1234.5, address: 0x28, fn: 'holding' });
    expect(decode(p, 'AphA', [lo(70123), hi(70123)])).toMatchObject({ value: 70.123, address: 0x0c });
    expect(decode(p, 'PhVphA', [2301, 0])).toMatchObject({ value: 230.1, address: 0x00 });
    expect(decode(p, 'Hz', [500])).toMatchObject({ value: 50, address: 0x33 });
    expect(decode(p, 'PF', [0x10000 - 950])).toMatchObject({ value: -0.95, address: 0x31 }); // negative = lead
    expect(decode(p, 'TotWhImp', [lo(123456), hi(123456)])).toMatchObject({ value: 12345.6, address: 0x34 });
  });

  it('Schneider iEM3255 / PM5560: 1-based register numbers (3060 total active power → address 3059), Float32 kW', () => {
    const f32 = (v: number) => {
      const b = Buffer.alloc(4);
      b.writeFloatBE(v);
      return [b.readUInt16BE(0), b.readUInt16BE(2)];
    };
    for (const id of ['schneider-iem3255', 'schneider-pm5560']) {
      const p = profile(id);
      expect(decode(p, 'W', f32(1.5))).toMatchObject({ value: 1.5, address: 3059 });
      expect(decode(p, 'PhV', f32(231))).toMatchObject({ value: 231, address: 3035 }); // 3036 V L-N average
      expect(decode(p, 'Hz', f32(50))).toMatchObject({ address: 3109 });
      expect(decode(p, 'TotWhImp', [0, 0, hi(123456), lo(123456)])).toMatchObject({ value: 123456, address: 3203 }); // Int64 Wh
    }
    expect(decode(profile('schneider-iem3255'), 'TotWhExp', [0, 0, 0, 42])).toMatchObject({ value: 42, address: 3207 });
  });

  it('Eastron SDM630 / SDM120 (Modbus Protocol, input registers): IEEE 754 float32, high word first, 30001 = address 0', () => {
    const f32 = (v: number) => {
      const b = Buffer.alloc(4);
      b.writeFloatBE(v);
      return [b.readUInt16BE(0), b.readUInt16BE(2)];
    };
    const sdm630 = profile('eastron-sdm630');
    expect(decode(sdm630, 'W', f32(-2500))).toMatchObject({ value: -2500, address: 0x0034, fn: 'input' }); // 30053 total system power
    expect(decode(sdm630, 'Hz', f32(50))).toMatchObject({ address: 0x0046 }); // 30071
    expect(decode(sdm630, 'TotWhImp', f32(1234.5))).toMatchObject({ value: 1234.5, address: 0x0048 }); // 30073 import kWh
    const sdm120 = profile('eastron-sdm120');
    expect(decode(sdm120, 'W', f32(800))).toMatchObject({ value: 800, address: 0x000c, fn: 'input' }); // 30013 active power
    expect(decode(sdm120, 'TotWhExp', f32(3))).toMatchObject({ address: 0x004a }); // 30075 export kWh
  });

  it('Peacefair PZEM-016: input registers, 32-bit values low word first', () => {
    const p = profile('peacefair-pzem-016');
    expect(decode(p, 'A', [lo(70000), hi(70000)])).toMatchObject({ value: 70, address: 0x0001, fn: 'input' });
    expect(decode(p, 'W', [lo(161234), hi(161234)])).toMatchObject({ value: 16123.4, address: 0x0003 });
    expect(decode(p, 'PhV', [2305])).toMatchObject({ value: 230.5, address: 0x0000 });
    expect(decode(p, 'x_PowerAlarm', [0xffff])).toMatchObject({ label: 'alarm', address: 0x0009 });
    expect(p.points.find((x) => x.name === 'x_PowerAlarmThreshold')).toMatchObject({ function: 'holding', address: 0x0001, access: 'rw' });
  });

  it('Seplos BMS V3 (PIA block): 10 mV, signed 10 mA, 0.1 % SOC, 0.1 K temperatures, 17 registers from 0x1000', () => {
    const p = profile('seplos-bms-v3');
    expect(decode(p, 'V', [5321])).toMatchObject({ value: 53.21, address: 0x1000, fn: 'input' });
    expect(decode(p, 'x_DCA', [0x10000 - 1234])).toMatchObject({ value: -12.34, address: 0x1001 });
    expect(decode(p, 'SoC', [875])).toMatchObject({ value: 87.5, address: 0x1005 });
    expect((decode(p, 'x_CellTmpAvg', [2981]).value as number).toFixed(1)).toBe('25.0');
    expect(decode(p, 'x_MaxChaA', [100])).toMatchObject({ value: 100, address: 0x1010 });
    const blocks = planReadBlocks(p.points, p.limits, { holes: p.holes }).filter((b) => b.function === 'input');
    expect(Math.min(...blocks.map((b) => b.start))).toBe(0x1000);
    expect(Math.max(...blocks.map((b) => b.start + b.count))).toBe(0x1011);
  });
});
