#!/usr/bin/env node
// `npm start`: build when sources are newer than dist/, then run the demo (src/runtime/demo.ts).
// Options: --port N (editor, default 1880), --reset (replace .gridbridge/flows.json with the shipped demo flow),
// --host ADDR (default 127.0.0.1; any other address needs editor users: GB_ADMIN_USER + GB_ADMIN_HASH, optionally
// GB_VIEWER_USER + GB_VIEWER_HASH for a read-only login; hashes from `npx node-red admin hash-pw`),
// --https-cert FILE --https-key FILE (serve the editor over HTTPS; needed beyond loopback unless --allow-http),
// --log json [--log-level L] (pino JSON logs).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const stamp = join(root, 'dist', 'src', 'runtime', 'demo.js');
const srcTime = Math.max(newest(join(root, 'src')), newest(join(root, 'nodes')), newest(join(root, 'flows')));
if (!process.env.GB_NO_BUILD && (!existsSync(stamp) || statSync(stamp).mtimeMs < srcTime)) {
  console.log('gridbridge: building…');
  try {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
  } catch {
    process.exit(1);
  }
}

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
};
const { runDemo } = require(stamp);
const { usersFromEnv } = require(join(root, 'dist', 'src', 'runtime', 'editor-security.js'));
const users = usersFromEnv(process.env);
const cert = arg('--https-cert', process.env.GB_HTTPS_CERT);
const key = arg('--https-key', process.env.GB_HTTPS_KEY);
if (Boolean(cert) !== Boolean(key)) {
  console.error('gridbridge: HTTPS needs both --https-cert and --https-key');
  process.exit(2);
}
const level = arg('--log-level', undefined);
const demo = await runDemo({
  host: arg('--host', process.env.GB_EDITOR_HOST ?? '127.0.0.1'),
  security: { users, ...(cert ? { tls: { cert, key } } : {}), ...(process.argv.includes('--allow-http') || process.env.GB_ALLOW_HTTP === '1' ? { allowHttp: true } : {}) },
  ...(arg('--log', '') === 'json' ? { logFormat: 'json' } : {}),
  ...(level ? { logLevel: level } : {}),
  port: Number(arg('--port', process.env.GB_EDITOR_PORT ?? 1880)),
  userDir: join(root, '.gridbridge'),
  modbusPort: Number(process.env.GB_MODBUS_PORT ?? 1502),
  mqttPort: Number(process.env.GB_MQTT_PORT ?? 1883),
  resetFlow: process.argv.includes('--reset'),
}).catch((e) => {
  console.error(`gridbridge: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
let stopping = false;
const stop = async (sig) => {
  if (stopping) return process.exit(130);
  stopping = true;
  console.log(`\ngridbridge: ${sig}, stopping…`);
  const t = setTimeout(() => { console.error('gridbridge: stop took too long, exiting'); process.exit(1); }, 10000);
  await demo.stop();
  clearTimeout(t);
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
