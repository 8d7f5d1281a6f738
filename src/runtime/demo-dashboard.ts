/**
 * The dashboard tab of the demo (`npm start`): flows/dashboard-home-station.json (FlowFuse Dashboard 2) deployed on
 * the demo's own site node, when Dashboard 2 is installed where Node-RED looks for palette modules and the editor
 * is on loopback (the dashboard's buttons submit controls and Dashboard 2 has no login of its own).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLoopback } from './editor-security.js';
import { packageRoot } from './validate.js';

export const DASHBOARD_MODULE = '@flowfuse/node-red-dashboard';
export const DASHBOARD_FLOW = 'dashboard-home-station.json';

type FlowNode = Record<string, unknown> & { id: string; type: string };

/**
 * Where Node-RED would load Dashboard 2 from: the user dir's node_modules, or a node_modules above the Node-RED
 * package (Node-RED scans both); undefined when it is not installed.
 */
export function findDashboard(userDir: string, redDir: string): string | undefined {
  try {
    return require.resolve(`${DASHBOARD_MODULE}/package.json`, { paths: [userDir, redDir] });
  } catch {
    return undefined;
  }
}

/**
 * The example's nodes for a flow that already has a `gridbridge-site` (`siteId`): the example's own site node and
 * its module hints (`global-config`, only meaningful on import) are dropped, and its site in/control nodes point at
 * `siteId`.
 */
export function dashboardTab(siteId: string): FlowNode[] {
  const nodes = JSON.parse(readFileSync(join(packageRoot, 'flows', DASHBOARD_FLOW), 'utf8')) as FlowNode[];
  const own = nodes.find((n) => n.type === 'gridbridge-site');
  return nodes
    .filter((n) => n.type !== 'gridbridge-site' && n.type !== 'global-config')
    .map((n) => (own && n.site === own.id ? { ...n, site: siteId } : n));
}

/**
 * Decide whether the demo flow gets the dashboard tab; says why not in one line when it does not.
 * Returns the nodes to append (empty when skipped).
 */
export function demoDashboard(o: { host: string; userDir: string; redDir: string; siteId: string; log: (l: string) => void }): FlowNode[] {
  if (!isLoopback(o.host)) {
    o.log(`dashboard: not deployed (the editor listens on ${o.host}; Dashboard 2 has no login, so the demo adds it on loopback only)`);
    return [];
  }
  if (!findDashboard(o.userDir, o.redDir)) {
    o.log(`dashboard: ${DASHBOARD_MODULE} is not installed, so no dashboard tab (npm install it, then npm start -- --reset)`);
    return [];
  }
  return dashboardTab(o.siteId);
}
