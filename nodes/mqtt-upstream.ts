/**
 * gridbridge-mqtt-upstream: publishes GridBridge points to an MQTT broker (topic templates, JSON payloads with
 * quality and timestamps, birth/last will) and turns `<point topic>/set` commands into output messages. Wire the
 * output to a gridbridge-modbus-write node and its output back here: the result is published on `…/result`.
 * Points go through a durable store-and-forward queue (docs/store.md) in `storeDir` (default: gridbridge-store in
 * the Node-RED user directory): a message is done only once stored; it is removed when the broker acknowledged it.
 * Logic lives in src/protocols/mqtt (MqttUpstream, storedMqttUpstream) and src/core/store; this file only adapts Node-RED.
 */
import { join } from 'node:path';
import { nodeRedMetrics } from '../src/runtime/metrics.js';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './red.js';
import { statusFor, showConfigError } from './red.js';
import { credentialPem, registerCertRoutes, watchCertificates } from './cert-status.js';
import { asPoints } from '../src/core/point.js';
import { errorMessage } from '../src/core/errors.js';
import { systemClock } from '../src/core/clock.js';
import { Coalescer, Forwarder, openQueue, type StoreQueue } from '../src/core/store/index.js';
import type { Point } from '../src/core/point.js';
import { mqttSettings, storedMqttUpstream, type CommandOutcome, type MqttMessage, type MqttUpstream } from '../src/protocols/mqtt/index.js';

interface Def extends NodeDef {
  url: string;
  site: string;
  clientId: string;
  baseTopic: string;
  topic: string;
  qos: string;
  retain: boolean;
  commands: boolean;
  validForS: string;
  /** Older flows: TLS file paths; now credentials tlsCa/tlsCert/tlsKey (PEM text or a managed file name). */
  ca?: string;
  cert?: string;
  key?: string;
  storeDir?: string;
  storeMaxMB?: string;
}

export = function register(RED: NodeAPI): void {
  function MqttUpstreamNode(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const node = this;
    const pending = new Map<string, (o: CommandOutcome) => void>();
    let up: MqttUpstream;
    let stopUp: () => Promise<void>;
    let queue: StoreQueue<MqttMessage>;
    try {
      const c = node.credentials ?? {};
      // Older versions took TLS file paths (read as before, with a warning); now PEM or managed file names (credentials).
      const legacy = d.ca || d.cert || d.key ? { ...(d.ca ? { ca: d.ca } : {}), ...(d.cert ? { cert: d.cert } : {}), ...(d.key ? { key: d.key } : {}) } : undefined;
      const pems = () => ({ ca: credentialPem(RED, c.tlsCa, 'MQTT CA chain'), cert: credentialPem(RED, c.tlsCert, 'MQTT client certificate') });
      const p = pems();
      const key = credentialPem(RED, c.tlsKey, 'MQTT client key', true);
      const tls = p.ca || p.cert || key ? { ...(p.ca ? { ca: p.ca } : {}), ...(p.cert ? { cert: p.cert } : {}), ...(key ? { key } : {}), insecure: false } : undefined;
      if (tls && legacy) throw new Error('TLS is given twice: as credentials and as file paths (older version of this node); clear the paths');
      if (legacy) node.warn('TLS files are given as paths (older version of this node): put them in the certificate directory or paste the PEM under TLS CA chain / client cert / key');
      if (tls && !/^(mqtts|wss):/.test(d.url || '')) throw new Error('TLS certificates are set but the broker URL is not mqtts:// or wss://');
      if (Boolean(p.cert) !== Boolean(key)) throw new Error('the TLS client certificate and key go together (mutual TLS needs both)');
      const settings = mqttSettings(
        {
          url: d.url || undefined,
          clientId: d.clientId || undefined,
          username: node.credentials?.username || undefined,
          baseTopic: d.baseTopic || undefined,
          topic: d.topic || undefined,
          qos: Number(d.qos ?? 1) as 0 | 1 | 2,
          retain: d.retain !== false,
          commands: d.commands ? { validForS: Number(d.validForS) || 900 } : false,
          ...(legacy ? { tls: legacy } : {}),
        },
        { site: d.site || 'site', password: node.credentials?.password || undefined, defaultUrl: 'mqtt://127.0.0.1:1883' },
        tls ? { tls } : {},
      );
      watchCertificates(RED, node, () => {
        const now = legacy ? { cert: settings.tls?.cert, ca: settings.tls?.ca } : pems();
        return [
          { key: 'cert', label: 'client certificate', pem: now.cert },
          { key: 'ca', label: 'CA chain', pem: now.ca },
        ];
      });
      const userDir = RED.settings?.userDir;
      const dir = d.storeDir || (typeof userDir === 'string' ? join(userDir, 'gridbridge-store') : undefined);
      if (!dir) node.warn('no store directory (storeDir, or the Node-RED user directory): points are buffered in memory only');
      queue = openQueue<MqttMessage>(`mqtt-node:${node.id}`, { dir, maxBytes: (Number(d.storeMaxMB) || 2048) * 1024 * 1024 });
      ({ up, stop: stopUp } = storedMqttUpstream(settings, {}, queue, (q, send) => new Forwarder(q, { clock: systemClock, send }), (w) => node.warn(w)));
    } catch (e) {
      return showConfigError(node, `configuration: ${errorMessage(e)}`);
    }
    up.on('status', (s) => node.status(statusFor(s.state === 'stopped' ? 'idle' : s.state, s.reason && s.state !== 'up' ? s.reason.slice(0, 40) : undefined)));
    up.on('warning', (w) => node.warn(w));
    up.setCommandHandler(
      (cmd) =>
        new Promise<CommandOutcome>((resolve) => {
          pending.set(cmd.id, resolve);
          node.send({ topic: `${cmd.target.device}/${cmd.target.name}`, payload: { device: cmd.target.device, name: cmd.target.name, value: cmd.value, validTo: cmd.validTo }, gridbridgeCommand: cmd.id });
        }),
    );
    const metricName = `mqtt:${node.name || node.id}`;
    const unmetric = nodeRedMetrics.addUpstream(metricName, () => ({ ...up.stats() }));
    up.on('status', (s) => nodeRedMetrics.setStatus(metricName, s.state, s.reason));
    up.start();
    // Messages within 20 ms are stored in one commit; each is done once its points are stored.
    type Held = { points: Point[]; done: (err?: Error) => void };
    const batches = new Coalescer<Held>(systemClock, 20, (held) => {
      up.publishPoints(held.flatMap((h) => h.points));
      for (const h of held) h.done();
    });

    node.on('input', (msg: NodeMessage, _send, done) => {
      const cid = msg.gridbridgeCommand;
      if (typeof cid === 'string' && pending.has(cid)) {
        const r = msg.payload as { ok?: unknown; reason?: unknown; value?: unknown } | undefined;
        const outcome: CommandOutcome = { ok: r?.ok === true };
        if (typeof r?.reason === 'string') outcome.reason = r.reason;
        if (r && ['number', 'boolean', 'string'].includes(typeof r.value)) outcome.value = r.value as CommandOutcome['value'];
        pending.get(cid)!(outcome);
        pending.delete(cid);
        return done();
      }
      const parsed = asPoints(Array.isArray(msg.points) ? msg.points : msg.payload); // msg.points: a read node's {name: value} output
      if ('error' in parsed) return done(new Error(`not published: ${parsed.error}`));
      // Topic errors are the message's own: refused at once (the point is not stored), before batching.
      const errors: string[] = [];
      for (const p of parsed.points) {
        try {
          up.topicFor(p);
        } catch (e) {
          errors.push(errorMessage(e));
        }
      }
      if (errors.length) return done(new Error(errors.join('; ')));
      batches.push([{ points: parsed.points, done }]);
    });
    node.on('close', (_removed, done) => {
      unmetric();
      nodeRedMetrics.removeStatus(metricName);
      batches.flush();
      for (const r of pending.values()) r({ ok: false, reason: 'node stopped' });
      pending.clear();
      const closeQueue = () => {
        queue.close();
        done();
      };
      stopUp().then(closeQueue, closeQueue);
    });
  }
  registerCertRoutes(RED);
  RED.nodes.registerType('gridbridge-mqtt-upstream', MqttUpstreamNode, {
    credentials: { username: { type: 'text' }, password: { type: 'password' }, tlsCa: { type: 'text' }, tlsCert: { type: 'text' }, tlsKey: { type: 'password' } },
  });
};
