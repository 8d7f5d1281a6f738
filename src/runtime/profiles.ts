/** Profiles available to the editor: the built-in ones (device-profiles/) with their id, kind, maker and model. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { builtinProfileDir, loadProfileFile } from './validate.js';

export interface ProfileSummary {
  id: string;
  kind: string;
  maker: string;
  model: string;
  points: number;
}

export function listBuiltinProfiles(dir = builtinProfileDir): ProfileSummary[] {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return [];
  }
  const out: ProfileSummary[] = [];
  for (const f of files.sort()) {
    const p = loadProfileFile(join(dir, f)).profile;
    if (p) out.push({ id: p.id, kind: p.kind, maker: p.metadata.maker, model: p.metadata.model, points: p.points.length });
  }
  return out;
}
