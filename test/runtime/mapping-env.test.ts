import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { expandMappingEnv, validateFile } from '../../src/runtime/validate.js';

describe('mapping environment variables', () => {
  it('replaces ${NAME} and ${NAME:-default}, keeps $${…} literal, and locates an unset variable', () => {
    const env = { HOST: 'rtu.local', EMPTY: '' };
    expect(expandMappingEnv('host: ${HOST}\nport: ${PORT:-2404}\nx: ${EMPTY:-d}\ntopic: "$${site}"', 'm.yaml', env)).toEqual({
      text: 'host: rtu.local\nport: 2404\nx: d\ntopic: "${site}"',
      errors: [],
    });
    const r = expandMappingEnv('a: 1\nb: ${MISSING}\n', 'm.yaml', env);
    expect(r.errors).toEqual([{ file: 'm.yaml', line: 2, path: '', message: expect.stringMatching(/MISSING is not set/) }]);
    expect(expandMappingEnv('a: ${NL}', 'm.yaml', { NL: 'x\ny' }).errors[0]!.message).toMatch(/line break/);
  });

  it('gridbridge validate accepts ${…} inside YAML flow collections (the shipped pilot mappings use it)', () => {
    for (const f of ['pilot-csip-battery.yaml', 'pilot-openadr-cem.yaml', 'pilot-sapc-appliance.yaml', 'pilot-nl-home.yaml']) {
      expect(validateFile(join(__dirname, '..', '..', 'mappings', f))).toMatchObject({ kind: 'mapping', errors: [] });
    }
  });
});
