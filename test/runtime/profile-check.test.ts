import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { checkProfileRef } from '../../src/runtime/profiles.js';

const root = join(__dirname, '..', '..');

describe('profile check for the device dialog', () => {
  it('accepts a built-in id and names maker, model and point count', () => {
    const r = checkProfileRef('eastron-sdm630', '/nonexistent');
    expect(r.ok).toBe(true);
    expect(r.profile).toMatchObject({ id: 'eastron-sdm630', maker: 'Eastron', kind: 'meter' });
    expect(r.profile!.points).toBeGreaterThan(5);
  });

  it('names an unknown id, a file with problems (with lines) and refuses non-YAML paths', () => {
    expect(checkProfileRef('no-such-profile', root).errors[0]).toMatch(/profile "no-such-profile" not found/);
    const bad = checkProfileRef('test/fixtures/bad-profile-no-metadata.yaml', root);
    expect(bad.ok).toBe(false);
    expect(bad.errors.some((e) => /bad-profile-no-metadata\.yaml:5:.*overlaps/.test(e))).toBe(true);
    expect(checkProfileRef('/etc/passwd', root)).toEqual({ ok: false, errors: ['"/etc/passwd" is not a .yaml/.yml file'] });
    expect(checkProfileRef('  ', root).ok).toBe(false);
  });
});
