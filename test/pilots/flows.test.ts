import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMappingFile, loadMappingText } from '../../src/runtime/validate.js';
import { repoRoot } from './cli.js';

// Every shipped flow: JSON that Node-RED imports (ids unique, wires to nodes of the flow, config references
// resolve), only node types this package or Node-RED core registers, and every site node on a mapping that validates.
const pkgTypes = new Set(Object.keys(require('../../package.json')['node-red'].nodes as Record<string, string>));
const coreTypes = new Set(['tab', 'global-config', 'comment', 'inject', 'debug', 'function', 'change', 'switch', 'mqtt in', 'mqtt out', 'mqtt-broker', 'link in', 'link out', 'file', 'file in', 'json', 'template', 'delay', 'catch', 'status', 'complete']);
const files = readdirSync(join(repoRoot, 'flows')).filter((f) => f.endsWith('.json'));
// Node types of other palette modules: a flow may use them only when it names the module in a `global-config` node's
// `modules` (Node-RED's hint: importing the flow without the module offers to install it).
const DASHBOARD = '@flowfuse/node-red-dashboard';
const moduleTypes: Record<string, Set<string>> = { [DASHBOARD]: new Set(Object.keys(require(`${DASHBOARD}/package.json`)['node-red'].nodes as Record<string, string>)) };
/** Configuration references of Dashboard 2 nodes: property → type it names. */
const dashboardRefs: Record<string, Record<string, string>> = { 'ui-page': { ui: 'ui-base', theme: 'ui-theme' }, 'ui-group': { page: 'ui-page' }, 'ui-notification': { ui: 'ui-base' } };

describe('flows/*.json', () => {
  it('ships a flow per pilot', () => {
    for (const p of ['bg-meters', 'nl-home', 'no-home', 'de-home', 'dso-rtu', 'es-iec104-scada', 'csip-battery', 'openadr-cem', 'openadr-cem-report-only', 'sapc-appliance']) expect(files).toContain(`pilot-${p}.json`);
  });
  for (const f of files) {
    it(`${f} is importable and its site mappings validate`, () => {
      const nodes = JSON.parse(readFileSync(join(repoRoot, 'flows', f), 'utf8')) as Array<Record<string, any>>;
      const ids = new Set(nodes.map((n) => n.id));
      expect(ids.size).toBe(nodes.length);
      const byId = new Map(nodes.map((n) => [n.id, n]));
      const hinted = Object.keys(nodes.find((n) => n.type === 'global-config')?.modules ?? {});
      const other = (t: string) => hinted.find((m) => moduleTypes[m]?.has(t));
      for (const n of nodes) {
        expect(pkgTypes.has(n.type) || coreTypes.has(n.type) || other(n.type) !== undefined, `${n.id}: type ${n.type} (another module's type needs its name in global-config.modules)`).toBe(true);
        if (other(n.type) === DASHBOARD) {
          // A widget sits in a ui-group (the notification names the ui-base); config references resolve to their type.
          const refs = dashboardRefs[n.type] ?? (n.z ? { group: 'ui-group' } : {});
          for (const [k, t] of Object.entries(refs)) expect(byId.get(n[k])?.type, `${n.id}.${k}`).toBe(t);
        }
        for (const out of n.wires ?? []) for (const t of out) expect(ids.has(t), `${n.id} wired to ${t}`).toBe(true);
        // Configuration references: ours (Modbus port, device; site on site in/control) and the core mqtt in → broker.
        const refs = n.type === 'mqtt in' || n.type === 'mqtt out' ? ['broker'] : n.type === 'gridbridge-site-in' || n.type === 'gridbridge-site-control' ? ['site'] : n.type.startsWith('gridbridge-modbus-') ? ['port', 'device'] : []; // elsewhere `device` is a name (e.g. the 2030.5 client's)
        for (const k of refs) if (n[k]) expect(ids.has(n[k]), `${n.id}.${k}`).toBe(true);
        if (n.z) expect(ids.has(n.z), `${n.id}.z`).toBe(true);
        if (n.type === 'gridbridge-site' && n.source === 'file') {
          const load = loadMappingFile(join(repoRoot, n.file));
          expect(load.errors, n.file).toEqual([]);
        }
        if (n.type === 'gridbridge-site' && n.source === 'inline') expect(loadMappingText(n.yaml, `${f}#${n.id}`).errors, `${n.id} inline mapping`).toEqual([]);
      }
    });
  }
});
