/**
 * One entry point that builds a running site from a mapping, shared by `gridbridge run` and the Node-RED site node:
 * the same `Site` runtime, the same adapter options (MQTT broker when the mapping names none, IEC 104 listen
 * address, 2030.5 TLS files), and one way to submit a control from a face and learn what the field did with it.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { ControlIntent } from '../core/control.js';
import { SOURCE_CLASSES, type SourceClass } from '../core/control.js';
import type { PointValue } from '../core/point.js';
import type { ArbiterResult } from '../core/arbitration/index.js';
import { startEmbeddedBroker, type BrokerUser, type EmbeddedBroker } from '../protocols/mqtt/broker.js';
import { Site, type SiteOptions } from './site.js';
import type { MappingLoad } from './validate.js';

export interface SiteHostOptions extends SiteOptions {
  /** Broker URL for an MQTT block without `url` (instead of an embedded broker). */
  mqttUrl?: string;
  /** Start an embedded broker on 127.0.0.1 at this port (0 = any) for an MQTT block without `url` and no `mqttUrl`. */
  embeddedBrokerPort?: number;
  /**
   * Users of the embedded broker (with their publish/subscribe filters): anonymous clients are then refused, and
   * the gateway connects as its own user with a random password.
   */
  brokerUsers?: BrokerUser[];
  /**
   * TLS for the embedded broker (PEM texts): its certificate and key, and the CA that issues client certificates
   * (a client's certificate CN is its user name); `requireClientCert`: no password logins.
   */
  brokerTls?: { cert: string; key: string; ca?: string; requireClientCert?: boolean };
  /** Where the embedded broker listens (default 127.0.0.1); beyond loopback it needs brokerTls and brokerUsers. */
  brokerHost?: string;
  /** Where the IEC 104 controlled station listens, "HOST:PORT". */
  iec104Listen?: string;
  /** PEM text of the 2030.5 client certificate, key and CA chain. */
  sep2Tls?: { cert?: string | undefined; key?: string | undefined; ca?: string | undefined };
}

export interface SiteHost {
  site: Site;
  /** The embedded broker, when one was started. */
  broker?: EmbeddedBroker;
  stop(): Promise<void>;
}

/** "HOST:PORT" → { host, port }, or an error naming the flag/field. */
export function parseListen(v: string, what: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw new Error(`${what}: expected HOST:PORT, got ${v}`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** Build (not start) the site of a checked mapping, with its adapter options; throws with a clear message. */
export async function createSite(load: MappingLoad, o: SiteHostOptions = {}): Promise<SiteHost> {
  if (!load.mapping) throw new Error(`mapping ${load.file} has ${load.errors.length} problem(s); run gridbridge validate ${load.file}`);
  const adapters: Record<string, Record<string, unknown>> = { ...(o.adapters ?? {}) };
  if (o.iec104Listen) adapters.iec104 = { ...adapters.iec104, ...parseListen(o.iec104Listen, 'IEC 104 listen address') };
  if (o.sep2Tls && (o.sep2Tls.cert || o.sep2Tls.key || o.sep2Tls.ca)) adapters.sep2 = { ...adapters.sep2, tls: o.sep2Tls };
  let broker: EmbeddedBroker | undefined;
  const mq = load.mapping.upstream?.mqtt as { url?: string } | undefined;
  if (mq && !mq.url) {
    if (o.mqttUrl) adapters.mqtt = { ...adapters.mqtt, defaultUrl: o.mqttUrl };
    else if (o.embeddedBrokerPort !== undefined) {
      const gateway = { username: 'gridbridge-gateway', password: randomBytes(24).toString('base64url') };
      const users = o.brokerUsers ? [...o.brokerUsers, { ...gateway, publish: ['#'], subscribe: ['#'] }] : undefined;
      const t = o.brokerTls;
      broker = await startEmbeddedBroker({
        host: o.brokerHost ?? '127.0.0.1',
        port: o.embeddedBrokerPort,
        ...(users ? { users } : {}),
        ...(t ? { tls: { cert: t.cert, key: t.key, ...(t.ca ? { ca: t.ca } : {}), ...(t.requireClientCert ? { requestClientCert: true } : {}) } } : {}),
        // The gateway logs in with its generated password (it has no client certificate), over TLS when the broker has it.
        ...(users ? { passwordLoginUsers: [gateway.username] } : {}),
      });
      const wildcard = broker.host === '0.0.0.0' || broker.host === '::';
      const url = wildcard ? broker.url.replace(/\/\/[^/]+:/, '//127.0.0.1:') : broker.url;
      adapters.mqtt = { ...adapters.mqtt, defaultUrl: url, ...(users ? gateway : {}), ...(t ? { tls: gatewayTrust(t, wildcard ? '127.0.0.1' : broker.host) } : {}) };
    }
  }
  let site: Site;
  try {
    site = new Site(load, { ...o, adapters });
  } catch (e) {
    await broker?.close();
    throw e;
  }
  return {
    site,
    ...(broker ? { broker } : {}),
    async stop() {
      await site.stop();
      await broker?.close();
    },
  };
}

/** What the gateway trusts of its own embedded broker: the CA bundle and the broker certificate, and its name. */
function gatewayTrust(t: { cert: string; ca?: string }, host: string): { ca: string; servername?: string } {
  const c = new X509Certificate(t.cert);
  const ca = `${t.ca ?? ''}\n${t.cert}`;
  if (isIP(host) ? c.checkIP(host) : c.checkHost(host)) return { ca };
  const dns = /DNS:([^,\s]+)/.exec(c.subjectAltName ?? '')?.[1] ?? /CN=([^\n,]+)/.exec(c.subject)?.[1];
  return dns ? { ca, servername: dns } : { ca };
}

/** A control request as a face (Node-RED message, JSON) gives it; times are epoch ms or ISO text. */
export interface ControlRequest {
  device?: unknown;
  name?: unknown;
  value?: unknown;
  cap?: unknown;
  id?: unknown;
  source?: unknown;
  sourceClass?: unknown;
  /** Seconds from now (or from validFrom). */
  validFor?: unknown;
  validFrom?: unknown;
  validTo?: unknown;
  randomised?: unknown;
  priority?: unknown;
}

function time(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) throw new Error(`${what}: expected epoch ms or an ISO 8601 time, got ${JSON.stringify(v)}`);
  return t;
}

/**
 * Turn a face's request into a control intent, or throw naming the field. Every intent expires: `validTo`, or
 * `validFor` seconds, or the face's default validity.
 */
export function intentFromRequest(r: ControlRequest, d: { now: number; id: string; source: string; sourceClass: SourceClass; validForS: number }): ControlIntent {
  if (!r || typeof r !== 'object') throw new Error('payload: expected an object {device, name, value | cap, validFor?}');
  if (typeof r.device !== 'string' || !r.device) throw new Error('payload.device: expected a device id of the mapping');
  if (typeof r.name !== 'string' || !r.name) throw new Error('payload.name: expected a canonical point name');
  const hasValue = r.value !== undefined;
  const hasCap = r.cap !== undefined;
  if (hasValue === hasCap) throw new Error('payload: give exactly one of value (a setpoint) or cap (an upper limit)');
  if (hasValue && !['number', 'boolean', 'string'].includes(typeof r.value)) throw new Error('payload.value: expected a number, boolean or string');
  if (hasCap && (typeof r.cap !== 'number' || !Number.isFinite(r.cap))) throw new Error('payload.cap: expected a number');
  const sourceClass = r.sourceClass ?? d.sourceClass;
  if (typeof sourceClass !== 'string' || !(SOURCE_CLASSES as readonly string[]).includes(sourceClass) || sourceClass === 'default') {
    throw new Error(`payload.sourceClass: expected one of ${SOURCE_CLASSES.filter((c) => c !== 'default').join(', ')}`);
  }
  const validFrom = time(r.validFrom, 'payload.validFrom') ?? d.now;
  let validTo = time(r.validTo, 'payload.validTo');
  if (validTo === undefined) {
    const s = r.validFor === undefined || r.validFor === '' ? d.validForS : Number(r.validFor);
    if (!Number.isFinite(s) || s <= 0) throw new Error(`payload.validFor: expected seconds > 0, got ${JSON.stringify(r.validFor)}`);
    validTo = validFrom + s * 1000;
  }
  if (validTo <= validFrom) throw new Error('payload.validTo: must be after validFrom (every control expires)');
  if (r.priority !== undefined && (typeof r.priority !== 'number' || !Number.isInteger(r.priority))) throw new Error('payload.priority: expected an integer');
  return {
    id: typeof r.id === 'string' && r.id ? r.id : d.id,
    source: typeof r.source === 'string' && r.source ? r.source : d.source,
    sourceClass: sourceClass as SourceClass,
    target: { device: r.device, name: r.name },
    ...(hasValue ? { value: r.value as PointValue } : { cap: r.cap as number }),
    validFrom,
    validTo,
    ...(r.randomised === true ? { randomised: true } : {}),
    ...(typeof r.priority === 'number' ? { priority: r.priority } : {}),
  };
}

export interface ControlReport extends ArbiterResult {
  source: string;
  sourceClass: SourceClass;
  /** What the field did: the write this control caused, or the field state of the value in force. */
  field: { state: 'held' | 'not_held' | 'pending' | 'unchanged' | 'scheduled'; value?: PointValue; reason?: string };
}

/** Submit through the arbiter, wait for the write it causes (if any), and report both decisions. */
export async function submitControl(site: Site, intent: ControlIntent): Promise<ControlReport> {
  const r = { ...site.submit(intent), source: intent.source, sourceClass: intent.sourceClass };
  if (r.outcome === 'rejected') return { ...r, field: { state: 'unchanged', reason: 'rejected by the arbiter' } };
  if (r.scheduled) return { ...r, field: { state: 'scheduled', reason: `applied from ${new Date(r.validFrom).toISOString()}` } };
  const pending = site.awaitWrite(intent.id);
  if (pending) {
    const w = await pending;
    if (!w) return { ...r, field: { state: 'not_held', reason: 'write failed; re-asserted when the device is back' } };
    return { ...r, field: w.ok ? { state: 'held', value: w.value } : { state: 'not_held', value: w.value, reason: `${w.failure ?? 'error'}: ${w.reason ?? 'write failed'}` } };
  }
  const f = site.arbiter.effective(intent.target).field;
  return { ...r, field: f ? { state: f.state, value: f.value, ...(f.reason ? { reason: f.reason } : {}) } : { state: 'unchanged' } };
}
