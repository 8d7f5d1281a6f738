/**
 * Operations: Prometheus metrics (prom-client, own registry) and a health summary for a GridBridge gateway, both in
 * `gridbridge run` (a Site) and in Node-RED mode (port and upstream nodes register themselves with `nodeRedMetrics`).
 *
 * Per Modbus connection: requests, responses, timeouts, exceptions, protocol errors, retries, dropped polls,
 * reconnects (counters), queue depth, transactions in flight, bus utilisation, mean transaction time, poll lag per
 * class, link up (gauges); per device: online. Per upstream: buffered messages (store depth), in-flight, dropped.
 * Per point: age of the last value; per device: time between successive values (histogram). Store-and-forward queue
 * depth and counters. Latency histograms: Modbus transactions, upstream HTTP calls (2030.5, OpenADR). Control
 * decisions of the arbiter by action and outcome, field writes by result.
 * Values are read from the stacks' own counters when Prometheus scrapes, so nothing is counted twice.
 */
import { createServer, type Server } from 'node:http';
import type * as Prom from 'prom-client';
import { LocalHistogram } from './histogram.js';
import type { Point } from '../core/point.js';
import type { AuditEntry } from '../core/arbitration/index.js';
import { httpObservers, type HttpCall } from '../core/http-observe.js';
import type { SchedulerStats } from '../protocols/modbus/scheduler-types.js';
import type { TransactionOutcome } from '../protocols/modbus/scheduler.js';

export interface StatsSource {
  stats(): SchedulerStats;
  /** A ModbusPort's scheduler: its per-transaction hook feeds the latency histogram. */
  scheduler?: { transactionObservers: Set<(seconds: number, outcome: TransactionOutcome) => void> };
  /** A ModbusPort's devices: each is in the health summary (as unknown) until it first answers or goes offline. */
  listDevices?(): ReadonlyArray<{ id: string }>;
}
/** Store-and-forward counters per upstream queue (Site.storeStats): numbers exported, the rest ignored. */
export type StoreStats = () => Record<string, object>;
/** Upstream statistics: numbers are exported (buffered, inflight, dropped, published …), the rest ignored. */
export type UpstreamStats = () => Record<string, unknown>;

export interface Health {
  status: 'ok' | 'degraded' | 'down';
  components: Record<string, { state: string; reason?: string }>;
}

const PORT_COUNTERS = ['requests', 'responses', 'timeouts', 'exceptions', 'protocolErrors', 'retries', 'dropped', 'reconnects'] as const;
const TRANSACTION_OUTCOMES: readonly TransactionOutcome[] = ['response', 'exception', 'timeout', 'error'];
/** The device part of a point id (`site/device/name` → `site/device`), so devices of two sites stay apart. */
const deviceOfId = (id: string): string | undefined => {
  const slash = id.lastIndexOf('/');
  return slash > 0 ? id.slice(0, slash) : undefined;
};
const deviceOf = (p: Point): string => deviceOfId(p.id) ?? p.device;
const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
const DOWN = new Set(['down', 'offline', 'stopped', 'error']);
const DEGRADED = new Set(['degraded', 'connecting', 'unknown']);

export class GatewayMetrics {
  private reg: Prom.Registry | undefined;
  private readonly ports = new Map<string, StatsSource>();
  private readonly upstreams = new Map<string, UpstreamStats>();
  private readonly lastPoint = new Map<string, number>();
  private readonly components = new Map<string, { state: string; reason?: string }>();
  /** Arbiter decisions by `action \0 outcome`, field writes by result; the counters read them when scraped. */
  private readonly decisions = new Map<string, number>();
  private readonly writes = new Map<string, number>();
  // Latency histograms are counted here from the start and handed to prom-client's registry when it is built.
  private readonly transactionSeconds = new LocalHistogram(
    'gridbridge_modbus_transaction_seconds', 'Modbus transaction time, request to answer or failure, per connection and outcome',
    ['connection', 'outcome'], [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  private readonly upstreamSeconds = new LocalHistogram(
    'gridbridge_upstream_call_seconds', 'Upstream HTTP request time (2030.5, OpenADR), per protocol, method and result (HTTP status class or failure)',
    ['protocol', 'method', 'result'], [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  );
  private readonly refreshSeconds = new LocalHistogram(
    'gridbridge_point_refresh_seconds', 'Time between two successive values of the same point, per device (site/device)',
    ['device'], [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900],
  );
  private readonly stores = new Set<StoreStats>();
  private readonly extensions: Array<(registry: Prom.Registry, prom: typeof Prom) => void> = [];

  constructor(
    private readonly now: () => number = Date.now,
    private readonly labels: Record<string, string> = {},
  ) {}

  /** prom-client's registry, built on first use (the first scrape): until then prom-client is not even loaded. */
  get registry(): Prom.Registry {
    return (this.reg ??= this.buildRegistry());
  }

  private buildRegistry(): Prom.Registry {
    const prom = require('prom-client') as typeof Prom;
    const { Counter, Gauge, Registry } = prom;
    const registry = new Registry();
    const { labels, now, decisions, writes } = this;
    registry.setDefaultLabels(labels);
    const reg = [registry];
    const { ports, upstreams, lastPoint, components } = this;
    for (const c of PORT_COUNTERS) {
      new Counter({
        name: `gridbridge_modbus_${snake(c)}_total`,
        help: `Modbus ${snake(c).replace(/_/g, ' ')} per connection`,
        labelNames: ['connection'],
        registers: reg,
        collect() {
          this.reset();
          for (const [name, p] of ports) this.inc({ connection: name }, p.stats()[c]);
        },
      });
    }
    const portGauge = (name: string, help: string, f: (s: SchedulerStats) => number): void => {
      new Gauge({
        name, help, labelNames: ['connection'], registers: reg,
        collect() {
          this.reset();
          for (const [n, p] of ports) this.set({ connection: n }, f(p.stats()));
        },
      });
    };
    portGauge('gridbridge_modbus_queue_depth', 'Requests waiting (polls and writes) per connection', (s) => s.queued + s.urgentQueued);
    portGauge('gridbridge_modbus_in_flight', 'Transactions on the wire per connection', (s) => s.inFlight);
    portGauge('gridbridge_modbus_utilisation_ratio', 'Share of wall time the bus was busy', (s) => s.utilisation);
    portGauge('gridbridge_modbus_transaction_seconds_avg', 'Mean transaction time (request to answer or failure)', (s) => {
      const n = s.responses + s.timeouts + s.exceptions + s.protocolErrors;
      return n > 0 ? s.busyMs / n / 1000 : 0;
    });
    portGauge('gridbridge_modbus_up', '1 when the connection is up (or degraded), 0 otherwise', (s) => (s.state === 'up' || s.state === 'degraded' ? 1 : 0));
    new Gauge({
      name: 'gridbridge_modbus_poll_lag_seconds', help: 'Delay from due time to start of a poll, mean and max per poll class',
      labelNames: ['connection', 'class', 'stat'], registers: reg,
      collect() {
        this.reset();
        for (const [n, p] of ports) {
          for (const [cls, c] of Object.entries(p.stats().classes)) {
            this.set({ connection: n, class: cls, stat: 'mean' }, c.lagAvgMs / 1000);
            this.set({ connection: n, class: cls, stat: 'max' }, c.lagMaxMs / 1000);
          }
        }
      },
    });
    new Gauge({
      name: 'gridbridge_device_online', help: '1 when the device answers, 0 when offline or not yet seen',
      labelNames: ['connection', 'device'], registers: reg,
      collect() {
        this.reset();
        for (const [n, p] of ports) for (const [dev, d] of Object.entries(p.stats().devices)) this.set({ connection: n, device: dev }, d.state === 'online' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'gridbridge_upstream_stat', help: 'Upstream statistics: buffered (store depth), inflight, dropped, published …',
      labelNames: ['upstream', 'stat'], registers: reg,
      collect() {
        this.reset();
        for (const [n, f] of upstreams) {
          for (const [k, v] of Object.entries(f())) if (typeof v === 'number' && Number.isFinite(v)) this.set({ upstream: n, stat: snake(k) }, v);
        }
      },
    });
    new Gauge({
      name: 'gridbridge_point_age_seconds', help: 'Time since the last value of a point was received',
      labelNames: ['point'], registers: reg,
      collect() {
        this.reset();
        const t = now();
        for (const [id, at] of lastPoint) this.set({ point: id }, Math.max(0, (t - at) / 1000));
      },
    });
    new Gauge({
      name: 'gridbridge_component_up', help: '1 when a component (connection, device, upstream) reports a working state',
      labelNames: ['component'], registers: reg,
      collect() {
        this.reset();
        for (const [c, s] of components) this.set({ component: c }, DOWN.has(s.state) ? 0 : 1);
      },
    });
    const { stores } = this;
    new Gauge({
      name: 'gridbridge_store_stat', help: 'Store-and-forward queue statistics: depth (items waiting), bytes, stored, delivered, evicted, inflight …',
      labelNames: ['queue', 'stat'], registers: reg,
      collect() {
        this.reset();
        for (const f of stores) {
          for (const [q, st] of Object.entries(f())) {
            for (const [k, v] of Object.entries(st)) if (typeof v === 'number' && Number.isFinite(v)) this.set({ queue: q, stat: snake(k) }, v);
          }
        }
      },
    });
    for (const h of [this.transactionSeconds, this.upstreamSeconds, this.refreshSeconds]) registry.registerMetric(h.asPromMetric() as unknown as Prom.Metric);
    new Counter({
      name: 'gridbridge_control_decisions_total', help: 'Arbiter decisions by action and outcome', labelNames: ['action', 'outcome'], registers: reg,
      collect() {
        this.reset();
        for (const [key, n] of decisions) {
          const [action, outcome] = key.split('\0') as [string, string];
          this.inc({ action, outcome }, n);
        }
      },
    });
    new Counter({
      name: 'gridbridge_field_writes_total', help: 'Control writes to the field by result', labelNames: ['result'], registers: reg,
      collect() {
        this.reset();
        for (const [result, n] of writes) this.inc({ result }, n);
      },
    });
    for (const f of this.extensions) f(registry, prom);
    return registry;
  }

  /**
   * More metrics from elsewhere (e.g. certificate expiry of the Node-RED upstream nodes): `f` registers them when the
   * registry is built (the first scrape; at once if it already is), so prom-client is not loaded before it is needed.
   */
  extend(f: (registry: Prom.Registry, prom: typeof Prom) => void): void {
    this.extensions.push(f);
    if (this.reg) f(this.reg, require('prom-client') as typeof Prom);
  }

  /** Register a Modbus connection; returns the function that removes it. */
  addPort(name: string, port: StatsSource): () => void {
    this.ports.set(name, port);
    const observers = port.scheduler?.transactionObservers;
    const observe = (seconds: number, outcome: TransactionOutcome): void => this.transactionSeconds.observe({ connection: name, outcome }, seconds);
    observers?.add(observe);
    return () => {
      observers?.delete(observe);
      if (this.ports.get(name) !== port) return;
      this.ports.delete(name);
      for (const outcome of TRANSACTION_OUTCOMES) this.transactionSeconds.remove({ connection: name, outcome });
    };
  }

  /** Count the upstream HTTP calls of this process (2030.5, OpenADR); returns the function that stops it. */
  observeUpstreamCalls(): () => void {
    const f = (c: HttpCall): void => {
      const result = c.status !== undefined ? `${Math.floor(c.status / 100)}xx` : (c.error ?? 'error');
      this.upstreamSeconds.observe({ protocol: c.protocol, method: c.method, result }, c.seconds);
    };
    httpObservers.add(f);
    return () => void httpObservers.delete(f);
  }

  addStore(stats: StoreStats): () => void {
    this.stores.add(stats);
    return () => void this.stores.delete(stats);
  }

  addUpstream(name: string, stats: UpstreamStats): () => void {
    this.upstreams.set(name, stats);
    return () => void (this.upstreams.get(name) === stats && this.upstreams.delete(name));
  }

  observePoints(points: readonly Point[]): void {
    for (const p of points) {
      const prev = this.lastPoint.get(p.id);
      if (prev !== undefined && p.receiveTime > prev) this.refreshSeconds.observe({ device: deviceOf(p) }, (p.receiveTime - prev) / 1000);
      this.lastPoint.set(p.id, p.receiveTime);
    }
  }

  observeDecision(a: Pick<AuditEntry, 'action' | 'outcome'>): void {
    const key = `${a.action}\0${a.outcome ?? 'none'}`;
    this.decisions.set(key, (this.decisions.get(key) ?? 0) + 1);
  }

  observeWrite(ok: boolean): void {
    const result = ok ? 'ok' : 'failed';
    this.writes.set(result, (this.writes.get(result) ?? 0) + 1);
  }

  setStatus(component: string, state: string, reason?: string): void {
    this.components.set(component, reason ? { state, reason } : { state });
  }

  removeStatus(component: string): void {
    this.components.delete(component);
  }

  /** down: a component is down/offline; degraded: one is connecting or degraded; ok otherwise. */
  health(): Health {
    const components = Object.fromEntries(this.components);
    const states = [...this.components.values()].map((c) => c.state);
    const status = states.some((s) => DOWN.has(s)) ? 'down' : states.some((s) => DEGRADED.has(s)) ? 'degraded' : 'ok';
    return { status, components };
  }

  /**
   * Feed from a Site's events (gridbridge run, the Node-RED site node). `prefix` names its connections and
   * components (Node-RED mode runs several sites in one process); returns the function that detaches it.
   */
  attachSite(site: MetricsSite, prefix = ''): () => void {
    const undo: Array<() => void> = [];
    for (const [name, p] of site.ports) undo.push(this.addPort(prefix + name, p));
    for (const a of site.adapters) if (a.stats) undo.push(this.addUpstream(prefix + a.name, a.stats));
    if (site.storeStats) {
      const f = site.storeStats.bind(site);
      undo.push(this.addStore(prefix ? () => Object.fromEntries(Object.entries(f()).map(([k, v]) => [prefix + k, v])) : f));
    }
    const components = new Set<string>();
    const points = new Set<string>();
    // A device that has never answered is not healthy yet: listed as unknown (degraded) until its first state.
    for (const p of site.ports.values()) {
      for (const d of p.listDevices?.() ?? []) {
        const c = `${prefix}device:${d.id}`;
        components.add(c);
        if (!this.components.has(c)) this.setStatus(c, 'unknown', 'no answer yet');
      }
    }
    const on = {
      points: (p: Point[]) => {
        this.observePoints(p);
        for (const x of p) points.add(x.id);
      },
      status: (s: { component: string; state: string; reason?: string }) => {
        components.add(prefix + s.component);
        this.setStatus(prefix + s.component, s.state, s.reason);
      },
      audit: (a: AuditEntry) => this.observeDecision(a),
      write: (w: { ok: boolean }) => this.observeWrite(w.ok),
    };
    site.on('points', on.points);
    site.on('status', on.status);
    site.on('audit', on.audit);
    site.on('write', on.write);
    return () => {
      for (const f of undo) f();
      site.off?.('points', on.points);
      site.off?.('status', on.status);
      site.off?.('audit', on.audit);
      site.off?.('write', on.write);
      for (const c of components) this.removeStatus(c);
      this.forgetPoints(points);
    };
  }

  /** Drop the age and refresh series of points that are gone (a removed site). */
  forgetPoints(ids: Iterable<string>): void {
    for (const id of ids) {
      this.lastPoint.delete(id);
      const device = deviceOfId(id);
      if (device) this.refreshSeconds.remove({ device });
    }
  }
}

/** What attachSite needs of a Site. */
export interface MetricsSite {
  ports: ReadonlyMap<string, StatsSource>;
  adapters: ReadonlyArray<{ name: string; stats?: UpstreamStats }>;
  storeStats?(): Record<string, object>;
  on(e: 'points', f: (p: Point[]) => void): unknown;
  on(e: 'status', f: (s: { component: string; state: string; reason?: string }) => void): unknown;
  on(e: 'audit', f: (a: AuditEntry) => void): unknown;
  on(e: 'write', f: (w: { ok: boolean }) => void): unknown;
  off?(e: string, f: (...a: never[]) => void): unknown;
}

/** HTTP endpoint: GET /metrics (Prometheus text format) and GET /health (JSON; 503 when down). */
export async function startMetricsServer(m: GatewayMetrics, host: string, port: number): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
    } else if (path === '/metrics') {
      m.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': m.registry.contentType }).end(text),
        (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics: ${e instanceof Error ? e.message : String(e)}\n`),
      );
    } else if (path === '/health') {
      const h = m.health();
      res.writeHead(h.status === 'down' ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(h) + '\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /metrics or /health\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const p = addr && typeof addr === 'object' ? addr.port : port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${p}`,
    server,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The metrics of Node-RED mode: one per process, shared by every GridBridge node. */
export const nodeRedMetrics = new GatewayMetrics();
nodeRedMetrics.observeUpstreamCalls();
