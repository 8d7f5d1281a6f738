/**
 * `xmlSignature: true` end to end outside the library API: VEN built from a mapping block (signature files), the
 * VTN simulator as `sim vtn --xml-signature` builds it, and what is refused when signatures are required.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { run as simVtn } from '../../src/cli/commands/sim-vtn.js';
import { OpenadrVen } from '../../src/protocols/openadr/factory.js';
import { serialize } from '../../src/protocols/openadr/oadr20b/build.js';
import { signPayload } from '../../src/protocols/openadr/signature.js';
import { VtnSim20b, type Vtn20bOptions, type VtnLogEntry } from '../../src/sim/openadr/vtn20b.js';
import { testPki } from './pki.js';

const pki = testPki();
const dir = mkdtempSync(join(tmpdir(), 'gb-oadr-sig-'));
for (const [name, text] of Object.entries({ 'ven.crt': pki.ven.cert, 'ven.key': pki.ven.key, 'ca.crt': pki.ca.cert, 'vtn.crt': pki.vtn.cert })) writeFileSync(join(dir, name), text);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stop: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stop) await s();
  stop = [];
  vi.restoreAllMocks();
});

const event = { id: 'sig-ev', signal: 'SIMPLE', type: 'level', startIn: 0, intervals: [{ duration: 600, value: 2 }], responseRequired: 'always' as const, testEvent: false, marketContext: 'http://m' };

async function setup(vtnSignature: Vtn20bOptions['signature'], signature: Record<string, unknown>) {
  const clock = new FakeClock(Date.now());
  const log: VtnLogEntry[] = [];
  const vtn = new VtnSim20b({ clock, log: (e) => log.push(e), ...(vtnSignature ? { signature: vtnSignature } : {}) });
  await vtn.start();
  const mapping = OpenadrVen.parseMapping({
    openadr: {
      vtnUrl: vtn.url,
      venName: 'signed-ven',
      venId: 'signed-ven-1',
      xmlSignature: true,
      signature,
      signals: [{ signal: 'SIMPLE', device: 'inv', point: 'WMaxLimPct', levels: { '0': 100, '1': 50, '2': 20, '3': 0 } }],
    },
  });
  const ven = new OpenadrVen(mapping, clock, { baseDir: dir });
  const controls: unknown[] = [];
  const errors: Error[] = [];
  ven.on('control', (c) => controls.push(c));
  ven.on('error', (e) => errors.push(e));
  stop.push(async () => {
    await ven.stop();
    await vtn.stop();
  });
  const step = async (ms: number) => {
    for (let t = 0; t < ms; t += 1000) {
      clock.advance(1000);
      for (let i = 0; i < 4; i++) await new Promise((r) => setTimeout(r, 2));
    }
  };
  await ven.start();
  await step(1000);
  return { clock, vtn, ven, log, controls, errors, step };
}

describe('xmlSignature from the mapping block', () => {
  it('signs and verifies both ways (VTN certificate issued by the CA, ReplayProtect checked): the event becomes a control', async () => {
    const r = await setup({ privateKey: pki.vtn.key, certificate: pki.vtn.cert, ca: pki.ca.cert }, { cert: 'ven.crt', key: 'ven.key', ca: 'ca.crt' });
    expect(r.ven.state).toBe('up');
    expect(r.log.some((e) => e.event === 'bad_payload')).toBe(false);
    r.vtn.addEvent('signed-ven-1', event);
    await r.step(11_000);
    expect(r.controls.length).toBe(1);
  });

  it('an unsigned VTN payload is refused (459 back to the VTN) and makes no control', async () => {
    const r = await setup(undefined, { cert: 'ven.crt', key: 'ven.key', vtnCert: 'vtn.crt' });
    expect(r.ven.state).not.toBe('up');
    expect(r.errors.some((e) => e.name === 'OadrSignatureError' && /not signed/.test(e.message))).toBe(true);
    expect(r.controls).toEqual([]);
  });

  it('a VTN signing with a key other than the pinned VTN certificate is refused while polling: 459, no control', async () => {
    const r = await setup({ privateKey: pki.vtn.key, certificate: pki.vtn.cert, ca: pki.ca.cert }, { cert: 'ven.crt', key: 'ven.key', vtnCert: 'vtn.crt' });
    expect(r.ven.state).toBe('up');
    // From now on the VTN signs with another (CA-issued) certificate than the one the VEN pins.
    r.vtn.opts.signature = { privateKey: pki.other.key, certificate: pki.other.cert, ca: pki.ca.cert };
    r.vtn.addEvent('signed-ven-1', event);
    await r.step(11_000);
    expect(r.controls).toEqual([]);
    expect(r.errors.some((e) => /signature mismatch/.test(e.message))).toBe(true);
    expect(r.log.find((e) => e.event === 'ven_response')).toMatchObject({ responseCode: 459 });
  });

  it('the VTN refuses an unsigned VEN payload and a replayed signed one with 459', async () => {
    const r = await setup({ privateKey: pki.vtn.key, certificate: pki.vtn.cert, ca: pki.ca.cert }, { cert: 'ven.crt', key: 'ven.key', ca: 'ca.crt' });
    const poll = serialize({ type: 'oadrPoll', venID: 'signed-ven-1' });
    const unsigned = await r.vtn.receive('OadrPoll', poll);
    expect(unsigned.type === 'oadrResponse' && unsigned.response.responseCode).toBe(459);
    const signed = signPayload(poll, { privateKey: pki.ven.key, certificate: pki.ven.cert, now: r.clock.now() });
    expect((await r.vtn.receive('OadrPoll', signed)).type).toBe('oadrResponse');
    const replayed = await r.vtn.receive('OadrPoll', signed);
    expect(replayed.type === 'oadrResponse' && replayed.response).toMatchObject({ responseCode: 459, responseDescription: expect.stringMatching(/already used/) });
  });

  it('mapping errors name the field; missing material is a clear error when the VEN is built', () => {
    expect(() => OpenadrVen.parseMapping({ version: '3.1.0', vtnUrl: 'https://v', venName: 'x', xmlSignature: true })).toThrow(/2\.0b feature/);
    expect(() => OpenadrVen.parseMapping({ vtnUrl: 'https://v', venName: 'x', signature: { cert: 'a' } })).toThrow(/xmlSignature is not true/);
    const m = OpenadrVen.parseMapping({ vtnUrl: 'https://v', venName: 'x', xmlSignature: true });
    expect(() => new OpenadrVen(m, new FakeClock())).toThrow(/no signing certificate and key/);
    expect(() => new OpenadrVen(m, new FakeClock(), { tls: { cert: pki.ven.cert, key: pki.ven.key } })).toThrow(/no VTN signing certificate or CA/);
  });
});

describe('sim vtn --xml-signature', () => {
  it('needs a signing pair and something to verify with', async () => {
    const out: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (out.push(String(s)), true));
    expect(await simVtn(['--port', '0', '--xml-signature'])).toBe(2);
    expect(await simVtn(['--port', '0', '--xml-signature', '--cert', join(dir, 'vtn.crt'), '--key', join(dir, 'ven.key')])).toBe(2);
    expect(out.join('')).toMatch(/--xml-signature needs --cert and --key/);
  });
});
