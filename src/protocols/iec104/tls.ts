/**
 * TLS profile for IEC 60870-5-104 per IEC 62351-3: TLS 1.2 or 1.3 only, mutual authentication with chain
 * validation on both sides, optional allow-list of individual peer certificates (SHA-256 fingerprints), and no
 * renegotiation started by GridBridge. A client still accepts renegotiation started by a TLS 1.2 server (62351-3
 * session renewal), which OpenSSL handles transparently as a secure renegotiation.
 */
import { constants as cryptoConstants } from 'node:crypto';
import type { ConnectionOptions, TlsOptions, TLSSocket } from 'node:tls';

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
  /** 'TLSv1.2' (default) or 'TLSv1.3'. */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
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
