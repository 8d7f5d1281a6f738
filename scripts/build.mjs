#!/usr/bin/env node
// Build: compile TypeScript to dist/, copy the Node-RED .html/icons/locales beside the compiled nodes, export the
// JSON Schemas of profiles and mappings into schemas/, and copy flows/ into examples/ for the editor's Import menu.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazyNodeFiles } from './lazy-nodes.mjs';
import { compileProfiles } from './compile-profiles.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const schemasOnly = process.argv.includes('--schemas-only');

if (!schemasOnly) {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const tsc = require.resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  } catch {
    console.error('build: TypeScript reported the errors above; fix them and run `npm run build` again');
    process.exit(1);
  }
  const nodesSrc = join(root, 'nodes');
  const nodesOut = join(root, 'dist', 'nodes');
  lazyNodeFiles(nodesOut); // protocol stacks load on first use, not when Node-RED loads every node file (nodes/lazy.ts)
  compileProfiles(root); // shipped profiles as validated JSON: no YAML parser or schema at run time for them
  mkdirSync(nodesOut, { recursive: true });
  for (const f of readdirSync(nodesSrc)) {
    if (f.endsWith('.html')) cpSync(join(nodesSrc, f), join(nodesOut, f));
  }
  for (const dir of ['icons', 'locales']) {
    if (existsSync(join(nodesSrc, dir))) cpSync(join(nodesSrc, dir), join(nodesOut, dir), { recursive: true });
  }
  const examples = join(root, 'examples');
  rmSync(examples, { recursive: true, force: true });
  mkdirSync(examples, { recursive: true });
  for (const f of readdirSync(join(root, 'flows'))) {
    if (f.endsWith('.json')) cpSync(join(root, 'flows', f), join(examples, f));
  }
}

// JSON Schemas for editors (yaml-language-server: `# yaml-language-server: $schema=../schemas/profile.schema.json`).
const out = join(root, 'schemas');
mkdirSync(out, { recursive: true });
const exporters = [
  ['profile.schema.json', 'dist/src/core/profile/json-schema.js', 'profileJsonSchema'],
  ['mapping.schema.json', 'dist/src/runtime/json-schema.js', 'mappingJsonSchema'],
  ['sapc-profile.schema.json', 'dist/src/protocols/sapc/profile.js', 'sapcProfileJsonSchema'],
];
for (const [file, mod, fn] of exporters) {
  const path = join(root, mod);
  if (!existsSync(path)) continue;
  const m = require(path);
  if (typeof m[fn] !== 'function') continue;
  writeFileSync(join(out, file), JSON.stringify(m[fn](), null, 2) + '\n');
}
