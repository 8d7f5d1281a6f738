/**
 * The appliance side of SSP-1 wired to the shared arbiter: commands become ControlIntents on the slot's target
 * (device + canonical point), cancels cancel them, status requests report the effective level.
 * The arbiter draws the random delay (once per event id) unless the command says it is already randomised.
 */
import type { Clock } from '../../core/clock.js';
import type { ControlIntent, ControlTarget, SourceClass } from '../../core/control.js';
import type { Arbiter, ArbiterResult } from '../../core/arbitration/arbiter.js';
import type { SapcCommand, SapcSource } from './frame.js';
import type { SapcSlotConfig } from './mapping.js';
import type { CommandAnswer, SessionHandler, StatusAnswer } from './session.js';

export type SlotConfig = Pick<SapcSlotConfig, 'slot' | 'direction' | 'device'> & Partial<Omit<SapcSlotConfig, 'slot' | 'direction' | 'device'>>;

export interface ReceiverDecision {
  command: SapcCommand;
  intent?: ControlIntent;
  result?: ArbiterResult;
  answer: CommandAnswer;
}

export class SapcReceiver implements SessionHandler {
  readonly decisions: ReceiverDecision[] = [];
  private readonly slots: Array<Required<Pick<SapcSlotConfig, 'slot' | 'direction' | 'device' | 'point' | 'default' | 'sources'>> & { as: SapcSlotConfig['as'] }>;

  constructor(
    private readonly arbiter: Arbiter,
    slots: SlotConfig[],
    private readonly clock: Clock,
    private readonly onDecision?: (d: ReceiverDecision) => void,
  ) {
    this.slots = slots.map((s) => ({
      slot: s.slot,
      direction: s.direction,
      device: s.device,
      point: s.point ?? 'SAPCLevel',
      default: s.default ?? 100,
      sources: s.sources ?? ['load_controller', 'supplier', 'owner', 'aggregator'],
      as: s.as ?? {},
    }));
    for (const s of this.slots) arbiter.configureTarget({ device: s.device, name: s.point, min: 0, max: 100, default: s.default });
  }

  target(slot: number, direction?: string): ControlTarget | undefined {
    const s = this.slots.find((x) => x.slot === slot && (direction === undefined || x.direction === direction));
    return s && { device: s.device, name: s.point };
  }

  onCommand(c: SapcCommand): CommandAnswer {
    const s = this.slots.find((x) => x.slot === c.slot && x.direction === c.direction);
    let answer: CommandAnswer;
    if (!s) {
      answer = { ok: false, reason: 'SLOT', field: 'slot', text: `slot ${c.slot} ${c.direction} not configured` };
      this.log({ command: c, answer });
      return answer;
    }
    const refused = sourcePolicy(s, c);
    if (refused) {
      this.log({ command: c, answer: refused });
      return refused;
    }
    const intent = commandIntent(c, s, this.clock.now());
    const result = this.arbiter.submit(intent, { randomDelayMaxMs: randomDelayMs(c) });
    const duplicate = result.duplicate === true;
    answer =
      result.outcome === 'rejected'
        ? { ok: false, reason: 'REJECTED', text: (result.reason ?? 'rejected').slice(0, 64) }
        : { ok: true, state: duplicate ? 'duplicate' : result.scheduled ? 'scheduled' : 'applied' };
    this.log({ command: c, intent, result, answer });
    return answer;
  }

  onCancel(eventId: string, source: SapcSource, slot: number | undefined): CommandAnswer {
    let any = false;
    for (const s of this.slots) if (slot === undefined || s.slot === slot) any = !!this.arbiter.cancel(eventId, sourceOf(source, s.slot)) || any;
    return any ? { ok: true } : { ok: false, reason: 'NOT_FOUND', field: 'evt', text: `no event ${eventId} from ${source}` };
  }

  onStatusRequest(slot: number | undefined): StatusAnswer | CommandAnswer {
    const s = slot === undefined ? this.slots[0] : this.slots.find((x) => x.slot === slot);
    if (!s) return { ok: false, reason: 'SLOT', field: 'slot', text: `slot ${slot} not configured` };
    const e = this.arbiter.effective({ device: s.device, name: s.point });
    const level = typeof e.value === 'number' ? Math.round(Math.min(100, Math.max(0, e.value))) : s.default;
    const out: StatusAnswer = { slot: s.slot, direction: s.direction, level, source: statusSource(e.sourceClass) };
    const id = e.governing.at(-1);
    if (id && /^[A-Za-z0-9._:-]{1,32}$/.test(id)) out.eventId = id;
    if (e.nextChange !== undefined && e.governing.length) out.validTo = e.nextChange;
    return out;
  }

  private log(d: ReceiverDecision): void {
    this.decisions.push(d);
    if (this.decisions.length > 1000) this.decisions.shift();
    this.onDecision?.(d);
  }
}

export function sourceOf(source: SapcSource, slot: number): string {
  return `sapc:slot${slot}:${source}`;
}

type SlotRules = Pick<SapcSlotConfig, 'slot' | 'device' | 'point' | 'sources' | 'as'>;

/**
 * The slot's source policy: the refusal for a source it does not accept, or undefined. An emergency (EMG) command
 * is never refused by policy: cease-to-energise has primacy over every configuration (SSP-1 §8, version 1.1).
 */
export function sourcePolicy(s: Pick<SlotRules, 'slot' | 'sources'>, c: SapcCommand): CommandAnswer | undefined {
  if (c.source === 'emergency' || s.sources.includes(c.source)) return undefined;
  return { ok: false, reason: 'REJECTED', field: 'src', text: `source ${c.source} not accepted on slot ${c.slot}` };
}

/**
 * The ControlIntent of a command accepted on a slot. Emergency commands are `safety`-class caps, never randomly
 * delayed; the load controller's level is a cap and the others' a setpoint unless the slot's `as:` says otherwise.
 */
export function commandIntent(c: SapcCommand, s: SlotRules, now: number): ControlIntent {
  const src = c.source;
  const intent: ControlIntent = {
    id: c.eventId,
    source: sourceOf(src, c.slot),
    sourceClass: src === 'emergency' ? 'safety' : src,
    target: { device: s.device, name: s.point },
    validFrom: c.validFrom ?? Math.min(c.timestamp, now),
    validTo: c.validTo,
    randomised: src === 'emergency' || c.randomised,
  };
  const kind = src === 'emergency' ? 'cap' : (s.as[src] ?? (src === 'load_controller' ? 'cap' : 'setpoint'));
  if (kind === 'cap') intent.cap = c.level;
  else intent.value = c.level;
  return intent;
}

/** Maximum random delay for the arbiter to draw (ms): none for emergency or already randomised commands. */
export function randomDelayMs(c: SapcCommand): number {
  return c.source === 'emergency' || c.randomised ? 0 : c.randomDelayS * 1000;
}

/** The STA `src` for the class governing a target (`LOC` for local plans and defaults). */
export function statusSource(cls: SourceClass | undefined): StatusAnswer['source'] {
  if (cls === 'safety') return 'emergency';
  return cls === 'load_controller' || cls === 'supplier' || cls === 'owner' || cls === 'aggregator' ? cls : 'local';
}

/** Routes one session's requests to several receivers by slot (one Node-RED sapc-in node per slot on a port). */
export class SlotDispatcher implements SessionHandler {
  private readonly receivers = new Set<SapcReceiver>();

  add(r: SapcReceiver): void {
    this.receivers.add(r);
  }
  remove(r: SapcReceiver): void {
    this.receivers.delete(r);
  }

  onCommand(c: SapcCommand): CommandAnswer {
    for (const r of this.receivers) if (r.target(c.slot, c.direction)) return r.onCommand(c);
    return { ok: false, reason: 'SLOT', field: 'slot', text: `slot ${c.slot} ${c.direction} not configured` };
  }

  onCancel(eventId: string, source: SapcSource, slot: number | undefined): CommandAnswer {
    let found: CommandAnswer | undefined;
    for (const r of this.receivers) {
      if (slot !== undefined && !r.target(slot)) continue;
      const a = r.onCancel(eventId, source, slot);
      if (a.ok) found = a;
    }
    return found ?? { ok: false, reason: 'NOT_FOUND', field: 'evt', text: `no event ${eventId} from ${source}` };
  }

  onStatusRequest(slot: number | undefined): StatusAnswer | CommandAnswer {
    for (const r of this.receivers) if (slot === undefined || r.target(slot)) return r.onStatusRequest(slot);
    return { ok: false, reason: 'SLOT', field: 'slot', text: `slot ${slot} not configured` };
  }
}
