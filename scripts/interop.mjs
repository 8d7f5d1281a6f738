#!/usr/bin/env node
// Interop suite: runs test/interop/*.test.ts against independent peers from Debian (socat, mosquitto, pymodbus,
// mbpoll, xmllint, promtool). Installs the missing ones with apt-get when running as root (CI and the dev machines are root).
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const peers = [
  ['socat', 'socat'],
  ['mosquitto', 'mosquitto'],
  ['mosquitto_pub', 'mosquitto-clients'],
  ['mbpoll', 'mbpoll'],
  ['xmllint', 'libxml2-utils'],
  ['chromium', 'chromium'],
  ['openssl', 'openssl'],
  ['promtool', 'prometheus'],
];
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
// pymodbus.server needs python3-serial-asyncio, only a Recommends of python3-pymodbus (not installed below).
const hasPymodbus = () => spawnSync('/usr/bin/python3', ['-c', 'import pymodbus.server'], { stdio: 'ignore' }).status === 0;

const missing = peers.filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg);
if (!hasPymodbus()) missing.push('python3-pymodbus', 'python3-serial-asyncio');
if (missing.length > 0) {
  if (process.getuid?.() === 0) {
    console.log(`interop: installing ${missing.join(' ')} from Debian`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } else {
    console.error(`interop: missing peers (${missing.join(', ')}); install them with apt-get as root`);
    process.exit(1);
  }
}
// The interop tests use the built CLI (bin/gridbridge.js) as well as the TypeScript sources.
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const r = spawnSync(process.execPath, [vitest, 'run', '--config', join(root, 'vitest.interop.config.mts')], { stdio: 'inherit', cwd: root });
// Then the Node-RED-facing tests (and the editor test) again on Node 22 + Node-RED 5 (scripts/nr5.mjs; the first run
// installs both from the npm registry into .gridbridge/nr5/, later runs reuse it). dist/ is already built.
const nr5 = spawnSync(process.execPath, [join(root, 'scripts', 'nr5.mjs'), '--with-editor'], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, GB_NO_BUILD: '1' },
});
process.exit(r.status !== 0 ? (r.status ?? 1) : (nr5.status ?? 1));
