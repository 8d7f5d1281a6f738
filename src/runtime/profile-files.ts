/**
 * Profile files: find one by id or path and load it (YAML, then the profile schema), cached by modification time.
 * Kept apart from validate.ts so that a Modbus device node loads only what a profile needs, not the mapping and
 * upstream schemas.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ProfileError } from '../core/errors.js';
import { parseProfile, type Profile } from '../core/profile/schema.js';
import { loadYamlFile, type LoadedYaml } from '../core/yaml.js';
import { resolveProfileRef } from './package-root.js';

export { resolveProfileRef };

export interface ProfileLoad {
  file: string;
  profile?: Profile;
  errors: ProfileError[];
}

export function profileFrom(y: LoadedYaml): ProfileLoad {
  if (y.errors.length) return { file: y.file, errors: y.errors };
  const { profile, issues } = parseProfile(y.data);
  return { file: y.file, profile, errors: issues.map((i) => y.locate(i)) };
}

const profileCache = new Map<string, { mtimeMs: number; load: ProfileLoad }>();

export function loadProfileFile(file: string): ProfileLoad {
  const abs = resolve(file);
  let mtimeMs = -1;
  try {
    mtimeMs = statSync(abs).mtimeMs;
  } catch {
    /* reported by loadYamlFile */
  }
  const hit = profileCache.get(abs);
  if (hit && hit.mtimeMs === mtimeMs) return hit.load;
  const load = profileFrom(loadYamlFile(file));
  if (mtimeMs >= 0) profileCache.set(abs, { mtimeMs, load });
  return load;
}
