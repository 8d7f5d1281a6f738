/**
 * Embedded MQTT broker (aedes 1.x, in-memory) for the main job and tests, bound to loopback unless it has TLS and
 * users. Optional username/password, TLS with client certificates (a trusted certificate's CN is the user name, as
 * mosquitto's use_identity_as_username), and per-user allow-lists (MQTT topic filters) of what each client may
 * publish — e.g. which `…/set` commands — and subscribe to.
 */
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { Aedes, type AuthenticateError } from 'aedes';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface EmbeddedBrokerOptions {
  /** 127.0.0.1 by default; an address beyond loopback needs `tls` and users. */
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
  /**
   * Serve MQTT over TLS (mqtts://) with this PEM key and certificate. With `ca`, clients may log in with a certificate
   * that CA issued (its subject CN names the user; a certificate it did not issue is refused); `requestClientCert`:
   * every client must present one (no password logins).
   */
  tls?: { key: string; cert: string; ca?: string; requestClientCert?: boolean };
  /** Users who may still log in by password when `tls.requestClientCert` is set (the gateway's own user). */
  passwordLoginUsers?: string[];
}

export interface BrokerUser {
  username: string;
  /** Clear text, or `scrypt$<salt hex>$<64-byte key hex>` (see hashBrokerPassword); absent: certificate login only. */
  password?: string;
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
  /** The broker user a connected client logged in as (by password or certificate); undefined without users. */
  userOf(client: object): string | undefined;
  /** Cut every client connection at the socket, without MQTT DISCONNECT (the will fires): a network failure. */
  dropClients(): void;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`invalid port ${port}`);
  const aedes = await Aedes.createBroker({ id: 'gridbridge-embedded' });
  const users = new Map<string, BrokerUser>();
  if (opts.credentials) users.set(opts.credentials.username, { ...opts.credentials, publish: ['#'], subscribe: ['#'] });
  for (const u of opts.users ?? []) {
    if (users.has(u.username)) throw new Error(`embedded broker: user "${u.username}" given twice`);
    users.set(u.username, u);
  }
  if (!LOOPBACK.has(host) && !(opts.tls && users.size > 0)) {
    throw new Error(`embedded MQTT broker: listening on "${host}" (beyond loopback) needs TLS (certificate and key) and users; anonymous clients on the network could command devices`);
  }
  if (opts.tls?.requestClientCert && !opts.tls.ca) throw new Error('embedded MQTT broker: client certificates need the CA that issues them (tls.ca)');
  const userOf = new WeakMap<object, BrokerUser>(); // per connection (a client id taken over keeps its own rights)
  const refuse = (done: (e: AuthenticateError, ok: null) => void, code: 4 | 5, why: string): void => {
    const e = new Error(why) as AuthenticateError;
    e.returnCode = code as AuthenticateError['returnCode'];
    done(e, null);
  };
  if (users.size > 0 || opts.tls?.ca) {
    aedes.authenticate = (client, username, password, done) => {
      const cert = opts.tls?.ca ? peerCertificate(client.conn) : undefined;
      if (cert && !cert.authorized) return refuse(done, 5, `client certificate refused: ${cert.error}`);
      if (cert && users.size === 0) return done(null, true); // no users: any certificate the CA issued
      if (cert) {
        const u = cert.cn !== undefined ? users.get(cert.cn) : undefined;
        if (!u) return refuse(done, 5, `no broker user "${cert.cn ?? '(no CN)'}" for this client certificate`);
        if (username !== undefined && username !== cert.cn) return refuse(done, 5, `username "${username}" is not the certificate's "${cert.cn}"`);
        userOf.set(client, u);
        return done(null, true);
      }
      if (opts.tls?.requestClientCert && !(username !== undefined && opts.passwordLoginUsers?.includes(username))) return refuse(done, 5, 'a client certificate is required');
      if (users.size === 0) return done(null, true);
      const u = username !== undefined ? users.get(username) : undefined;
      if (u?.password !== undefined && password !== undefined && passwordMatches(u.password, password)) {
        userOf.set(client, u);
        return done(null, true);
      }
      refuse(done, 4, 'bad username or password');
    };
  }
  if (users.size > 0) {
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
    // Certificates are checked in authenticate (with a CONNACK that says why), not by dropping the handshake.
    server = createTlsServer({ key: t.key, cert: t.cert, ...(t.ca ? { ca: t.ca, requestCert: true } : {}), rejectUnauthorized: false }, (s) => {
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
    userOf: (client) => userOf.get(client)?.username,
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

/** The verified (or not) client certificate of a TLS connection, with its subject CN; undefined when none was sent. */
function peerCertificate(conn: unknown): { authorized: boolean; error?: string; cn?: string } | undefined {
  const s = conn as Partial<TLSSocket>;
  if (typeof s.getPeerCertificate !== 'function') return undefined;
  const c = s.getPeerCertificate();
  if (!c || Object.keys(c).length === 0) return undefined;
  const cn = c.subject?.CN;
  if (!s.authorized) return { authorized: false, error: String(s.authorizationError ?? 'not verified') };
  return { authorized: true, ...(typeof cn === 'string' && cn ? { cn } : {}) };
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
