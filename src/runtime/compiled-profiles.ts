/**
 * The shipped device profiles, validated at build time (scripts/build.mjs → dist/device-profiles.json), so that a
 * device node using one needs neither the YAML parser nor the profile schema at run time (together ~8-15 MB of a
 * Node-RED process). An entry is used only while the YAML file is byte for byte the one that was compiled (SHA-256);
 * otherwise, and for every other file, callers load the YAML (profile-files.ts), which gives located errors.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Profile } from '../core/profile/schema.js';
import type { ProfileLoad } from './profile-files.js';
import { builtinProfileDir, packageRoot } from './package-root.js';

export const compiledProfilesFile = join(packageRoot, 'dist', 'device-profiles.json');

export interface CompiledProfiles {
  /** By file name in device-profiles/. */
  [file: string]: { sha256: string; profile: Profile };
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

let compiled: CompiledProfiles | null | undefined;

/** The validated profile of a shipped profile file, or undefined when the file is not one (or has changed). */
export function loadCompiledProfile(file: string): ProfileLoad | undefined {
  const abs = resolve(file);
  if (dirname(abs) !== resolve(builtinProfileDir)) return undefined;
  if (compiled === undefined) {
    try {
      compiled = JSON.parse(readFileSync(compiledProfilesFile, 'utf8')) as CompiledProfiles;
    } catch {
      compiled = null; // not built (tests on the sources): YAML it is
    }
  }
  const entry = compiled?.[basename(abs)];
  if (!entry) return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(abs);
  } catch {
    return undefined;
  }
  return sha256(bytes) === entry.sha256 ? { file, profile: entry.profile, errors: [] } : undefined;
}
