import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadMappingText, validateFile } from '../../src/runtime/validate.js';
import { parseYamlText } from '../../src/core/yaml.js';

const fixture = (f: string) => join(__dirname, '..', 'fixtures', f);

// `gridbridge validate` names every problem of a mapping in one pass: a shape problem in one part (site, a
// connection, a device, a control, an upstream key) or an unset ${VAR} does not hide the cross-checks of the others
// (profiles, unit ids, point references, plans), and a part left out for its own problem is not reported again as
// "unknown" where it is referenced.
/** A one-device mapping (a battery) with the given `plans:` entries, checked. */
function loadPlans(plans: string) {
  const text = `mapping: 1
site: { id: lab }
connections: { bus: { type: tcp, host: 127.0.0.1 } }
devices:
  - { id: bat, profile: dcbel-station-battery, connection: bus, unit: 1 }
plans:${plans}
`;
  return loadMappingText(text, join(__dirname, '..', '..', 'mappings', 'plans.yaml'), {});
}

describe('gridbridge validate: every mapping problem in one pass', () => {
  it('bad-mapping-one-pass.yaml: 17 problems, each with its line and field, nothing else', () => {
    const env = process.env.GB_TEST_UNSET_HOST;
    delete process.env.GB_TEST_UNSET_HOST;
    const r = validateFile(fixture('bad-mapping-one-pass.yaml'));
    if (env !== undefined) process.env.GB_TEST_UNSET_HOST = env;
    expect(r.kind).toBe('mapping');
    const got = r.errors.map((e) => `${e.line}: ${e.path}: ${e.message}`);
    const want: Array<[number, string, RegExp]> = [
      [2, 'site', /Unrecognized key: "colour"/],
      [4, '', /GB_TEST_UNSET_HOST is not set/],
      [5, 'connections.serial.baudRate', /expected number/],
      [8, 'devices[1].profile', /missing profile "no-such-profile"/],
      [9, 'devices[2].unit', /<=255/],
      [11, 'devices[4].pollClasses.fast', />=50/],
      [11, 'devices[4].unit', /unit 1 on connection "bus" is already used by device "m1"/],
      [12, 'devices[5].connection', /unknown connection "nowhere"/],
      [14, 'controls[0].name', /no point "NoSuchPoint"/],
      [16, 'controls[2]', /Unrecognized key: "deflt"/],
      [22, 'plans[0].segments[1].to', /must end after it starts/],
      [22, 'plans[0].segments[1].from', /overlaps segments\[0\]/],
      [23, 'plans[1].segments[0].mode', /expected one of "charge"\|"balance"\|"discharge"/],
      [23, 'plans[1].device', /unknown device "ghost2"/],
      [25, 'upstream', /Unrecognized key: "modbus"/],
      [27, 'upstream.mqtt.publish[0].name', /no point "NoSuchPoint2"/],
      [29, 'upstream.mqtt.publish[2].device', /unknown device "ghost3"/],
    ];
    for (const [line, path, msg] of want) {
      expect(r.errors.some((e) => e.line === line && e.path === path && msg.test(e.message)), `${line}: ${path}: ${msg}\n${got.join('\n')}`).toBe(true);
    }
    // m3 (bad unit) and serial (bad baudRate) are left out: m4 on serial, the control and the MQTT entry naming m3
    // are not reported again, and neither is the malformed control's unknown device "ghost".
    expect(got.filter((l) => /"m3"|"serial"|"ghost"|devices\[3\]/.test(l))).toEqual([]);
    expect(r.errors).toHaveLength(want.length);
  });

  it('an unset variable inside a YAML flow collection does not hide the other problems of the mapping', () => {
    const text = `mapping: 1
site: { id: lab }
connections: { bus: { type: tcp, host: \${NO_SUCH_HOST}, port: 1502 } }
devices:
  - { id: m1, profile: eastron-sdm630, connection: bus, unit: 0 }
`;
    const r = loadMappingText(text, join(__dirname, 'env.yaml'), {});
    expect(r.mapping).toBeUndefined();
    expect(r.errors.map((e) => `${e.line}: ${e.path}: ${e.message}`)).toEqual([
      expect.stringMatching(/^3: : environment variable NO_SUCH_HOST is not set/),
      expect.stringMatching(/^5: devices\[0\]\.unit: unit id 0 is the Modbus broadcast address/),
    ]);
  });

  it('mapping plans: shape, segments, 48 h bound, overlapping plans of one device, duplicate ids', () => {
    const r = loadPlans(`
  - { id: a, device: bat, segments: [{ mode: charge, from: "2026-01-01T00:00:00Z", to: "2026-01-01T06:00:00Z", powerW: 1000 }] }
  - { id: b, device: bat, segments: [{ mode: discharge, from: "2026-01-01T02:00:00Z", to: "2026-01-01T04:00:00Z", socPct: 20 }] }
  - { id: b, device: bat, segments: [{ mode: balance, from: "2026-02-01T00:00:00Z", to: "2026-02-01T02:00:00Z" }] }
  - { id: c, device: bat, segments: [{ mode: charge, from: "2026-03-01T00:00:00Z", to: "2026-03-01T02:00:00Z" }] }
  - { id: d, device: bat, segments: [{ mode: charge, from: "2026-04-01T00:00:00Z", to: "2026-04-03T06:00:00Z", powerW: 1000 }] }
  - { id: e, device: nobody, segments: [{ mode: balance, from: "2026-05-01T00:00:00Z", to: "2026-05-01T02:00:00Z" }] }`);
    expect(r.errors.map((e) => `${e.line}: ${e.path}: ${e.message}`)).toEqual([
      expect.stringMatching(/^8: plans\[1\]\.segments: overlaps plan "a" \(2026-01-01T00:00:00\.000Z–2026-01-01T06:00:00\.000Z\) on device bat/),
      expect.stringMatching(/^9: plans\[2\]\.id: duplicate plan id "b" \(also plans\[1\]\)/),
      expect.stringMatching(/^10: plans\[3\]\.segments\[0\]\.powerW: charge needs exactly one of powerW or socPct/),
      expect.stringMatching(/^11: plans\[4\]\.segments: plan spans 54\.00 h; at most 48 h allowed/),
      expect.stringMatching(/^12: plans\[5\]\.device: unknown device "nobody"/),
    ]);
  });

  it('a well-formed mapping with plans passes', () => {
    const r = loadPlans(`
  - { id: a, device: bat, segments: [{ mode: charge, from: "2026-01-01T00:00:00Z", to: "2026-01-01T06:00:00Z", powerW: 1000 }] }`);
    expect(r.errors).toEqual([]);
    expect(r.mapping?.plans).toHaveLength(1);
  });

  it('collections nested too deeply for the parser: a located error naming the cause, not a crash', () => {
    const r = parseYamlText(`id: deep\nkind: meter\npoints: ${'['.repeat(20000)}1${']'.repeat(20000)}\n`, 'deep.yaml');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: 'deep.yaml', line: 3, message: expect.stringMatching(/nested too deeply/) });
  });
});
