import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dashboardTab, demoDashboard, DASHBOARD_FLOW, findDashboard } from '../../src/runtime/demo-dashboard.js';
import { nodeRedDir } from '../../src/runtime/nodered.js';

// npm start's dashboard tab: the example rewired onto the demo's site, added only when Dashboard 2 is installed and
// the editor is on loopback, with one log line saying why when it is not.
const example = JSON.parse(readFileSync(join(__dirname, '..', '..', 'flows', DASHBOARD_FLOW), 'utf8')) as Array<Record<string, any>>;

describe('demo dashboard tab', () => {
  it('is the example on the given site: its own site node and module hints dropped, the rest unchanged', () => {
    const tab = dashboardTab('gb-site');
    expect(tab.filter((n) => n.type === 'gridbridge-site' || n.type === 'global-config')).toEqual([]);
    const users = tab.filter((n) => n.type === 'gridbridge-site-in' || n.type === 'gridbridge-site-control');
    expect(users.length).toBe(2);
    for (const n of users) expect(n.site).toBe('gb-site');
    const rest = example.filter((n) => !['gridbridge-site', 'global-config', 'gridbridge-site-in', 'gridbridge-site-control'].includes(n.type));
    expect(tab.filter((n) => !users.includes(n))).toEqual(rest);
    expect(tab.filter((n) => n.type === 'ui-base')).toHaveLength(1);
  });

  it('is added on loopback when Dashboard 2 resolves where Node-RED looks for it', () => {
    const lines: string[] = [];
    const nodes = demoDashboard({ host: '127.0.0.1', userDir: tmpdir(), redDir: nodeRedDir(), siteId: 'gb-site', log: (l) => lines.push(l) });
    expect(findDashboard(tmpdir(), nodeRedDir())).toMatch(/node-red-dashboard[\\/]package\.json$/);
    expect(nodes.length).toBeGreaterThan(10);
    expect(lines).toEqual([]);
  });

  it('is skipped with one line beyond loopback, and when Dashboard 2 is not installed', () => {
    const lines: string[] = [];
    expect(demoDashboard({ host: '0.0.0.0', userDir: tmpdir(), redDir: nodeRedDir(), siteId: 'gb-site', log: (l) => lines.push(l) })).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/dashboard: not deployed \(the editor listens on 0\.0\.0\.0/)]);
    const empty = mkdtempSync(join(tmpdir(), 'gb-nodash-'));
    try {
      lines.length = 0;
      expect(findDashboard(empty, empty)).toBeUndefined();
      expect(demoDashboard({ host: '127.0.0.1', userDir: empty, redDir: empty, siteId: 'gb-site', log: (l) => lines.push(l) })).toEqual([]);
      expect(lines).toEqual([expect.stringMatching(/@flowfuse\/node-red-dashboard is not installed, so no dashboard tab/)]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
