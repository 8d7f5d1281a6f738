import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { inspectPem } from '../../src/runtime/cert-info.js';
import { identityFromCertificate } from '../../src/protocols/sep2/identity.js';
import { makeCa } from '../iec104/pki.js';

describe('certificate inspection (@peculiar/x509)', () => {
  it('shows subject, issuer, expiry and the 2030.5 LFDI/SFDI of a device certificate, and links the chain', async () => {
    const ca = await makeCa('Tenant CA');
    const dev = await ca.issue('der-0001', 'client');
    const r = inspectPem(dev.cert + ca.cert, { identity: true });
    expect(r.certificates).toHaveLength(2);
    const [leaf, root] = r.certificates;
    expect(leaf).toMatchObject({ subject: 'CN=der-0001', issuer: 'CN=Tenant CA', ca: false, ...identityFromCertificate(dev.cert) });
    expect(leaf!.lfdi).toMatch(/^[0-9A-F]{40}$/);
    expect(root).toMatchObject({ subject: 'CN=Tenant CA', ca: true });
    expect(leaf!.notAfter).toBe(new Date(new X509Certificate(dev.cert).validTo).toISOString());
    // 2-day certificates: within the 30-day warning window
    expect(r.warnings.some((w) => /"CN=der-0001" expires in [01] day/.test(w))).toBe(true);
    expect(inspectPem(dev.cert, { warnDays: 1 }).warnings).toEqual([]);
    const later = inspectPem(dev.cert, { now: Date.now() + 5 * 86_400_000 });
    expect(later.warnings[0]).toMatch(/expired on/);
  });

  it('says what is wrong with a broken chain, garbage or an empty text', async () => {
    const a = await makeCa('CA one');
    const b = await makeCa('CA two');
    const leaf = await a.issue('dev', 'client');
    expect(inspectPem(leaf.cert + b.cert, { warnDays: 0 }).warnings).toEqual(['certificate: "CN=dev" is issued by "CN=CA one", not by the next certificate "CN=CA two"']);
    expect(inspectPem('hello', { what: 'CA chain' }).warnings[0]).toMatch(/^CA chain: no certificate|^CA chain: not PEM/);
    expect(inspectPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', { what: 'CA chain' }).warnings[0]).toMatch(/^CA chain( #1)?: (cannot be parsed|not PEM)/);
  });
});
