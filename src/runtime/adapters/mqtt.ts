/**
 * MQTT upstream adapter: points published by topic template; `…/set` commands become arbitrated intents.
 * Point messages go through the site's durable store (src/core/store): stored before publishPoints returns, forwarded
 * in order while the broker is up, removed when the broker acknowledged them (QoS 1/2), replayed after an outage or a
 * restart at the `store.replayPerS` rate with their original timestamps (in the payload).
 */
import type { PointValue } from '../../core/point.js';
import type { ControlIntent } from '../../core/control.js';
import { mqttUpstreamSchema, resolveMqttSettings, storedMqttUpstream, type CommandOutcome, type MqttMessage } from '../../protocols/mqtt/index.js';
import type { AdapterFactory, UpstreamContext } from '../adapter.js';

export interface MqttAdapterOptions {
  /** Broker URL when the block has none (the embedded broker). */
  defaultUrl?: string;
  /** Login for the embedded broker when it has users (the gateway's own user). */
  username?: string;
  password?: string;
  /** How to verify the embedded broker's TLS certificate (its CA chain, and the name in it when not the URL host). */
  tls?: { ca: string; servername?: string };
  /** The write caused by the last submit of this intent (when the arbiter's decision changed the point). */
  awaitWrite?: (intentId: string) => Promise<{ ok: boolean; reason?: string; value?: PointValue } | undefined> | undefined;
}

export const createMqttAdapter: AdapterFactory = (block, ctx: UpstreamContext, opts) => {
  const o = opts as MqttAdapterOptions;
  const settings = {
    ...resolveMqttSettings(mqttUpstreamSchema.parse(block), {
      site: ctx.siteId,
      baseDir: ctx.baseDir,
      ...(o.defaultUrl ? { defaultUrl: o.defaultUrl } : {}),
      ...(o.password ? { password: o.password } : {}),
    }),
    ...(o.username ? { username: o.username } : {}),
    ...(o.tls ? { tls: { insecure: false, ...o.tls } } : {}),
  };
  const command = async (cmd: ControlIntent & { value: PointValue }): Promise<CommandOutcome> => {
    const r = ctx.submit(cmd);
    if (r.outcome === 'rejected') return { ok: false, reason: r.reason ?? 'rejected' };
    if (r.scheduled) return { ok: true, reason: `scheduled from ${new Date(r.validFrom).toISOString()}` };
    const w = o.awaitWrite?.(cmd.id);
    if (w) {
      const res = await w;
      const held = `held until ${new Date(r.validTo).toISOString()} and written when ${cmd.target.device} is back`;
      if (!res) return { ok: false, reason: `write failed; ${held}` };
      return res.ok ? { ok: true, ...(res.value !== undefined ? { value: res.value } : {}), ...(r.reason ? { reason: r.reason } : {}) } : { ok: false, reason: `${res.reason ?? 'write failed'}; ${held}` };
    }
    if (r.outcome === 'superseded') return { ok: false, reason: r.reason ?? `superseded by ${r.supersededBy?.join(', ')}` };
    // No write was needed (the value in force did not change): say whether the field holds it.
    const f = ctx.effective(cmd.target.device, cmd.target.name).field;
    if (f?.state === 'not_held') return { ok: false, reason: `the field does not hold ${String(f.value)} yet (${f.reason ?? 'write failed'})` };
    return { ok: true, reason: r.reason ?? 'no change' };
  };
  const { up, stop } = storedMqttUpstream(settings, { clock: ctx.clock, onCommand: command }, ctx.storeQueue<MqttMessage>(), ctx.forwarder, ctx.warn);
  up.on('status', (s) => ctx.status(s.state, s.reason));
  up.on('warning', (w) => ctx.warn(w));
  const declare = [...ctx.profiles].flatMap(([device, p]) => p.points.filter((x) => x.access !== 'r').map((x) => ({ device, name: x.name, kind: p.kind })));
  for (const e of up.declarePoints(declare)) ctx.warn(e.message);
  return {
    name: 'mqtt',
    start: () => up.start(),
    stop,
    publishPoints: (points) => void up.publishPoints(points),
    stats: () => ({ ...up.stats() }),
  };
};
