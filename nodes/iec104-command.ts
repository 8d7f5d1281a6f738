/**
 * gridbridge-iec104-command: sends a command (or GI / counter interrogation / clock sync / read) through an IEC 104
 * client and outputs the outcome (ACT_CON +/-, ACT_TERM, timeouts) as msg.payload.
 * msg.payload: a value (with type and IOA configured on the node) or {type, ioa, value, sbo, ca}; type one of
 * sc, dc, rc, se-na, se-nb, se-nc, bo, gi, ci, cs, rd.
 */
import type { Node, NodeAPI, NodeDef } from './red.js';
import { statusFor, showConfigError } from './red.js';
import type { Iec104ClientNode } from './iec104-common.js';
import { errorMessage } from '../src/core/errors.js';
import { parseCommand, runAction, type ProbeAction } from '../src/protocols/iec104/requests.js';
import { resultSummary } from '../src/protocols/iec104/client.js';

interface Def extends NodeDef {
  client: string;
  cmdType: string;
  ioa: string;
  sbo: boolean;
  ca: string;
}

export = function register(RED: NodeAPI): void {
  function Iec104Command(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const node = this;
    const cfg = RED.nodes.getNode(d.client) as Iec104ClientNode | null;
    if (!cfg?.iec104) {
      return showConfigError(node, 'iec104 command: no usable iec104 client configured');
    }
    const client = cfg.iec104.client;
    node.on('input', (msg, send, done) => {
      const p = msg.payload;
      const o = (p && typeof p === 'object' ? p : { value: p }) as Record<string, unknown>;
      const type = String(o.type ?? d.cmdType ?? 'sc');
      const ca = Number(o.ca ?? d.ca) || 1;
      let action: ProbeAction;
      if (type === 'gi') action = { kind: 'gi' };
      else if (type === 'ci') action = { kind: 'ci', freeze: 0 };
      else if (type === 'cs') action = { kind: 'cs' };
      else if (type === 'rd') action = { kind: 'rd', ioa: Number(o.ioa ?? d.ioa) };
      else {
        const spec = parseCommand(type, String(o.ioa ?? d.ioa), o.value === undefined ? undefined : String(o.value));
        if (typeof spec === 'string') {
          node.status({ fill: 'red', shape: 'ring', text: spec.slice(0, 40) });
          return done(new Error(`iec104 command: ${spec}`));
        }
        if (o.sbo ?? d.sbo) spec.sbo = true;
        action = { kind: 'cmd', spec };
      }
      node.status({ fill: 'blue', shape: 'ring', text: `${type} pending` });
      runAction(client, ca, action).then(
        (r) => {
          node.status(r.ok ? statusFor('up', `${type} ${r.stage} ok`) : { fill: 'red', shape: 'dot', text: `${type}: ${(r.reason ?? 'failed').slice(0, 40)}` });
          send({ ...msg, payload: resultSummary(r) });
          done();
        },
        (e: unknown) => done(new Error(`iec104 command: ${errorMessage(e)}`)),
      );
    });
  }
  RED.nodes.registerType('gridbridge-iec104-command', Iec104Command);
};
