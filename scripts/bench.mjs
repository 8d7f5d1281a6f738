#!/usr/bin/env node
// `npm run bench [name…]`: build, then run each compiled bench/<name>.ts (dist/bench/<name>.js) in its own process,
// one after the other (they measure throughput and must not share the 2 cores). Each writes bench/results/<name>.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
try {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
} catch {
  process.exit(1);
}
const dir = join(root, 'dist', 'bench');
const wanted = process.argv.slice(2);
const all = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'lib.js').map((f) => f.replace(/\.js$/, '')) : [];
const run = wanted.length ? all.filter((n) => wanted.includes(n)) : all;
let failed = 0;
for (const name of run) {
  console.log(`\n== bench ${name} ==`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(dir, `${name}.js`)], { stdio: 'inherit', cwd: root, timeout: 20 * 60 * 1000 }); // nodered: ~12 min (3 rounds of idle and load legs)
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${name} failed (exit ${r.status ?? r.signal})`);
  }
}
console.log(`\nbench: ${run.length - failed} of ${run.length} finished; results in bench/results/`);
process.exit(failed ? 1 : 0);
