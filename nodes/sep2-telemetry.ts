/** gridbridge-sep2-telemetry: points in (msg.payload Point or array of Points) → 2030.5 mirror readings / DERStatus. */
import type { Node, NodeAPI, NodeDef } from './red.js';
import { statusFor } from './red.js';
import type { Sep2ClientNode } from './sep2-shared.js';

interface PointLike {
  device?: unknown;
  name?: unknown;
  value?: unknown;
  sourceTime?: unknown;
}

export = function register(RED: NodeAPI): void {
  function Sep2Telemetry(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const cfg = RED.nodes.getNode(String(def.client ?? '')) as Sep2ClientNode | null;
    const client = cfg?.client;
    if (!client) {
      const why = cfg?.configError ?? 'no 2030.5 client configured';
      this.status(statusFor('down', why));
      this.error(why);
      return;
    }
    this.on('input', (msg, _send, done) => {
      const list = (Array.isArray(msg.payload) ? msg.payload : [msg.payload]) as PointLike[];
      let taken = 0;
      for (const p of list) {
        if (!p || typeof p !== 'object' || typeof p.device !== 'string' || typeof p.name !== 'string' || typeof p.value !== 'number') {
          done(new Error('msg.payload must be a point { device, name, value:number } or an array of them'));
          return;
        }
        const t = typeof p.sourceTime === 'string' ? Date.parse(p.sourceTime) : typeof p.sourceTime === 'number' ? p.sourceTime : Date.now();
        client.record(`${p.device}/${p.name}`, p.value, Number.isFinite(t) ? t : Date.now());
        taken++;
      }
      const st = client.telemetry.stats();
      this.status(statusFor(client.status === 'up' ? 'up' : 'degraded', `${taken} in · ${st.buffered} buffered · ${st.dropped} dropped`));
      done();
    });
  }
  RED.nodes.registerType('gridbridge-sep2-telemetry', Sep2Telemetry);
};
