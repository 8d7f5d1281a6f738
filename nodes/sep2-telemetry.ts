/** gridbridge-sep2-telemetry: points in (msg.payload Point or array of Points) → 2030.5 mirror readings / DERStatus. */
import type { Node, NodeAPI, NodeDef } from './red.js';
import { statusFor, showConfigError } from './red.js';
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
      return showConfigError(this, why, why);
    }
    this.on('input', (msg, _send, done) => {
      if (msg.topic === 'sep2/ratings') {
        // New inverter ratings: DERCapability and DERSettings are re-sent when they changed.
        const r = msg.payload as Record<string, unknown> | undefined;
        const n = (k: string) => (typeof r?.[k] === 'number' && (r[k] as number) > 0 ? (r[k] as number) : undefined);
        const maxW = n('maxW');
        const maxWh = n('maxWh');
        if (maxW === undefined || maxWh === undefined) {
          done(new Error('sep2/ratings: payload needs positive maxW and maxWh (maxChargeRateW, maxDischargeRateW optional)'));
          return;
        }
        client.updateRatings({ maxW, maxWh, maxChargeRateW: n('maxChargeRateW') ?? maxW, maxDischargeRateW: n('maxDischargeRateW') ?? maxW });
        done();
        return;
      }
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
