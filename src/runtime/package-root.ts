/** Where this package is installed (no dependencies, so that start-up code can ask without loading the schemas). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

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
