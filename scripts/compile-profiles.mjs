// Build step (see src/runtime/compiled-profiles.ts): validate the shipped device profiles once and write them as JSON
// to dist/device-profiles.json, with the SHA-256 of each YAML file. A profile whose validated form does not survive
// JSON unchanged is left out (it is then loaded from YAML at run time, as before).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

export function compileProfiles(root) {
  const require = createRequire(join(root, 'package.json'));
  const { loadProfileFile } = require('./dist/src/runtime/profile-files.js');
  const { compiledProfilesFile, sha256 } = require('./dist/src/runtime/compiled-profiles.js');
  const { modbusProfileFiles } = require('./dist/src/runtime/package-root.js');
  const dir = join(root, 'device-profiles');
  const out = {};
  const skipped = [];
  for (const f of modbusProfileFiles(dir)) {
    const load = loadProfileFile(join(dir, f));
    if (!load.profile) {
      skipped.push(`${f} (invalid: ${load.errors.length} problem(s))`);
      continue;
    }
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(load.profile)), load.profile)) {
      skipped.push(`${f} (not plain JSON)`);
      continue;
    }
    out[f] = { sha256: sha256(readFileSync(join(dir, f))), profile: load.profile };
  }
  writeFileSync(compiledProfilesFile, JSON.stringify(out) + '\n');
  if (skipped.length) console.error(`build: device profiles left to YAML at run time: ${skipped.join(', ')}`);
  return { compiled: Object.keys(out), skipped };
}
