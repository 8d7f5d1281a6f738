/**
 * IEC 60870-5-104 upstream adapter: the site is a controlled station (an RTU) that SCADA connects to. Mapped field
 * points are served (GI, read, spontaneous on change); mapped 104 commands become validated, direct field writes
 * (ctx.write), refused with a negative ACT_CON while the device's field link is down or when the write fails.
 *
 * 104 set-points are not arbitrated intents: SCADA expects ACT_CON to say whether the field took the value, and a
 * 104 command has no validity window. The arbiter does not see these writes, so a later change of its effective
 * value (another source's control, an expiry falling back to a `controls:` default) overwrites them; the adapter
 * warns at start about every command point that also has an arbitrated default.
 *
 * Spontaneous data goes through the site's durable store (src/core/store): every change is appended (committed)
 * at once, while the point image for GI is updated directly; a forwarder sends the stored events in order, with their
 * original CP56Time2a time tags, as spontaneous ASDUs while a SCADA connection is started, so events of a time with
 * no SCADA connection (or before a restart, or a kill -9) reach SCADA when it is back. An event counts as delivered
 * (its store entry is confirmed) only when SCADA's N(R) acknowledged the I frame that carried it (the server's
 * `acked` event, mapped back through a per-send token). I frames unacknowledged when a connection drops are sent
 * again by the stack on the next started connection; a crash before the acknowledgement replays them from the store
 * after the restart. See docs/store.md and docs/iec104.md.
 */
import { errorMessage } from '../../core/errors.js';
import type { Point, PointValue } from '../../core/point.js';
import { Cot } from '../../protocols/iec104/constants.js';
import { iec104MappingSchema, mappingCommandHandler, pointsToUpdates, serverDefinitions, type Iec104Mapping, type ServerPointUpdate } from '../../protocols/iec104/mapping.js';
import { Iec104Server, type EventTokens, type ServerOptions } from '../../protocols/iec104/server.js';
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

/** Stored events handed to the stack only while its send queue holds fewer than this many ASDUs. */
const SEND_QUEUE_ROOM = 64;

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
    wake();
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

  // Spontaneous events: stored durably, handed to the stack by the forwarder while SCADA is connected (started), and
  // confirmed in the store when SCADA acknowledged them. The forwarder stays online across SCADA reconnects: what it
  // handed over stays with the stack (re-sent on the next connection), so a rewind would only send duplicates.
  const queue = ctx.storeQueue<ServerPointUpdate>();
  const forwarder = ctx.forwarder(queue, (u) => sendEvent(u));
  let stopped = false;
  let nextToken = 1;
  const awaitingAck = new Map<number, { ok: (v: boolean) => void; fail: (e: Error) => void }>();
  server.on('acked', (e: EventTokens) => {
    for (const t of e.tokens) {
      awaitingAck.get(t as number)?.ok(true);
      awaitingAck.delete(t as number);
    }
    wake();
  });
  server.on('dropped', (e: EventTokens) => {
    // A group's bounded buffer discarded it: not delivered, the forwarder hands it out again from the store.
    for (const t of e.tokens) {
      awaitingAck.get(t as number)?.fail(new Error(`event dropped from the buffer of group ${e.group}`));
      awaitingAck.delete(t as number);
    }
  });
  // Waiters for "a connection is started / the send queue has room"; woken on state changes and acknowledgements.
  let wakeUp = (): void => undefined;
  let woken = new Promise<void>((r) => (wakeUp = r));
  function wake(): void {
    const w = wakeUp;
    woken = new Promise<void>((r) => (wakeUp = r));
    w();
  }
  const started = (): boolean => server.connections().some((c) => c.started);
  // Hand-overs run one at a time, in the forwarder's (store) order.
  let handing: Promise<unknown> = Promise.resolve();
  const handOver = async (u: ServerPointUpdate): Promise<{ acked: Promise<boolean> }> => {
    // Pace on the stack's send queue so events stay in the store, not in memory, while SCADA is slow.
    while (!stopped && (!started() || server.backlog() >= SEND_QUEUE_ROOM)) {
      if (!started()) await woken;
      else await Promise.race([woken, new Promise<void>((res) => ctx.clock.setTimeout(res, 10))]);
    }
    if (stopped) return { acked: new Promise<boolean>(() => undefined) }; // never confirmed: stays in the store
    const current = server.store.get(u.ca, u.ioa);
    if (!current) return { acked: Promise.resolve(false) }; // not defined (mapping changed across a restart): dropped, reported by the forwarder
    const token = nextToken++;
    const acked = new Promise<boolean>((ok, fail) => awaitingAck.set(token, { ok, fail }));
    server.broadcastEvent({ typeId: u.typeId, cot: Cot.SPONTANEOUS, ca: u.ca, objects: [{ ...current.obj, ...u.change, ioa: u.ioa }] }, token);
    return { acked };
  };
  const sendEvent = async (u: ServerPointUpdate): Promise<boolean> => {
    const handed = handing.then(() => handOver(u));
    handing = handed.catch(() => undefined);
    return await (await handed).acked;
  };
  // Last value+quality sent per address: spontaneous transmission only on change.
  const lastSent = new Map<string, string>();
  const publish = (points: readonly Point[]): void => {
    const events: ServerPointUpdate[] = [];
    for (const u of pointsToUpdates(points, m, { utcOffsetMinutes })) {
      const key = `${u.ca}:${u.ioa}`;
      const sig = JSON.stringify([u.change.value, u.change.quality]);
      const changed = o.spontaneous === 'always' || lastSent.get(key) !== sig;
      lastSent.set(key, sig);
      server.update(u.ca, u.ioa, u.change, { spontaneous: false }); // the image GI and read answer from
      if (changed) events.push(u);
    }
    if (events.length) queue.append(events);
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
      forwarder.online(true);
      // Serve what the field already delivered (GI before the next poll).
      const known = m.points.map((p) => ctx.latest(p.device, p.name)).filter((p): p is Point => p !== undefined);
      if (known.length) publish(known);
      reportLink();
    },
    async stop() {
      stopped = true;
      forwarder.stop();
      wake();
      awaitingAck.clear();
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
