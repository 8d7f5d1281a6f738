import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serialize } from '../../src/protocols/openadr/oadr20b/build.js';
import { parse } from '../../src/protocols/openadr/oadr20b/parse.js';
import { fingerprintFromDer, fingerprintFromPem } from '../../src/protocols/openadr/fingerprint.js';
import { FakeClock } from '../../src/core/clock.js';
import { OadrSignatureError, ReplayGuard, signPayload, verifyPayload } from '../../src/protocols/openadr/signature.js';
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
  it('ReplayProtect: a fresh nonce passes once; a replay, a stale timestamp and an edited timestamp are refused', () => {
    const { ven } = testPki();
    const clock = new FakeClock(Date.now());
    const guard = new ReplayGuard(clock, 300_000);
    const xml = serialize({ type: 'oadrPoll', venID: 'v1' });
    const signed = signPayload(xml, { privateKey: ven.key, certificate: ven.cert, now: clock.now(), nonce: 'n-1' });
    expect(signed).toMatch(/<dsp:ReplayProtect[^>]*><dsp:timestamp>[^<]+<\/dsp:timestamp><dsp:nonce>n-1<\/dsp:nonce>/);
    verifyPayload(signed, { peerCertificate: ven.cert, replay: guard });
    expect(() => verifyPayload(signed, { peerCertificate: ven.cert, replay: guard })).toThrow(/already used/);
    const old = signPayload(xml, { privateKey: ven.key, certificate: ven.cert, now: clock.now() - 600_000, nonce: 'n-2' });
    expect(() => verifyPayload(old, { peerCertificate: ven.cert, replay: guard })).toThrow(/more than 300 s/);
    const fresh = signPayload(xml, { privateKey: ven.key, certificate: ven.cert, now: clock.now(), nonce: 'n-3' });
    const edited = fresh.replace(/<dsp:nonce>n-3</, '<dsp:nonce>n-4<');
    expect(() => verifyPayload(edited, { peerCertificate: ven.cert, replay: guard })).toThrow(OadrSignatureError);
  });
  it('a signer issued by the trusted CA is accepted without pinning; a self-signed or foreign signer is not', () => {
    const { ca, ven, other } = testPki();
    const xml = serialize({ type: 'oadrPoll', venID: 'v1' });
    verifyPayload(signPayload(xml, { privateKey: other.key, certificate: other.cert }), { ca: ca.cert });
    // KeyInfo claims the CA-issued VEN certificate but the signature is made with another key.
    const forged = signPayload(xml, { privateKey: other.key, certificate: ven.cert });
    expect(() => verifyPayload(forged, { ca: ca.cert })).toThrow(/signature mismatch/);
    // A certificate not issued by the CA (the CA itself is self-signed; use the VEN leaf as "CA").
    expect(() => verifyPayload(signPayload(xml, { privateKey: other.key, certificate: other.cert }), { ca: ven.cert })).toThrow(/not issued by a trusted CA/);
    expect(() => verifyPayload(signPayload(xml, { privateKey: other.key, certificate: other.cert }), {})).toThrow(/no peer certificate or CA/);
  });
});
