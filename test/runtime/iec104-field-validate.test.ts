import { describe, expect, it } from 'vitest';
import { formatProfileError } from '../../src/core/errors.js';
import { loadMappingText } from '../../src/runtime/validate.js';

const base = `mapping: 1
site: { id: v }
connections:
  rtu:
    type: iec104
    host: 127.0.0.1
    points:
      - { device: feeder, name: W, ioa: 700, type: M_ME_NC_1 }
      - { device: ghost, name: Hz, ioa: 708, type: M_ME_NC_1 }
      - { device: feeder, name: Hz, ioa: 700, type: M_ME_NC_1 }
    commands:
      - { device: feeder, name: WMaxLimPct, ioa: 5005, type: C_SE_NC_1, min: 0, max: 100 }
  bus: { type: tcp, host: 127.0.0.1 }
devices:
  - { id: feeder, connection: rtu, kind: inverter, unit: 3 }
  - { id: meter, connection: bus, profile: eastron-sdm630 }
`;

describe('iec104 field connection in a mapping', () => {
  it('locates unknown devices, duplicate addresses, Modbus-only fields and missing unit ids', () => {
    const r = loadMappingText(base, 'm.yaml', {});
    const lines = r.errors.map(formatProfileError);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/m\.yaml:9:\d+: connections\.rtu\.points\[1\]\.device: unknown device "ghost"/),
        expect.stringMatching(/m\.yaml:10:\d+: connections\.rtu\.points\[2\]\.ioa: CA 1 IOA 700 already used by feeder\/W/),
        expect.stringMatching(/m\.yaml:15:\d+: devices\[0\]\.unit: a device on iec104 connection "rtu" takes its points/),
        expect.stringMatching(/m\.yaml:16:\d+: devices\[1\]: a device on a Modbus connection needs a unit id/),
      ]),
    );
    expect(r.mapping).toBeUndefined();
  });

  it('gives a valid device the point list of its addresses (commands writable with their range)', () => {
    const ok = base.replace(/ {6}- \{ device: ghost.*\n/, '').replace(/ {6}- \{ device: feeder, name: Hz, ioa: 700.*\n/, '').replace(', unit: 3', '').replace('profile: eastron-sdm630', 'profile: eastron-sdm630, unit: 1');
    const r = loadMappingText(ok, 'm.yaml', {});
    expect(r.errors).toEqual([]);
    const p = r.profiles.get('feeder')!;
    expect(p.kind).toBe('inverter');
    expect(p.points.map((x) => [x.name, x.access, x.min, x.max])).toEqual([
      ['W', 'r', undefined, undefined],
      ['WMaxLimPct', 'w', 0, 100],
    ]);
  });
});
