import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateFile, loadMappingFile } from '../../src/runtime/validate.js';
import { formatProfileError } from '../../src/core/errors.js';

const root = join(__dirname, '..', '..');
const fixture = (f: string) => join(root, 'test', 'fixtures', f);

describe('gridbridge validate', () => {
  it('accepts every shipped profile and mapping', () => {
    const files = [
      ...readdirSync(join(root, 'device-profiles')).map((f) => join(root, 'device-profiles', f)),
      ...readdirSync(join(root, 'mappings')).map((f) => join(root, 'mappings', f)),
    ].filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const r = validateFile(f);
      expect(r.errors.map(formatProfileError), f).toEqual([]);
    }
  });

  it('names line and field of every profile problem', () => {
    const r = validateFile(fixture('bad-profile.yaml'));
    expect(r.kind).toBe('profile');
    const msgs = r.errors.map(formatProfileError);
    // overlapping registers: W (f32 at 10-11) and Hz at 11, line 9 is the Hz point
    expect(msgs.some((m) => /bad-profile\.yaml:(8|9):/.test(m) && /overlap/i.test(m))).toBe(true);
    // unknown type on line 11
    expect(msgs.some((m) => m.includes('bad-profile.yaml:11:') && /points\[3\]\.type/.test(m))).toBe(true);
    // duplicate point name on line 12
    expect(msgs.some((m) => m.includes('bad-profile.yaml:12:') && /duplicate/i.test(m))).toBe(true);
    // address past 65535 on line 10, reported in the same run as the cross-field problems above
    expect(msgs.some((m) => m.includes('bad-profile.yaml:10:') && /points\[2\]\.address/.test(m))).toBe(true);
  });

  it('names the line of an address past 65535', () => {
    const msgs = validateFile(fixture('bad-address.yaml')).errors.map(formatProfileError);
    expect(msgs.some((m) => m.includes('bad-address.yaml:6:') && /points\[1\]\.address/.test(m))).toBe(true);
  });

  it('names line and field of every mapping problem', () => {
    const r = loadMappingFile(fixture('bad-mapping.yaml'));
    expect(r.mapping).toBeUndefined();
    const msgs = r.errors.map(formatProfileError);
    expect(msgs.find((m) => /missing profile "no-such-profile"/.test(m))).toMatch(/bad-mapping\.yaml:7:.*devices\[1\]\.profile/);
    expect(msgs.find((m) => /unknown connection "nowhere"/.test(m))).toMatch(/:8:.*devices\[2\]\.connection/);
    expect(msgs.find((m) => /duplicate device id "m1"/.test(m))).toMatch(/:9:.*devices\[3\]\.id/);
    expect(msgs.find((m) => /already used by device "m1"/.test(m))).toMatch(/:9:/);
    expect(msgs.find((m) => /no point "NoSuchPoint"/.test(m))).toMatch(/:13:.*upstream\.mqtt\.publish\[0\]\.name/);
    expect(msgs.find((m) => /unknown device "ghost"/.test(m))).toMatch(/:14:.*upstream\.mqtt\.publish\[1\]\.device/);
  });

  it('names every problem in one pass: a missing metadata does not hide an overlap, a bad address not an unknown type', () => {
    const msgs = validateFile(fixture('bad-profile-no-metadata.yaml')).errors.map(formatProfileError);
    expect(msgs.find((m) => /metadata/.test(m))).toMatch(/bad-profile-no-metadata\.yaml:1:/);
    expect(msgs.find((m) => /overlaps W/.test(m))).toMatch(/:5:.*points\[1\]\.address/);
    expect(msgs.find((m) => /points\[2\]\.address/.test(m))).toMatch(/:6:.*>=0/);
    expect(msgs.find((m) => /unknown type "u17"/.test(m))).toMatch(/:6:.*points\[2\]\.type/);
    expect(msgs.find((m) => /"colour"/.test(m))).toMatch(/:7:.*points\[3\]/);
    // the stand-ins used to run the cross-field checks are never reported
    expect(msgs.filter((m) => /x_invalid|"invalid"/.test(m))).toEqual([]);
    expect(msgs).toHaveLength(5);
  });

  it('gives the line of a YAML alias bomb instead of expanding it', () => {
    const [e, ...rest] = validateFile(fixture('alias-bomb.yaml')).errors;
    expect(rest).toEqual([]);
    expect(e?.line).toBe(7);
    expect(e?.message).toMatch(/alias \*d expands to \d+ nodes.*alias bomb/);
  });

  it('reports YAML syntax errors and missing files with a place', () => {
    expect(validateFile(fixture('does-not-exist.yaml')).errors[0]?.message).toBe('file not found');
  });
});

describe('point references in upstream blocks', () => {
  it('checks `point` keys (OpenADR, SAPC, IEC 104) as well as `name` keys and names the key', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'gb-refs-'));
    const f = join(dir, 'm.yaml');
    writeFileSync(
      f,
      `mapping: 1
site: { id: lab }
connections: { bus: { type: tcp, host: 127.0.0.1 } }
devices:
  - { id: ev, profile: dcbel-ev-charger, connection: bus, unit: 1 }
upstream:
  sapc:
    port: { path: /dev/ttyUSB0 }
    slots:
      - { slot: 1, device: ev, point: NoSuchLevel }
      - { slot: 2, device: ghost, point: SAPCLevel }
`,
    );
    const msgs = loadMappingFile(f).errors.map(formatProfileError);
    rmSync(dir, { recursive: true, force: true });
    expect(msgs.find((m) => /no point "NoSuchLevel"/.test(m))).toMatch(/:10:.*upstream\.sapc\.slots\[0\]\.point/);
    expect(msgs.find((m) => /unknown device "ghost"/.test(m))).toMatch(/:11:.*upstream\.sapc\.slots\[1\]\.device/);
  });
});

describe('unit id 255', () => {
  const text = (type: string) => `mapping: 1
site: { id: u }
connections:
  c: ${type === 'tcp' ? '{ type: tcp, host: 127.0.0.1, port: 502 }' : '{ type: rtu, device: /dev/ttyUSB0 }'}
devices:
  - { id: ev, profile: keba-p30, connection: c, unit: 255 }
`;
  it('is the device itself on Modbus TCP (KEBA P30), reserved on a serial line', async () => {
    const { loadMappingText } = await import('../../src/runtime/validate.js');
    expect(loadMappingText(text('tcp'), join(root, 'mappings', 'u.yaml')).errors).toEqual([]);
    const rtu = loadMappingText(text('rtu'), join(root, 'mappings', 'u.yaml')).errors.map(formatProfileError);
    expect(rtu.some((m) => /u\.yaml:6:.*unit id 255 is reserved.*255 only on a TCP connection/.test(m))).toBe(true);
  });
});
