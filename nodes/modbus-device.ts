/**
 * gridbridge-modbus-device (config): one device on a Modbus port — a profile (built-in id or a YAML path), a unit id
 * and a site device id. Read and write nodes use it; problems (missing profile, bad unit id) are shown on their status.
 */
import { adminRead, type Node, type NodeAPI, type NodeDef } from './red.js';
import type { ModbusDeviceNode, ModbusPortNode } from './modbus-shared.js';
import { errorMessage, formatProfileError } from '../src/core/errors.js';
import { loadProfileFile } from '../src/runtime/profile-files.js';
import { builtinProfileDir, resolveProfileRef } from '../src/runtime/package-root.js';
import { loadCompiledProfile } from '../src/runtime/compiled-profiles.js';
import { checkProfileRef, listBuiltinProfiles } from '../src/runtime/profiles.js';
import { registerDevice } from '../src/runtime/device-registry.js';
import { nodeRedMetrics } from '../src/runtime/metrics.js';

interface Def extends NodeDef {
  port: string;
  profile: string;
  unitId: string;
  deviceId: string;
  site: string;
  pollFast: string;
  pollNormal: string;
  pollSlow: string;
  verifyWrites: boolean;
}

function pollOverrides(d: Def): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cls, v] of [['fast', d.pollFast], ['normal', d.pollNormal], ['slow', d.pollSlow]] as const) {
    const ms = Number(v);
    if (v === 'continuous') out[cls] = 0; // as fast as the connection allows (scheduler: 0 ms)
    else if (v !== undefined && v !== '' && Number.isFinite(ms)) {
      if (ms < 50) throw new Error(`poll period for "${cls}" must be at least 50 ms`);
      out[cls] = ms;
    }
  }
  return out;
}

export = function register(RED: NodeAPI): void {
  function ModbusDeviceConfig(this: ModbusDeviceNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    let unregister: (() => void) | undefined;
    try {
      const portNode = RED.nodes.getNode(d.port) as ModbusPortNode | null;
      if (!portNode) throw new Error('no Modbus port selected');
      if (!portNode.port) throw new Error(`Modbus port: ${portNode.configError ?? 'not available'}`);
      const unitId = Number(d.unitId);
      if (!Number.isInteger(unitId) || unitId < 0 || unitId > 255) throw new Error(`unit id "${d.unitId}" is not 0-255`);
      const id = d.deviceId || d.name || `unit${unitId}`;
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(id)) throw new Error(`device id "${id}" must use letters, digits, "_", "-" or "."`);
      const userDir = typeof RED.settings?.userDir === 'string' ? RED.settings.userDir : process.cwd();
      const file = resolveProfileRef(d.profile ?? '', userDir, [builtinProfileDir]);
      if (!file) throw new Error(`profile "${d.profile}" not found (built-in ids or a path to a YAML file)`);
      const loaded = loadCompiledProfile(file) ?? loadProfileFile(file);
      if (!loaded.profile) throw new Error(`profile ${file}: ${loaded.errors.slice(0, 3).map(formatProfileError).join('; ')}`);
      this.device = portNode.port.addDevice({ id, unitId, profile: loaded.profile, site: d.site || undefined, pollClasses: pollOverrides(d) });
      this.portNode = portNode;
      this.verifyWrites = d.verifyWrites === true;
      const dev = this.device;
      const observe = (pts: Parameters<typeof nodeRedMetrics.observePoints>[0]) => nodeRedMetrics.observePoints(pts);
      dev.on('points', observe);
      this.on('close', (_removed: boolean, done: () => void) => {
        dev.off('points', observe);
        done();
      });
      unregister = registerDevice({ id, write: (name, value, o) => dev.write(name, value, { verify: o?.verify ?? this.verifyWrites }) });
      portNode.port.start();
    } catch (e) {
      this.configError = errorMessage(e);
      this.error(`Modbus device configuration: ${this.configError}`);
    }
    this.on('close', (_removed, done) => {
      unregister?.();
      if (this.device && this.portNode?.port) this.portNode.port.removeDevice(this.device.id);
      done();
    });
  }
  RED.nodes.registerType('gridbridge-modbus-device', ModbusDeviceConfig as unknown as (this: Node, def: NodeDef) => void);
  RED.httpAdmin?.get('/gridbridge/profiles', ...adminRead(RED), (_req, res) => res.json(listBuiltinProfiles()));
  RED.httpAdmin?.get('/gridbridge/profiles/check', ...adminRead(RED), (req, res) => {
    const userDir = typeof RED.settings?.userDir === 'string' ? RED.settings.userDir : process.cwd();
    res.json(checkProfileRef(typeof req.query.ref === 'string' ? req.query.ref : '', userDir));
  });
};
