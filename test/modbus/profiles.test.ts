import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlText } from '../../src/core/yaml.js';
import { readFileSync } from 'node:fs';
import { parseProfile } from '../../src/core/profile/schema.js';
import { planReadBlocks } from '../../src/protocols/modbus/planner.js';
import { modbusProfileFiles } from '../../src/runtime/package-root.js';

const dir = join(__dirname, '..', '..', 'device-profiles');
const files = modbusProfileFiles(dir); // SAPC profiles: test/runtime/sapc-field

describe('device-profiles/*.yaml', () => {
  it('has the required profiles', () => {
    for (const f of ['dcbel-station-inverter', 'dcbel-station-battery', 'dcbel-tempo-meter', 'dcbel-ev-charger', 'eastron-sdm630', 'carlo-gavazzi-em24', 'sunspec-inverter']) {
      expect(files).toContain(`${f}.yaml`);
    }
  });
  for (const f of files) {
    it(`${f} parses without issues, id matches the file name, and plans`, () => {
      const y = parseYamlText(readFileSync(join(dir, f), 'utf8'), f);
      expect(y.errors).toEqual([]);
      const { profile, issues } = parseProfile(y.data);
      expect(issues.map((i) => `${y.locate(i).line}: ${i.path.join('.')}: ${i.message}`)).toEqual([]);
      expect(profile!.id).toBe(f.replace(/\.ya?ml$/, ''));
      expect(profile!.metadata.source.length).toBeGreaterThan(20);
      const blocks = planReadBlocks(profile!.points, profile!.limits, { holes: profile!.holes });
      expect(blocks.length).toBeGreaterThan(0);
    });
  }
});
