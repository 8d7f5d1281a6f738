/**
 * MqttUpstream: publishes Points to an MQTT broker and turns `…/set` commands into control intents.
 *
 * - Every outgoing message goes through one ordered, bounded buffer; at most `maxInflight` unacknowledged publishes
 *   are on the wire. While the broker is unreachable the buffer fills; beyond its bound the oldest message is
 *   dropped and counted. Unacknowledged messages of a lost connection go back to the front of the buffer and are
 *   sent again after reconnecting (at least once, in order).
 * - Reconnects are ours (mqtt.js reconnectPeriod is 0): exponential backoff with jitter, capped, on the injected clock.
 * - Birth "online" (retained) on every connect, last will "offline" (retained), "offline" on a graceful stop.
 */
import { EventEmitter } from 'node:events';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Point } from '../../core/point.js';
import { BoundedBuffer } from './buffer.js';
import { encodePointPayload } from './codec.js';
import { CommandDispatcher, type CommandAnswer, type CommandHandler, type MqttCommand } from './commands.js';
import { ReportByException, type ExceptionRule } from './exception.js';
import { POINT_VARIABLES, STATUS_VARIABLES, BASE_VARIABLES, type MqttSettings } from './mapping.js';
import { TopicTemplate, TopicTemplateError, type TopicValues } from './topic.js';

export type MqttLinkState = 'connecting' | 'up' | 'down' | 'stopped';

export interface MqttStatus {
  state: MqttLinkState;
  reason?: string;
  /** Wall-clock epoch ms of the change. */
  since: number;
}

export interface MqttStats {
  state: MqttLinkState;
  /** Messages acknowledged by the broker (QoS 1/2) or written to the socket (QoS 0). */
  published: number;
  /** Messages waiting in the buffer now. */
  buffered: number;
  inflight: number;
  /** Messages dropped because the buffer was full (oldest first). */
  dropped: number;
  /** Messages the broker or client refused while connected. */
  failed: number;
  /** Points not sent by report-by-exception (deadband/interval) and points outside `publish`. */
  suppressed: number;
  skipped: number;
  topicErrors: number;
  commands: number;
  commandsRejected: number;
  connects: number;
  disconnects: number;
  lastError?: string;
}

export interface PublishReport {
  queued: number;
  suppressed: number;
  deferred: number;
  skipped: number;
  errors: TopicTemplateError[];
}

export interface MqttUpstreamEvents {
  status: [MqttStatus];
  /** Things an operator must see: insecure TLS, drops, refused messages, late command results. */
  warning: [string];
  /** Every command and its answer, for the audit log. */
  command: [MqttCommand | undefined, CommandAnswer];
}

export interface MqttUpstreamOptions {
  clock?: Clock;
  onCommand?: CommandHandler;
  /** Extra mqtt.js options (tests); cannot turn certificate verification off. */
  clientOptions?: Partial<IClientOptions>;
  /**
   * Durable store-and-forward of point messages (src/core/store): when set, point messages are handed to it in one
   * batch per publishPoints() call (stored before publishPoints returns) instead of the in-memory buffer, and the
   * runtime forwards them with deliver(). Command results and status messages still use the buffer.
   */
  store?: (messages: MqttMessage[]) => void;
}

export type MqttMessage = OutMessage;

interface OutMessage {
  topic: string;
  payload: string;
  qos: 0 | 1 | 2;
  retain: boolean;
}

export type { MqttCommand, CommandOutcome, CommandHandler, CommandAnswer } from './commands.js';

export class MqttUpstream extends EventEmitter<MqttUpstreamEvents> {
  readonly base: string;
  readonly statusTopic: string;
  private readonly topicTpl: TopicTemplate;
  private readonly clock: Clock;
  private readonly commands: CommandDispatcher | undefined;
  private client: MqttClient | undefined;
  private readonly buffer: BoundedBuffer<OutMessage>;
  private readonly inflight = new Map<number, OutMessage>();
  private seq = 0;
  private gen = 0;
  private connected = false;
  private stopping = false;
  private pumping = false;
  private attempts = 0;
  private reconnectTimer: TimerHandle | undefined;
  private current: MqttStatus;
  private readonly rbe: ReportByException;
  private readonly topicOwner = new Map<string, string>();
  private readonly topicCache = new Map<string, { topic: string; kind: string | undefined; unit: string | undefined }>();
  private dropsWarned = false;
  private drained: (() => void) | undefined;
  private readonly counters = { published: 0, failed: 0, suppressed: 0, skipped: 0, topicErrors: 0, connects: 0, disconnects: 0 };
  private lastError: string | undefined;
  private readonly clientOptions: Partial<IClientOptions>;
  private readonly store: ((messages: OutMessage[]) => void) | undefined;
  /** Point messages for the store, collected during one publishPoints() call. */
  private storeBatch: OutMessage[] | undefined;
  /** deliver() calls waiting for the broker: rejected when the connection is lost. */
  private readonly delivering = new Set<(e: Error) => void>();

  constructor(
    readonly settings: MqttSettings,
    opts: MqttUpstreamOptions = {},
  ) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.clientOptions = opts.clientOptions ?? {};
    this.store = opts.store;
    this.base = TopicTemplate.compile(settings.baseTopic, BASE_VARIABLES).render({ site: settings.site });
    this.topicTpl = TopicTemplate.compile(settings.topic, POINT_VARIABLES, ['base']);
    this.statusTopic = TopicTemplate.compile(settings.statusTopic, STATUS_VARIABLES, ['base']).render({ base: this.base, site: settings.site });
    this.buffer = new BoundedBuffer(settings.bufferMaxMessages);
    this.rbe = new ReportByException(this.clock, (p) => this.enqueuePoint(p));
    this.current = { state: 'down', reason: 'not started', since: this.clock.now() };
    if (settings.commands) {
      this.commands = new CommandDispatcher({
        clock: this.clock,
        settings: settings.commands,
        resolve: (t) => this.resolveTarget(t),
        template: settings.topic,
        send: (topic, payload) => this.enqueue({ topic, payload, qos: settings.qos, retain: false }),
        audit: (cmd, answer) => this.emit('command', cmd, answer),
        warn: (m) => this.emit('warning', m),
      });
      this.commands.handler = opts.onCommand;
    }
  }

  /** The subscription filter for commands, e.g. `gridbridge/site1/+/+/set`. */
  get commandFilter(): string {
    return this.topicTpl.filter({ base: this.base, site: this.settings.site }) + '/set';
  }

  /** Set (or clear) the runtime's command handler; without one every command is answered with an error. */
  setCommandHandler(fn: CommandHandler | undefined): void {
    if (this.commands) this.commands.handler = fn;
  }

  status(): MqttStatus {
    return { ...this.current };
  }

  stats(): MqttStats {
    const s: MqttStats = {
      state: this.current.state,
      ...this.counters,
      buffered: this.buffer.size,
      inflight: this.inflight.size,
      dropped: this.buffer.dropped,
      commands: this.commands?.received ?? 0,
      commandsRejected: this.commands?.rejected ?? 0,
    };
    if (this.lastError !== undefined) s.lastError = this.lastError;
    return s;
  }

  /** Topic of a point (throws TopicTemplateError naming the template and variable). */
  topicFor(p: Pick<Point, 'device' | 'name' | 'kind' | 'unit'>): string {
    const key = `${p.device}\u0000${p.name}`;
    const c = this.topicCache.get(key);
    if (c && c.kind === p.kind && c.unit === p.unit) return c.topic;
    const values: TopicValues = { base: this.base, site: this.settings.site, device: p.device, kind: p.kind, name: p.name, unit: p.unit };
    const topic = this.topicTpl.render(values);
    const owner = this.topicOwner.get(topic);
    if (owner !== undefined && owner !== key) {
      throw new TopicTemplateError(this.settings.topic, `points ${owner.replace('\u0000', '/')} and ${p.device}/${p.name} would share topic "${topic}"`);
    }
    this.topicOwner.set(topic, key);
    this.topicCache.set(key, { topic, kind: p.kind, unit: p.unit });
    return topic;
  }

  /** Register points in advance so their command topics resolve before their first value is published. */
  declarePoints(points: Iterable<Pick<Point, 'device' | 'name' | 'kind' | 'unit'>>): TopicTemplateError[] {
    const errors: TopicTemplateError[] = [];
    for (const p of points) {
      try {
        this.topicFor(p);
      } catch (e) {
        if (e instanceof TopicTemplateError) errors.push(e);
        else throw e;
      }
    }
    return errors;
  }

  start(): void {
    if (this.client || this.stopping) return;
    const s = this.settings;
    const o: IClientOptions = {
      ...this.clientOptions,
      clientId: s.clientId,
      keepalive: s.keepaliveS,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: s.connectTimeoutMs,
      resubscribe: false,
      queueQoSZero: false,
      will: { topic: this.statusTopic, payload: Buffer.from('offline'), qos: s.qos, retain: true },
    };
    if (s.username !== undefined) o.username = s.username;
    if (s.password !== undefined) o.password = s.password;
    if (s.tls) {
      if (s.tls.ca !== undefined) o.ca = s.tls.ca;
      if (s.tls.cert !== undefined) o.cert = s.tls.cert;
      if (s.tls.key !== undefined) o.key = s.tls.key;
      if (s.tls.servername !== undefined) o.servername = s.tls.servername;
    }
    o.rejectUnauthorized = !(s.tls?.insecure ?? false);
    this.setStatus('connecting', `connecting to ${redactUrl(s.url)}`);
    this.warnInsecure();
    const client = connect(s.url, o);
    this.client = client;
    client.on('connect', () => this.onConnect());
    client.on('close', () => this.onClose());
    client.on('error', (e) => {
      this.lastError = errorMessage(e);
    });
    client.on('message', (topic, payload, packet) => {
      if (!this.commands || !topic.endsWith('/set')) return;
      this.commands.handle(topic, payload, packet.retain).catch((e: unknown) => this.emit('warning', `command on ${topic} not handled: ${errorMessage(e)}`));
    });
  }

  /**
   * Offer points for publishing. Points outside `publish` (or offered after stop()) are skipped and counted;
   * report-by-exception rules may hold them back. Returns what happened; topic errors are returned (and counted), never thrown.
   */
  publishPoints(points: Iterable<Point>): PublishReport {
    const r: PublishReport = { queued: 0, suppressed: 0, deferred: 0, skipped: 0, errors: [] };
    if (this.store) this.storeBatch = [];
    try {
      this.offerPoints(points, r);
    } finally {
      const batch = this.storeBatch;
      this.storeBatch = undefined;
      if (batch?.length) this.store!(batch);
    }
    return r;
  }

  /**
   * Publish one message now (the forwarder of a durable store): resolves true when the broker confirmed it (QoS 1/2)
   * or it was written (QoS 0), false when the broker refused it; rejects when not connected or the connection is lost.
   */
  deliver(m: MqttMessage): Promise<boolean> {
    const client = this.client;
    if (!client || !this.connected || this.stopping) return Promise.reject(new Error('not connected'));
    return new Promise<boolean>((res, rej) => {
      const fail = (e: Error) => rej(e);
      this.delivering.add(fail);
      client.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain }, (e) => {
        if (!this.delivering.delete(fail)) return;
        if (e && (!this.connected || !client.connected)) return rej(e);
        if (e) {
          this.counters.failed++;
          this.lastError = errorMessage(e);
          this.emit('warning', `publish to ${m.topic} failed: ${errorMessage(e)}`);
          return res(false);
        }
        this.counters.published++;
        res(true);
      });
    });
  }

  private offerPoints(points: Iterable<Point>, r: PublishReport): void {
    for (const p of points) {
      const rule = this.stopping ? undefined : this.ruleFor(p.device, p.name);
      if (!rule) {
        r.skipped++;
        this.counters.skipped++;
        continue;
      }
      try {
        this.topicFor(p);
      } catch (e) {
        if (!(e instanceof TopicTemplateError)) throw e;
        r.errors.push(e);
        this.counters.topicErrors++;
        continue;
      }
      const o = this.rbe.offer(`${p.device}\u0000${p.name}`, p, rule);
      if (o === 'sent') r.queued++;
      else if (o === 'deferred') r.deferred++;
      else {
        r.suppressed++;
        this.counters.suppressed++;
      }
    }
  }

  /**
   * Graceful stop: wait (up to timeoutMs) for buffered messages to go out, publish "offline" (retained), disconnect.
   * Messages still unsent are reported in a warning and in stats().buffered.
   */
  async stop(timeoutMs = 2000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const held = this.rbe.clear();
    const client = this.client;
    let graceful = false;
    if (client && this.connected) {
      await this.withTimeout(new Promise<void>((res) => this.whenDrained(res)), timeoutMs);
      graceful = await this.withTimeout(
        new Promise<void>((res) => client.publish(this.statusTopic, 'offline', { qos: this.settings.qos, retain: true }, () => res())),
        timeoutMs,
      );
    }
    const unsent = this.buffer.size + this.inflight.size + this.delivering.size;
    if (unsent > 0 || held > 0) this.emit('warning', `MQTT upstream stopped with ${unsent} message(s) unsent and ${held} held-back value(s) discarded`);
    if (client) {
      // A graceful DISCONNECT (no last will) only when everything of ours is acknowledged: mqtt.js end(false) waits
      // for its in-flight messages, which would hang on a broker that stopped answering.
      const force = !graceful || !this.connected || this.inflight.size > 0 || this.delivering.size > 0;
      const ended = await this.withTimeout(new Promise<void>((res) => client.end(force, {}, () => res())), timeoutMs);
      if (!ended) client.stream?.destroy();
    }
    this.connected = false;
    this.setStatus('stopped', 'stopped');
  }

  // ---- connection ----

  private onConnect(): void {
    const client = this.client;
    if (!client) return;
    this.connected = true;
    this.attempts = 0;
    this.counters.connects++;
    this.warnInsecure();
    client.publish(this.statusTopic, 'online', { qos: this.settings.qos, retain: true }, (e) => {
      if (e) this.emit('warning', `birth message on ${this.statusTopic} failed: ${errorMessage(e)}`);
    });
    if (this.settings.commands) {
      const filter = this.commandFilter;
      client.subscribe(filter, { qos: this.settings.qos }, (e, granted) => {
        if (e) this.emit('warning', `cannot subscribe to ${filter}: ${errorMessage(e)}`);
        else if (granted?.some((g) => g.qos === 128)) this.emit('warning', `broker refused the subscription to ${filter}`);
      });
    }
    if (this.buffer.dropped > 0 && this.dropsWarned) {
      this.emit('warning', `reconnected; ${this.buffer.dropped} message(s) dropped in total because the buffer (${this.buffer.max}) was full`);
    }
    this.dropsWarned = false;
    this.setStatus('up', `connected to ${redactUrl(this.settings.url)}`);
    this.pump();
  }

  private onClose(): void {
    const wasUp = this.connected;
    this.connected = false;
    this.gen++;
    // Unacknowledged messages go back in front, oldest first, to be sent again after reconnecting.
    const back = [...this.inflight.entries()].sort((a, b) => b[0] - a[0]);
    this.inflight.clear();
    // mqtt.js keeps callbacks of the dead connection; we re-send those messages ourselves (reconnect() starts with
    // empty stores), so forget them, or a later graceful end() would wait for them forever.
    const client = this.client;
    if (client) for (const k of Object.keys(client.outgoing)) delete client.outgoing[Number(k)];
    for (const [, m] of back) if (this.buffer.unshift(m) !== undefined) this.noteDrop();
    const lost = new Error(`connection lost (${this.lastError ?? 'closed'})`);
    for (const fail of [...this.delivering]) fail(lost);
    this.delivering.clear();
    if (wasUp) this.counters.disconnects++;
    if (this.stopping) return;
    const reason = this.lastError ?? 'connection closed';
    this.setStatus('down', reason);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer !== undefined || this.stopping) return;
    const { reconnectMinMs: min, reconnectMaxMs: max } = this.settings;
    const exp = Math.min(max, min * 2 ** Math.min(this.attempts, 30));
    const delay = Math.round(exp / 2 + (Math.random() * exp) / 2);
    this.attempts++;
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.stopping || !this.client) return;
      this.lastError = undefined;
      this.setStatus('connecting', `reconnecting to ${redactUrl(this.settings.url)} (attempt ${this.attempts})`);
      this.client.reconnect();
    }, delay);
  }

  private setStatus(state: MqttLinkState, reason: string): void {
    if (this.current.state === state && this.current.reason === reason) return;
    this.current = { state, reason, since: this.clock.now() };
    this.emit('status', this.status());
  }

  private warnInsecure(): void {
    if (this.settings.tls?.insecure) {
      this.emit('warning', `INSECURE: the certificate of MQTT broker ${redactUrl(this.settings.url)} is NOT verified (tls.insecure: true). Never use this outside a lab.`);
    }
  }

  // ---- outgoing ----

  private ruleFor(device: string, name: string): ExceptionRule | undefined {
    const s = this.settings;
    const global: ExceptionRule = { minIntervalMs: s.minIntervalMs, deadband: s.deadband, maxIntervalMs: s.maxIntervalMs };
    if (s.publish === 'all') return global;
    let match: ExceptionRule | undefined;
    for (const sel of s.publish) {
      if (sel.device !== device || (sel.name !== undefined && sel.name !== name)) continue;
      const rule = {
        minIntervalMs: sel.minIntervalMs ?? global.minIntervalMs,
        deadband: sel.deadband ?? global.deadband,
        maxIntervalMs: sel.maxIntervalMs ?? global.maxIntervalMs,
      };
      if (sel.name !== undefined) return rule; // an exact point wins over a whole-device selector
      match ??= rule;
    }
    return match;
  }

  private enqueuePoint(p: Point): void {
    const m: OutMessage = { topic: this.topicFor(p), payload: encodePointPayload(p), qos: this.settings.qos, retain: this.settings.retain };
    if (!this.store) return this.enqueue(m);
    if (this.storeBatch) this.storeBatch.push(m);
    else this.store([m]); // a held-back value released by its timer
  }

  private enqueue(m: OutMessage): void {
    if (this.buffer.push(m) !== undefined) this.noteDrop();
    this.pump();
  }

  private noteDrop(): void {
    if (this.dropsWarned) return;
    this.dropsWarned = true;
    this.emit('warning', `MQTT buffer full (${this.buffer.max} messages): dropping the oldest messages until the broker is back`);
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.connected && this.client && this.inflight.size < this.settings.maxInflight) {
        const m = this.buffer.shift();
        if (!m) break;
        this.send(this.client, m);
      }
    } finally {
      this.pumping = false;
    }
    if (this.drained && this.buffer.size === 0 && this.inflight.size === 0) {
      const d = this.drained;
      this.drained = undefined;
      d();
    }
  }

  private send(client: MqttClient, m: OutMessage): void {
    const id = ++this.seq;
    const gen = this.gen;
    this.inflight.set(id, m);
    client.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain }, (e) => {
      if (gen !== this.gen || !this.inflight.has(id)) return; // connection lost meanwhile: already re-queued
      if (e && (!this.connected || !client.connected)) return; // will be re-queued by onClose
      this.inflight.delete(id);
      if (e) {
        this.counters.failed++;
        this.lastError = errorMessage(e);
        this.emit('warning', `publish to ${m.topic} failed: ${errorMessage(e)}`);
      } else {
        this.counters.published++;
      }
      queueMicrotask(() => this.pump());
    });
  }

  private whenDrained(res: () => void): void {
    if (this.buffer.size === 0 && this.inflight.size === 0) res();
    else this.drained = res;
  }

  /** Resolves true when `p` settled in time, false on timeout. */
  private withTimeout(p: Promise<void>, ms: number): Promise<boolean> {
    return new Promise((res) => {
      const t = this.clock.setTimeout(() => res(false), ms);
      void p.then(() => {
        this.clock.clearTimeout(t);
        res(true);
      });
    });
  }

  private resolveTarget(pointTopic: string): { device: string; name: string } | undefined {
    const key = this.topicOwner.get(pointTopic);
    if (key !== undefined) {
      const [device, name] = key.split('\u0000') as [string, string];
      return { device, name };
    }
    const m = this.topicTpl.match(pointTopic, { base: this.base, site: this.settings.site });
    return m?.device && m.name ? { device: m.device, name: m.name } : undefined;
  }
}

/** URL without user info, for logs and status. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<invalid url>';
  }
}
