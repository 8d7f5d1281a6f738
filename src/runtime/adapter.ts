/**
 * Upstream adapters: how the site runtime plugs an upstream protocol (MQTT, 2030.5, OpenADR, IEC 104 controlled
 * station, SAPC) between the site's points and its arbiter. Each adapter lives in src/runtime/adapters/<name>.ts and
 * is built from the mapping's `upstream.<name>` block (already validated by the protocol's schema).
 */
import type { Clock } from '../core/clock.js';
import type { ControlIntent } from '../core/control.js';
import type { Point, PointValue } from '../core/point.js';
import type { Profile } from '../core/profile/types.js';
import type { ArbiterResult, Effective, SubmitOptions } from '../core/arbitration/index.js';
import type { WriteResult } from '../protocols/modbus/writer.js';
import type { Forwarder, StoreCounters, StoreQueue } from '../core/store/index.js';

export interface UpstreamContext {
  siteId: string;
  /** Directory of the mapping file (relative file names in blocks resolve against it). */
  baseDir: string;
  clock: Clock;
  /** Profile of every device, by device id. */
  profiles: ReadonlyMap<string, Profile>;
  /**
   * Controls down: every control is an intent with an expiry, arbitrated with all other sources. A random delay
   * (`options.randomDelayMaxMs`) is drawn by the arbiter once per intent, never for intents marked `randomised`.
   */
  submit(intent: ControlIntent, options?: SubmitOptions): ArbiterResult;
  cancel(intentId: string, source?: string): void;
  /**
   * Give a point a fail-safe default (written when no control is active) unless the mapping's `controls:` already
   * gives it one; returns the default in force.
   */
  setDefault(device: string, name: string, value: PointValue): PointValue;
  /** The arbiter's current decision for a point. */
  effective(device: string, name: string): Effective;
  /** A direct, profile-checked field write (for protocols whose commands are writes, e.g. IEC 104 set-points). */
  write(device: string, name: string, value: PointValue): Promise<WriteResult>;
  /** Whether the field link of a device is up (IEC 104 refuses commands when it is not). */
  deviceOnline(device: string): boolean;
  /** Last value of a point, if any. */
  latest(device: string, name: string): Point | undefined;
  status(state: string, reason?: string): void;
  warn(message: string): void;
  /**
   * Store-and-forward: the durable queue `name` of this upstream (src/core/store; in memory when the site has no
   * store directory). Everything an adapter sends upstream is appended here first (committed before append returns)
   * and removed only when the upstream confirmed it.
   */
  storeQueue<T>(name?: string): StoreQueue<T>;
  /** A forwarder draining `queue` into `send`, with the mapping's replay rate and window (`store:` block). */
  forwarder<T>(queue: StoreQueue<T>, send: (value: T) => Promise<boolean>): Forwarder<T>;
}

/** Counters of one upstream queue, with its forwarder's. */
export type UpstreamStoreStats = StoreCounters & { inflight: number; refused: number; retries: number };

export interface UpstreamAdapter {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void>;
  /** Points from the field (every poll); the adapter picks what its block maps. */
  publishPoints(points: readonly Point[]): void;
  /** Counters and depths for the metrics endpoint (numbers are exported: buffered, inflight, dropped …). */
  stats?(): Record<string, unknown>;
}

export type AdapterFactory = (block: unknown, ctx: UpstreamContext, opts: Record<string, unknown>) => UpstreamAdapter;
