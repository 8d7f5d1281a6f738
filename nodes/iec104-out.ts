/**
 * gridbridge-iec104-out: serves GridBridge Points to SCADA through the server's mapping block. Input msg.payload: a
 * Point (or an array) — mapped ones are updated and sent spontaneously. Commands from SCADA to mapped command
 * addresses leave on the output as field writes {device, name, value}; they are refused (negative ACT_CON) when the
 * last Point from that device had a not-connected/timeout quality.
 */
import type { Node, NodeAPI, NodeDef } from './red.js';
import { statusFor, showConfigError } from './red.js';
import type { Iec104ServerNode } from './iec104-common.js';
import type { Point } from '../src/core/point.js';
import { mappingCommandHandler, publishPoints } from '../src/protocols/iec104/mapping.js';

interface Def extends NodeDef {
  server: string;
}

function toPoint(x: unknown): Point | undefined {
  if (!x || typeof x !== 'object') return undefined;
  const o = x as Record<string, unknown>;
  if (typeof o.device !== 'string' || typeof o.name !== 'string') return undefined;
  const q = o.quality;
  const quality = typeof q === 'string' ? { code: q } : q && typeof q === 'object' ? q : { code: 'good' };
  const p = { ...o, quality, receiveTime: typeof o.receiveTime === 'number' ? o.receiveTime : Date.parse(String(o.receiveTime)) || Date.now() } as Point;
  if (typeof o.sourceTime === 'string') p.sourceTime = Date.parse(o.sourceTime);
  return p;
}

export = function register(RED: NodeAPI): void {
  function Iec104Out(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const node = this;
    const cfg = RED.nodes.getNode(d.server) as Iec104ServerNode | null;
    const mapping = cfg?.iec104Server?.mapping;
    if (!cfg?.iec104Server || !mapping) {
      return showConfigError(node, !cfg?.iec104Server ? 'iec104 out: no usable iec104 server configured' : 'iec104 out: the server has no mapping block');
    }
    const { server } = cfg.iec104Server;
    const down = new Set<string>();
    const handler = mappingCommandHandler(
      mapping,
      (w) => (node.send({ topic: `${w.device}/${w.name}`, payload: w }), true),
      (device) => !down.has(device),
    );
    const removeSink = cfg.iec104Server.addSink((c) => (mapping.commands.some((m) => (m.ca ?? mapping.commonAddress) === c.ca && m.ioa === c.ioa) ? handler(c) : undefined));
    let sent = 0;
    node.on('input', (msg, _send, done) => {
      const list = (Array.isArray(msg.payload) ? msg.payload : [msg.payload]).map(toPoint).filter((p): p is Point => p !== undefined);
      for (const p of list) {
        if (p.quality.code === 'not_connected' || p.quality.code === 'timeout') down.add(p.device);
        else down.delete(p.device);
      }
      sent += publishPoints(server, list, mapping);
      node.status(statusFor(down.size ? 'degraded' : 'up', `${sent} updates${down.size ? `, ${down.size} device(s) down` : ''}`));
      done();
    });
    node.on('close', (_r, done) => {
      removeSink();
      done();
    });
  }
  RED.nodes.registerType('gridbridge-iec104-out', Iec104Out);
};
