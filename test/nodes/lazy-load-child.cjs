// Child of lazy-load.test.ts: a Node-RED runtime (no editor) whose user dir has GridBridge installed (a link to the
// built package), started on the flow file given; reports which watched modules are in require.cache once the
// flow's nodes exist, and what the device node (if any) loaded. Plain Node, no test framework: its require.cache is
// the one a Node-RED process has.
'use strict';
const { createServer } = require('node:http');
const { join } = require('node:path');

const [userDir, redPath, packageRoot, watchedJson, excludesJson] = process.argv.slice(2);
const watched = JSON.parse(watchedJson);

async function main() {
  const RED = require(redPath);
  RED.init(createServer(), {
    userDir,
    flowFile: join(userDir, 'flows.json'),
    credentialSecret: 'test',
    httpAdminRoot: false,
    httpNodeRoot: false,
    nodesExcludes: JSON.parse(excludesJson),
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    logging: { console: { level: 'error', metrics: false, audit: false } },
    functionExternalModules: false,
  });
  await RED.start();
  const flows = require(join(userDir, 'flows.json'));
  const ids = flows.filter((n) => n.type !== 'tab').map((n) => n.id);
  const t0 = Date.now();
  while (ids.some((id) => !RED.nodes.getNode(id)) && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 50));
  const cached = Object.keys(require.cache);
  const loaded = {};
  for (const [name, file] of Object.entries(watched)) loaded[name] = cached.includes(file);
  const device = RED.nodes.getNode('d1');
  const types = RED.nodes.getNodeList().filter((n) => n.module === 'node-red-contrib-gridbridge').flatMap((n) => n.types).filter((t) => typeof RED.nodes.getType(t) === 'function');
  process.send({
    loaded,
    ourStacks: cached.filter((f) => f.startsWith(join(packageRoot, 'dist', 'src', 'protocols'))).map((f) => f.slice(packageRoot.length + 1)),
    types,
    missing: ids.filter((id) => !RED.nodes.getNode(id)),
    device: device ? { configError: device.configError, profile: device.device?.profile } : undefined,
  });
  setTimeout(() => process.exit(0), 100);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
