/** gridbridge-openadr-report: report in. Each input point updates the VEN's latest values used in reports. */
import type { NodeAPI, NodeDef, Node } from './red.js';
import { statusFor, showConfigError } from './red.js';
import type { OpenadrVenNode } from './openadr-common.js';
import { QUALITY_CODES, type Point, type QualityCode } from '../src/core/point.js';

interface Def extends NodeDef {
  ven: string;
}

function toPoint(p: unknown, now: number): Point | string {
  if (!p || typeof p !== 'object') return 'payload must be a point object {device, name, value}';
  const o = p as Record<string, unknown>;
  if (typeof o['device'] !== 'string' || typeof o['name'] !== 'string') return 'payload.device and payload.name must be strings';
  const v = o['value'];
  if (!(v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string')) return 'payload.value must be a number, boolean, string or null';
  const qRaw = o['quality'];
  const code = typeof qRaw === 'string' ? qRaw : qRaw && typeof qRaw === 'object' ? (qRaw as { code?: unknown }).code : 'good';
  if (typeof code !== 'string' || !(QUALITY_CODES as readonly string[]).includes(code)) return `payload.quality ${String(code)} is not a quality code`;
  return { id: `${o['device']}/${o['name']}`, device: o['device'], name: o['name'], value: v, quality: { code: code as QualityCode }, receiveTime: now };
}

export = function register(RED: NodeAPI): void {
  function OpenadrReport(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const cfg = RED.nodes.getNode((def as Def).ven) as OpenadrVenNode | null;
    if (!cfg?.openadr) {
      return showConfigError(this, 'openadr report: no valid openadr-ven config node selected', 'no VEN configured');
    }
    const { ven, watch } = cfg.openadr;
    watch((s, text) => this.status(statusFor(s, text)));
    this.on('input', (msg, _send, done) => {
      const list = Array.isArray(msg.payload) ? msg.payload : [msg.payload];
      for (const item of list) {
        const p = toPoint(item, Date.now());
        if (typeof p === 'string') {
          done(new Error(`openadr report: ${p}`));
          return;
        }
        ven.update(p);
      }
      done();
    });
  }
  RED.nodes.registerType('gridbridge-openadr-report', OpenadrReport);
};
