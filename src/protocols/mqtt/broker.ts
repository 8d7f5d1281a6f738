/**
 * Embedded MQTT broker (aedes 1.x, in-memory) for the main job and tests, bound to loopback only.
 * Optional username/password and TLS so the same paths as a production broker can be exercised, and per-user
 * allow-lists (MQTT topic filters) of what each client may publish — e.g. which `…/set` commands — and subscribe to.
 */
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { Aedes, type AuthenticateError } from 'aedes';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface EmbeddedBrokerOptions {
  /** Loopback only (127.0.0.1 default). */
  host?: string;
  /** 0 or absent: an ephemeral port chosen by the OS. */
  port?: number;
  /** Require this username/password from every client. */
  credentials?: { username: string; password: string };
  /**
   * Users with allow-lists; with users (or credentials) anonymous clients are refused. A user without `publish` may
   * publish nothing (read-only); without `subscribe` may subscribe to everything.
   */
  users?: BrokerUser[];
  /** Serve MQTT over TLS (mqtts://) with this PEM key and certificate. */
  tls?: { key: string; cert: string; ca?: string; requestClientCert?: boolean };
}

export interface BrokerUser {
  username: string;
  /** Clear text, or `scrypt$<salt hex>$<64-byte key hex>` (see hashBrokerPassword). */
  password: string;
  /** Topic filters this user may publish to (`gridbridge/site/+/WMaxLimPct/set`); absent: none. */
  publish?: string[];
  /** Topic filters this user may subscribe to; absent: all (`#`). */
  subscribe?: string[];
}

/** `scrypt$salt$key` for a BrokerUser password, so the users file need not hold clear passwords. */
export function hashBrokerPassword(password: string, salt = randomBytes(16).toString('hex')): string {
  return `scrypt$${salt}$${scryptSync(password, salt, 64).toString('hex')}`;
}

function passwordMatches(stored: string, given: Buffer): boolean {
  const m = /^scrypt\$([0-9a-f]+)\$([0-9a-f]{128})$/.exec(stored);
  if (m) return safeEqual(scryptSync(given, m[1]!, 64), Buffer.from(m[2]!, 'hex'));
  return safeEqual(given, Buffer.from(stored));
}

/** MQTT topic filter matching (+ one level, # the rest), for topics and for filters asked in SUBSCRIBE. */
export function filterCovers(allowed: string, requested: string): boolean {
  const a = allowed.split('/');
  const r = requested.split('/');
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '#') return !(i === 0 && r[0]?.startsWith('$'));
    if (i >= r.length) return false;
    if (r[i] === '#') return false;
    if (a[i] === '+') {
      if (i === 0 && r[0]!.startsWith('$')) return false;
      continue;
    }
    if (a[i] !== r[i]) return false;
  }
  return a.length === r.length;
}

export interface EmbeddedBroker {
  readonly host: string;
  readonly port: number;
  /** mqtt://127.0.0.1:PORT (or mqtts://) */
  readonly url: string;
  readonly aedes: Aedes;
  /** Cut every client connection at the socket, without MQTT DISCONNECT (the will fires): a network failure. */
  dropClients(): void;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`embedded MQTT broker binds to loopback only, not "${host}"`);
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`invalid port ${port}`);
  const aedes = await Aedes.createBroker({ id: 'gridbridge-embedded' });
  const users = new Map<string, BrokerUser>();
  if (opts.credentials) users.set(opts.credentials.username, { ...opts.credentials, publish: ['#'], subscribe: ['#'] });
  for (const u of opts.users ?? []) {
    if (users.has(u.username)) throw new Error(`embedded broker: user "${u.username}" given twice`);
    users.set(u.username, u);
  }
  if (users.size > 0) {
    const userOf = new WeakMap<object, BrokerUser>(); // per connection (a client id taken over keeps its own rights)
    aedes.authenticate = (client, username, password, done) => {
      const u = username !== undefined ? users.get(username) : undefined;
      if (u && password !== undefined && passwordMatches(u.password, password)) {
        userOf.set(client, u);
        return done(null, true);
      }
      const e = new Error('bad username or password') as AuthenticateError;
      e.returnCode = 4 as AuthenticateError['returnCode'];
      done(e, null);
    };
    aedes.authorizePublish = (client, packet, done) => {
      const u = client ? userOf.get(client) : undefined;
      if (u && (u.publish ?? []).some((f) => filterCovers(f, packet.topic))) return done(null);
      done(new Error(`publish to ${packet.topic} not allowed for ${u?.username ?? 'this client'}`));
    };
    aedes.authorizeSubscribe = (client, sub, done) => {
      const u = client ? userOf.get(client) : undefined;
      if (u && (u.subscribe ?? ['#']).some((f) => filterCovers(f, sub.topic))) return done(null, sub);
      done(null, null); // refused: SUBACK 0x80
    };
  }
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  let server: Server;
  if (opts.tls) {
    const t = opts.tls;
    server = createTlsServer({ key: t.key, cert: t.cert, ca: t.ca, requestCert: t.requestClientCert ?? false, rejectUnauthorized: t.requestClientCert ?? false }, (s) => {
      track(s);
      aedes.handle(s);
    });
  } else {
    server = createNetServer((s) => {
      track(s);
      aedes.handle(s);
    });
  }
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(port, host, () => {
      server.off('error', rej);
      res();
    });
  });
  const addr = server.address();
  const boundPort = typeof addr === 'object' && addr ? addr.port : port;
  const scheme = opts.tls ? 'mqtts' : 'mqtt';
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed = false;
  return {
    host,
    port: boundPort,
    url: `${scheme}://${urlHost}:${boundPort}`,
    aedes,
    dropClients() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      if (closed) return;
      closed = true;
      const serverClosed = new Promise<void>((res) => server.close(() => res()));
      for (const s of sockets) s.destroy();
      await new Promise<void>((res) => aedes.close(() => res()));
      await serverClosed;
    },
  };
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
