/**
 * gridbridge-sapc-arbitrate: submits ControlIntents from any source (MQTT, 2030.5, OpenADR, plans, function
 * nodes) to the shared arbiter. msg.payload = ControlIntent (validFrom/validTo epoch ms or ISO) or {cancel: id}.
 * Output 1: the ControlResult (applied/clipped/superseded/rejected …); output 2: every effective change.
 */
import type { NodeAPI, NodeDef } from './red.js';
import { showConfigError } from './red.js';
import type { SapcArbiterNode } from './sapc-common.js';
import type { ControlIntent } from '../src/core/control.js';
import type { Effective } from '../src/core/arbitration/arbiter.js';

interface Def extends NodeDef {
  arbiter: string;
}

function asIntent(p: unknown): ControlIntent | string {
  if (!p || typeof p !== 'object') return 'payload must be a ControlIntent object';
  const o = { ...(p as Record<string, unknown>) };
  for (const k of ['validFrom', 'validTo'] as const) if (typeof o[k] === 'string') o[k] = Date.parse(o[k]);
  if (o.validFrom === undefined) o.validFrom = Date.now();
  if (typeof o.id !== 'string' || typeof o.source !== 'string' || typeof o.sourceClass !== 'string') return 'intent needs id, source and sourceClass';
  if (!o.target || typeof o.target !== 'object') return 'intent needs target {device, name}';
  if (typeof o.validTo !== 'number') return 'intent needs validTo (controls always expire)';
  return o as unknown as ControlIntent;
}

export = function register(RED: NodeAPI): void {
  function SapcArbitrateNode(this: SapcArbiterNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const arb = RED.nodes.getNode((def as Def).arbiter) as SapcArbiterNode | null;
    const arbiter = arb?.arbiter;
    if (!arbiter) {
      return showConfigError(this, 'sapc arbitrate: no arbiter configured');
    }
    const onChange = (e: Effective) => {
      this.send([null, { topic: `${e.target.device}/${e.target.name}`, payload: e }]);
      this.status({ fill: 'green', shape: 'dot', text: `${e.target.device}/${e.target.name} = ${String(e.value)} (${e.basis})` });
    };
    arbiter.on('change', onChange);
    this.on('input', (msg, send, done) => {
      const p = msg.payload as Record<string, unknown> | undefined;
      if (p && typeof p.cancel === 'string') {
        const r = arbiter.cancel(p.cancel, typeof p.source === 'string' ? p.source : undefined);
        send([{ ...msg, payload: r ?? { intentId: p.cancel, outcome: 'rejected', reason: 'unknown intent' } }, null]);
        return done();
      }
      const intent = asIntent(p);
      if (typeof intent === 'string') return done(new Error(`sapc arbitrate: ${intent}`));
      const result = arbiter.submit(intent, typeof msg.randomDelayMaxMs === 'number' ? { randomDelayMaxMs: msg.randomDelayMaxMs } : {});
      if (result.outcome === 'rejected') this.warn(`intent ${intent.id} rejected: ${result.reason ?? ''}`);
      send([{ ...msg, payload: result }, null]);
      done();
    });
    this.on('close', (_r, done) => {
      arbiter.off('change', onChange);
      done();
    });
  }
  RED.nodes.registerType('gridbridge-sapc-arbitrate', SapcArbitrateNode);
};
