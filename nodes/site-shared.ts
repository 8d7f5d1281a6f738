/** Shapes the gridbridge-site config node exposes to the site in / site control nodes (types and small helpers). */
import type { Node, NodeStatus } from './red.js';
import type { Site } from '../src/runtime/site.js';

export interface ComponentState {
  state: string;
  reason?: string;
}

export interface SiteConfigNode extends Node {
  /** Resolves to the running site, or undefined when the mapping is invalid or the site could not start. */
  ready: Promise<Site | undefined>;
  /** Why there is no site (located mapping errors, joined), when there is none. */
  problem?: string;
  /** Last state of every component (connection:<id>, device:<id>, and each upstream). */
  components: Map<string, ComponentState>;
}

const GOOD = new Set(['up', 'online', 'connected', 'running']);

/** One status dot for a whole site: green when every component is up, yellow when some are, red when none or broken. */
export function siteStatus(cfg: SiteConfigNode | null | undefined): NodeStatus {
  if (!cfg) return { fill: 'red', shape: 'ring', text: 'no site configured' };
  if (cfg.problem) return { fill: 'red', shape: 'ring', text: cfg.problem.split('\n')[0]!.slice(0, 60) };
  const all = [...cfg.components.entries()];
  if (all.length === 0) return { fill: 'yellow', shape: 'ring', text: 'starting' };
  const bad = all.filter(([, s]) => !GOOD.has(s.state));
  if (bad.length === 0) return { fill: 'green', shape: 'dot', text: `${all.length}/${all.length} up` };
  const [name, s] = bad[0]!;
  const text = `${all.length - bad.length}/${all.length} up; ${name} ${s.state}${s.reason ? `: ${s.reason}` : ''}`;
  return { fill: bad.length === all.length ? 'red' : 'yellow', shape: 'ring', text: text.slice(0, 60) };
}

/** A comma-separated filter: empty = everything; `*` matches any run of characters. */
export function listFilter(spec: string | undefined): (v: string | undefined) => boolean {
  const parts = (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) return () => true;
  const res = parts.map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
  return (v) => v !== undefined && res.some((r) => r.test(v));
}
