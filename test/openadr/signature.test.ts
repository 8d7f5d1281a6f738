import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serialize } from '../../src/protocols/openadr/oadr20b/build.js';
import { parse } from '../../src/protocols/openadr/oadr20b/parse.js';
import { fingerprintFromDer, fingerprintFromPem } from '../../src/protocols/openadr/fingerprint.js';
import { OadrSignatureError, signPayload, verifyPayload } from '../../src/protocols/openadr/signature.js';
import { samples } from './samples.js';
import { testPki } from './pki.js';
import { validate20b } from './xsd.js';

describe('certificate fingerprint VEN ID', () => {
  it('is the last 10 bytes of the SHA-256 digest as colon-separated pairs', async () => {
    const { ven } = testPki();
    const fp = fingerprintFromPem(ven.cert);
    expect(fp).toMatch(/^([0-9A-F]{2}:){9}[0-9A-F]{2}$/);
    const full = new X509Certificate(ven.cert).fingerprint256; // AA:BB:... 32 pairs
    expect(fp).toBe(full.split(':').slice(-10).join(':'));
  });
  it('fixed vector: SHA-256("abc")', () => {
    // sha256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad (FIPS 180-2 example)
    expect(fingerprintFromDer(new TextEncoder().encode('abc'))).toBe('7A:9C:B4:10:FF:61:F2:00:15:AD');
  });
});

describe('XML signature', () => {
  it('signs, stays schema-valid, verifies, and still parses', async () => {
    const { ven } = testPki();
    const xml = serialize(samples.find((s) => s.type === 'oadrUpdateReport')!);
    const signed = signPayload(xml, { privateKey: ven.key, certificate: ven.cert });
    expect(signed).toMatch(/<ds:Signature/);
    expect((await validate20b(signed)).errors).toEqual([]);
    verifyPayload(signed, ven.cert);
    expect(parse(signed).type).toBe('oadrUpdateReport');
  });
  it('refuses a tampered payload, a wrong key and an unsigned payload', async () => {
    const { ven, other } = testPki();
    const xml = serialize(samples.find((s) => s.type === 'oadrUpdateReport')!);
    const signed = signPayload(xml, { privateKey: ven.key, certificate: ven.cert });
    const tampered = signed.replace('<ei:value>1234.5</ei:value>', '<ei:value>9999</ei:value>');
    expect(tampered).not.toBe(signed);
    expect(() => verifyPayload(tampered, ven.cert)).toThrow(OadrSignatureError);
    expect(() => verifyPayload(signed, other.cert)).toThrow(OadrSignatureError);
    expect(() => verifyPayload(xml, ven.cert)).toThrow(/not signed/);
  });
});
