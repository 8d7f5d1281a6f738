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
import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import type { ControlIntent } from '../../core/control.js';
import { errorMessage } from '../../core/errors.js';
import type { Point, PointValue } from '../../core/point.js';
import { BoundedBuffer } from './buffer.js';
import { CommandError, encodeCommandResult, encodePointPayload, parseCommandPayload } from './codec.js';
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

/** A command from `…/set`, as a control intent (always with validTo) plus where it came from. */
export interface MqttCommand extends ControlIntent {
  value: PointValue;
  topic: string;
}

export interface CommandOutcome {
  ok: boolean;
  reason?: string;
  /** The value actually applied (e.g. clipped), when known. */
  value?: PointValue;
}

export type CommandHandler = (cmd: MqttCommand) => Promise<CommandOutcome>;

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
  command: [MqttCommand | undefined, CommandOutcome & { topic: string; id?: string | undefined }];
}

export interface MqttUpstreamOptions {
  clock?: Clock;
  onCommand?: CommandHandler;
  /** Extra mqtt.js options (tests); cannot turn certificate verification off. */
  clientOptions?: Partial<IClientOptions>;
}

interface OutMessage {
  topic: string;
  payload: string;
  qos: 0 | 1 | 2;
  retain: boolean;
}

const MAX_PENDING_COMMANDS = 32;
const RECENT_COMMAND_IDS = 256;

export class MqttUpstream extends EventEmitter<MqttUpstreamEvents> {
  readonly base: string;
  readonly statusTopic: string;
  private readonly topicTpl: TopicTemplate;
  private readonly clock: Clock;
  private onCommand: CommandHandler | undefined;
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
  private readonly recentCommands = new Map<string, Promise<CommandOutcome>>();
  private pendingCommands = 0;
  private dropsWarned = false;
  private drained: (() => void) | undefined;
  private readonly counters = { published: 0, failed: 0, suppressed: 0, skipped: 0, topicErrors: 0, commands: 0, commandsRejected: 0, connects: 0, disconnects: 0 };
  private lastError: string | undefined;
  private readonly clientOptions: Partial<IClientOptions>;

  constructor(
    readonly settings: MqttSettings,
    opts: MqttUpstreamOptions = {},
  ) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.onCommand = opts.onCommand;
    this.clientOptions = opts.clientOptions ?? {};
    this.base = TopicTemplate.compile(settings.baseTopic, BASE_VARIABLES).render({ site: settings.site });
    this.topicTpl = TopicTemplate.compile(settings.topic, POINT_VARIABLES, ['base']);
    this.statusTopic = TopicTemplate.compile(settings.statusTopic, STATUS_VARIABLES, ['base']).render({ base: this.base, site: settings.site });
    this.buffer = new BoundedBuffer(settings.bufferMaxMessages);
    this.rbe = new ReportByException(this.clock, (p) => this.enqueuePoint(p));
    this.current = { state: 'down', reason: 'not started', since: this.clock.now() };
  }

  /** The subscription filter for commands, e.g. `gridbridge/site1/+/+/set`. */
  get commandFilter(): string {
    return this.topicTpl.filter({ base: this.base, site: this.settings.site }) + '/set';
  }

  setCommandHandler(fn: CommandHandler | undefined): void {
    this.onCommand = fn;
  }

  status(): MqttStatus {
    return { ...this.current };
  }

  stats(): MqttStats {
    const s: MqttStats = { state: this.current.state, ...this.counters, buffered: this.buffer.size, inflight: this.inflight.size, dropped: this.buffer.dropped };
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
      void this.onMessage(topic, payload, packet);
    });
  }

  /**
   * Offer points for publishing. Points outside `publish` are skipped; report-by-exception rules may hold them
   * back. Returns what happened; topic errors are returned (and counted), never thrown.
   */
  publishPoints(points: Iterable<Point>): PublishReport {
    const r: PublishReport = { queued: 0, suppressed: 0, deferred: 0, skipped: 0, errors: [] };
    for (const p of points) {
      const rule = this.ruleFor(p.device, p.name);
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
    return r;
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
    const unsent = this.buffer.size + this.inflight.size;
    if (unsent > 0 || held > 0) this.emit('warning', `MQTT upstream stopped with ${unsent} message(s) unsent and ${held} held-back value(s) discarded`);
    if (client) {
      // A graceful DISCONNECT (no last will) only when everything of ours is acknowledged: mqtt.js end(false) waits
      // for its in-flight messages, which would hang on a broker that stopped answering.
      const force = !graceful || !this.connected || this.inflight.size > 0;
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
    this.enqueue({ topic: this.topicFor(p), payload: encodePointPayload(p), qos: this.settings.qos, retain: this.settings.retain });
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

  // ---- commands ----

  private async onMessage(topic: string, payload: Buffer, packet: IPublishPacket): Promise<void> {
    const commands = this.settings.commands;
    if (!commands || !topic.endsWith('/set')) return;
    const pointTopic = topic.slice(0, -'/set'.length);
    const answer = (o: CommandOutcome & { id?: string | undefined }, cmd?: MqttCommand): void => {
      if (!o.ok) this.counters.commandsRejected++;
      this.emit('command', cmd, { ...o, topic });
      const r: { id?: string; ok: boolean; reason?: string; value?: PointValue } = { ok: o.ok };
      if (o.id !== undefined) r.id = o.id;
      if (o.reason !== undefined) r.reason = o.reason;
      if (o.value !== undefined) r.value = o.value;
      this.enqueue({ topic: `${pointTopic}/result`, payload: encodeCommandResult(r, this.clock.now()), qos: this.settings.qos, retain: false });
    };
    this.counters.commands++;
    let parsed;
    try {
      parsed = parseCommandPayload(payload);
    } catch (e) {
      answer({ ok: false, reason: `malformed command: ${e instanceof CommandError ? e.message : errorMessage(e)}` });
      return;
    }
    const id = parsed.id;
    if (packet.retain) {
      answer({ id, ok: false, reason: 'retained command refused: a stored command is stale by nature; publish commands with retain=false' });
      return;
    }
    const target = this.resolveTarget(pointTopic);
    if (!target) {
      answer({ id, ok: false, reason: `unknown point: topic "${pointTopic}" does not match template "${this.settings.topic}"` });
      return;
    }
    const validForMs = parsed.validForMs ?? commands.validForMs;
    if (validForMs > commands.maxValidForMs) {
      answer({ id, ok: false, reason: `validFor ${validForMs / 1000} s exceeds the maximum of ${commands.maxValidForMs / 1000} s` });
      return;
    }
    if (id !== undefined) {
      const prior = this.recentCommands.get(id);
      if (prior) {
        const o = await prior;
        answer({ ...o, id, reason: o.reason ?? 'duplicate id: this is the result of the earlier command, not run again' });
        return;
      }
    }
    if (!this.onCommand) {
      answer({ id, ok: false, reason: 'commands are not handled by this gateway (no command handler)' });
      return;
    }
    if (this.pendingCommands >= MAX_PENDING_COMMANDS) {
      answer({ id, ok: false, reason: `busy: ${MAX_PENDING_COMMANDS} commands already pending` });
      return;
    }
    const now = this.clock.now();
    const cmd: MqttCommand = {
      id: id ?? `mqtt-${now}-${++this.seq}`,
      source: `mqtt:${topic}`,
      sourceClass: commands.sourceClass,
      target,
      value: parsed.value,
      validFrom: now,
      validTo: now + validForMs,
      topic,
    };
    const outcome = this.runCommand(this.onCommand, cmd, commands.timeoutMs);
    if (id !== undefined) {
      this.recentCommands.set(id, outcome);
      if (this.recentCommands.size > RECENT_COMMAND_IDS) this.recentCommands.delete(this.recentCommands.keys().next().value!);
    }
    answer({ id: cmd.id, ...(await outcome) }, cmd);
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

  private runCommand(handler: CommandHandler, cmd: MqttCommand, timeoutMs: number): Promise<CommandOutcome> {
    this.pendingCommands++;
    return new Promise<CommandOutcome>((res) => {
      let done = false;
      const finish = (o: CommandOutcome): void => {
        if (done) return;
        done = true;
        this.pendingCommands--;
        this.clock.clearTimeout(timer);
        res(o);
      };
      const timer = this.clock.setTimeout(() => {
        finish({ ok: false, reason: `no result within ${timeoutMs} ms` });
      }, timeoutMs);
      let p: Promise<CommandOutcome>;
      try {
        p = Promise.resolve(handler(cmd));
      } catch (e) {
        p = Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
      p.then(
        (o) => {
          if (done) this.emit('warning', `command ${cmd.id} on ${cmd.topic} finished after its timeout: ${o.ok ? 'ok' : o.reason ?? 'failed'}`);
          finish(normaliseOutcome(o));
        },
        (e: unknown) => {
          if (done) this.emit('warning', `command ${cmd.id} on ${cmd.topic} failed after its timeout: ${errorMessage(e)}`);
          finish({ ok: false, reason: errorMessage(e) });
        },
      );
    });
  }
}

function normaliseOutcome(o: unknown): CommandOutcome {
  if (typeof o !== 'object' || o === null || typeof (o as CommandOutcome).ok !== 'boolean') {
    return { ok: false, reason: 'command handler returned no {ok} result' };
  }
  const c = o as CommandOutcome;
  const r: CommandOutcome = { ok: c.ok };
  if (typeof c.reason === 'string') r.reason = c.reason;
  if (typeof c.value === 'number' || typeof c.value === 'boolean' || typeof c.value === 'string') r.value = c.value;
  return r;
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
