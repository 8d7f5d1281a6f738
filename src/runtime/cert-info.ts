/**
 * Certificate management for upstreams (2030.5 device certificate and tenant CA chain, MQTT TLS): parse a PEM bundle
 * with @peculiar/x509 and say what an integrator must see — subject, issuer, validity, days left, CA or not, the
 * 2030.5 LFDI/SFDI of the device certificate — and warn before expiry or when a chain does not link up.
 */
import 'reflect-metadata';
import { BasicConstraintsExtension, PemConverter, X509Certificate } from '@peculiar/x509';
import { identityFromCertificate } from '../protocols/sep2/identity.js';

export interface CertInfo {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  ca: boolean;
  /** 2030.5 identity, for the first (device) certificate of a device bundle. */
  lfdi?: string;
  sfdi?: number;
}

export interface BundleInfo {
  certificates: CertInfo[];
  /** Problems to show: expired, expires within warnDays, not yet valid, a chain that does not link. */
  warnings: string[];
}

const DAY = 86_400_000;

/** Inspect a PEM bundle. `identity`: compute LFDI/SFDI of the first certificate (a 2030.5 device certificate). */
export function inspectPem(pem: string, opts: { now?: number; warnDays?: number; identity?: boolean; what?: string } = {}): BundleInfo {
  const now = opts.now ?? Date.now();
  const warnDays = opts.warnDays ?? 30;
  const what = opts.what ?? 'certificate';
  let ders: ArrayBuffer[];
  try {
    ders = PemConverter.decode(pem);
  } catch (e) {
    return { certificates: [], warnings: [`${what}: not PEM (${e instanceof Error ? e.message : String(e)})`] };
  }
  if (ders.length === 0) return { certificates: [], warnings: [`${what}: no certificate in the PEM text`] };
  const warnings: string[] = [];
  const certs: X509Certificate[] = [];
  ders.forEach((der, i) => {
    try {
      certs.push(new X509Certificate(der));
    } catch (e) {
      warnings.push(`${what} #${i + 1}: cannot be parsed (${e instanceof Error ? e.message : String(e)})`);
    }
  });
  const infos = certs.map((c, i): CertInfo => {
    const bc = c.getExtension(BasicConstraintsExtension);
    const daysLeft = Math.floor((c.notAfter.getTime() - now) / DAY);
    const info: CertInfo = {
      subject: c.subject,
      issuer: c.issuer,
      serial: c.serialNumber,
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      daysLeft,
      ca: bc?.ca === true,
    };
    if (i === 0 && opts.identity) Object.assign(info, identityFromCertificate(new Uint8Array(c.rawData)));
    const name = `${what} "${c.subject}"`;
    if (c.notAfter.getTime() <= now) warnings.push(`${name} expired on ${info.notAfter}`);
    else if (daysLeft < warnDays) warnings.push(`${name} expires in ${daysLeft} day(s), on ${info.notAfter}`);
    if (c.notBefore.getTime() > now) warnings.push(`${name} is not valid before ${info.notBefore} (clock wrong?)`);
    return info;
  });
  for (let i = 0; i + 1 < certs.length; i++) {
    if (certs[i]!.issuer !== certs[i + 1]!.subject && certs[i]!.issuer !== certs[i]!.subject) {
      warnings.push(`${what}: "${certs[i]!.subject}" is issued by "${certs[i]!.issuer}", not by the next certificate "${certs[i + 1]!.subject}"`);
    }
  }
  return { certificates: infos, warnings };
}
