/**
 * Where this package is installed and where a profile reference points (no dependencies: start-up code and the device
 * node ask without loading the YAML parser or the schemas).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** The package root: the nearest folder above this file with our package.json (works from src/ and dist/src/). */
export const packageRoot = ((): string => {
  let d = __dirname;
  for (;;) {
    const pj = join(d, 'package.json');
    if (existsSync(pj) && /"name":\s*"node-red-contrib-gridbridge"/.test(readFileSync(pj, 'utf8'))) return d;
    const up = dirname(d);
    if (up === d) return resolve(__dirname, '..', '..', '..');
    d = up;
  }
})();
export const builtinProfileDir = join(packageRoot, 'device-profiles');

/**
 * The Modbus device profiles in a profile folder (file names, sorted): every YAML file except SAPC appliance profiles
 * (`protocol: sapc`), which only a sapc field connection loads (src/protocols/sapc/profile.ts). [] when the folder
 * cannot be read.
 */
export function modbusProfileFiles(dir = builtinProfileDir): string[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return [];
  }
  return files.filter((f) => !/^protocol: sapc$/m.test(readFileSync(join(dir, f), 'utf8'))).sort();
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
