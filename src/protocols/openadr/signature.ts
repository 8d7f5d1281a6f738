/**
 * XML signatures for OpenADR 2.0b (high-security profile): a ds:Signature as the first child of oadrPayload with two
 * References, exclusive C14N, RSA-SHA256 and SHA-256 digests:
 *  - `#oadrSignedObject`, the payload;
 *  - the ReplayProtect property (dsp:timestamp + dsp:nonce, namespace
 *    `http://openadr.org/oadr-2.0b/2012/07/xmldsig-properties`) in a ds:SignatureProperty inside ds:Object.
 * Verification refuses unsigned, tampered or wrongly referenced payloads, a signer that is neither the pinned peer
 * certificate nor issued by a trusted CA, and (with a ReplayGuard) stale timestamps and repeated nonces.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { Clock } from '../../core/clock.js';

export class OadrSignatureError extends Error {
  constructor(readonly reason: string) {
    super(`openadr signature: ${reason}`);
    this.name = 'OadrSignatureError';
  }
}

export interface SignerOptions {
  /** PEM private key. */
  privateKey: string;
  /** PEM certificate, placed in ds:KeyInfo. */
  certificate: string;
  /** ReplayProtect timestamp (default now) and nonce (default a random UUID). */
  now?: number;
  nonce?: string;
}

export interface VerifyOptions {
  /** Accept only this signer certificate (PEM). */
  peerCertificate?: string;
  /** Or: accept a signer certificate (from ds:KeyInfo) issued by one of these CA certificates (PEM bundle). */
  ca?: string;
  /** Check the ReplayProtect timestamp and nonce; without it they are not required. */
  replay?: ReplayGuard;
}

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const DSP = 'http://openadr.org/oadr-2.0b/2012/07/xmldsig-properties';
const SIGNED_OBJECT_XPATH = "//*[local-name(.)='oadrSignedObject']";
const REPLAY_XPATH = "//*[local-name(.)='SignatureProperty' and @Id]";
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const TMP_NS = 'urn:gridbridge:signing-scratch';

function replayProperty(signatureId: string, now: number, nonce: string): { id: string; xml: string } {
  const id = `replay-${randomUUID()}`;
  const ts = new Date(now).toISOString();
  const xml =
    `<ds:SignatureProperties xmlns:ds="${DS}"><ds:SignatureProperty Id="${id}" Target="#${signatureId}">` +
    `<dsp:ReplayProtect xmlns:dsp="${DSP}"><dsp:timestamp>${ts}</dsp:timestamp><dsp:nonce>${nonce.replace(/[<&>"]/g, '')}</dsp:nonce></dsp:ReplayProtect>` +
    `</ds:SignatureProperty></ds:SignatureProperties>`;
  return { id, xml };
}

export function signPayload(xml: string, opts: SignerOptions): string {
  const signatureId = `sig-${randomUUID()}`;
  const replay = replayProperty(signatureId, opts.now ?? Date.now(), opts.nonce ?? randomUUID());
  // xml-crypto selects reference targets in the document before the signature exists, so the ReplayProtect property
  // is digested from a scratch copy (exclusive C14N does not depend on where the element sits), then removed.
  const close = xml.lastIndexOf('</');
  if (close < 0) throw new OadrSignatureError('cannot sign: not an XML document');
  const scratch = `<gbScratch xmlns="${TMP_NS}">${replay.xml}</gbScratch>`;
  const withScratch = xml.slice(0, close) + scratch + xml.slice(close);
  const sig = new SignedXml({
    privateKey: opts.privateKey,
    publicCert: opts.certificate,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: EXC_C14N,
    objects: [{ content: replay.xml.replace(` xmlns:ds="${DS}"`, '') }],
  });
  sig.addReference({ xpath: SIGNED_OBJECT_XPATH, digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256', transforms: [EXC_C14N] });
  sig.addReference({ xpath: REPLAY_XPATH, digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256', transforms: [EXC_C14N] });
  sig.computeSignature(withScratch, { prefix: 'ds', attrs: { Id: signatureId }, location: { reference: SIGNED_OBJECT_XPATH, action: 'before' } });
  const signed = sig.getSignedXml();
  const out = signed.replace(/<gbScratch\b[\s\S]*?<\/gbScratch>/, '');
  if (out === signed) throw new OadrSignatureError('cannot sign: scratch element not found');
  return out;
}

export function isSigned(xml: string): boolean {
  return /<(?:[\w.-]+:)?Signature[\s>]/.test(xml);
}

/** Nonces seen within the accepted clock skew; a timestamp outside it or a repeated nonce is a replay. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    /** Largest accepted difference between the signed timestamp and this clock. */
    readonly windowMs = 5 * 60_000,
  ) {}

  check(timestamp: string, nonce: string): void {
    const t = Date.parse(timestamp);
    if (!Number.isFinite(t)) throw new OadrSignatureError(`ReplayProtect timestamp "${timestamp.slice(0, 40)}" is not a date-time`);
    const now = this.clock.now();
    if (Math.abs(now - t) > this.windowMs) throw new OadrSignatureError(`ReplayProtect timestamp ${timestamp} is more than ${this.windowMs / 1000} s from now`);
    for (const [n, at] of this.seen) if (now - at > 2 * this.windowMs) this.seen.delete(n);
    if (!nonce) throw new OadrSignatureError('ReplayProtect nonce is empty');
    if (this.seen.has(nonce)) throw new OadrSignatureError(`ReplayProtect nonce ${nonce.slice(0, 60)} was already used (replayed message)`);
    this.seen.set(nonce, now);
  }
}

function trustedSigner(keyInfoCert: string | undefined, opts: VerifyOptions): string {
  if (opts.peerCertificate) return opts.peerCertificate;
  if (!opts.ca) throw new OadrSignatureError('no peer certificate or CA configured to verify signatures with');
  if (!keyInfoCert) throw new OadrSignatureError('signature carries no X509Certificate in KeyInfo');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(keyInfoCert);
  } catch (e) {
    throw new OadrSignatureError(`unreadable KeyInfo certificate: ${e instanceof Error ? e.message : String(e)}`);
  }
  const now = Date.now();
  if (now < Date.parse(leaf.validFrom) || now > Date.parse(leaf.validTo)) throw new OadrSignatureError(`signer certificate ${leaf.subject} is not valid now`);
  const cas = (opts.ca.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p));
  if (!cas.some((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey))) throw new OadrSignatureError(`signer certificate ${leaf.subject.replace(/\n/g, ', ')} is not issued by a trusted CA`);
  return keyInfoCert;
}

/**
 * Verify the signature of a payload: with the peer's certificate (PEM string or `{ peerCertificate }`), or with the
 * KeyInfo certificate checked against `ca`. Throws OadrSignatureError when absent, when a digest or the signature does
 * not match, when it does not cover oadrSignedObject, and (with `replay`) when ReplayProtect is missing, stale or
 * repeated.
 */
export function verifyPayload(xml: string, peer: string | VerifyOptions): void {
  const opts: VerifyOptions = typeof peer === 'string' ? { peerCertificate: peer } : peer;
  const m = /<((?:[\w.-]+:)?)Signature[\s>][\s\S]*?<\/\1Signature>/.exec(xml);
  if (!m) throw new OadrSignatureError('payload is not signed');
  const keyInfoCert = /<(?:[\w.-]+:)?X509Certificate>([^<]+)</.exec(m[0])?.[1];
  const pem = keyInfoCert ? `-----BEGIN CERTIFICATE-----\n${keyInfoCert.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n` : undefined;
  const signer = trustedSigner(pem, opts);
  const sig = new SignedXml({ publicCert: signer, getCertFromKeyInfo: () => null });
  try {
    sig.loadSignature(m[0]);
  } catch (e) {
    throw new OadrSignatureError(`unreadable signature: ${e instanceof Error ? e.message : String(e)}`);
  }
  let ok = false;
  try {
    ok = sig.checkSignature(xml);
  } catch (e) {
    throw new OadrSignatureError(`signature mismatch: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!ok) throw new OadrSignatureError('signature mismatch');
  const refs = sig.getSignedReferences();
  if (!refs.some((r) => /^<(?:[\w.-]+:)?oadrSignedObject[\s>]/.test(r))) throw new OadrSignatureError('signature does not cover oadrSignedObject');
  if (!opts.replay) return;
  const replay = refs.map((r) => /<(?:[\w.-]+:)?ReplayProtect[\s>][\s\S]*?<(?:[\w.-]+:)?timestamp>([^<]*)<[\s\S]*?<(?:[\w.-]+:)?nonce(?:\s[^>]*)?>([^<]*)</.exec(r)).find((x) => x);
  if (!replay) throw new OadrSignatureError('signature does not cover a ReplayProtect property');
  opts.replay.check(replay[1]!.trim(), replay[2]!.trim());
}
