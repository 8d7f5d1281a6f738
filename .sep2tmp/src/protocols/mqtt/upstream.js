"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.MqttUpstream = void 0;
exports.redactUrl = redactUrl;
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
const node_events_1 = require("node:events");
const mqtt_1 = require("mqtt");
const clock_js_1 = require("../../core/clock.js");
const errors_js_1 = require("../../core/errors.js");
const buffer_js_1 = require("./buffer.js");
const codec_js_1 = require("./codec.js");
const commands_js_1 = require("./commands.js");
const exception_js_1 = require("./exception.js");
const mapping_js_1 = require("./mapping.js");
const topic_js_1 = require("./topic.js");
class MqttUpstream extends node_events_1.EventEmitter {
    settings;
    base;
    statusTopic;
    topicTpl;
    clock;
    commands;
    client;
    buffer;
    inflight = new Map();
    seq = 0;
    gen = 0;
    connected = false;
    stopping = false;
    pumping = false;
    attempts = 0;
    reconnectTimer;
    current;
    rbe;
    topicOwner = new Map();
    topicCache = new Map();
    dropsWarned = false;
    drained;
    counters = { published: 0, failed: 0, suppressed: 0, skipped: 0, topicErrors: 0, connects: 0, disconnects: 0 };
    lastError;
    clientOptions;
    constructor(settings, opts = {}) {
        super();
        this.settings = settings;
        this.clock = opts.clock ?? clock_js_1.systemClock;
        this.clientOptions = opts.clientOptions ?? {};
        this.base = topic_js_1.TopicTemplate.compile(settings.baseTopic, mapping_js_1.BASE_VARIABLES).render({ site: settings.site });
        this.topicTpl = topic_js_1.TopicTemplate.compile(settings.topic, mapping_js_1.POINT_VARIABLES, ['base']);
        this.statusTopic = topic_js_1.TopicTemplate.compile(settings.statusTopic, mapping_js_1.STATUS_VARIABLES, ['base']).render({ base: this.base, site: settings.site });
        this.buffer = new buffer_js_1.BoundedBuffer(settings.bufferMaxMessages);
        this.rbe = new exception_js_1.ReportByException(this.clock, (p) => this.enqueuePoint(p));
        this.current = { state: 'down', reason: 'not started', since: this.clock.now() };
        if (settings.commands) {
            this.commands = new commands_js_1.CommandDispatcher({
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
    get commandFilter() {
        return this.topicTpl.filter({ base: this.base, site: this.settings.site }) + '/set';
    }
    /** Set (or clear) the runtime's command handler; without one every command is answered with an error. */
    setCommandHandler(fn) {
        if (this.commands)
            this.commands.handler = fn;
    }
    status() {
        return { ...this.current };
    }
    stats() {
        const s = {
            state: this.current.state,
            ...this.counters,
            buffered: this.buffer.size,
            inflight: this.inflight.size,
            dropped: this.buffer.dropped,
            commands: this.commands?.received ?? 0,
            commandsRejected: this.commands?.rejected ?? 0,
        };
        if (this.lastError !== undefined)
            s.lastError = this.lastError;
        return s;
    }
    /** Topic of a point (throws TopicTemplateError naming the template and variable). */
    topicFor(p) {
        const key = `${p.device}\u0000${p.name}`;
        const c = this.topicCache.get(key);
        if (c && c.kind === p.kind && c.unit === p.unit)
            return c.topic;
        const values = { base: this.base, site: this.settings.site, device: p.device, kind: p.kind, name: p.name, unit: p.unit };
        const topic = this.topicTpl.render(values);
        const owner = this.topicOwner.get(topic);
        if (owner !== undefined && owner !== key) {
            throw new topic_js_1.TopicTemplateError(this.settings.topic, `points ${owner.replace('\u0000', '/')} and ${p.device}/${p.name} would share topic "${topic}"`);
        }
        this.topicOwner.set(topic, key);
        this.topicCache.set(key, { topic, kind: p.kind, unit: p.unit });
        return topic;
    }
    /** Register points in advance so their command topics resolve before their first value is published. */
    declarePoints(points) {
        const errors = [];
        for (const p of points) {
            try {
                this.topicFor(p);
            }
            catch (e) {
                if (e instanceof topic_js_1.TopicTemplateError)
                    errors.push(e);
                else
                    throw e;
            }
        }
        return errors;
    }
    start() {
        if (this.client || this.stopping)
            return;
        const s = this.settings;
        const o = {
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
        if (s.username !== undefined)
            o.username = s.username;
        if (s.password !== undefined)
            o.password = s.password;
        if (s.tls) {
            if (s.tls.ca !== undefined)
                o.ca = s.tls.ca;
            if (s.tls.cert !== undefined)
                o.cert = s.tls.cert;
            if (s.tls.key !== undefined)
                o.key = s.tls.key;
            if (s.tls.servername !== undefined)
                o.servername = s.tls.servername;
        }
        o.rejectUnauthorized = !(s.tls?.insecure ?? false);
        this.setStatus('connecting', `connecting to ${redactUrl(s.url)}`);
        this.warnInsecure();
        const client = (0, mqtt_1.connect)(s.url, o);
        this.client = client;
        client.on('connect', () => this.onConnect());
        client.on('close', () => this.onClose());
        client.on('error', (e) => {
            this.lastError = (0, errors_js_1.errorMessage)(e);
        });
        client.on('message', (topic, payload, packet) => {
            if (!this.commands || !topic.endsWith('/set'))
                return;
            this.commands.handle(topic, payload, packet.retain).catch((e) => this.emit('warning', `command on ${topic} not handled: ${(0, errors_js_1.errorMessage)(e)}`));
        });
    }
    /**
     * Offer points for publishing. Points outside `publish` (or offered after stop()) are skipped and counted;
     * report-by-exception rules may hold them back. Returns what happened; topic errors are returned (and counted), never thrown.
     */
    publishPoints(points) {
        const r = { queued: 0, suppressed: 0, deferred: 0, skipped: 0, errors: [] };
        for (const p of points) {
            const rule = this.stopping ? undefined : this.ruleFor(p.device, p.name);
            if (!rule) {
                r.skipped++;
                this.counters.skipped++;
                continue;
            }
            try {
                this.topicFor(p);
            }
            catch (e) {
                if (!(e instanceof topic_js_1.TopicTemplateError))
                    throw e;
                r.errors.push(e);
                this.counters.topicErrors++;
                continue;
            }
            const o = this.rbe.offer(`${p.device}\u0000${p.name}`, p, rule);
            if (o === 'sent')
                r.queued++;
            else if (o === 'deferred')
                r.deferred++;
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
    async stop(timeoutMs = 2000) {
        if (this.stopping)
            return;
        this.stopping = true;
        this.clock.clearTimeout(this.reconnectTimer);
        this.reconnectTimer = undefined;
        const held = this.rbe.clear();
        const client = this.client;
        let graceful = false;
        if (client && this.connected) {
            await this.withTimeout(new Promise((res) => this.whenDrained(res)), timeoutMs);
            graceful = await this.withTimeout(new Promise((res) => client.publish(this.statusTopic, 'offline', { qos: this.settings.qos, retain: true }, () => res())), timeoutMs);
        }
        const unsent = this.buffer.size + this.inflight.size;
        if (unsent > 0 || held > 0)
            this.emit('warning', `MQTT upstream stopped with ${unsent} message(s) unsent and ${held} held-back value(s) discarded`);
        if (client) {
            // A graceful DISCONNECT (no last will) only when everything of ours is acknowledged: mqtt.js end(false) waits
            // for its in-flight messages, which would hang on a broker that stopped answering.
            const force = !graceful || !this.connected || this.inflight.size > 0;
            const ended = await this.withTimeout(new Promise((res) => client.end(force, {}, () => res())), timeoutMs);
            if (!ended)
                client.stream?.destroy();
        }
        this.connected = false;
        this.setStatus('stopped', 'stopped');
    }
    // ---- connection ----
    onConnect() {
        const client = this.client;
        if (!client)
            return;
        this.connected = true;
        this.attempts = 0;
        this.counters.connects++;
        this.warnInsecure();
        client.publish(this.statusTopic, 'online', { qos: this.settings.qos, retain: true }, (e) => {
            if (e)
                this.emit('warning', `birth message on ${this.statusTopic} failed: ${(0, errors_js_1.errorMessage)(e)}`);
        });
        if (this.settings.commands) {
            const filter = this.commandFilter;
            client.subscribe(filter, { qos: this.settings.qos }, (e, granted) => {
                if (e)
                    this.emit('warning', `cannot subscribe to ${filter}: ${(0, errors_js_1.errorMessage)(e)}`);
                else if (granted?.some((g) => g.qos === 128))
                    this.emit('warning', `broker refused the subscription to ${filter}`);
            });
        }
        if (this.buffer.dropped > 0 && this.dropsWarned) {
            this.emit('warning', `reconnected; ${this.buffer.dropped} message(s) dropped in total because the buffer (${this.buffer.max}) was full`);
        }
        this.dropsWarned = false;
        this.setStatus('up', `connected to ${redactUrl(this.settings.url)}`);
        this.pump();
    }
    onClose() {
        const wasUp = this.connected;
        this.connected = false;
        this.gen++;
        // Unacknowledged messages go back in front, oldest first, to be sent again after reconnecting.
        const back = [...this.inflight.entries()].sort((a, b) => b[0] - a[0]);
        this.inflight.clear();
        // mqtt.js keeps callbacks of the dead connection; we re-send those messages ourselves (reconnect() starts with
        // empty stores), so forget them, or a later graceful end() would wait for them forever.
        const client = this.client;
        if (client)
            for (const k of Object.keys(client.outgoing))
                delete client.outgoing[Number(k)];
        for (const [, m] of back)
            if (this.buffer.unshift(m) !== undefined)
                this.noteDrop();
        if (wasUp)
            this.counters.disconnects++;
        if (this.stopping)
            return;
        const reason = this.lastError ?? 'connection closed';
        this.setStatus('down', reason);
        this.scheduleReconnect();
    }
    scheduleReconnect() {
        if (this.reconnectTimer !== undefined || this.stopping)
            return;
        const { reconnectMinMs: min, reconnectMaxMs: max } = this.settings;
        const exp = Math.min(max, min * 2 ** Math.min(this.attempts, 30));
        const delay = Math.round(exp / 2 + (Math.random() * exp) / 2);
        this.attempts++;
        this.reconnectTimer = this.clock.setTimeout(() => {
            this.reconnectTimer = undefined;
            if (this.stopping || !this.client)
                return;
            this.lastError = undefined;
            this.setStatus('connecting', `reconnecting to ${redactUrl(this.settings.url)} (attempt ${this.attempts})`);
            this.client.reconnect();
        }, delay);
    }
    setStatus(state, reason) {
        if (this.current.state === state && this.current.reason === reason)
            return;
        this.current = { state, reason, since: this.clock.now() };
        this.emit('status', this.status());
    }
    warnInsecure() {
        if (this.settings.tls?.insecure) {
            this.emit('warning', `INSECURE: the certificate of MQTT broker ${redactUrl(this.settings.url)} is NOT verified (tls.insecure: true). Never use this outside a lab.`);
        }
    }
    // ---- outgoing ----
    ruleFor(device, name) {
        const s = this.settings;
        const global = { minIntervalMs: s.minIntervalMs, deadband: s.deadband, maxIntervalMs: s.maxIntervalMs };
        if (s.publish === 'all')
            return global;
        let match;
        for (const sel of s.publish) {
            if (sel.device !== device || (sel.name !== undefined && sel.name !== name))
                continue;
            const rule = {
                minIntervalMs: sel.minIntervalMs ?? global.minIntervalMs,
                deadband: sel.deadband ?? global.deadband,
                maxIntervalMs: sel.maxIntervalMs ?? global.maxIntervalMs,
            };
            if (sel.name !== undefined)
                return rule; // an exact point wins over a whole-device selector
            match ??= rule;
        }
        return match;
    }
    enqueuePoint(p) {
        this.enqueue({ topic: this.topicFor(p), payload: (0, codec_js_1.encodePointPayload)(p), qos: this.settings.qos, retain: this.settings.retain });
    }
    enqueue(m) {
        if (this.buffer.push(m) !== undefined)
            this.noteDrop();
        this.pump();
    }
    noteDrop() {
        if (this.dropsWarned)
            return;
        this.dropsWarned = true;
        this.emit('warning', `MQTT buffer full (${this.buffer.max} messages): dropping the oldest messages until the broker is back`);
    }
    pump() {
        if (this.pumping)
            return;
        this.pumping = true;
        try {
            while (this.connected && this.client && this.inflight.size < this.settings.maxInflight) {
                const m = this.buffer.shift();
                if (!m)
                    break;
                this.send(this.client, m);
            }
        }
        finally {
            this.pumping = false;
        }
        if (this.drained && this.buffer.size === 0 && this.inflight.size === 0) {
            const d = this.drained;
            this.drained = undefined;
            d();
        }
    }
    send(client, m) {
        const id = ++this.seq;
        const gen = this.gen;
        this.inflight.set(id, m);
        client.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain }, (e) => {
            if (gen !== this.gen || !this.inflight.has(id))
                return; // connection lost meanwhile: already re-queued
            if (e && (!this.connected || !client.connected))
                return; // will be re-queued by onClose
            this.inflight.delete(id);
            if (e) {
                this.counters.failed++;
                this.lastError = (0, errors_js_1.errorMessage)(e);
                this.emit('warning', `publish to ${m.topic} failed: ${(0, errors_js_1.errorMessage)(e)}`);
            }
            else {
                this.counters.published++;
            }
            queueMicrotask(() => this.pump());
        });
    }
    whenDrained(res) {
        if (this.buffer.size === 0 && this.inflight.size === 0)
            res();
        else
            this.drained = res;
    }
    /** Resolves true when `p` settled in time, false on timeout. */
    withTimeout(p, ms) {
        return new Promise((res) => {
            const t = this.clock.setTimeout(() => res(false), ms);
            void p.then(() => {
                this.clock.clearTimeout(t);
                res(true);
            });
        });
    }
    resolveTarget(pointTopic) {
        const key = this.topicOwner.get(pointTopic);
        if (key !== undefined) {
            const [device, name] = key.split('\u0000');
            return { device, name };
        }
        const m = this.topicTpl.match(pointTopic, { base: this.base, site: this.settings.site });
        return m?.device && m.name ? { device: m.device, name: m.name } : undefined;
    }
}
exports.MqttUpstream = MqttUpstream;
/** URL without user info, for logs and status. */
function redactUrl(url) {
    try {
        const u = new URL(url);
        u.username = '';
        u.password = '';
        return u.toString().replace(/\/$/, '');
    }
    catch {
        return '<invalid url>';
    }
}
//# sourceMappingURL=upstream.js.map