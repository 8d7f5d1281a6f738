/**
 * SAPC upstream adapter: one SSP-1 serial line (GridBridge is the appliance end) whose override commands become
 * control intents on the slot's device point, arbitrated with every other source by the site's arbiter.
 *
 * The stack's SapcReceiver drives an Arbiter instance directly; an adapter only has the UpstreamContext, so this
 * file implements the same SessionHandler rules over ctx.submit/cancel/effective. The command's random delay is
 * drawn by the site's arbiter (once per event); the slot's `default` (the default plan) becomes the point's default
 * unless the mapping's `controls:` gives one.
 */
import { errorMessage } from '../../core/errors.js';
import type { SapcCommand, SapcSource } from '../../protocols/sapc/frame.js';
import type { LineEnd } from '../../protocols/sapc/loopback.js';
import { sapcMappingSchema, type SapcMapping, type SapcSlotConfig } from '../../protocols/sapc/mapping.js';
import { commandIntent, randomDelayMs, sourceOf, sourcePolicy, statusSource } from '../../protocols/sapc/receiver.js';
import { SapcSession, type CommandAnswer, type SessionHandler, type StatusAnswer } from '../../protocols/sapc/session.js';
import { SerialTransport } from '../../protocols/sapc/transport.js';
import type { AdapterFactory, UpstreamAdapter, UpstreamContext } from '../adapter.js';

export interface SapcAdapterOptions {
  /** An in-memory line end (tests, rigs) instead of opening the block's serial port. */
  line?: LineEnd;
}

export interface SapcUpstreamAdapter extends UpstreamAdapter {
  /** The SSP-1 session, while started. */
  readonly session: SapcSession | undefined;
  readonly handler: SapcUpstreamHandler;
}

/** SSP-1 requests → ctx intents, by slot. */
export class SapcUpstreamHandler implements SessionHandler {
  /** Intents accepted from the line (store key → validTo), for cancels. */
  private readonly accepted = new Map<string, number>();

  constructor(
    private readonly slots: readonly SapcSlotConfig[],
    private readonly ctx: UpstreamContext,
  ) {}

  onCommand(c: SapcCommand): CommandAnswer {
    const s = this.slots.find((x) => x.slot === c.slot && x.direction === c.direction);
    if (!s) return { ok: false, reason: 'SLOT', field: 'slot', text: `slot ${c.slot} ${c.direction} not configured` };
    const refused = sourcePolicy(s, c);
    if (refused) return refused;
    const now = this.ctx.clock.now();
    const intent = commandIntent(c, s, now);
    const source = intent.source;
    const key = `${source}\u0000${c.eventId}`;
    let r;
    try {
      // The arbiter draws the delay once per event: a resent command keeps it (and is an identical resubmission).
      const delay = randomDelayMs(c);
      r = this.ctx.submit(intent, delay ? { randomDelayMaxMs: delay } : {});
    } catch (e) {
      return { ok: false, reason: 'REJECTED', text: errorMessage(e).slice(0, 64) };
    }
    if (r.outcome === 'rejected') return { ok: false, reason: 'REJECTED', text: (r.reason ?? 'rejected').slice(0, 64) };
    this.accepted.set(key, r.validTo);
    if (this.accepted.size > 10_000) this.prune(now);
    return { ok: true, state: r.duplicate ? 'duplicate' : r.scheduled ? 'scheduled' : 'applied' };
  }

  onCancel(eventId: string, source: SapcSource, slot: number | undefined): CommandAnswer {
    const now = this.ctx.clock.now();
    let found = false;
    for (const s of this.slots) {
      if (slot !== undefined && s.slot !== slot) continue;
      const src = sourceOf(source, s.slot);
      const key = `${src}\u0000${eventId}`;
      const until = this.accepted.get(key);
      if (until === undefined) continue;
      this.accepted.delete(key);
      if (until <= now) continue; // already expired: nothing left to cancel
      this.ctx.cancel(eventId, src);
      found = true;
    }
    return found ? { ok: true } : { ok: false, reason: 'NOT_FOUND', field: 'evt', text: `no event ${eventId} from ${source}` };
  }

  onStatusRequest(slot: number | undefined): StatusAnswer | CommandAnswer {
    const s = slot === undefined ? this.slots[0] : this.slots.find((x) => x.slot === slot);
    if (!s) return { ok: false, reason: 'SLOT', field: 'slot', text: `slot ${slot} not configured` };
    const e = this.ctx.effective(s.device, s.point);
    const level = typeof e.value === 'number' ? Math.round(Math.min(100, Math.max(0, e.value))) : s.default;
    const out: StatusAnswer = { slot: s.slot, direction: s.direction, level, source: statusSource(e.sourceClass) };
    const governing = e.governing;
    const id = governing.at(-1);
    if (id && /^[A-Za-z0-9._:-]{1,32}$/.test(id)) out.eventId = id;
    if (e.nextChange !== undefined && governing.length) out.validTo = e.nextChange;
    return out;
  }

  private prune(now: number): void {
    for (const [k, until] of this.accepted) if (until <= now) this.accepted.delete(k);
  }
}

export const createSapcAdapter: AdapterFactory = (block, ctx, opts): SapcUpstreamAdapter => {
  const o = opts as SapcAdapterOptions;
  const m: SapcMapping = sapcMappingSchema.parse(block);
  const inert = m.role !== 'appliance';
  const handler = new SapcUpstreamHandler(m.slots, ctx);
  for (const s of m.slots) {
    const unit = ctx.profiles.get(s.device)?.points.find((p) => p.name === s.point)?.unit;
    if (unit !== undefined && unit !== '%') ctx.warn(`slot ${s.slot}: ${s.device}/${s.point} is in ${unit}, but SAPC levels are 0-100 %; map a percentage point`);
  }
  /** The slots' default plans become the points' defaults (the mapping's `controls:` wins, with a warning). */
  const applyDefaultPlans = (): void => {
    for (const s of m.slots) {
      const inForce = ctx.setDefault(s.device, s.point, s.default);
      if (inForce !== s.default) ctx.warn(`slot ${s.slot}: controls: default ${String(inForce)} for ${s.device}/${s.point} applies, not the slot's default ${s.default}`);
    }
  };

  let transport: SerialTransport | undefined;
  let session: SapcSession | undefined;
  let lineHooked = false;
  // Built at start: the session's heartbeat timer must not run for a site that is never started.
  const openSession = (): SapcSession => {
    const sn = new SapcSession({
      write: (text) => (o.line ? o.line.write(text) : transport?.write(text)),
      clock: ctx.clock,
      handler,
      ackTimeoutMs: m.ackTimeoutMs,
      retries: m.retries,
      heartbeatMs: m.heartbeatSeconds * 1000,
      echo: m.echo,
      baudRate: m.port.baudRate,
    });
    sn.on('link', (s) => ctx.status(s, s === 'up' ? `meter heard on ${m.port.path}` : `no frame from the meter on ${m.port.path} for ${3 * m.heartbeatSeconds} s`));
    let rxErrors = 0;
    sn.on('rxError', (e) => {
      // Noise on a serial line is normal; report the first and then every 100th.
      if (rxErrors++ % 100 === 0) ctx.warn(`frame dropped (${rxErrors} so far): ${e.message}`);
    });
    return sn;
  };

  return {
    name: 'sapc',
    get session() {
      return session;
    },
    handler,
    async start() {
      if (inert) {
        ctx.status('down', `role "${m.role}" sends commands; only role "appliance" runs as an upstream`);
        ctx.warn(`upstream.sapc has role "${m.role}": not run (an upstream SAPC port is the appliance end)`);
        return;
      }
      applyDefaultPlans();
      const sn = (session = openSession());
      if (o.line) {
        if (!lineHooked) o.line.onData((chunk) => session?.receive(chunk));
        lineHooked = true;
        ctx.status('connecting', 'in-memory line; waiting for the meter');
        return;
      }
      transport = new SerialTransport({ ...m.port, clock: ctx.clock });
      transport.on('data', (b) => sn.receive(b));
      transport.on('state', (s, reason) => {
        if (s !== 'up') ctx.status(s, `${m.port.path}: ${reason ?? s}`);
      });
      // A port that fails to open keeps retrying in the background; the site still starts.
      await transport.open().catch((e: unknown) => ctx.warn(`cannot open ${m.port.path}: ${errorMessage(e)}; retrying`));
    },
    async stop() {
      session?.close();
      session = undefined;
      await transport?.close();
    },
    publishPoints() {
      // SSP-1 carries no measurements: status requests are answered from the arbiter's effective level.
    },
  };
};
