/**
 * Shared control side of the 2.0b and 3.x VENs: a protocol-neutral DR event model, its validation ("impossible
 * times"), and its translation into src/core ControlIntents that always expire. `ControlBook` remembers which intents
 * belong to which event so that modifications and cancellations retract exactly those.
 */
import type { ControlIntent } from '../../core/control.js';
import type { OpenadrPolicy, OpenadrSignalBinding } from './mapping.js';
import type { OadrEvent } from './oadr20b/types.js';

export interface DrInterval {
  id: string;
  start: number;
  /** 0 = open-ended (until cancelled); bounded by policy.maxOpenEndedSec. */
  durationSec: number;
  value: number;
}

export interface DrSignal {
  id: string;
  /** 2.0b signalName or 3.x payloadType. */
  name: string;
  type?: string;
  intervals: DrInterval[];
}

export interface DrEvent {
  id: string;
  modification: number;
  /** e.g. `openadr:vtn-1/evt-7`. */
  source: string;
  cancelled: boolean;
  test: boolean;
  priority?: number;
  start: number;
  /** 0 = open-ended. */
  durationSec: number;
  signals: DrSignal[];
}

const MIN_TIME = Date.UTC(2000, 0, 1);
const MAX_TIME = Date.UTC(2200, 0, 1);

/** A reason when an event's times cannot be right (then the VEN answers 454 and applies nothing), else undefined. */
export function impossibleTimes(e: DrEvent): string | undefined {
  if (!Number.isFinite(e.start) || e.start < MIN_TIME || e.start > MAX_TIME) return `event start ${e.start} out of range`;
  if (!Number.isFinite(e.durationSec) || e.durationSec < 0) return `event duration ${e.durationSec} invalid`;
  for (const s of e.signals) {
    let sum = 0;
    for (const i of s.intervals) {
      if (!Number.isFinite(i.durationSec) || i.durationSec < 0) return `signal ${s.id} interval ${i.id}: duration ${i.durationSec} invalid`;
      if (!Number.isFinite(i.start) || i.start < MIN_TIME || i.start > MAX_TIME) return `signal ${s.id} interval ${i.id}: start out of range`;
      if (!Number.isFinite(i.value)) return `signal ${s.id} interval ${i.id}: value not finite`;
      sum += i.durationSec;
    }
    if (e.durationSec > 0 && sum > e.durationSec + 1) return `signal ${s.id}: intervals last ${sum} s, longer than the event (${e.durationSec} s)`;
  }
  return undefined;
}

export function fromOadrEvent(e: OadrEvent, vtnID: string): DrEvent {
  return {
    id: e.eventID,
    modification: e.modificationNumber,
    source: `openadr:${vtnID}/${e.eventID}`,
    cancelled: e.eventStatus === 'cancelled',
    test: e.testEvent !== undefined && e.testEvent.trim().toLowerCase() !== 'false',
    ...(e.priority !== undefined ? { priority: e.priority } : {}),
    start: e.dtstart,
    durationSec: e.durationSec,
    signals: e.signals.map((s) => {
      let t = e.dtstart;
      return {
        id: s.signalID,
        name: s.signalName,
        type: s.signalType,
        intervals: s.intervals.map((i) => {
          const iv = { id: i.uid, start: t, durationSec: i.durationSec === 0 && s.intervals.length === 1 ? e.durationSec : i.durationSec, value: i.value };
          t += iv.durationSec * 1000;
          return iv;
        }),
      };
    }),
  };
}

export function bindingsFor(sig: DrSignal, bindings: OpenadrSignalBinding[]): OpenadrSignalBinding[] {
  return bindings.filter((b) => b.signal.toUpperCase() === sig.name.toUpperCase() && (b.signalType === undefined || b.signalType === sig.type));
}

function mapValue(b: OpenadrSignalBinding, v: number): number | undefined {
  if (b.levels) return b.levels[String(v)];
  return v * b.scale + b.offset;
}

/** ControlIntents for an event (none for cancelled or test events). Open-ended intervals expire after maxOpenEndedSec. */
export function intentsForEvent(e: DrEvent, bindings: OpenadrSignalBinding[], policy: OpenadrPolicy, now: number): { intents: ControlIntent[]; unsupported: string[] } {
  const intents: ControlIntent[] = [];
  const unsupported: string[] = [];
  if (e.cancelled || e.test) return { intents, unsupported };
  for (const s of e.signals) {
    const bs = bindingsFor(s, bindings);
    if (bs.length === 0) {
      unsupported.push(s.name);
      continue;
    }
    for (const b of bs) {
      for (const i of s.intervals) {
        const validFrom = i.start;
        const validTo = i.durationSec > 0 ? i.start + i.durationSec * 1000 : Math.max(i.start, now) + policy.maxOpenEndedSec * 1000;
        if (validTo <= now) continue; // already over
        const v = mapValue(b, i.value);
        if (v === undefined || !Number.isFinite(v)) {
          unsupported.push(`${s.name}=${i.value}`);
          continue;
        }
        const intent: ControlIntent = {
          id: `${e.source}#${e.modification}/${s.id}/${i.id}/${b.device}/${b.point}`,
          source: e.source,
          sourceClass: policy.sourceClass,
          target: { device: b.device, name: b.point },
          validFrom,
          validTo,
        };
        if (b.mode === 'cap') intent.cap = v;
        else intent.value = v;
        if (e.priority !== undefined) intent.priority = e.priority;
        intents.push(intent);
      }
    }
  }
  return { intents, unsupported };
}

/** Intent bookkeeping per event: which to add and which to cancel on create/modify/cancel. */
export class ControlBook {
  private readonly byEvent = new Map<string, { modification: number; intents: ControlIntent[] }>();

  known(eventId: string): { modification: number } | undefined {
    return this.byEvent.get(eventId);
  }

  /** Record the intents of an event version; returns the ids of the previous version's intents to cancel. */
  set(eventId: string, modification: number, intents: ControlIntent[]): string[] {
    const prev = this.byEvent.get(eventId);
    this.byEvent.set(eventId, { modification, intents });
    return prev ? prev.intents.map((i) => i.id) : [];
  }

  remove(eventId: string): string[] {
    const prev = this.byEvent.get(eventId);
    this.byEvent.delete(eventId);
    return prev ? prev.intents.map((i) => i.id) : [];
  }

  eventIds(): string[] {
    return [...this.byEvent.keys()];
  }

  /** Intents still valid at `now`. */
  active(now: number): ControlIntent[] {
    return [...this.byEvent.values()].flatMap((v) => v.intents.filter((i) => i.validFrom <= now && now < i.validTo));
  }

  clear(): string[] {
    const ids = [...this.byEvent.values()].flatMap((v) => v.intents.map((i) => i.id));
    this.byEvent.clear();
    return ids;
  }
}
