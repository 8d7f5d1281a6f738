/**
 * gridbridge-site-in: the points of a gridbridge-site (filtered by device, kind and name) on output 1, component
 * status changes on output 2, and control decisions (audit) and field writes on output 3.
 */
import type { Node, NodeAPI, NodeDef } from './red.js';
import { listFilter, siteStatus, type SiteConfigNode } from './site-shared.js';
import { pointToJson, type Point } from '../src/core/point.js';

interface Def extends NodeDef {
  site: string;
  devices: string;
  kinds: string;
  names: string;
  mode: string;
}

export = function register(RED: NodeAPI): void {
  function SiteInNode(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const node = this;
    const cfg = RED.nodes.getNode(d.site) as SiteConfigNode | null;
    const dev = listFilter(d.devices);
    const kind = listFilter(d.kinds);
    const name = listFilter(d.names);
    const keep = (p: Point) => dev(p.device) && kind(p.kind) && name(p.name);
    const detach: Array<() => void> = [];
    let closed = false;
    node.status(siteStatus(cfg));
    if (!cfg) return node.error('no gridbridge-site configured');
    void cfg.ready.then((site) => {
      node.status(siteStatus(cfg));
      if (!site || closed) return;
      const onPoints = (pts: Point[]) => {
        const sel = pts.filter(keep).map(pointToJson);
        if (sel.length === 0) return;
        if (d.mode === 'each') for (const p of sel) node.send([{ topic: p.id, payload: p }, null, null]);
        else node.send([{ topic: site.id, payload: sel }, null, null]);
      };
      const onStatus = (s: { component: string; state: string; reason?: string }) => {
        node.status(siteStatus(cfg));
        node.send([null, { topic: s.component, payload: { site: site.id, ...s } }, null]);
      };
      const onAudit = (a: object) => node.send([null, null, { topic: 'audit', payload: a }]);
      const onWrite = (w: object) => node.send([null, null, { topic: 'write', payload: w }]);
      // Components that changed state before this node attached (the site may start first).
      for (const [component, s] of cfg.components) node.send([null, { topic: component, payload: { site: site.id, component, ...s } }, null]);
      site.on('points', onPoints);
      site.on('status', onStatus);
      site.on('audit', onAudit);
      site.on('write', onWrite);
      detach.push(() => {
        site.off('points', onPoints);
        site.off('status', onStatus);
        site.off('audit', onAudit);
        site.off('write', onWrite);
      });
    });
    node.on('close', (_r, done) => {
      closed = true;
      for (const f of detach.splice(0)) f();
      done();
    });
  }
  RED.nodes.registerType('gridbridge-site-in', SiteInNode);
};
