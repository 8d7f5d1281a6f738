import { describe, expect, it } from 'vitest';
import type { Point } from '../../src/core/point.js';
import { TypeId } from '../../src/protocols/iec104/constants.js';
import { applyMapping, clientNaming, commandToWrite, iec104MappingSchema, mappingCommandHandler, pointsToUpdates, publishPoints, serverDefinitions } from '../../src/protocols/iec104/mapping.js';
import { Iec104Server } from '../../src/protocols/iec104/server.js';

const block = iec104MappingSchema.parse({
  commonAddress: 3,
  points: [
    { device: 'meter1', name: 'W', ioa: 1001, type: 'M_ME_TF_1', scale: 0.001, groups: [1] },
    { device: 'breaker', name: 'Pos', ioa: 10, type: 'M_DP_NA_1' },
    { device: 'meter1', name: 'TotWhImp', ioa: 3001, type: 'M_IT_NA_1', counterGroup: 1 },
  ],
  commands: [
    { device: 'inv1', name: 'WMaxLimPct', ioa: 2001, type: 'C_SE_NC_1', sbo: true, min: 0, max: 100 },
    { device: 'breaker', name: 'PosSet', ioa: 2002, type: 'C_DC_NA_1' },
  ],
});

const pt = (device: string, name: string, value: Point['value'], extra: Partial<Point> = {}): Point => ({ id: `${device}/${name}`, device, name, value, quality: { code: 'good' }, receiveTime: Date.UTC(2026, 0, 2, 3, 4, 5, 678), ...extra });

describe('iec104 mapping block', () => {
  it('rejects duplicate addresses, bad types and misplaced counter groups with paths', () => {
    const r = iec104MappingSchema.safeParse({
      points: [
        { device: 'a', name: 'W', ioa: 1, type: 'M_ME_NC_1', counterGroup: 2 },
        { device: 'b', name: 'W', ioa: 1, type: 'C_SC_NA_1' },
      ],
      commands: [{ device: 'c', name: 'Conn', ioa: 1, type: 'C_SC_NA_1' }],
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('points.1.type');
    const r2 = iec104MappingSchema.safeParse({ points: [{ device: 'a', name: 'W', ioa: 1, type: 'M_ME_NC_1', counterGroup: 2 }], commands: [{ device: 'c', name: 'Conn', ioa: 1, type: 'C_SC_NA_1' }] });
    expect(r2.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['commands.0.ioa', 'points.0.counterGroup']);
  });

  it('builds server definitions, accepting the time-tagged command variant', () => {
    const d = serverDefinitions(block);
    expect(d.points[0]).toEqual({ ca: 3, ioa: 1001, typeId: TypeId.M_ME_TF_1, groups: [1], cyclic: false });
    expect(d.commands[0]).toEqual({ ca: 3, ioa: 2001, typeIds: [TypeId.C_SE_NC_1, TypeId.C_SE_TC_1], sbo: true });
  });

  it('turns Points into scaled, time-tagged updates with IEC quality', () => {
    const u = pointsToUpdates([pt('meter1', 'W', 12_500), pt('breaker', 'Pos', true), pt('breaker', 'Pos', null, { quality: { code: 'not_connected' } }), pt('other', 'W', 1)], block);
    expect(u).toHaveLength(3);
    expect(u[0]).toMatchObject({ ca: 3, ioa: 1001, typeId: 36, change: { value: 12.5, quality: {}, time: { ms: 5678, minute: 4, hour: 3 } } });
    expect(u[1]).toMatchObject({ ioa: 10, change: { value: 2 } });
    expect(u[2]).toMatchObject({ ioa: 10, change: { quality: { iv: true, nt: true } } });
    expect(u[2]!.change).not.toHaveProperty('value');
  });

  it('field link drop: the station keeps the last known value, flagged IV + NT; a new value clears the flags', () => {
    const server = new Iec104Server({});
    applyMapping(server, block);
    publishPoints(server, [pt('meter1', 'W', 12_500), pt('breaker', 'Pos', true)], block);
    publishPoints(server, [pt('meter1', 'W', null, { quality: { code: 'not_connected' } }), pt('breaker', 'Pos', null, { quality: { code: 'timeout' } })], block);
    expect(server.store.get(3, 1001)?.obj).toMatchObject({ value: 12.5, quality: { iv: true, nt: true } });
    expect(server.store.get(3, 10)?.obj).toMatchObject({ value: 2, quality: { iv: true, nt: true } });
    publishPoints(server, [pt('meter1', 'W', 13_000)], block);
    expect(server.store.get(3, 1001)?.obj).toMatchObject({ value: 13, quality: {} });
    expect(server.store.get(3, 1001)?.obj.quality?.iv ?? false).toBe(false);
    // Never known: the defined point stays 0 with IV, as before any value arrived.
    const fresh = new Iec104Server({});
    applyMapping(fresh, block);
    publishPoints(fresh, [pt('breaker', 'Pos', null, { quality: { code: 'not_connected' } })], block);
    expect(fresh.store.get(3, 10)?.obj).toMatchObject({ value: 0, quality: { iv: true, nt: true } });
  });

  it('turns commands into validated field writes', () => {
    expect(commandToWrite({ ca: 3, ioa: 2001, typeId: TypeId.C_SE_TC_1, value: 40 }, block)).toEqual({ ok: true, device: 'inv1', name: 'WMaxLimPct', value: 40 });
    expect(commandToWrite({ ca: 3, ioa: 2001, typeId: TypeId.C_SE_NC_1, value: 140 }, block)).toMatchObject({ ok: false, reason: expect.stringMatching(/above max/) });
    expect(commandToWrite({ ca: 3, ioa: 2002, typeId: TypeId.C_DC_NA_1, value: 1 }, block)).toEqual({ ok: true, device: 'breaker', name: 'PosSet', value: false });
    expect(commandToWrite({ ca: 3, ioa: 2002, typeId: TypeId.C_DC_NA_1, value: 3 }, block)).toMatchObject({ ok: false });
    expect(commandToWrite({ ca: 3, ioa: 2002, typeId: TypeId.C_SC_NA_1, value: true }, block)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match/) });
    expect(commandToWrite({ ca: 1, ioa: 2002, typeId: TypeId.C_DC_NA_1, value: 2 }, block)).toMatchObject({ ok: false });
  });

  it('command handler refuses when the field link is down and writes only on execute', async () => {
    const writes: unknown[] = [];
    let up = true;
    const h = mappingCommandHandler(block, (w) => (writes.push(w), true), () => up);
    const base = { ca: 3, ioa: 2002, typeId: TypeId.C_DC_NA_1, value: 2, qualifier: 0, remote: 'x' };
    expect(await h({ ...base, select: true })).toEqual({ accept: true });
    expect(writes).toEqual([]);
    expect(await h({ ...base, select: false })).toEqual({ accept: true });
    expect(writes).toEqual([{ device: 'breaker', name: 'PosSet', value: true }]);
    up = false;
    expect(await h({ ...base, select: false })).toMatchObject({ accept: false, reason: expect.stringMatching(/down/) });
  });

  it('names client points from the mapping', () => {
    const n = clientNaming(block);
    expect(n(3, 1001)).toEqual({ device: 'meter1', name: 'W' });
    expect(n(3, 999)).toBeUndefined();
  });
});

describe('float32 presentation', () => {
  it('gives the shortest decimal that reads back as the same float32', async () => {
    const { float32Decimal } = await import('../../src/protocols/iec104/points.js');
    expect(float32Decimal(Math.fround(47.299))).toBe(47.299);
    expect(float32Decimal(Math.fround(0.1))).toBe(0.1);
    expect(float32Decimal(Math.fround(16777217))).toBe(16777216);
    expect(float32Decimal(NaN)).toBeNaN();
  });
});

describe('client role: field writes → IEC 104 commands', () => {
  it('inverts commandToWrite', async () => {
    const { writeToCommand } = await import('../../src/protocols/iec104/mapping.js');
    expect(writeToCommand({ device: 'inv1', name: 'WMaxLimPct', value: 40 }, block)).toEqual({ ok: true, command: { typeId: TypeId.C_SE_NC_1, ioa: 2001, value: 40, ca: 3, sbo: true } });
    expect(writeToCommand({ device: 'breaker', name: 'PosSet', value: true }, block)).toMatchObject({ ok: true, command: { typeId: TypeId.C_DC_NA_1, value: 2, sbo: false } });
    expect(writeToCommand({ device: 'inv1', name: 'WMaxLimPct', value: 140 }, block)).toMatchObject({ ok: false, reason: expect.stringMatching(/above max/) });
    expect(writeToCommand({ device: 'x', name: 'y', value: 1 }, block)).toMatchObject({ ok: false });
    const w = writeToCommand({ device: 'inv1', name: 'WMaxLimPct', value: 55 }, block);
    expect(w.ok && commandToWrite({ ca: w.command.ca!, ioa: w.command.ioa, typeId: w.command.typeId, value: w.command.value }, block)).toEqual({ ok: true, device: 'inv1', name: 'WMaxLimPct', value: 55 });
  });
});
