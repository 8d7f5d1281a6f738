/**
 * BusScheduler: one worker per bus ("one bridge worker per bus").
 * - Serial line: exactly one transaction at a time across all unit ids. TCP: `maxInFlight` (default 1).
 * - Two queues: urgent (writes, read-backs) always served before normal (polls, probes, one-shot reads).
 * - Poll tasks run at a fixed rate per poll class; a task has at most one job queued (an overrun is counted, not
 *   queued twice), the normal queue is bounded and drops its OLDEST POLL on overload (never a write), counted.
 * - Per-request timeout and retries; exceptions are answers (no retry, device stays online); a device that fails
 *   `offlineAfter` jobs in a row goes offline, its polls leave the queue and one probe is sent after an exponential
 *   backoff with jitter (capped) — the rest of the bus keeps its rate.
 * - A unit whose last request timed out is "known silent": shorter timeout, no retry, and on TCP its requests run in
 *   a slow lane beside the normal in-flight slots (a request unanswered after the lane-switch time moves there too),
 *   skipped over in the queues, so it holds up neither the wire nor the queue head.
 * - The transport is (re)opened with a short bounded backoff + jitter; it being down fails writes after their
 *   deadline with a reason (never silently), and keeps poll schedules and queues.
 * - 'online' (DeviceOnline) is emitted on a device's first answer after start, a connection outage or being offline.
 * All timers use the injected Clock (monotonic).
 */
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { TypedEmitter } from './emitter.js';
import { interleaveByDevice } from './fairness.js';
import type { ModbusTransport } from './transport.js';
import { ModbusConnectionError, ModbusExceptionError, ModbusProtocolError, ModbusTimeoutError } from './types.js';
import type { ModbusRequest, ModbusResponse, ReadRequest } from './types.js';
import type { Backoff, ClassStats, DeviceCounters, DeviceState, DeviceStatus, OnlineAfter, PollTaskSpec, PortStatus } from './scheduler-types.js';
import type { SchedulerEvents, SchedulerOptions, SchedulerStats } from './scheduler-types.js';

export type * from './scheduler-types.js';

/** How a transaction ended: an answer, a Modbus exception, no answer in time, or another failure (link, framing). */
export type TransactionOutcome = 'response' | 'exception' | 'timeout' | 'error';

interface SDevice {
  key: string;
  unitId: number;
  state: DeviceState;
  reason?: string;
  failuresInRow: number;
  probeDelayMs: number;
  probeAt?: number;
  probeQueued: boolean;
  /** Its last request timed out (cleared by any answer): known silent. */
  silent: boolean;
  /** It has a request in the slow lane. */
  slowBusy: boolean;
  /** Its mean answer time (EWMA, ms; 0 until it answers). */
  answerMs: number;
  /** Set until its next answer: what that answer ends (emitted as 'online'). */
  onlineAfter: OnlineAfter | undefined;
  tasks: Task[];
  c: DeviceCounters;
}

interface Task extends PollTaskSpec {
  device: SDevice;
  nextDue: number;
  queued: boolean;
}

interface Job {
  kind: 'poll' | 'probe' | 'read' | 'write';
  /** Served from the urgent queue (writes and read-backs). */
  urgent: boolean;
  device: SDevice | undefined;
  request: ModbusRequest;
  task?: Task;
  due: number;
  attempts: number;
  sentAt?: number;
  /** Monotonic start of the current attempt. */
  startedMono?: number;
  /** Runs in the slow lane (TCP, known-silent unit or moved there after the lane-switch time). */
  slow?: boolean;
  /** Its device was already known silent at the first attempt: no retries. */
  silentAtStart?: boolean;
  deadline?: number;
  resolve?: (r: ModbusResponse) => void;
  reject?: (e: Error) => void;
}

function backoff(b: Partial<Backoff> | undefined, d: Backoff): Backoff {
  return { ...d, ...b };
}

export class BusScheduler extends TypedEmitter<SchedulerEvents> {
  readonly clock: Clock;
  private readonly o: Required<Omit<SchedulerOptions, 'clock' | 'probeBackoff' | 'reconnectBackoff' | 'random'>>;
  /** Slow lane in use: TCP with silentLane on. */
  private readonly lanes: boolean;
  private readonly probe: Backoff;
  private readonly reconnect: Backoff;
  private readonly random: () => number;
  private readonly devices = new Map<string, SDevice>();
  private urgent: Job[] = [];
  private normal: Job[] = [];
  private inFlight = 0;
  private slowInFlight = 0;
  /** Normal-lane jobs on the wire, oldest first (for the lane switch). */
  private readonly mainJobs = new Set<Job>();
  private laneTimer: TimerHandle | undefined;
  private laneTimerAt = Infinity;
  /** Devices known silent (fast path of the queue scan when 0). */
  private silentCount = 0;
  /** Mean answer time (EWMA, ms) of the normal lane. */
  private answerMs = 0;
  private running = false;
  private opening = false;
  private st: PortStatus = { state: 'down', reason: 'not started' };
  private dueTimer: TimerHandle | undefined;
  private dueTimerAt = Infinity;
  private reconnectTimer: TimerHandle | undefined;
  private reconnectDelay: number;
  private deadlineTimer: TimerHandle | undefined;
  private readonly classes = new Map<string, ClassStats & { lagSum: number }>();
  private readonly totals = { requests: 0, responses: 0, timeouts: 0, exceptions: 0, protocolErrors: 0, retries: 0, dropped: 0, overruns: 0, reconnects: 0 };
  private busyMs = 0;
  /**
   * Called after every transaction (request to answer or failure) with its duration and outcome; the metrics
   * histogram registers here. Empty by default (no cost on the hot path beyond a size check).
   */
  readonly transactionObservers = new Set<(seconds: number, outcome: TransactionOutcome) => void>();
  private startedAt = 0;
  private pumping = false;

  constructor(
    readonly transport: ModbusTransport,
    opts: SchedulerOptions = {},
  ) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.o = {
      timeoutMs: opts.timeoutMs ?? 1000,
      retries: opts.retries ?? 1,
      maxInFlight: transport.serial ? 1 : Math.max(1, opts.maxInFlight ?? 1),
      maxQueue: Math.max(1, opts.maxQueue ?? 256),
      maxUrgentQueue: Math.max(1, opts.maxUrgentQueue ?? 64),
      offlineAfter: Math.max(1, opts.offlineAfter ?? 3),
      connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
      writeDeadlineMs: opts.writeDeadlineMs ?? 5000,
      silentTimeoutMs: Math.min(opts.timeoutMs ?? 1000, opts.silentTimeoutMs ?? 500),
      silentLane: opts.silentLane ?? true,
      maxSlowInFlight: Math.max(1, opts.maxSlowInFlight ?? 2),
    };
    this.lanes = !transport.serial && this.o.silentLane;
    this.probe = backoff(opts.probeBackoff, { initialMs: 500, maxMs: transport.serial ? 5000 : 1000, factor: 2, jitter: 0.2 });
    this.reconnect = backoff(opts.reconnectBackoff, { initialMs: 200, maxMs: 500, factor: 2, jitter: 0.2 });
    this.reconnectDelay = this.reconnect.initialMs;
    transport.onLost((reason) => this.onTransportLost(reason));
  }

  // ------------------------------------------------------------ public API

  get status(): PortStatus {
    return this.st;
  }

  addDevice(key: string, unitId: number): void {
    if (this.devices.has(key)) throw new Error(`device "${key}" already on this port`);
    this.devices.set(key, {
      key,
      unitId,
      state: 'unknown',
      failuresInRow: 0,
      probeDelayMs: this.probe.initialMs,
      probeQueued: false,
      silent: false,
      slowBusy: false,
      answerMs: 0,
      onlineAfter: 'start',
      tasks: [],
      c: { requests: 0, responses: 0, timeouts: 0, exceptions: 0, protocolErrors: 0, retries: 0, dropped: 0, overruns: 0, writes: 0, writeFailures: 0, probes: 0, slowLane: 0 },
    });
  }

  removeDevice(key: string): void {
    const d = this.devices.get(key);
    if (!d) return;
    this.devices.delete(key);
    this.setSilent(d, false);
    this.normal = this.normal.filter((j) => {
      if (j.device !== d) return true;
      this.failJob(j, new Error(`device "${key}" removed`));
      return false;
    });
  }

  deviceState(key: string): DeviceStatus | undefined {
    const d = this.devices.get(key);
    return d && { device: d.key, unitId: d.unitId, state: d.state, ...(d.reason ? { reason: d.reason } : {}) };
  }

  addPollTask(deviceKey: string, spec: PollTaskSpec): void {
    const d = this.device(deviceKey);
    const now = this.clock.monotonic();
    // Spread first polls of a class over a small window so a large site does not fire all at once.
    d.tasks.push({ ...spec, device: d, nextDue: now, queued: false });
    if (!this.classes.has(spec.cls)) this.classes.set(spec.cls, { intervalMs: spec.intervalMs, polls: 0, overruns: 0, lagAvgMs: 0, lagMaxMs: 0, lagSum: 0 });
    if (this.running) this.armDue(now);
  }

  /** Urgent queue: served before any poll. Waits up to writeDeadlineMs for the port to be up. */
  write(deviceKey: string | undefined, request: ModbusRequest): Promise<ModbusResponse> {
    return this.submit(deviceKey, request, 'write', true);
  }

  /** One-shot read in the normal queue (or urgent, e.g. a read-back after a write). */
  read(deviceKey: string | undefined, request: ReadRequest, urgent = false): Promise<ModbusResponse> {
    return this.submit(deviceKey, request, 'read', urgent);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.clock.monotonic();
    this.busyMs = 0;
    void this.openTransport();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.dueTimer);
    this.clock.clearTimeout(this.reconnectTimer);
    this.clock.clearTimeout(this.deadlineTimer);
    this.clock.clearTimeout(this.laneTimer);
    this.dueTimer = this.reconnectTimer = this.deadlineTimer = this.laneTimer = undefined;
    this.laneTimerAt = Infinity;
    this.dueTimerAt = Infinity;
    const stopped = new ModbusConnectionError('port stopped');
    for (const j of [...this.urgent, ...this.normal]) this.failJob(j, stopped);
    this.urgent = [];
    this.normal = [];
    for (const d of this.devices.values()) for (const t of d.tasks) t.queued = false;
    await this.transport.close().catch(() => undefined);
    this.setStatus({ state: 'down', reason: 'stopped' });
  }

  stats(): SchedulerStats {
    const now = this.clock.monotonic();
    const classes: Record<string, ClassStats> = {};
    for (const [k, c] of this.classes) classes[k] = { intervalMs: c.intervalMs, polls: c.polls, overruns: c.overruns, lagAvgMs: c.polls ? c.lagSum / c.polls : 0, lagMaxMs: c.lagMaxMs };
    const devices: SchedulerStats['devices'] = {};
    for (const d of this.devices.values()) devices[d.key] = { ...d.c, state: d.state, unitId: d.unitId };
    const elapsed = now - this.startedAt;
    return {
      state: this.st.state,
      ...this.totals,
      queued: this.normal.length,
      urgentQueued: this.urgent.length,
      inFlight: this.inFlight + this.slowInFlight,
      busyMs: this.busyMs,
      utilisation: elapsed > 0 ? Math.min(1, this.busyMs / elapsed) : 0,
      classes,
      devices,
    };
  }

  // ------------------------------------------------------------ connection

  private setStatus(s: PortStatus): void {
    if (s.state === this.st.state && s.reason === this.st.reason) return;
    this.st = s;
    this.emit('status', s);
  }

  private refreshStatus(): void {
    if (!this.transport.isOpen || (this.st.state !== 'up' && this.st.state !== 'degraded')) return;
    const off = [...this.devices.values()].filter((d) => d.state === 'offline');
    if (off.length === 0) this.setStatus({ state: 'up' });
    else this.setStatus({ state: 'degraded', reason: `offline: ${off.map((d) => d.key).join(', ')}` });
  }

  private async openTransport(): Promise<void> {
    if (!this.running || this.opening) return;
    this.opening = true;
    this.setStatus({ state: 'connecting', reason: this.transport.description });
    let timer: TimerHandle | undefined;
    try {
      await Promise.race([
        this.transport.open(),
        new Promise<never>((_, reject) => {
          timer = this.clock.setTimeout(() => reject(new ModbusConnectionError(`connect timeout after ${this.o.connectTimeoutMs} ms`)), this.o.connectTimeoutMs);
        }),
      ]);
      this.clock.clearTimeout(timer);
      this.opening = false;
      if (!this.running) {
        await this.transport.close();
        return;
      }
      this.reconnectDelay = this.reconnect.initialMs;
      this.setStatus({ state: 'up' });
      this.refreshStatus();
      const now = this.clock.monotonic();
      for (const d of this.devices.values()) if (d.state === 'offline') this.scheduleProbe(d, now, true);
      this.armDue(now);
      this.pump();
    } catch (e) {
      this.clock.clearTimeout(timer);
      this.opening = false;
      void this.transport.close().catch(() => undefined);
      this.goDown(e instanceof Error ? e.message : String(e));
    }
  }

  private onTransportLost(reason: string): void {
    if (!this.running) return;
    this.goDown(reason);
  }

  private goDown(reason: string): void {
    if (!this.running) return;
    this.totals.reconnects++;
    // Whatever each device answers next ends this outage (unless it already waits to end something else).
    for (const d of this.devices.values()) d.onlineAfter ??= 'port-down';
    const delay = this.jittered(this.reconnectDelay, this.reconnect);
    this.reconnectDelay = Math.min(this.reconnect.maxMs, this.reconnectDelay * this.reconnect.factor);
    this.setStatus({ state: 'down', reason: `${reason}; retry in ${Math.round(delay)} ms` });
    this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.openTransport();
    }, delay);
    this.armDeadlines();
  }

  /** The delay ± jitter, never above the backoff's cap. */
  private jittered(ms: number, b: Backoff): number {
    return Math.min(b.maxMs, Math.max(0, ms * (1 + b.jitter * (2 * this.random() - 1))));
  }

  // ------------------------------------------------------------ queueing

  private device(key: string): SDevice {
    const d = this.devices.get(key);
    if (!d) throw new Error(`unknown device "${key}"`);
    return d;
  }

  private submit(deviceKey: string | undefined, request: ModbusRequest, kind: 'write' | 'read', urgent: boolean): Promise<ModbusResponse> {
    return new Promise<ModbusResponse>((resolve, reject) => {
      const d = deviceKey === undefined ? undefined : this.devices.get(deviceKey);
      if (deviceKey !== undefined && !d) return reject(new Error(`unknown device "${deviceKey}"`));
      if (!this.running) return reject(new ModbusConnectionError('port not started'));
      const now = this.clock.monotonic();
      const job: Job = { kind, urgent, device: d, request, due: now, attempts: 0, deadline: now + this.o.writeDeadlineMs, resolve, reject };
      if (urgent) {
        if (this.urgent.length >= this.o.maxUrgentQueue) return reject(new Error(`write queue full (${this.o.maxUrgentQueue})`));
        this.urgent.push(job);
      } else if (!this.enqueueNormal(job)) {
        return reject(new Error(`queue full (${this.o.maxQueue}) with no poll to drop`));
      }
      if (!this.transport.isOpen) this.armDeadlines();
      this.pump();
    });
  }

  /** Put a job in the bounded normal queue, dropping the oldest poll when full. */
  private enqueueNormal(job: Job): boolean {
    if (this.normal.length >= this.o.maxQueue) {
      const i = this.normal.findIndex((j) => j.kind === 'poll');
      if (i < 0) return false;
      const [old] = this.normal.splice(i, 1);
      if (old) {
        if (old.task) old.task.queued = false;
        this.totals.dropped++;
        if (old.device) old.device.c.dropped++;
        this.emit('dropped', old.device?.key ?? '', old.request);
      }
    }
    this.normal.push(job);
    return true;
  }

  /** Fail writes whose deadline passed while the port is down. */
  private armDeadlines(): void {
    this.clock.clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    const waiting = [...this.urgent, ...this.normal].filter((j) => j.deadline !== undefined && j.resolve);
    if (waiting.length === 0 || this.transport.isOpen) return;
    const next = Math.min(...waiting.map((j) => j.deadline!));
    this.deadlineTimer = this.clock.setTimeout(() => {
      this.deadlineTimer = undefined;
      if (this.transport.isOpen) return;
      const now = this.clock.monotonic();
      const reason = new ModbusConnectionError(`port ${this.st.state}${this.st.reason ? ` (${this.st.reason})` : ''}`);
      const keep = (j: Job): boolean => {
        if (j.deadline === undefined || !j.resolve || j.deadline > now) return true;
        this.failJob(j, reason);
        return false;
      };
      this.urgent = this.urgent.filter(keep);
      this.normal = this.normal.filter(keep);
      this.armDeadlines();
    }, Math.max(0, next - this.clock.monotonic()));
  }

  /** Reject a job's promise or report the failure to its poll task. */
  private failJob(j: Job, e: Error): void {
    if (j.task) j.task.queued = false;
    if (j.device && j.device.probeQueued && j.kind === 'probe') j.device.probeQueued = false;
    if (j.reject) j.reject(e);
    else if (j.task) j.task.onResult({ ok: false, request: j.task.request, error: e, time: this.clock.now(), sentAt: j.sentAt ?? this.clock.now() });
  }

  private scheduleProbe(d: SDevice, now: number, immediate = false): void {
    const delay = immediate ? 0 : this.jittered(d.probeDelayMs, this.probe);
    d.probeAt = now + delay;
    this.armDue(now);
  }

  /** Move due poll tasks and probes into the normal queue; arm the timer for the next due time. */
  private enqueueDue(now: number): void {
    const due: Task[] = [];
    let next = Infinity;
    for (const d of this.devices.values()) {
      if (d.state === 'offline') {
        if (d.probeAt !== undefined && !d.probeQueued) {
          if (d.probeAt <= now) {
            const t = d.tasks[0];
            d.probeQueued = true;
            d.probeAt = undefined;
            d.c.probes++;
            if (t) this.enqueueNormal({ kind: 'probe', urgent: false, device: d, request: t.request, task: t, due: now, attempts: 0 });
          } else next = Math.min(next, d.probeAt);
        }
        continue;
      }
      for (const t of d.tasks) {
        if (t.nextDue <= now) {
          if (t.queued) {
            // Still waiting from the previous period: count the overrun, never queue twice.
            t.device.c.overruns++;
            this.totals.overruns++;
            const c = this.classes.get(t.cls);
            if (c) c.overruns++;
            t.nextDue = this.nextPeriod(t, now);
          } else due.push(t);
        }
        if (!t.queued || t.nextDue > now) next = Math.min(next, t.nextDue > now ? t.nextDue : Infinity);
      }
    }
    // Oldest due first; equal due times alternate devices so one device's many blocks cannot crowd out another's.
    // (A single due task, the usual case after each answer, needs neither: skip their allocations.)
    if (due.length > 1) due.sort((a, b) => a.nextDue - b.nextDue);
    for (const t of due.length > 1 ? interleaveByDevice(due) : due) {
      t.queued = true;
      this.enqueueNormal({ kind: 'poll', urgent: false, device: t.device, request: t.request, task: t, due: t.nextDue, attempts: 0 });
      t.nextDue = this.nextPeriod(t, now);
      if (t.intervalMs > 0) next = Math.min(next, t.nextDue);
    }
    this.armTimer(next, now);
  }

  private nextPeriod(t: Task, now: number): number {
    if (t.intervalMs <= 0) return now;
    let n = t.nextDue + t.intervalMs;
    if (n <= now) n = now + t.intervalMs - ((now - t.nextDue) % t.intervalMs); // skip missed periods, keep phase
    return n;
  }

  private armDue(now: number): void {
    this.dueTimerAt = Infinity;
    this.clock.clearTimeout(this.dueTimer);
    this.dueTimer = undefined;
    this.enqueueDue(now);
    this.pump();
  }

  private armTimer(at: number, now: number): void {
    if (!this.running || at === Infinity || at >= this.dueTimerAt) return;
    this.clock.clearTimeout(this.dueTimer);
    this.dueTimerAt = at;
    this.dueTimer = this.clock.setTimeout(() => {
      this.dueTimer = undefined;
      this.dueTimerAt = Infinity;
      this.enqueueDue(this.clock.monotonic());
      this.pump();
    }, Math.max(0, at - now));
  }

  // ------------------------------------------------------------ execution

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.running && this.transport.isOpen) {
        const job = this.take();
        if (!job) break;
        if (job.device?.state === 'offline' && job.kind === 'poll') {
          if (job.task) job.task.queued = false;
          continue;
        }
        this.execute(job);
      }
    } finally {
      this.pumping = false;
    }
    if (this.lanes && this.inFlight >= this.o.maxInFlight && (this.normal.length || this.urgent.length)) this.armLaneSwitch();
  }

  /**
   * The next job that has a free slot in its lane: urgent before normal, FIFO within each. Without lanes or silent
   * units this is a plain shift; otherwise a known-silent unit's job waits only for the slow lane and is skipped
   * over (no head-of-line blocking), and the others only for the normal slots.
   */
  private take(): Job | undefined {
    const mainFree = this.inFlight < this.o.maxInFlight;
    if (!this.lanes || (this.silentCount === 0 && this.slowInFlight === 0)) {
      if (!mainFree) return undefined;
      return this.urgent.shift() ?? this.normal.shift();
    }
    const slowFree = this.slowInFlight < this.o.maxSlowInFlight;
    if (!mainFree && !slowFree) return undefined;
    for (const q of [this.urgent, this.normal]) {
      for (let i = 0; i < q.length; i++) {
        const j = q[i]!;
        const d = j.device;
        // A unit with a request in the slow lane (known silent, or moved there unanswered) waits for that one.
        const slow = d !== undefined && (d.silent || d.slowBusy);
        if (slow ? slowFree && !d.slowBusy : mainFree) {
          q.splice(i, 1);
          j.slow = slow;
          return j;
        }
      }
    }
    return undefined;
  }

  /** Normal slots full and work waiting: move the oldest request unanswered after the lane-switch time to the slow lane. */
  private armLaneSwitch(): void {
    const oldest = this.mainJobs.values().next().value;
    if (!oldest || oldest.startedMono === undefined) return;
    const switchMs = this.laneSwitchMs();
    const at = oldest.startedMono + switchMs;
    if (this.laneTimer && this.laneTimerAt <= at) return;
    this.clock.clearTimeout(this.laneTimer);
    this.laneTimerAt = at;
    this.laneTimer = this.clock.setTimeout(() => {
      this.laneTimer = undefined;
      this.laneTimerAt = Infinity;
      if (!this.running) return;
      const now = this.clock.monotonic();
      for (const j of this.mainJobs) {
        if (this.slowInFlight >= this.o.maxSlowInFlight) break;
        if (now - j.startedMono! < switchMs) break;
        const d = j.device;
        if (!d || d.slowBusy || j.request.unitId === 0) continue;
        this.mainJobs.delete(j);
        this.inFlight--;
        this.slowInFlight++;
        j.slow = true;
        d.slowBusy = true;
        d.c.slowLane++;
      }
      this.pump();
    }, Math.max(1, at - this.clock.monotonic()));
  }

  /** 8 × the mean answer time, between 25 ms and timeoutMs/2 (the latter until the first answer). */
  private laneSwitchMs(): number {
    return this.answerMs === 0 ? this.o.timeoutMs / 2 : Math.min(this.o.timeoutMs / 2, Math.max(25, 8 * this.answerMs));
  }

  private setSilent(d: SDevice, silent: boolean): void {
    if (d.silent === silent) return;
    d.silent = silent;
    this.silentCount += silent ? 1 : -1;
  }

  private execute(job: Job): void {
    const started = this.clock.monotonic();
    job.startedMono = started;
    if (job.slow && job.device) {
      this.slowInFlight++;
      job.device.slowBusy = true;
      job.device.c.slowLane++;
    } else {
      job.slow = false;
      this.inFlight++;
      if (this.lanes) this.mainJobs.add(job);
    }
    if (job.attempts === 0 && job.task && job.kind === 'poll') {
      const c = this.classes.get(job.task.cls);
      if (c) {
        const lag = Math.max(0, started - job.due);
        c.polls++;
        c.lagSum += lag;
        c.lagMaxMs = Math.max(c.lagMaxMs, lag);
      }
    }
    if (job.attempts === 0) job.silentAtStart = job.device?.silent === true;
    job.attempts++;
    job.sentAt = this.clock.now();
    this.totals.requests++;
    if (job.device) job.device.c.requests++;
    let settled = false;
    // A known-silent unit gets the short timeout, but never less than 3 × its own usual answer time (a slow device
    // that missed one answer must still be able to come back).
    const d0 = job.device;
    const timeoutMs = d0?.silent ? Math.min(this.o.timeoutMs, Math.max(this.o.silentTimeoutMs, 3 * d0.answerMs)) : this.o.timeoutMs;
    const timer = this.clock.setTimeout(() => finish(undefined, new ModbusTimeoutError(timeoutMs, job.request)), timeoutMs);
    const finish = (res: ModbusResponse | undefined, err: Error | undefined) => {
      if (settled) return;
      settled = true;
      this.clock.clearTimeout(timer);
      const took = this.clock.monotonic() - started;
      if (job.slow) {
        this.slowInFlight--;
        if (job.device) job.device.slowBusy = false;
      } else {
        this.inFlight--;
        this.mainJobs.delete(job);
        if (res) this.answerMs = this.answerMs === 0 ? took : this.answerMs + (took - this.answerMs) / 16;
      }
      if (res && job.device) job.device.answerMs = job.device.answerMs === 0 ? took : job.device.answerMs + (took - job.device.answerMs) / 8;
      job.slow = false;
      this.busyMs += took;
      if (this.transactionObservers.size) {
        const outcome: TransactionOutcome = res ? 'response' : err instanceof ModbusExceptionError ? 'exception' : err instanceof ModbusTimeoutError ? 'timeout' : 'error';
        for (const f of this.transactionObservers) f(took / 1000, outcome);
      }
      // An answer: put the next queued request on the wire before decoding this one (the link works meanwhile).
      if (res && this.running) this.pump();
      this.complete(job, res, err);
      if (this.running) {
        this.enqueueDue(this.clock.monotonic());
        this.pump();
      }
    };
    let p: Promise<ModbusResponse>;
    try {
      p = this.transport.request(job.request, timeoutMs);
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (r) => finish(r, undefined),
      (e: unknown) => finish(undefined, e instanceof Error ? e : new Error(String(e))),
    );
  }

  private complete(job: Job, res: ModbusResponse | undefined, err: Error | undefined): void {
    const d = job.device;
    const isWrite = job.kind === 'write';
    if (res || err instanceof ModbusExceptionError) {
      // An answer (data or exception): the device is there.
      if (d) {
        if (res) d.c.responses++;
        else d.c.exceptions++;
        if (isWrite && res) d.c.writes++;
        else if (isWrite) d.c.writeFailures++;
        this.markAlive(d);
      }
      if (res) this.totals.responses++;
      else this.totals.exceptions++;
      if (job.kind === 'probe' && d) d.probeQueued = false;
      if (job.task) job.task.queued = false;
      if (!res) return this.failJob(job, err!);
      const now = this.clock.now();
      if (job.resolve) job.resolve(res);
      else job.task?.onResult({ ok: true, request: job.task.request, response: res, time: now, sentAt: job.sentAt ?? now });
      return;
    }
    const e = err ?? new Error('unknown failure');
    if (d) d.c.lastError = e.message;
    if (this.running && !this.transport.isOpen) {
      // Transport trouble is not the device's fault: one-shot jobs go back to their queue's head (they fail at
      // their deadline if the port stays down); polls and probes wait for their next turn after reconnecting.
      job.attempts = Math.max(0, job.attempts - 1);
      if (job.urgent) this.urgent.unshift(job);
      else if (job.kind === 'read') this.normal.unshift(job);
      else {
        if (job.task) job.task.queued = false;
        if (job.kind === 'probe' && d) d.probeQueued = false;
      }
      this.armDeadlines();
      return;
    }
    const timeout = e instanceof ModbusTimeoutError;
    const retryable = timeout || e instanceof ModbusProtocolError;
    if (timeout) {
      this.totals.timeouts++;
      if (d) {
        d.c.timeouts++;
        this.setSilent(d, true);
      }
    } else {
      this.totals.protocolErrors++;
      if (d) d.c.protocolErrors++;
    }
    if (retryable && !job.silentAtStart && job.attempts <= this.o.retries && job.kind !== 'probe' && job.request.unitId !== 0 && d?.state !== 'offline') {
      this.totals.retries++;
      if (d) d.c.retries++;
      if (job.urgent) this.urgent.unshift(job);
      else this.normal.unshift(job);
      return;
    }
    this.failJob(job, e);
    if (!d) return;
    if (isWrite) d.c.writeFailures++;
    if (job.kind === 'probe') {
      d.probeDelayMs = Math.min(this.probe.maxMs, d.probeDelayMs * this.probe.factor);
      this.scheduleProbe(d, this.clock.monotonic());
    } else if (retryable && ++d.failuresInRow >= this.o.offlineAfter && d.state !== 'offline') {
      this.markOffline(d, e.message);
    }
  }

  private markAlive(d: SDevice): void {
    d.failuresInRow = 0;
    this.setSilent(d, false);
    const after = d.onlineAfter;
    d.onlineAfter = undefined;
    if (d.state === 'online') {
      if (after) this.emit('online', { device: d.key, unitId: d.unitId, after });
      return;
    }
    const wasOffline = d.state === 'offline';
    d.state = 'online';
    d.reason = undefined;
    d.probeDelayMs = this.probe.initialMs;
    d.probeAt = undefined;
    if (wasOffline) {
      const now = this.clock.monotonic();
      for (const t of d.tasks) if (!t.queued) t.nextDue = Math.min(t.nextDue, now);
    }
    this.emit('device', { device: d.key, unitId: d.unitId, state: 'online' });
    if (after) this.emit('online', { device: d.key, unitId: d.unitId, after });
    this.refreshStatus();
  }

  private markOffline(d: SDevice, reason: string): void {
    d.state = 'offline';
    d.onlineAfter = 'offline';
    d.reason = reason;
    d.probeDelayMs = this.probe.initialMs;
    // Its polls leave the queue: the rest of the bus keeps its rate.
    this.normal = this.normal.filter((j) => {
      if (j.device !== d || j.kind !== 'poll') return true;
      if (j.task) j.task.queued = false;
      return false;
    });
    this.emit('device', { device: d.key, unitId: d.unitId, state: 'offline', reason });
    this.refreshStatus();
    this.scheduleProbe(d, this.clock.monotonic());
  }

  /** For tests and diagnostics: the current probe delay (before jitter) of a device. */
  probeDelayOf(key: string): number | undefined {
    return this.devices.get(key)?.probeDelayMs;
  }

}
