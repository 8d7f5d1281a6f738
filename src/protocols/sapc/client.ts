/** Helpers for the sending (meter) side: build a command from simple parameters, parse durations like `90s`/`2h30m`. */
import { randomBytes } from 'node:crypto';
import type { Direction, SapcCommand, SapcSource } from './frame.js';

export interface CommandParams {
  level: number;
  /** Duration of the window (ms) from `from` (or now). */
  forMs: number;
  from?: number;
  slot?: number;
  direction?: Direction;
  source?: SapcSource;
  eventId?: string;
  randomDelayS?: number;
  randomised?: boolean;
  text?: string;
}

let counter = 0;
/**
 * A new event id, unique across processes: `gb` + the creation time in ms (base 36) + 40 random bits + a per-process
 * counter (≤ 24 characters, SSP-1 allows 32). Two `sapc send` runs in the same second therefore never share an id
 * (an equal id from the same source would be taken as an update of the earlier command, SSP-1 §4.1 step 10).
 */
export function newEventId(now: number): string {
  counter = (counter + 1) % 1296;
  return `gb${Math.floor(now).toString(36)}${randomBytes(5).toString('hex')}${counter.toString(36)}`;
}

export function buildCommand(p: CommandParams, now: number): SapcCommand {
  const start = p.from ?? now;
  const c: SapcCommand = {
    slot: p.slot ?? 1,
    direction: p.direction ?? 'import',
    level: p.level,
    source: p.source ?? 'load_controller',
    validTo: Math.floor((start + p.forMs) / 1000) * 1000,
    randomDelayS: p.randomDelayS ?? 0,
    randomised: p.randomised ?? false,
    eventId: p.eventId ?? newEventId(now),
    timestamp: Math.floor(now / 1000) * 1000,
  };
  if (p.from !== undefined) c.validFrom = Math.floor(p.from / 1000) * 1000;
  if (p.text !== undefined) c.text = p.text;
  return c;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };
/** `500ms`, `90s`, `15m`, `2h30m`, `1d`, or a bare number of seconds. Returns undefined when unreadable. */
export function parseDuration(s: string): number | undefined {
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let used = 0;
  while ((m = re.exec(t))) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    used = re.lastIndex;
  }
  return used === t.length && used > 0 ? total : undefined;
}

export const SOURCE_ALIASES: Record<string, SapcSource> = {
  lc: 'load_controller',
  load_controller: 'load_controller',
  sup: 'supplier',
  supplier: 'supplier',
  own: 'owner',
  owner: 'owner',
  agg: 'aggregator',
  aggregator: 'aggregator',
  emg: 'emergency',
  emergency: 'emergency',
};

/**
 * The meter end's memory of the commands it got ACKed and that are still in force, for SSP-1 §4.2: when the
 * appliance restarts (its `HB up` goes backwards), the meter resends each of them unchanged (same event id and
 * content: `duplicate` if the appliance kept it, `applied` if it lost it).
 */
export class ActiveCommands {
  private readonly active = new Map<string, SapcCommand>();
  private lastUptimeS: number | undefined;

  constructor(private readonly now: () => number) {}

  /** Remember an ACKed command (an update with the same source and event id replaces it). */
  acked(c: SapcCommand): void {
    this.active.set(`${c.source}/${c.eventId}`, c);
  }

  cancelled(eventId: string, source: SapcSource): void {
    this.active.delete(`${source}/${eventId}`);
  }

  /** Commands whose window has not ended, oldest first. */
  list(): SapcCommand[] {
    const now = this.now();
    for (const [k, c] of this.active) if (c.validTo <= now) this.active.delete(k);
    return [...this.active.values()];
  }

  /** Feed every heartbeat from the other end; true when it shows a restart (uptime smaller than before). */
  restarted(hb: { uptimeS?: number }): boolean {
    if (hb.uptimeS === undefined) return false;
    const before = this.lastUptimeS;
    this.lastUptimeS = hb.uptimeS;
    return before !== undefined && hb.uptimeS < before;
  }
}
