/** Options, statuses, counters and events of the BusScheduler (see scheduler.ts). */
import type { ModbusRequest, ModbusResponse, ReadRequest } from './types.js';
import type { Clock } from '../../core/clock.js';

export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** ± fraction of the delay, e.g. 0.2 = ±20 %. */
  jitter: number;
}

export interface SchedulerOptions {
  clock?: Clock;
  /** Per-request answer timeout (default 1000 ms). */
  timeoutMs?: number;
  /** Extra attempts after a timeout or malformed answer (default 1). Exceptions are never retried. */
  retries?: number;
  /** Concurrent transactions per TCP connection (default 1; always 1 on a serial line). */
  maxInFlight?: number;
  /** Bound of the normal queue (polls, probes, one-shot reads); default 256. */
  maxQueue?: number;
  /** Bound of the urgent queue (writes); default 64: beyond it writes are refused with a reason. */
  maxUrgentQueue?: number;
  /** Jobs failing in a row (after retries) before a device is marked offline (default 3). */
  offlineAfter?: number;
  /**
   * Probe backoff for offline devices (default 500 ms ×2 up to 1 s on TCP, where a probe runs in the slow lane and
   * costs the others nothing, and up to 5 s on a serial line, where each probe holds the bus; ±20 %, never above maxMs).
   */
  probeBackoff?: Partial<Backoff>;
  /**
   * Reconnect backoff for the transport (default 200 ms ×2 up to 500 ms, ±20 %, never above maxMs): a reconnect
   * attempt is one connect (cheap), so a server back after an outage is found within about 0.5 s.
   */
  reconnectBackoff?: Partial<Backoff>;
  /**
   * Answer timeout for a unit that is known to be silent (its last request timed out, or it is offline), so that
   * probing it costs less bus time (default min(timeoutMs, 500); never less than 3 × that unit's mean answer time,
   * so a slow device that missed one answer can still come back). Requests that find a unit already known silent are
   * not retried.
   */
  silentTimeoutMs?: number;
  /**
   * TCP only (default true): requests to a known-silent unit run in a separate slow lane (at most one per unit and
   * `maxSlowInFlight` per connection) beside the `maxInFlight` normal slots, and a request unanswered after the
   * lane-switch time (8 × the mean answer time, between 25 ms and timeoutMs/2) moves there, so that one silent unit
   * does not hold up the others. Set false for a server that cannot take a second outstanding request.
   */
  silentLane?: boolean;
  /** Slow-lane slots per TCP connection (default 2). */
  maxSlowInFlight?: number;
  /** Connection attempt timeout (default 5000 ms). */
  connectTimeoutMs?: number;
  /** How long a write waits for the port to come (back) up before it fails (default 5000 ms). */
  writeDeadlineMs?: number;
  /** Random source in [0,1) for jitter (tests inject one). */
  random?: () => number;
}

export type PortState = 'connecting' | 'up' | 'degraded' | 'down';
export interface PortStatus {
  state: PortState;
  reason?: string;
}
export type DeviceState = 'unknown' | 'online' | 'offline';
export interface DeviceStatus {
  device: string;
  unitId: number;
  state: DeviceState;
  reason?: string;
}

/** What a device's first answer ended: the start of the port, an outage of the connection, or the device being offline. */
export type OnlineAfter = 'start' | 'port-down' | 'offline';
/**
 * A device answered for the first time since the port started, since the connection was down, or since it was
 * offline: the moment to (re-)assert controls, since the field may have lost or never received them.
 */
export interface DeviceOnline {
  device: string;
  unitId: number;
  after: OnlineAfter;
}

export interface DeviceCounters {
  requests: number;
  responses: number;
  timeouts: number;
  exceptions: number;
  protocolErrors: number;
  retries: number;
  dropped: number;
  overruns: number;
  writes: number;
  writeFailures: number;
  probes: number;
  /** Requests that ran in (or moved to) the slow lane of a TCP connection. */
  slowLane: number;
  lastError?: string;
}

export interface ClassStats {
  intervalMs: number;
  polls: number;
  overruns: number;
  /** Delay from due time to start of the transaction. */
  lagAvgMs: number;
  lagMaxMs: number;
}

export interface SchedulerStats {
  state: PortState;
  requests: number;
  responses: number;
  timeouts: number;
  exceptions: number;
  protocolErrors: number;
  retries: number;
  dropped: number;
  overruns: number;
  reconnects: number;
  queued: number;
  urgentQueued: number;
  inFlight: number;
  /** Sum of transaction durations (ms) and the share of wall time the bus was busy since start. */
  busyMs: number;
  utilisation: number;
  classes: Record<string, ClassStats>;
  devices: Record<string, DeviceCounters & { state: DeviceState; unitId: number }>;
}

/** `time`: wall time of the answer (or failure); `sentAt`: wall time the request went out (≈ sampling time). */
export type TaskResult =
  | { ok: true; request: ReadRequest; response: ModbusResponse; time: number; sentAt: number }
  | { ok: false; request: ReadRequest; error: Error; time: number; sentAt: number };

export interface PollTaskSpec {
  /** Poll class name (for statistics) and its period; 0 = as fast as the bus allows. */
  cls: string;
  intervalMs: number;
  request: ReadRequest;
  onResult(r: TaskResult): void;
}

export interface SchedulerEvents {
  status: (s: PortStatus) => void;
  device: (s: DeviceStatus) => void;
  /** A device's first answer after start, a connection outage or being offline (see DeviceOnline). */
  online: (e: DeviceOnline) => void;
  /** A normal-queue job was dropped on overload. */
  dropped: (device: string, request: ModbusRequest) => void;
}

