/**
 * gridbridge-iec104-in: monitor data received by an IEC 104 client as GridBridge Points (msg.payload), one message
 * per information object, optionally limited to a common address and an IOA range.
 */
import type { NodeAPI, NodeDef, Node } from './red.js';
import { statusFor, showConfigError } from './red.js';
import type { Iec104ClientNode } from './iec104-common.js';
import { pointToJson, type Point } from '../src/core/point.js';
import { typeName } from '../src/protocols/iec104/constants.js';
import type { ObjectUpdate } from '../src/protocols/iec104/points.js';

interface Def extends NodeDef {
  client: string;
  ca: string;
  ioaFrom: string;
  ioaTo: string;
}

export = function register(RED: NodeAPI): void {
  function Iec104In(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const node = this;
    const cfg = RED.nodes.getNode(d.client) as Iec104ClientNode | null;
    if (!cfg?.iec104) {
      return showConfigError(node, 'iec104 in: no usable iec104 client configured');
    }
    const ca = d.ca === '' || d.ca === undefined ? undefined : Number(d.ca);
    const from = Number(d.ioaFrom) || 0;
    const to = d.ioaTo === '' || d.ioaTo === undefined ? 0xffffff : Number(d.ioaTo);
    const client = cfg.iec104.client;
    const onPoint = (p: Point, u: ObjectUpdate) => {
      if ((ca !== undefined && u.ca !== ca) || u.object.ioa < from || u.object.ioa > to) return;
      node.send({ topic: p.id, payload: pointToJson(p), iec104: { ca: u.ca, ioa: u.object.ioa, type: typeName(u.typeId) ?? u.typeId, cot: u.cot } });
    };
    client.on('point', onPoint);
    const unwatch = cfg.iec104.watch((s, text) => node.status(statusFor(s, text)));
    node.on('close', (_r, done) => {
      client.off('point', onPoint);
      unwatch();
      done();
    });
  }
  RED.nodes.registerType('gridbridge-iec104-in', Iec104In);
};
