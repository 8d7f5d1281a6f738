/**
 * gridbridge-sapc-in: the appliance side of an SSP-1 port. Commands from the meter become ControlIntents in the
 * shared arbiter (ACK/NAK answered by the session); output 1 reports each decision, output 2 the effective level
 * of the slot's target whenever it changes (wire it to the device write). Logic: src/protocols/sapc/receiver.ts.
 */
import type { NodeAPI, NodeDef } from './red.js';
import { statusFor } from './red.js';
import type { SapcArbiterNode, SapcPortNode } from './sapc-common.js';
import { targetKey } from '../src/core/arbitration/arbiter.js';
import { SapcReceiver } from '../src/protocols/sapc/receiver.js';

interface Def extends NodeDef {
  port: string;
  arbiter: string;
  slot: string;
  direction: string;
  device: string;
  point: string;
  defaultLevel: string;
}

export = function register(RED: NodeAPI): void {
  function SapcInNode(this: SapcPortNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const port = RED.nodes.getNode(d.port) as SapcPortNode | null;
    const arb = RED.nodes.getNode(d.arbiter) as SapcArbiterNode | null;
    if (!port?.sapc || !arb?.arbiter || !d.device) {
      this.status({ fill: 'red', shape: 'ring', text: 'config error' });
      this.error(!port?.sapc ? 'sapc in: no usable SAPC port configured' : !arb?.arbiter ? 'sapc in: no arbiter configured' : 'sapc in: device is required');
      return;
    }
    const arbiter = arb.arbiter;
    const target = { device: d.device, name: d.point || 'SAPCLevel' };
    const receiver = new SapcReceiver(
      arbiter,
      [{ slot: Number(d.slot) || 1, direction: d.direction === 'export' ? 'export' : 'import', device: target.device, point: target.name, default: d.defaultLevel === '' || d.defaultLevel === undefined ? 100 : Number(d.defaultLevel) }],
      port.sapc.session.clock,
      (dec) => {
        this.send([{ topic: `${target.device}/${target.name}`, payload: { command: dec.command, answer: dec.answer, result: dec.result } }, null]);
        this.status(dec.answer.ok ? { fill: 'green', shape: 'dot', text: `${dec.command.source} ${dec.command.level} % ${dec.answer.state ?? ''}` } : { fill: 'yellow', shape: 'dot', text: `NAK ${dec.answer.reason}` });
      },
    );
    port.sapc.slots.add(receiver);
    port.sapc.watch((s, text) => this.status(statusFor(s, text)));
    const onChange = (e: { target: { device: string; name: string } }) => {
      if (targetKey(e.target) === targetKey(target)) this.send([null, { topic: `${target.device}/${target.name}`, payload: e }]);
    };
    arbiter.on('change', onChange);
    this.on('close', (_r, done) => {
      arbiter.off('change', onChange);
      port.sapc?.slots.remove(receiver);
      done();
    });
  }
  RED.nodes.registerType('gridbridge-sapc-in', SapcInNode);
};
