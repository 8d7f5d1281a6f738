/** MQTT upstream adapter: points published by topic template; `…/set` commands become arbitrated intents. */
import type { PointValue } from '../../core/point.js';
import type { ControlIntent } from '../../core/control.js';
import { MqttUpstream, mqttUpstreamSchema, resolveMqttSettings, type CommandOutcome } from '../../protocols/mqtt/index.js';
import type { AdapterFactory, UpstreamContext } from '../adapter.js';

export interface MqttAdapterOptions {
  /** Broker URL when the block has none (the embedded broker). */
  defaultUrl?: string;
  password?: string;
  /** The write caused by the last submit of this intent (when the arbiter's decision changed the point). */
  awaitWrite?: (intentId: string) => Promise<{ ok: boolean; reason?: string; value?: PointValue } | undefined> | undefined;
}

export const createMqttAdapter: AdapterFactory = (block, ctx: UpstreamContext, opts) => {
  const o = opts as MqttAdapterOptions;
  const settings = resolveMqttSettings(mqttUpstreamSchema.parse(block), {
    site: ctx.siteId,
    baseDir: ctx.baseDir,
    ...(o.defaultUrl ? { defaultUrl: o.defaultUrl } : {}),
    ...(o.password ? { password: o.password } : {}),
  });
  const command = async (cmd: ControlIntent & { value: PointValue }): Promise<CommandOutcome> => {
    const r = ctx.submit(cmd);
    if (r.outcome === 'rejected') return { ok: false, reason: r.reason ?? 'rejected' };
    if (r.scheduled) return { ok: true, reason: `scheduled from ${new Date(r.validFrom).toISOString()}` };
    const w = o.awaitWrite?.(cmd.id);
    if (w) {
      const res = await w;
      if (!res) return { ok: false, reason: 'write failed' };
      return res.ok ? { ok: true, ...(res.value !== undefined ? { value: res.value } : {}), ...(r.reason ? { reason: r.reason } : {}) } : { ok: false, reason: res.reason ?? 'write failed' };
    }
    return { ok: r.outcome !== 'superseded', reason: r.reason ?? (r.outcome === 'superseded' ? `superseded by ${r.supersededBy?.join(', ')}` : 'no change') };
  };
  const up = new MqttUpstream(settings, { clock: ctx.clock, onCommand: command });
  up.on('status', (s) => ctx.status(s.state, s.reason));
  up.on('warning', (w) => ctx.warn(w));
  const declare = [...ctx.profiles].flatMap(([device, p]) => p.points.filter((x) => x.access !== 'r').map((x) => ({ device, name: x.name, kind: p.kind })));
  for (const e of up.declarePoints(declare)) ctx.warn(e.message);
  return {
    name: 'mqtt',
    start: () => up.start(),
    stop: () => up.stop(),
    publishPoints: (points) => void up.publishPoints(points),
  };
};
