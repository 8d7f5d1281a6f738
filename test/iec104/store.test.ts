import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { decodeAsdu } from '../../src/protocols/iec104/asdu.js';
import { Cot, TypeId } from '../../src/protocols/iec104/constants.js';
import { PointStore } from '../../src/protocols/iec104/store.js';
import { Iec104Server } from '../../src/protocols/iec104/server.js';

const decodeAll = (bufs: Buffer[], room = 0) => bufs.map((b) => decodeAsdu(b.subarray(room)));

describe('PointStore interrogation encoding', () => {
  const store = new PointStore();
  for (let i = 0; i < 5; i++) store.define({ ca: 1, ioa: 10 + i, typeId: TypeId.M_ME_TF_1, groups: i < 2 ? [1] : [2], initial: { value: i, quality: {} } });
  store.define({ ca: 1, ioa: 40, typeId: TypeId.M_SP_NA_1, groups: [1], cyclic: true, initial: { value: true, quality: { nt: true } } });
  store.define({ ca: 1, ioa: 50, typeId: TypeId.M_IT_TB_1, counterGroup: 2, initial: { value: 99, sequence: 3, quality: {} } });
  store.define({ ca: 1, ioa: 60, typeId: TypeId.M_EP_TD_1, initial: { value: 1, quality: {}, elapsed: 5 } });
  store.define({ ca: 2, ioa: 10, typeId: TypeId.M_ME_NB_1, initial: { value: -3, quality: {} } });

  it('station interrogation: every process point, time-tagged types without time, no counters or protection events', () => {
    const a = decodeAll(store.encodeSelection(1, { kind: 'station' }, Cot.INTERROGATED_BY_STATION, { apciRoom: 6 }), 6);
    expect(a.map((x) => [x.typeId, x.sq, x.cot, x.objects.map((o) => o.ioa)])).toEqual([
      [TypeId.M_SP_NA_1, false, 20, [40]],
      [TypeId.M_ME_NC_1, true, 20, [10, 11, 12, 13, 14]],
    ]);
    expect(a[0]!.objects[0]).toEqual({ ioa: 40, value: true, quality: { nt: true } });
  });

  it('group interrogation breaks runs at points outside the group', () => {
    const a = decodeAll(store.encodeSelection(1, { kind: 'group', group: 1 }, 21));
    expect(a.map((x) => [x.typeId, x.sq, x.objects.map((o) => o.ioa)])).toEqual([
      [TypeId.M_SP_NA_1, false, [40]],
      [TypeId.M_ME_NC_1, false, [10, 11]],
    ]);
  });

  it('counter interrogation by group, cyclic selection, other common address', () => {
    expect(decodeAll(store.encodeSelection(1, { kind: 'counters', group: 2 }, 39))[0]).toMatchObject({ typeId: TypeId.M_IT_NA_1, cot: 39, objects: [{ ioa: 50, value: 99, sequence: 3 }] });
    expect(store.encodeSelection(1, { kind: 'counters', group: 1 }, 38)).toEqual([]);
    expect(decodeAll(store.encodeSelection(1, { kind: 'cyclic' }, 1)).map((x) => x.objects.map((o) => o.ioa))).toEqual([[40]]);
    expect(decodeAll(store.encodeSelection(2, { kind: 'station' }, 20))[0]!.objects).toEqual([{ ioa: 10, value: -3, quality: {} }]);
  });

  it('set() refreshes the encoded element', () => {
    const p = store.get(1, 12)!;
    store.set(p, { ...p.obj, value: 77, quality: { iv: true } });
    const a = decodeAll(store.encodeSelection(1, { kind: 'station' }, 20));
    expect(a[1]!.objects[2]).toEqual({ ioa: 12, value: 77, quality: { iv: true } });
  });

  it('unpacked mode lists every object with its IOA', () => {
    const a = decodeAll(store.encodeSelection(1, { kind: 'station' }, 20, { packed: false }));
    expect(a.every((x) => !x.sq)).toBe(true);
  });
});

describe('server cyclic transmission', () => {
  it('sends cyclic points with COT 1 every period on the injected clock', () => {
    const clock = new FakeClock();
    const server = new Iec104Server({ clock, cyclicPeriodMs: 5000 });
    server.definePoint({ ca: 1, ioa: 1, typeId: TypeId.M_ME_NC_1, cyclic: true, initial: { value: 1.5, quality: {} } });
    const sent: Buffer[] = [];
    // A started fake connection: sendAsdu of the group's active link is what cyclic data goes through.
    const fakeLink = { started: true, sendAsdu: (b: Buffer) => (sent.push(b), true) };
    (server as unknown as { groups: Array<{ active?: { link: unknown } }> }).groups[0]!.active = { link: fakeLink };
    (server as unknown as { armCyclic(): void }).armCyclic();
    clock.advance(4999);
    expect(sent).toHaveLength(0);
    clock.advance(1);
    expect(sent.map((b) => decodeAsdu(b))).toMatchObject([{ typeId: TypeId.M_ME_NC_1, cot: 1, objects: [{ ioa: 1, value: 1.5 }] }]);
    clock.advance(5000);
    expect(sent).toHaveLength(2);
  });
});
