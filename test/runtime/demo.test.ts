import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { runDemo } from '../../src/runtime/demo.js';

// The main job end to end, in process: simulator → Node-RED flow (GridBridge nodes) → embedded broker → subscriber.
// Node-RED loads the nodes from dist/ (the package is linked into the user dir), so this needs `npm run build`
// (npm test runs it first).
describe('npm start demo', () => {
  const userDir = mkdtempSync(join(tmpdir(), 'gb-demo-'));
  let demo: Awaited<ReturnType<typeof runDemo>> | undefined;
  afterAll(async () => {
    await demo?.stop();
    rmSync(userDir, { recursive: true, force: true });
  });

  it('publishes station telemetry to MQTT and answers a command', async () => {
    const lines: string[] = [];
    demo = await runDemo({ host: '127.0.0.1', port: 0, userDir, modbusPort: 0, mqttPort: 0, resetFlow: true, logLevel: 'warn', log: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/Node-RED editor: http:\/\/127\.0\.0\.1:\d+\//);
    // Every node set of the package loads in Node-RED without error (package.json node-red.nodes).
    const sets = (await (await fetch(`${demo.editorUrl}nodes`, { headers: { Accept: 'application/json' } })).json()) as Array<{ module: string; name: string; enabled: boolean; err?: string; types: string[] }>;
    const ours = sets.filter((n) => n.module === 'node-red-contrib-gridbridge');
    const declared = Object.keys(require('../../package.json')['node-red'].nodes);
    expect(ours.map((n) => n.name).sort()).toEqual([...declared].sort());
    expect(ours.filter((n) => n.err || !n.enabled).map((n) => `${n.name}: ${JSON.stringify(n.err)}`)).toEqual([]);
    expect(ours.flatMap((n) => n.types)).toContain('gridbridge-modbus-read');
    const c = mqtt.connect(demo.mqttUrl);
    const seen = new Map<string, any>();
    c.on('message', (t, p) => seen.set(t, t.endsWith('/status') ? p.toString() : JSON.parse(p.toString())));
    await c.subscribeAsync('gridbridge/demo-home/#', { qos: 1 });
    const want = ['inverter/W', 'battery/SoC', 'meter/Hz', 'ev/W'].map((s) => `gridbridge/demo-home/${s}`);
    for (let i = 0; i < 200 && !want.every((t) => seen.has(t)); i++) await new Promise((r) => setTimeout(r, 50));
    for (const t of want) {
      expect(seen.get(t), t).toMatchObject({ quality: 'good' });
      expect(typeof seen.get(t).value, t).toBe('number');
    }
    expect(seen.get('gridbridge/demo-home/status')).toBe('online');
    // The running flow is the site node's (mappings/demo-home-station.yaml as shipped); the per-protocol tab is off.
    const body = (await (await fetch(`${demo.editorUrl}flows`, { headers: { Accept: 'application/json', 'Node-RED-API-Version': 'v1' } })).json()) as Array<Record<string, any>> | { flows: Array<Record<string, any>> };
    const flows = Array.isArray(body) ? body : body.flows;
    const tabs = new Map(flows.filter((n) => n.type === 'tab').map((t) => [t.id, t]));
    const siteIn = flows.find((n) => n.type === 'gridbridge-site-in')!;
    expect(tabs.get(siteIn.z)?.disabled).toBe(false);
    expect(flows.find((n) => n.id === siteIn.site)).toMatchObject({ type: 'gridbridge-site', file: 'mappings/demo-home-station.yaml' });
    for (const n of flows.filter((x) => x.type === 'gridbridge-modbus-read' || x.type === 'gridbridge-mqtt-upstream')) expect(tabs.get(n.z)?.disabled).toBe(true);
    await c.publishAsync('gridbridge/demo-home/battery/WSet/set', JSON.stringify({ value: -1500, id: 'demo-1' }), { qos: 1 });
    const rt = 'gridbridge/demo-home/battery/WSet/result';
    for (let i = 0; i < 100 && !seen.has(rt); i++) await new Promise((r) => setTimeout(r, 50));
    expect(seen.get(rt)).toMatchObject({ id: 'demo-1', ok: true });
    await c.endAsync();
  });
});
