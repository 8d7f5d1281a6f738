/**
 * gridbridge-site-control: submit (or cancel) a control intent to a gridbridge-site's arbiter, and send out what the
 * arbiter decided and what the field did (the write it caused, or whether the value in force is held).
 * `msg.payload = {device, name, value | cap, validFor?, validTo?, sourceClass?, id?}`; `msg.topic = "cancel"` with
 * `payload = {id}` (or a string id) cancels; `msg.topic = "controls"` lists the intents held.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from './red.js';
import { siteStatus, type SiteConfigNode } from './site-shared.js';
import { errorMessage } from '../src/core/errors.js';
import type { SourceClass } from '../src/core/control.js';
import { intentFromRequest, submitControl, type ControlRequest } from '../src/runtime/site-host.js';

interface Def extends NodeDef {
  site: string;
  sourceClass: string;
  validForS: string;
}

export = function register(RED: NodeAPI): void {
  function SiteControlNode(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const node = this;
    const cfg = RED.nodes.getNode(d.site) as SiteConfigNode | null;
    node.status(siteStatus(cfg));
    // The site's state until the first control; from then on the last control's outcome.
    let reported = false;
    let closed = false;
    let detach: () => void = () => undefined;
    void cfg?.ready.then((site) => {
      node.status(siteStatus(cfg));
      if (!site || closed) return;
      const onStatus = () => void (reported || node.status(siteStatus(cfg)));
      site.on('status', onStatus);
      detach = () => void site.off('status', onStatus);
    });
    node.on('close', (_r, done) => {
      closed = true;
      detach();
      done();
    });
    const validForS = Number(d.validForS) > 0 ? Number(d.validForS) : 900;
    node.on('input', (msg: NodeMessage, send, done) => {
      if (!cfg) return done(new Error('no gridbridge-site configured'));
      void cfg.ready.then(async (site) => {
        if (!site) return done(new Error(cfg.problem ?? 'the site is not running'));
        try {
          if (msg.topic === 'controls') {
            const p = msg.payload as { device?: string; name?: string } | undefined;
            const list = p?.device && p.name ? site.controls({ device: p.device, name: p.name }) : site.controls();
            send({ ...msg, payload: list });
            return done();
          }
          if (msg.topic === 'cancel') {
            const id = typeof msg.payload === 'string' ? msg.payload : (msg.payload as { id?: unknown } | undefined)?.id;
            if (typeof id !== 'string' || !id) throw new Error('cancel: payload must be the intent id or {id}');
            const r = site.arbiter.cancel(id);
            send({ ...msg, payload: r ?? { intentId: id, outcome: 'rejected', reason: `no intent "${id}" is held` } });
            return done();
          }
          const intent = intentFromRequest(msg.payload as ControlRequest, {
            now: Date.now(),
            id: `nr-${msg._msgid ?? Date.now().toString(36)}`,
            source: `node-red:${node.id}`,
            sourceClass: (d.sourceClass || 'owner') as SourceClass,
            validForS,
          });
          const report = await submitControl(site, intent);
          reported = true;
          node.status({ fill: report.field.state === 'held' ? 'green' : report.outcome === 'rejected' || report.field.state === 'not_held' ? 'red' : 'yellow', shape: 'dot', text: `${intent.target.device}/${intent.target.name}: ${report.outcome}, ${report.field.state}`.slice(0, 60) });
          send({ ...msg, topic: `${intent.target.device}/${intent.target.name}`, payload: report });
          done();
        } catch (e) {
          done(new Error(errorMessage(e)));
        }
      });
    });
  }
  RED.nodes.registerType('gridbridge-site-control', SiteControlNode);
};
