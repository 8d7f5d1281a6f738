/**
 * An in-memory serial line between two SSP-1 ends, timed by the injected Clock: each write occupies the line for
 * bytes × 10 bits / baud (8N1), so a 9600-baud rig sees realistic latency. A `fault` hook can drop or corrupt
 * frames per direction (tests and the override rig use it for lost ACKs, bad CRC and noise).
 */
import type { Clock } from '../../core/clock.js';

export type LineDirection = 'a>b' | 'b>a';
export interface LineEnd {
  write(text: string): void;
  onData(fn: (chunk: string) => void): void;
}
export interface LinePairOptions {
  clock: Clock;
  /** 0 = no serialisation delay. */
  baud?: number;
  /** Return null to drop, another string to corrupt, or the text unchanged. */
  fault?: (dir: LineDirection, text: string) => string | null;
}

export function createLinePair(o: LinePairOptions): { a: LineEnd; b: LineEnd } {
  const listeners: Record<'a' | 'b', Array<(c: string) => void>> = { a: [], b: [] };
  const busyUntil: Record<LineDirection, number> = { 'a>b': 0, 'b>a': 0 };
  const send = (dir: LineDirection, text: string) => {
    const out = o.fault ? o.fault(dir, text) : text;
    if (out === null) return;
    const now = o.clock.monotonic();
    const txMs = o.baud ? (out.length * 10 * 1000) / o.baud : 0;
    const start = Math.max(now, busyUntil[dir]);
    busyUntil[dir] = start + txMs;
    const to = dir === 'a>b' ? 'b' : 'a';
    o.clock.setTimeout(() => {
      for (const fn of listeners[to]) fn(out);
    }, busyUntil[dir] - now);
  };
  return {
    a: { write: (t) => send('a>b', t), onData: (fn) => listeners.a.push(fn) },
    b: { write: (t) => send('b>a', t), onData: (fn) => listeners.b.push(fn) },
  };
}
