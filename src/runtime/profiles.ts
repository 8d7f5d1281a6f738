/** Profiles available to the editor: the built-in ones (device-profiles/) with their id, kind, maker and model. */
import { join } from 'node:path';
import { formatProfileError } from '../core/errors.js';
import { loadProfileFile, resolveProfileRef } from './profile-files.js';
import { builtinProfileDir, modbusProfileFiles } from './package-root.js';

export interface ProfileSummary {
  id: string;
  kind: string;
  maker: string;
  model: string;
  points: number;
}

export function listBuiltinProfiles(dir = builtinProfileDir): ProfileSummary[] {
  const out: ProfileSummary[] = [];
  for (const f of modbusProfileFiles(dir)) {
    const p = loadProfileFile(join(dir, f)).profile;
    if (p) out.push({ id: p.id, kind: p.kind, maker: p.metadata.maker, model: p.metadata.model, points: p.points.length });
  }
  return out;
}

export interface ProfileCheck {
  ok: boolean;
  /** The file the reference resolved to. */
  file?: string;
  profile?: ProfileSummary;
  /** Problems, each with file:line: field: message. */
  errors: string[];
}

/**
 * Check a profile reference as the device node will resolve it (built-in id, or a YAML path relative to the user
 * dir), for the editor's dialog. Only `.yaml`/`.yml` files are read, so the check cannot be used to probe other files.
 */
export function checkProfileRef(ref: string, userDir: string): ProfileCheck {
  const r = ref.trim();
  if (!r) return { ok: false, errors: ['no profile given: pick one or give the path of a YAML file'] };
  if ((r.includes('/') || r.includes('\\')) && !/\.ya?ml$/i.test(r)) return { ok: false, errors: [`"${r}" is not a .yaml/.yml file`] };
  const file = resolveProfileRef(r, userDir, [builtinProfileDir]);
  if (!file) return { ok: false, errors: [`profile "${r}" not found (a built-in id, or a path to a YAML file relative to ${userDir})`] };
  const load = loadProfileFile(file);
  if (!load.profile) return { ok: false, file, errors: load.errors.slice(0, 10).map(formatProfileError) };
  const p = load.profile;
  return { ok: true, file, profile: { id: p.id, kind: p.kind, maker: p.metadata.maker, model: p.metadata.model, points: p.points.length }, errors: [] };
}
