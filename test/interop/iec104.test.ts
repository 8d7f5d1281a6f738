/**
 * IEC 104 simulator and probe (the built CLI, bin/gridbridge.js) against independent peers: openssl s_client for TLS
 * versions and refused handshakes, socat for raw TCP peers (an I frame before STARTDT, too many connections, a
 * station sending garbage or never answering), and a node:tls client that reads one APDU per TLS record the way
 * lib60870's client does over mbedtls (lib60870 itself is not packaged in Debian).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeIAsdu } from '../../src/protocols/iec104/codec.js';
import { Cot, TypeId } from '../../src/protocols/iec104/constants.js';
import { OneApduPerReadClient } from '../iec104/one-apdu-client.js';
import { makeCa, type Issued } from '../iec104/pki.js';

const BIN = join(__dirname, '..', '..', 'bin', 'gridbridge.js');
const dir = mkdtempSync(join(tmpdir(), 'gb-iec104-interop-'));
const files: Record<string, string> = {};
let server: Issued;
let client: Issued;

beforeAll(async () => {
  const ca = await makeCa();
  server = await ca.issue('rtu.test', 'server');
  client = await ca.issue('scada.test', 'client');
  const put = (name: string, text: string) => (writeFileSync(join(dir, name), text), (files[name] = join(dir, name)));
  put('ca.pem', ca.cert);
  put('server.pem', server.cert);
  put('server.key', server.key);
  put('client.pem', client.cert);
  put('client.key', client.key);
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill();
});

type Line = Record<string, unknown>;

/** Start `gridbridge sim iec104 …` and wait for its `listening` line. */
async function sim(args: string[]): Promise<{ port: number; host: string; lines: Line[]; next(pred: (l: Line) => boolean, ms?: number): Promise<Line> }> {
  const p = spawn(process.execPath, [BIN, 'sim', 'iec104', '--port', '0', '--interval', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(p);
  const lines: Line[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: p.stdout! }).on('line', (l) => {
    lines.push(JSON.parse(l) as Line);
    for (const w of waiters.splice(0)) w();
  });
  let err = '';
  p.stderr!.on('data', (d) => (err += String(d)));
  const next = (pred: (l: Line) => boolean, ms = 10_000): Promise<Line> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no matching line within ${ms} ms; got ${JSON.stringify(lines)} ${err}`)), ms);
      const check = () => {
        const l = lines.find(pred);
        if (!l) return waiters.push(check);
        clearTimeout(t);
        resolve(l);
      };
      check();
    });
  const l = await next((x) => x.event === 'listening');
  return { port: l.port as number, host: l.host as string, lines, next };
}

function run(cmd: string, args: string[], input?: Buffer, ms = 15_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(p);
    let out = '';
    p.stdout!.on('data', (d) => (out += String(d)));
    p.stderr!.on('data', (d) => (out += String(d)));
    const t = setTimeout(() => p.kill(), ms);
    p.on('close', (code) => (clearTimeout(t), resolve({ code, out })));
    if (input) p.stdin!.end(input);
    else p.stdin!.end();
  });
}

const tlsServerFlags = () => ['--tls-cert', files['server.pem']!, '--tls-key', files['server.key']!, '--tls-ca', files['ca.pem']!];
const sClient = (port: number, version: string) => ['s_client', '-connect', `127.0.0.1:${port}`, version, '-cert', files['client.pem']!, '-key', files['client.key']!, '-CAfile', files['ca.pem']!];
const STARTDT = Buffer.from([0x68, 4, 0x07, 0, 0, 0]);
const STARTDT_CON = [0x68, 4, 0x0b, 0, 0, 0];

describe('gridbridge sim iec104 (controlled station)', () => {
  it('listens on loopback by default', async () => {
    const s = await sim([]);
    expect(s.host).toBe('127.0.0.1');
  });

  it('TLS: one APDU per record, so a client reading one APDU per readable event gets GI and command confirmations', async () => {
    const s = await sim(tlsServerFlags());
    const c = new OneApduPerReadClient();
    try {
      await c.connect(s.port, { cert: client.cert, key: client.key, ca: readCa(), checkServerIdentity: () => undefined });
      const has = (typeId: number, cot: number) => () => c.received.some((a) => a.typeId === typeId && a.cot === cot);
      c.send({ typeId: TypeId.C_IC_NA_1, cot: Cot.ACTIVATION, ca: 1, objects: [{ ioa: 0, qualifier: 20 }] });
      await c.until(has(TypeId.C_IC_NA_1, Cot.ACTIVATION_TERMINATION), 'GI ACT_TERM');
      c.send({ typeId: TypeId.C_SC_NA_1, cot: Cot.ACTIVATION, ca: 1, objects: [{ ioa: 5000, value: false, select: false, qualifier: 0 }] });
      await c.until(has(TypeId.C_SC_NA_1, Cot.ACTIVATION_TERMINATION), 'C_SC ACT_TERM');
      expect(c.received.some((a) => a.typeId === TypeId.C_SC_NA_1 && a.cot === Cot.ACTIVATION_CON && !a.negative)).toBe(true);
      expect(c.apdusPerRecord.filter((n) => n !== 1)).toEqual([]);
    } finally {
      c.close();
    }
  });

  it('--tls-max 1.2 caps the version for openssl s_client; --tls-min 1.3 refuses a 1.2 client and logs address and reason', async () => {
    const capped = await sim([...tlsServerFlags(), '--tls-max', '1.2']);
    const ok = await run('openssl', sClient(capped.port, '-tls1_2'), STARTDT, 8000);
    expect(ok.out).toMatch(/Protocol\s*: TLSv1\.2|New, TLSv1\.2/);
    const refused13 = await run('openssl', sClient(capped.port, '-tls1_3'), STARTDT, 8000);
    expect(refused13.out).not.toMatch(/New, TLSv1\.3/);
    await capped.next((l) => l.event === 'warn' && /TLS handshake with 127\.0\.0\.1:\d+ failed: the client offered no TLS version in TLSv1\.2\.\.TLSv1\.2/.test(String(l.message)));

    const strict = await sim([...tlsServerFlags(), '--tls-min', '1.3']);
    await run('openssl', sClient(strict.port, '-tls1_2'), STARTDT, 8000);
    const w = await strict.next((l) => l.event === 'warn' && /TLS handshake/.test(String(l.message)));
    expect(w.message).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed: the client offered no TLS version in TLSv1\.3\.\.TLSv1\.3 .*\[ERR_SSL_/);
  });

  it('an I frame before STARTDT closes the connection (socat as the peer)', async () => {
    const s = await sim([]);
    const iFrame = encodeIAsdu(0, 0, { typeId: TypeId.C_SC_NA_1, cot: Cot.ACTIVATION, ca: 1, objects: [{ ioa: 5000, value: true, select: false, qualifier: 0 }] });
    const r = await run('socat', ['-t', '5', '-', `TCP:127.0.0.1:${s.port}`], iFrame, 8000);
    expect(r.code).toBe(0); // the station closed; socat ends without waiting for its 5 s
    const d = await s.next((l) => l.event === 'disconnect');
    expect(d.reason).toMatch(/I frame N\(S\)=0 received before STARTDT/);
    expect(s.lines.some((l) => l.event === 'command')).toBe(false);
  });

  it('--max-connections: a connection beyond the limit is closed at once', async () => {
    const s = await sim(['--max-connections', '1']);
    const first = spawn('socat', ['-', `TCP:127.0.0.1:${s.port}`], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(first);
    await s.next((l) => l.event === 'connection');
    const second = await run('socat', ['-t', '5', '-', `TCP:127.0.0.1:${s.port}`], STARTDT, 8000);
    expect(second.code).toBe(0);
    await s.next((l) => l.event === 'warn' && /refused: 1 connections open \(limit\)/.test(String(l.message)));
  });
});

describe('gridbridge probe iec104 (controlling station) against broken stations', () => {
  /** A station played by socat: every connection gets `octets` (via printf octal escapes), then `sleep` s of silence. */
  async function socatStation(octets: number[], sleep = 0): Promise<number> {
    const port = await freePort();
    const script = join(dir, `station-${port}.sh`);
    writeFileSync(script, `#!/bin/sh\nprintf '${octets.map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}'\nsleep ${sleep}\n`, { mode: 0o755 });
    const p = spawn('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, `EXEC:${script}`], { stdio: 'ignore' });
    children.push(p);
    for (let i = 0; i < 50; i++) {
      if (await canConnect(port)) return port;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('socat station did not listen');
  }
  const probe = (port: number, ...args: string[]) => run(process.execPath, [BIN, 'probe', 'iec104', '--host', '127.0.0.1', '--port', String(port), '--timeout', '1500', ...args]);

  it('garbage after STARTDT con: framing error named, exit 1, no crash', async () => {
    const port = await socatStation([...STARTDT_CON, 0x42, 0x42, 0x42], 3);
    const r = await probe(port, 'gi');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/framing error: .*start octet 0x42/);
    expect(r.out).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('wrong length octet: framing error named, exit 1', async () => {
    const port = await socatStation([...STARTDT_CON, 0x68, 0xfe, 0x00, 0x00], 3);
    const r = await probe(port, 'gi');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/APDU length 254 outside 4\.\.253/);
  });

  it('truncated APDU and hang-up: the request fails with the connection loss, exit 1', async () => {
    const port = await socatStation([...STARTDT_CON, 0x68, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x64], 0);
    const r = await probe(port, 'gi');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/connection (lost|closed)/);
  });

  it('a station that sends an I frame before STARTDT con: the client closes with the reason, exit 1', async () => {
    // M_SP_NA_1 spontaneous, CA 1, IOA 1, ON — written at once on accept, then STARTDT con (too late).
    const early = [0x68, 0x0e, 0, 0, 0, 0, 1, 1, 3, 0, 1, 0, 1, 0, 0, 1];
    const port = await socatStation([...early, ...STARTDT_CON], 3);
    const r = await probe(port, 'gi');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/protocol error: I frame N\(S\)=0 received before STARTDT con/);
    expect(r.out).not.toMatch(/x_ioa1/); // nothing from it was handed on as a point
  });

  it('a station that confirms STARTDT and then never answers nor acknowledges: timeout, exit 1', async () => {
    const port = await socatStation(STARTDT_CON, 5);
    const r = await probe(port, 'cmd', 'sc', '5000', 'on');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/timeout: no ACT_CON within 1500 ms/);
  });
});

function readCa(): string {
  return readFileSync(files['ca.pem']!, 'utf8');
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}
