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
  /** Probe backoff for offline devices (default 1 s ×2 up to 60 s, ±20 %). */
  probeBackoff?: Partial<Backoff>;
  /** Reconnect backoff for the transport (default 500 ms ×2 up to 30 s, ±20 %). */
  reconnectBackoff?: Partial<Backoff>;
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
  /** A normal-queue job was dropped on overload. */
  dropped: (device: string, request: ModbusRequest) => void;
}

