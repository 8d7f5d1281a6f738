/**
 * Node-RED loads every node file of an installed module at start-up. The built node files (dist/nodes, what Node-RED
 * loads; `npm test` builds first) must leave the protocol stacks and their libraries unloaded until a flow uses them:
 * checked in a real Node-RED process (lazy-load-child.cjs) with GridBridge installed in its user dir.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nodeRedPath } from '../node-red-path.js';
import { loadProfileFile } from '../../src/runtime/profile-files.js';
import { loadCompiledProfile } from '../../src/runtime/compiled-profiles.js';
import { modbusProfileFiles } from '../../src/runtime/package-root.js';

const root = join(__dirname, '..', '..');
/** The node-red package directory (Node-RED also loads the Node-RED modules installed beside it). */
const redDir = dirname(require.resolve('node-red/package.json', { paths: [dirname(nodeRedPath)] }));
const WATCHED = ['yaml', 'zod', 'prom-client', 'modbus-serial', 'serialport', 'mqtt', 'aedes', 'lmdb', 'fast-xml-parser', 'xml-crypto', '@peculiar/x509'];
const watched = Object.fromEntries(WATCHED.map((m) => [m, require.resolve(m, { paths: [root] })]));

interface Report {
  loaded: Record<string, boolean>;
  ourStacks: string[];
  types: string[];
  missing: string[];
  device?: { configError?: string; profile?: unknown };
}

/** Other Node-RED modules beside node-red (development dependencies such as Dashboard 2): not part of this check. */
function foreignModules(): string[] {
  const out: string[] = [];
  const scan = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      if (f.startsWith('@')) scan(join(dir, f));
      const pj = join(dir, f, 'package.json');
      if (f.startsWith('@') || f === 'node-red' || f === 'node-red-contrib-gridbridge' || !existsSync(pj)) continue;
      if ((JSON.parse(readFileSync(pj, 'utf8')) as { 'node-red'?: { nodes?: object } })['node-red']?.nodes) out.push(f);
    }
  };
  scan(dirname(redDir));
  return out;
}

let dir: string;
let profileFile: string;

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'nodes', 'lazy.js'))) throw new Error('dist/ is not built: run `npm run build` (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'gb-lazy-'));
  profileFile = join(dir, 'custom.yaml');
  writeFileSync(profileFile, ['id: custom-meter', 'kind: meter', 'metadata: { maker: Test, model: custom, source: test }', 'defaults: { function: holding }', 'points:', '  - { name: W, address: 0, type: i16, unit: W }', ''].join('\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runNodeRed(name: string, flows: object[]): Promise<Report> {
  const userDir = join(dir, name);
  mkdirSync(join(userDir, 'node_modules'), { recursive: true });
  symlinkSync(root, join(userDir, 'node_modules', 'node-red-contrib-gridbridge'), 'dir');
  writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: `lazy-${name}`, private: true, dependencies: { 'node-red-contrib-gridbridge': '*' } }));
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify([{ id: 't1', type: 'tab', label: 't' }, ...flows]));
  const child = fork(join(__dirname, 'lazy-load-child.cjs'), [userDir, nodeRedPath, root, JSON.stringify(watched), JSON.stringify(foreignModules())], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as Report));
    child.once('exit', (code) => reject(new Error(`Node-RED child exited (${code}) without a report`)));
  });
}

const modbusFlow = (profile: string) => [
  // TCP to a closed loopback port: the port node builds its stack and retries; nothing needs to answer.
  { id: 'p1', type: 'gridbridge-modbus-port', transport: 'tcp', host: '127.0.0.1', tcpPort: '1', timeoutMs: '200', retries: '0' },
  { id: 'd1', type: 'gridbridge-modbus-device', port: 'p1', profile, unitId: '1', deviceId: 'meter', site: '' },
  { id: 'r1', type: 'gridbridge-modbus-read', z: 't1', device: 'd1', mode: 'batch', wires: [[]] },
];

describe('GridBridge in Node-RED: stacks load on first use', { timeout: 60000 }, () => {
  it('with no flow, every node type is registered and no protocol stack or library is loaded', async () => {
    const r = await runNodeRed('none', []);
    expect(r.types).toEqual(expect.arrayContaining(['gridbridge-modbus-port', 'gridbridge-modbus-read', 'gridbridge-iec104-client', 'gridbridge-sep2-client', 'gridbridge-openadr-ven', 'gridbridge-mqtt-upstream', 'gridbridge-sapc-port', 'gridbridge-site']));
    expect(r.ourStacks).toEqual([]);
    expect(Object.entries(r.loaded).filter(([, v]) => v).map(([k]) => k)).toEqual([]);
  });

  it('a Modbus TCP flow on a YAML profile loads the Modbus stack, yaml and zod, but not modbus-serial, prom-client or the other stacks', async () => {
    const r = await runNodeRed('custom', modbusFlow(profileFile));
    expect(r.missing).toEqual([]);
    expect(r.device?.configError).toBeUndefined();
    expect(r.device?.profile).toMatchObject({ id: 'custom-meter' });
    expect(r.ourStacks).toContain('dist/src/protocols/modbus/port.js');
    expect(r.ourStacks.filter((f) => !f.startsWith('dist/src/protocols/modbus/'))).toEqual([]);
    expect(Object.entries(r.loaded).filter(([, v]) => v).map(([k]) => k).sort()).toEqual(['yaml', 'zod']);
  });

  it('a flow on a shipped profile uses its build-time validated form: the same profile, without yaml or zod', async () => {
    const r = await runNodeRed('shipped', modbusFlow('eastron-sdm630'));
    expect(r.device?.configError).toBeUndefined();
    expect(r.device?.profile).toEqual(loadProfileFile(join(root, 'device-profiles', 'eastron-sdm630.yaml')).profile);
    expect(r.ourStacks).toContain('dist/src/protocols/modbus/port.js');
    expect(Object.entries(r.loaded).filter(([, v]) => v).map(([k]) => k)).toEqual([]);
  });
});

describe('compiled shipped profiles', () => {
  it('match the YAML for every shipped profile, and are not used for files elsewhere', () => {
    const shipped = modbusProfileFiles(join(root, 'device-profiles'));
    expect(shipped.length).toBeGreaterThan(0);
    for (const f of shipped) {
      const file = join(root, 'device-profiles', f);
      expect(loadCompiledProfile(file)?.profile, f).toEqual(loadProfileFile(file).profile);
    }
    expect(loadCompiledProfile(profileFile)).toBeUndefined();
  });
});
