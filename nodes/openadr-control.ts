/**
 * gridbridge-openadr-control: event/control out. Output 1: control intents (topic `control`) and their cancellations
 * (topic `cancel`); output 2: event and report notifications (topic `event` / `report` / `deviation`).
 */
import type { NodeAPI, NodeDef, Node } from './red.js';
import { statusFor, showConfigError } from './red.js';
import type { OpenadrVenNode } from './openadr-common.js';

interface Def extends NodeDef {
  ven: string;
}

export = function register(RED: NodeAPI): void {
  function OpenadrControl(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const cfg = RED.nodes.getNode((def as Def).ven) as OpenadrVenNode | null;
    if (!cfg?.openadr) {
      return showConfigError(this, 'openadr control: no valid openadr-ven config node selected', 'no VEN configured');
    }
    const { ven, watch } = cfg.openadr;
    watch((s, text) => this.status(statusFor(s, text)));
    const offs = [
      ven.on('control', (c) => this.send([{ topic: 'control', payload: { ...c, validFrom: new Date(c.validFrom).toISOString(), validTo: new Date(c.validTo).toISOString() } }, null])),
      ven.on('cancel', (c) => this.send([{ topic: 'cancel', payload: c }, null])),
      ven.on('event', (e) => this.send([null, { topic: 'event', payload: e }])),
      ven.on('report', (r) => this.send([null, { topic: 'report', payload: r }])),
      ven.on('deviation', (d) => this.send([null, { topic: 'deviation', payload: d }])),
    ];
    this.on('close', (_removed, done) => {
      offs.forEach((off) => off());
      done();
    });
  }
  RED.nodes.registerType('gridbridge-openadr-control', OpenadrControl);
};
