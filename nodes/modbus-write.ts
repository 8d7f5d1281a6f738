/**
 * gridbridge-modbus-write: writes a canonical point of a device, checked against the profile's access and limits
 * before anything reaches the bus, optionally read back. Outputs the result, so it can answer an MQTT command.
 */
import { showConfigError } from './red.js';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './red.js';
import type { ModbusDeviceNode } from './modbus-shared.js';
import { findDevice, knownDevices, type WritableDevice } from '../src/runtime/device-registry.js';
import { parseWriteMessage } from '../src/runtime/write-message.js';

interface Def extends NodeDef {
  device: string;
  verify: boolean;
}

export = function register(RED: NodeAPI): void {
  function ModbusWrite(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const node = this;
    const cfg = d.device ? (RED.nodes.getNode(d.device) as ModbusDeviceNode | null) : null;
    if (d.device && (!cfg || !cfg.device)) {
      const why = !cfg ? 'selected device config is missing' : (cfg.configError ?? 'device not available');
      showConfigError(node, `Modbus write: ${why}`, why);
    } else {
      node.status({ fill: 'grey', shape: 'ring', text: cfg?.device ? `ready: ${cfg.device.id}` : 'device from msg.payload.device' });
    }
    let ok = 0;
    let failed = 0;
    node.on('input', (msg: NodeMessage, send, done) => {
      const req = parseWriteMessage(msg);
      const answer = (payload: Record<string, unknown>) => send({ ...msg, payload });
      if ('error' in req) {
        answer({ ok: false, failure: 'refused', reason: req.error });
        node.status({ fill: 'red', shape: 'dot', text: req.error.slice(0, 60) });
        return done();
      }
      const target: WritableDevice | undefined = cfg?.device
        ? { id: cfg.device.id, write: (n, v, o) => cfg.device!.write(n, v, { verify: o?.verify ?? cfg.verifyWrites }) }
        : req.device !== undefined
          ? findDevice(req.device)
          : undefined;
      if (!target || (req.device !== undefined && req.device !== target.id)) {
        const reason = req.device === undefined ? 'no device: select one in the node or set msg.payload.device' : `unknown device "${req.device}" (known: ${knownDevices().join(', ') || 'none'})`;
        answer({ ok: false, device: req.device, name: req.name, value: req.value, failure: 'refused', reason });
        node.status({ fill: 'red', shape: 'dot', text: reason.slice(0, 60) });
        return done();
      }
      target.write(req.name, req.value, d.verify ? { verify: true } : undefined).then(
        (r) => {
          answer({ ...r });
          if (r.ok) ok++;
          else {
            failed++;
            node.warn(`write ${target.id}/${req.name}=${String(req.value)} failed: ${r.reason ?? r.failure}`);
          }
          node.status({ fill: r.ok ? 'green' : 'red', shape: 'dot', text: `${ok} ok, ${failed} failed${r.ok ? '' : `: ${(r.reason ?? '').slice(0, 30)}`}` });
          done();
        },
        (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
      );
    });
  }
  RED.nodes.registerType('gridbridge-modbus-write', ModbusWrite);
};
