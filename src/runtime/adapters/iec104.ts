/**
 * IEC 60870-5-104 upstream adapter: the site is a controlled station (an RTU) that SCADA connects to. Mapped field
 * points are served (GI, read, spontaneous on change); mapped 104 commands become validated, direct field writes
 * (ctx.write), refused with a negative ACT_CON while the device's field link is down or when the write fails.
 *
 * 104 set-points are not arbitrated intents: SCADA expects ACT_CON to say whether the field took the value, and a
 * 104 command has no validity window. The arbiter does not see these writes, so a later change of its effective
 * value (another source's control, an expiry falling back to a `controls:` default) overwrites them; the adapter
 * warns at start about every command point that also has an arbitrated default.
 */
import { errorMessage } from '../../core/errors.js';
import type { Point, PointValue } from '../../core/point.js';
import { iec104MappingSchema, mappingCommandHandler, pointsToUpdates, serverDefinitions, type Iec104Mapping } from '../../protocols/iec104/mapping.js';
import { Iec104Server, type ServerOptions } from '../../protocols/iec104/server.js';
import type { AdapterFactory, UpstreamAdapter, UpstreamContext } from '../adapter.js';

/**
 * Options from the site (SiteOptions.adapters.iec104): the `iec104` mapping block has no listen address, TLS or
 * redundancy settings yet, so they come from here. Defaults: 0.0.0.0:2404 (19998 with TLS).
 */
export interface Iec104AdapterOptions {
  port?: number;
  host?: string;
  server?: Omit<ServerOptions, 'port' | 'host' | 'clock' | 'onCommand'>;
  /** Send a point spontaneously (COT 3) only when its value or quality changed (default), or on every poll. */
  spontaneous?: 'change' | 'always';
}

export interface Iec104UpstreamAdapter extends UpstreamAdapter {
  readonly server: Iec104Server;
  /** Where the server listens, once started. */
  address(): { host: string; port: number } | undefined;
}

/** Forwards a warning at most once per `everyMs` per key, counting the suppressed ones. */
function throttledWarn(ctx: UpstreamContext, everyMs = 60_000): (key: string, message: string) => void {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (key, message) => {
    const now = ctx.clock.monotonic();
    const l = last.get(key);
    if (l && now - l.at < everyMs) {
      l.suppressed++;
      return;
    }
    ctx.warn(l?.suppressed ? `${message} (${l.suppressed} similar suppressed)` : message);
    last.set(key, { at: now, suppressed: 0 });
  };
}

export const createIec104Adapter: AdapterFactory = (block, ctx, opts): Iec104UpstreamAdapter => {
  const o = opts as Iec104AdapterOptions;
  const m: Iec104Mapping = iec104MappingSchema.parse(block);
  const warn = throttledWarn(ctx);
  const utcOffsetMinutes = o.server?.utcOffsetMinutes ?? 0;

  const write = async (w: { device: string; name: string; value: PointValue }): Promise<boolean> => {
    const r = await ctx.write(w.device, w.name, w.value);
    if (!r.ok) ctx.warn(`command write ${w.device}/${w.name}=${String(w.value)} failed: ${r.reason ?? r.failure ?? 'unknown'}`);
    return r.ok;
  };
  const server = new Iec104Server({
    ...o.server,
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.host !== undefined ? { host: o.host } : {}),
    clock: ctx.clock,
    onCommand: mappingCommandHandler(m, write, (device) => ctx.deviceOnline(device)),
  });
  const defs = serverDefinitions(m);
  for (const p of defs.points) server.definePoint(p);
  for (const c of defs.commands) server.defineCommand(c);

  let address: { host: string; port: number } | undefined;
  const reportLink = (): void => {
    if (!address) return;
    const started = server.connections().filter((c) => c.started);
    if (started.length) ctx.status('up', `SCADA ${started.map((c) => c.remote).join(', ')} started`);
    else ctx.status('connecting', `listening on ${address.host}:${address.port}, no SCADA connection started`);
  };
  server.on('state', reportLink);
  server.on('disconnect', (d: { remote: string; reason: string }) => {
    ctx.warn(`SCADA ${d.remote} disconnected: ${d.reason}`);
    reportLink();
  });
  server.on('warn', (msg: string) => warn(msg.replace(/\d+/g, '#'), msg));
  server.on('command', (e: { ca: number; ioa: number; typeId: number; outcome: string; reason?: string; remote: string }) => {
    if (e.outcome === 'refused') ctx.warn(`command type ${e.typeId} CA ${e.ca} IOA ${e.ioa} from ${e.remote} refused: ${e.reason ?? 'no reason'}`);
  });

  // Last value+quality sent per address: spontaneous transmission only on change.
  const lastSent = new Map<string, string>();
  const publish = (points: readonly Point[]): void => {
    for (const u of pointsToUpdates(points, m, { utcOffsetMinutes })) {
      const key = `${u.ca}:${u.ioa}`;
      const sig = JSON.stringify([u.change.value, u.change.quality]);
      const changed = o.spontaneous === 'always' || lastSent.get(key) !== sig;
      lastSent.set(key, sig);
      server.update(u.ca, u.ioa, u.change, { spontaneous: changed });
    }
  };

  const inert = m.role !== 'server';
  return {
    name: 'iec104',
    server,
    address: () => address,
    async start() {
      if (inert) {
        ctx.status('down', 'role "client" reads an RTU; only role "server" runs as an upstream');
        ctx.warn('upstream.iec104 has role "client": not run (an upstream block serves SCADA with role "server")');
        return;
      }
      for (const c of m.commands) {
        const e = ctx.effective(c.device, c.name);
        if (e.basis !== 'none') {
          ctx.warn(`command at IOA ${c.ioa} writes ${c.device}/${c.name} directly, which the arbiter also controls (${e.basis} ${String(e.value)}); its next change overwrites the SCADA value`);
        }
      }
      address = await server.listen();
      // Serve what the field already delivered (GI before the next poll).
      const known = m.points.map((p) => ctx.latest(p.device, p.name)).filter((p): p is Point => p !== undefined);
      if (known.length) publish(known);
      reportLink();
    },
    async stop() {
      await server.close();
      address = undefined;
    },
    publishPoints(points) {
      if (inert) return;
      try {
        publish(points);
      } catch (e) {
        warn('publish', `publishing points failed: ${errorMessage(e)}`);
      }
    },
  };
};
