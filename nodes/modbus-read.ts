/**
 * gridbridge-modbus-read: emits the points of one Modbus device as they are polled (per poll class), or on demand
 * when a message arrives. Status dot: polling (green), device offline / port down (red), config error (red ring).
 */
import { showConfigError } from './red.js';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './red.js';
import type { ModbusDeviceNode } from './modbus-shared.js';
import type { Point } from '../src/core/point.js';
import { PointRounder, pointsAsObject } from '../src/runtime/point-output.js';
import type { DeviceStatus, PortStatus } from '../src/protocols/modbus/scheduler.js';

interface Def extends NodeDef {
  device: string;
  mode: 'batch' | 'point' | 'object';
  onlyGood: boolean;
  /** Round values to the profile's precision (default on; off: values exactly as decoded). */
  round?: boolean;
}

export = function register(RED: NodeAPI): void {
  function ModbusRead(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const node = this;
    const cfg = RED.nodes.getNode(d.device) as ModbusDeviceNode | null;
    const device = cfg?.device;
    const port = cfg?.portNode?.port;
    if (!cfg || !device || !port) {
      const why = !cfg ? 'no device selected' : (cfg.configError ?? 'device not available');
      return showConfigError(node, `Modbus read: ${why}`, why);
    }
    let count = 0;
    const rounder = d.round === false ? undefined : new PointRounder(device.profile);
    const emit = (points: Point[], msgIn?: NodeMessage) => {
      const all = rounder ? rounder.round(points) : points;
      const pts = d.onlyGood ? all.filter((p) => p.quality.code === 'good') : all;
      if (pts.length === 0) return;
      if (d.mode === 'point') {
        node.send([pts.map((p) => ({ ...(msgIn ?? {}), topic: p.id, payload: p }))]);
      } else if (d.mode === 'object') {
        const o = pointsAsObject(pts);
        node.send({ ...(msgIn ?? {}), topic: `${device.id}`, payload: o.values, units: o.units, quality: o.quality, points: pts });
      } else {
        node.send({ ...(msgIn ?? {}), topic: `${device.id}`, payload: pts });
      }
    };
    const showStatus = () => {
      const ps: PortStatus = port.status;
      const ds: DeviceStatus = device.status;
      if (ps.state === 'down' || ps.state === 'connecting') node.status({ fill: ps.state === 'down' ? 'red' : 'yellow', shape: 'ring', text: `${ps.state}${ps.reason ? `: ${ps.reason.slice(0, 40)}` : ''}` });
      else if (ds.state === 'offline') node.status({ fill: 'red', shape: 'dot', text: `offline: ${(ds.reason ?? 'no answer').slice(0, 40)}` });
      else node.status({ fill: 'green', shape: 'dot', text: `polling · ${count} reads` });
    };
    const onPoints = (points: Point[]) => {
      count++;
      emit(points);
      if (count === 1 || count % 10 === 0) showStatus();
    };
    device.on('points', onPoints);
    device.on('status', showStatus);
    port.on('status', showStatus);
    showStatus();

    node.on('input', (msg, _send, done) => {
      device.readAll().then(
        (pts) => {
          emit(pts, msg);
          done();
        },
        (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
      );
    });
    node.on('close', (_removed, done) => {
      device.off('points', onPoints);
      device.off('status', showStatus);
      port.off('status', showStatus);
      done();
    });
  }
  RED.nodes.registerType('gridbridge-modbus-read', ModbusRead);
};
