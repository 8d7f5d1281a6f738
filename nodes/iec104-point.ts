/**
 * gridbridge-iec104-point: one point served by an IEC 104 server. Input msg.payload (a value, or a GridBridge
 * Point with value/quality/sourceTime) updates it and sends it spontaneously. If a command IOA is set, commands from
 * SCADA to it leave on the output (msg.payload {value, select, type}); they are confirmed positively unless the last
 * input had a not-connected/invalid quality (field link down → negative ACT_CON).
 */
import type { Node, NodeAPI, NodeDef } from './red.js';
import { statusFor, showConfigError } from './red.js';
import type { Iec104ServerNode } from './iec104-common.js';
import { QUALITY_CODES, type Quality, type QualityCode } from '../src/core/point.js';
import { typeIdOf, typeName, withoutTime, TypeId } from '../src/protocols/iec104/constants.js';
import { cp56FromEpoch } from '../src/protocols/iec104/cp56time.js';
import { fromPointQuality } from '../src/protocols/iec104/quality.js';

interface Def extends NodeDef {
  server: string;
  ca: string;
  ioa: string;
  pointType: string;
  groups: string;
  commandIoa: string;
  commandType: string;
  sbo: boolean;
}

export = function register(RED: NodeAPI): void {
  function Iec104Point(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const node = this;
    const cfg = RED.nodes.getNode(d.server) as Iec104ServerNode | null;
    const typeId = typeIdOf(d.pointType || 'M_ME_NC_1');
    const ca = Number(d.ca) || 1;
    const ioa = Number(d.ioa);
    if (!cfg?.iec104Server || typeId === undefined || !Number.isInteger(ioa)) {
      return showConfigError(node, !cfg?.iec104Server ? 'iec104 point: no usable iec104 server configured' : 'iec104 point: type and IOA are required');
    }
    const { server } = cfg.iec104Server;
    try {
      server.definePoint({ ca, ioa, typeId, groups: (d.groups ?? '').split(/[,\s]+/).filter(Boolean).map(Number) });
    } catch (e) {
      return node.error(`iec104 point: ${e instanceof Error ? e.message : String(e)}`);
    }
    let linkUp = true;
    node.on('input', (msg, _send, done) => {
      const p = msg.payload as { value?: unknown; quality?: unknown; sourceTime?: unknown } | number | boolean;
      const isObj = typeof p === 'object' && p !== null;
      const raw = isObj ? p.value : p;
      const qcode = isObj && typeof p.quality === 'string' && (QUALITY_CODES as readonly string[]).includes(p.quality) ? (p.quality as QualityCode) : 'good';
      const q: Quality = isObj && p.quality && typeof p.quality === 'object' ? (p.quality as Quality) : { code: qcode };
      linkUp = !['not_connected', 'timeout'].includes(q.code);
      const base = withoutTime(typeId);
      const n = typeof raw === 'boolean' ? (raw ? 1 : 0) : Number(raw);
      const value = base === TypeId.M_SP_NA_1 ? n !== 0 : base === TypeId.M_DP_NA_1 ? (n ? 2 : 1) : n;
      const quality = fromPointQuality(q);
      if (raw === null || raw === undefined || Number.isNaN(n)) quality.iv = true;
      const t = isObj && p.sourceTime !== undefined ? Date.parse(String(p.sourceTime)) : Date.now();
      const change = base !== typeId ? { value, quality, time: cp56FromEpoch(Number.isFinite(t) ? t : Date.now()) } : { value, quality };
      server.update(ca, ioa, change);
      node.status(statusFor(linkUp ? 'up' : 'degraded', `${String(value)}${quality.iv ? ' (IV)' : ''}`));
      done();
    });
    let removeSink: (() => void) | undefined;
    const cmdIoa = d.commandIoa === '' || d.commandIoa === undefined ? undefined : Number(d.commandIoa);
    const cmdType = typeIdOf(d.commandType || '');
    if (cmdIoa !== undefined && cmdType !== undefined) {
      server.defineCommand({ ca, ioa: cmdIoa, typeIds: [cmdType, cmdType + (TypeId.C_SC_TA_1 - TypeId.C_SC_NA_1)], sbo: d.sbo === true });
      removeSink = cfg.iec104Server.addSink((c) => {
        if (c.ca !== ca || c.ioa !== cmdIoa) return undefined;
        if (!linkUp) return { accept: false, reason: 'field link down' };
        if (!c.select) node.send({ topic: `iec104/${ca}/${cmdIoa}`, payload: { value: c.value, type: typeName(c.typeId), qualifier: c.qualifier, remote: c.remote } });
        return true;
      });
    }
    const unwatch = cfg.iec104Server.watch((s, text) => node.status(statusFor(s, text)));
    node.on('close', (_r, done) => {
      removeSink?.();
      unwatch();
      done();
    });
  }
  RED.nodes.registerType('gridbridge-iec104-point', Iec104Point);
};
