/**
 * Profile files: find one by id or path and load it (YAML, then the profile schema), cached by modification time.
 * Kept apart from validate.ts so that a Modbus device node loads only what a profile needs, not the mapping and
 * upstream schemas.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ProfileError } from '../core/errors.js';
import { parseProfile, type Profile } from '../core/profile/schema.js';
import { loadYamlFile, type LoadedYaml } from '../core/yaml.js';
import { builtinProfileDir } from './package-root.js';

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

/** Resolve a profile reference (id or path) to a file, searching the given directories then the built-in ones. */
export function resolveProfileRef(ref: string, baseDir: string, dirs: string[] = []): string | undefined {
  if (ref.includes('/') || /\.ya?ml$/i.test(ref)) {
    const p = isAbsolute(ref) ? ref : join(baseDir, ref);
    return existsSync(p) ? p : undefined;
  }
  const search = [...dirs.map((d) => (isAbsolute(d) ? d : join(baseDir, d))), join(baseDir, '..', 'device-profiles'), baseDir, builtinProfileDir];
  for (const d of search) {
    for (const ext of ['.yaml', '.yml']) {
      const p = join(d, ref + ext);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}
