/**
 * TLS profile for IEC 60870-5-104 per IEC 62351-3: TLS 1.2 or 1.3 only, mutual authentication with chain
 * validation on both sides, optional allow-list of individual peer certificates (SHA-256 fingerprints), and no
 * renegotiation started by GridBridge. A client still accepts renegotiation started by a TLS 1.2 server (62351-3
 * session renewal), which OpenSSL handles transparently as a secure renegotiation.
 */
import { constants as cryptoConstants } from 'node:crypto';
import type { Socket } from 'node:net';
import type { ConnectionOptions, Server as TlsServer, TlsOptions, TLSSocket } from 'node:tls';

export interface Iec104TlsConfig {
  /** PEM certificate chain of this side. */
  cert: string | Buffer;
  /** PEM private key of this side. */
  key: string | Buffer;
  passphrase?: string;
  /** PEM CA certificate(s) that peer chains must validate against. */
  ca: string | Buffer | Array<string | Buffer>;
  /** Accept only these peer certificates (SHA-256 fingerprints, hex with or without colons), beyond chain validation. */
  allowedPeers?: string[];
  /** Lowest version accepted: 'TLSv1.2' (default) or 'TLSv1.3'. */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Highest version offered/accepted (default: TLS 1.3); 'TLSv1.2' for peers whose TLS 1.3 is broken. */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  ciphers?: string;
  /** Client only: check the server certificate's name against the host (off by default; 62351-3 does not ask it). */
  checkHostname?: boolean;
  /** Client only: SNI / name to check. */
  servername?: string;
  /**
   * Server only, for tests that emulate peers renewing keys by renegotiation: leave TLS 1.2 renegotiation enabled.
   * By default the server refuses all renegotiation.
   */
  allowRenegotiation?: boolean;
}

export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
}

export function serverTlsOptions(c: Iec104TlsConfig): TlsOptions {
  checkTlsVersions(c);
  const o: TlsOptions = {
    cert: c.cert,
    key: c.key,
    ca: c.ca,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: c.minVersion ?? 'TLSv1.2',
    honorCipherOrder: true,
  };
  if (c.passphrase !== undefined) o.passphrase = c.passphrase;
  if (c.maxVersion) o.maxVersion = c.maxVersion;
  if (c.ciphers) o.ciphers = c.ciphers;
  if (!c.allowRenegotiation) o.secureOptions = cryptoConstants.SSL_OP_NO_RENEGOTIATION;
  return o;
}

export function clientTlsOptions(c: Iec104TlsConfig, host: string): ConnectionOptions {
  checkTlsVersions(c);
  const o: ConnectionOptions = {
    cert: c.cert,
    key: c.key,
    ca: c.ca,
    rejectUnauthorized: true,
    minVersion: c.minVersion ?? 'TLSv1.2',
  };
  if (c.passphrase !== undefined) o.passphrase = c.passphrase;
  if (c.maxVersion) o.maxVersion = c.maxVersion;
  if (c.ciphers) o.ciphers = c.ciphers;
  const name = c.servername ?? host;
  if (!/^[\d.:]+$/.test(name)) o.servername = name;
  // The chain is still validated (rejectUnauthorized); only the name check is optional.
  if (!c.checkHostname) o.checkServerIdentity = () => undefined;
  return o;
}

/** After the handshake: undefined when the peer is acceptable, else the reason to drop it. */
export function checkPeer(socket: TLSSocket, allowedPeers?: string[]): string | undefined {
  if (!socket.authorized) return `peer certificate rejected: ${String(socket.authorizationError ?? 'not authorized')}`;
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.fingerprint256) return 'peer presented no certificate';
  if (allowedPeers && allowedPeers.length > 0) {
    const fp = normalizeFingerprint(cert.fingerprint256);
    if (!allowedPeers.some((a) => normalizeFingerprint(a) === fp)) return `peer certificate ${cert.fingerprint256} is not on the allow-list`;
  }
  return undefined;
}

/** 'TLSv1.2'/'1.2' and 'TLSv1.3'/'1.3' → the version name; anything else is an error naming the setting. */
export function tlsVersion(text: string, setting: string): 'TLSv1.2' | 'TLSv1.3' {
  const v = text.trim().replace(/^TLSv?/i, '');
  if (v === '1.2') return 'TLSv1.2';
  if (v === '1.3') return 'TLSv1.3';
  throw new RangeError(`${setting}: TLS version '${text}' is not 1.2 or 1.3 (IEC 62351-3 allows no older version)`);
}

/** Check a configuration's version range: min must not exceed max. */
export function checkTlsVersions(c: Pick<Iec104TlsConfig, 'minVersion' | 'maxVersion'>): void {
  if (c.minVersion === 'TLSv1.3' && c.maxVersion === 'TLSv1.2') throw new RangeError('TLS minimum version 1.3 is above the maximum 1.2');
}

/**
 * Why a server-side handshake failed, in words an operator can act on. `peer` is the TCP peer address (the TLS
 * socket has often lost it by the time the error is reported).
 */
export function describeHandshakeFailure(e: Error & { code?: string; reason?: string }, peer: string, c: Iec104TlsConfig): string {
  const range = `${c.minVersion ?? 'TLSv1.2'}..${c.maxVersion ?? 'TLSv1.3'}`;
  let why: string;
  if (e.code === 'ECONNRESET' || /socket hang up/.test(e.message)) {
    why = 'the client closed the connection during the handshake (often: it does not trust our certificate or CA, or refused our version/cipher)';
  } else if (e.code === 'ERR_SSL_UNSUPPORTED_PROTOCOL' || e.code === 'ERR_SSL_UNKNOWN_PROTOCOL') {
    why = `the client offered no TLS version in ${range} (${e.reason ?? e.message})`;
  } else if (e.code === 'ERR_SSL_NO_SHARED_CIPHER') {
    why = 'no cipher suite in common with the client';
  } else if (e.code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE') {
    why = 'the client sent no certificate (IEC 62351-3 requires mutual authentication)';
  } else if (/^ERR_SSL_(SSLV3|TLSV1)_ALERT_/.test(e.code ?? '')) {
    why = `the client aborted with TLS alert "${(e.reason ?? e.code!).replace(/^(sslv3|tlsv1) alert /i, '')}"`;
  } else if (e.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
    why = 'handshake timed out';
  } else why = e.reason ?? e.message;
  return `TLS handshake with ${peer} failed: ${why}${e.code ? ` [${e.code}]` : ''}`;
}

/**
 * Remembers the TCP peer of each accepted connection so a failed handshake can still name it: by the time a TLS
 * server reports the failure, the TLS socket (and often the TCP socket under it) has forgotten its address.
 */
export function trackTlsPeers(server: TlsServer): (s: TLSSocket) => string {
  const peers = new WeakMap<Socket, string>();
  server.on('connection', (raw: Socket) => peers.set(raw, `${raw.remoteAddress ?? '?'}:${raw.remotePort ?? '?'}`));
  return (s) => {
    const raw = (s as TLSSocket & { _parent?: Socket })._parent;
    return (raw && peers.get(raw)) ?? (s.remoteAddress ? `${s.remoteAddress}:${s.remotePort ?? '?'}` : 'an unknown peer');
  };
}

/**
 * A write function that puts every APDU in a TLS record of its own, as lib60870's stations do: Node's TLS socket
 * encrypts all writes queued while one is in progress (or corked) as a single record, and clients that read one APDU
 * per readable event (lib60870 over mbedtls) leave the rest of such a record undelivered until the next one arrives.
 * The next APDU is handed to TLS only when the previous write completed; the link's k window bounds the queue.
 */
export function recordPerApduWriter(socket: Socket): (frame: Buffer) => void {
  let queue: Buffer[] = [];
  let head = 0;
  let busy = false;
  const next = (err?: Error | null): void => {
    if (err || socket.destroyed) {
      queue = [];
      head = 0;
      busy = false;
      return;
    }
    if (head < queue.length) {
      const f = queue[head]!;
      queue[head++] = EMPTY;
      socket.write(f, next);
      return;
    }
    queue = [];
    head = 0;
    busy = false;
  };
  return (frame) => {
    if (socket.destroyed) return;
    if (busy) {
      queue.push(frame);
      return;
    }
    busy = true;
    socket.write(frame, next);
  };
}
const EMPTY = Buffer.alloc(0);
