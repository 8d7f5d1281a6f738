/**
 * Embedded MQTT broker (aedes 1.x, in-memory) for the main job and tests, bound to loopback only.
 * Optional username/password and TLS so the same paths as a production broker can be exercised.
 */
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';
import { Aedes, type AuthenticateError } from 'aedes';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface EmbeddedBrokerOptions {
  /** Loopback only (127.0.0.1 default). */
  host?: string;
  /** 0 or absent: an ephemeral port chosen by the OS. */
  port?: number;
  /** Require this username/password from every client. */
  credentials?: { username: string; password: string };
  /** Serve MQTT over TLS (mqtts://) with this PEM key and certificate. */
  tls?: { key: string; cert: string; ca?: string; requestClientCert?: boolean };
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
  const creds = opts.credentials;
  if (creds) {
    aedes.authenticate = (_client, username, password, done) => {
      const ok = username === creds.username && password !== undefined && safeEqual(password, Buffer.from(creds.password));
      if (ok) return done(null, true);
      const e = new Error('bad username or password') as AuthenticateError;
      e.returnCode = 4 as AuthenticateError['returnCode'];
      done(e, null);
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
