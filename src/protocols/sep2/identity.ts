/**
 * Device identity (IEEE 2030.5 §6.3.4): LFDI = first 160 bits of SHA-256 over the certificate's DER encoding (40 hex
 * digits); SFDI = first 36 bits of the LFDI as a decimal number followed by a check digit that makes the sum of all
 * digits ≡ 0 (mod 10).
 */
import { createHash, X509Certificate } from 'node:crypto';

export function lfdiFromDer(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').slice(0, 40).toUpperCase();
}

/** Accepts a PEM string, a DER buffer or a parsed X509Certificate. */
export function lfdiFromCertificate(cert: string | Uint8Array | X509Certificate): string {
  const x = cert instanceof X509Certificate ? cert : new X509Certificate(typeof cert === 'string' ? cert : Buffer.from(cert));
  return lfdiFromDer(x.raw);
}

export function checkDigit(n: number): number {
  let sum = 0;
  for (const c of String(n)) sum += c.charCodeAt(0) - 48;
  return (10 - (sum % 10)) % 10;
}

export function sfdiFromLfdi(lfdi: string): number {
  if (!/^[0-9A-Fa-f]{9,}$/.test(lfdi)) throw new TypeError(`LFDI must be hex (got "${lfdi}")`);
  const head = parseInt(lfdi.slice(0, 9), 16);
  return head * 10 + checkDigit(head);
}

export interface DeviceIdentity {
  lfdi: string;
  sfdi: number;
}

export function identityFromCertificate(cert: string | Uint8Array | X509Certificate): DeviceIdentity {
  const lfdi = lfdiFromCertificate(cert);
  return { lfdi, sfdi: sfdiFromLfdi(lfdi) };
}
