/** Load a device profile YAML for the simulator and the CLI; problems come back located (file:line: path: message). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatProfileError } from '../../core/errors.js';
import { parseProfile } from '../../core/profile/schema.js';
import type { Profile } from '../../core/profile/types.js';
import { loadYamlFile } from '../../core/yaml.js';

export class ProfileLoadError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ProfileLoadError';
  }
}

/** `ref` is a path, or a profile id found in the package's device-profiles/ folder. */
export function resolveProfilePath(ref: string): string {
  if (existsSync(ref)) return ref;
  for (const base of [join(__dirname, '..', '..', '..', 'device-profiles'), join(__dirname, '..', '..', '..', '..', 'device-profiles')]) {
    const f = join(base, ref.endsWith('.yaml') ? ref : `${ref}.yaml`);
    if (existsSync(f)) return f;
  }
  return ref;
}

export function loadProfile(ref: string): Profile {
  const file = resolveProfilePath(ref);
  const y = loadYamlFile(file);
  if (y.errors.length) throw new ProfileLoadError(y.errors.map(formatProfileError));
  const r = parseProfile(y.data);
  if (!r.profile) throw new ProfileLoadError(r.issues.map((i) => formatProfileError(y.locate(i))));
  return r.profile;
}
