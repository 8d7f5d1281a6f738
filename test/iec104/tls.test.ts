import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { Asdu } from '../../src/protocols/iec104/asdu.js';
import { Iec104Client } from '../../src/protocols/iec104/client.js';
import { TypeId } from '../../src/protocols/iec104/constants.js';
import { LinkLayer } from '../../src/protocols/iec104/link.js';
import { Iec104Server } from '../../src/protocols/iec104/server.js';
import { serverTlsOptions, type Iec104TlsConfig } from '../../src/protocols/iec104/tls.js';
import { makeCa, type Issued } from './pki.js';
import { OneApduPerReadClient } from './one-apdu-client.js';
import { SimRtu } from '../../src/sim/iec104/rtu.js';
import { ConfigError, tlsFromFlags } from '../../src/sim/iec104/config.js';
import { Cot } from '../../src/protocols/iec104/constants.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let caPem: string;
let rogueCaPem: string;
let serverId: Issued;
let clientId: Issued;
let otherClient: Issued;
let rogueClient: Issued;

beforeAll(async () => {
  const ca = await makeCa();
  const rogue = await makeCa('Rogue CA');
  caPem = ca.cert;
  rogueCaPem = rogue.cert;
  serverId = await ca.issue('rtu.test', 'server');
  clientId = await ca.issue('scada.test', 'client');
  otherClient = await ca.issue('other.test', 'client');
  rogueClient = await rogue.issue('scada.test', 'client');
});

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function tlsServer(extra: Partial<Iec104TlsConfig> = {}) {
  const server = new Iec104Server({ port: 0, host: '127.0.0.1', tls: { cert: serverId.cert, key: serverId.key, ca: caPem, ...extra } });
  server.definePoint({ ca: 1, ioa: 1, typeId: TypeId.M_ME_NC_1, initial: { value: 42.5, quality: {} } });
  const warnings: string[] = [];
  server.on('warn', (w: string) => warnings.push(w));
  const { port } = await server.listen();
  cleanup.push(() => server.close());
  return { server, port, warnings };
}

function tlsClient(port: number, id: Issued, ca = caPem, extra: Partial<Iec104TlsConfig> = {}) {
  const client = new Iec104Client({ hosts: [{ host: '127.0.0.1', port }], reconnect: false, tls: { cert: id.cert, key: id.key, ca, ...extra }, link: { t0: 3000 } });
  cleanup.push(() => client.close());
  return client;
}

describe('IEC 62351-3 TLS', () => {
  it('mutual authentication with chain validation carries a GI', async () => {
    const { port } = await tlsServer();
    const client = tlsClient(port, clientId);
    await client.connect();
    expect(await client.interrogate(1)).toMatchObject({ ok: true, objects: [{ ioa: 1, value: 42.5 }] });
  });

  it('rejects a client certificate from another CA', async () => {
    const { port } = await tlsServer();
    const client = tlsClient(port, rogueClient);
    await expect(client.connect()).rejects.toThrow();
  });

  it('client rejects a server whose chain does not validate', async () => {
    const { port } = await tlsServer();
    const client = tlsClient(port, clientId, rogueCaPem);
    const warns: string[] = [];
    client.on('warn', (w: string) => warns.push(w));
    await expect(client.connect()).rejects.toThrow();
    expect(warns.join('\n')).toMatch(/certificate/i);
  });

  it('server accepts only allow-listed client certificates when configured', async () => {
    const { port, warnings } = await tlsServer({ allowedPeers: [clientId.fingerprint256] });
    const ok = tlsClient(port, clientId);
    await ok.connect();
    const other = tlsClient(port, otherClient);
    await expect(other.connect()).rejects.toThrow();
    expect(warnings.join('\n')).toMatch(/not on the allow-list/);
  });

  it('refuses TLS 1.1', async () => {
    const { port } = await tlsServer();
    const client = new Iec104Client({ hosts: [{ host: '127.0.0.1', port }], reconnect: false, tls: { cert: clientId.cert, key: clientId.key, ca: caPem } });
    cleanup.push(() => client.close());
    // minVersion can only be raised through the config type; force an old maximum to prove the server refuses it.
    (client as unknown as { opts: { tls: Record<string, unknown> } }).opts.tls.maxVersion = 'TLSv1.1';
    (client as unknown as { opts: { tls: Record<string, unknown> } }).opts.tls.minVersion = 'TLSv1';
    await expect(client.connect()).rejects.toThrow();
  });

  it('client survives server-initiated renegotiation under TLS 1.2 without losing data', async () => {
    const opts = serverTlsOptions({ cert: serverId.cert, key: serverId.key, ca: caPem, maxVersion: 'TLSv1.2' });
    delete opts.secureOptions; // this emulated peer renews keys by renegotiation
    let renegotiations = 0;
    const total = 300;
    const srv = createTlsServer(opts, (sock: TLSSocket) => {
      const link: LinkLayer = new LinkLayer(
        'controlled',
        {
          write: (f) => sock.write(f),
          asdu: () => undefined,
          closed: () => sock.destroy(),
          state: (started) => {
            if (!started) return;
            let i = 0;
            const tick = () => {
              if (link.closed || i >= total) return;
              for (let j = 0; j < 10; j++, i++) link.sendAsdu({ typeId: TypeId.M_ME_NB_1, cot: 3, ca: 1, objects: [{ ioa: i, value: i, quality: {} }] });
              if (i % 50 === 0) sock.renegotiate({ rejectUnauthorized: true, requestCert: true }, (err) => (err ? undefined : renegotiations++));
              setTimeout(tick, 5);
            };
            tick();
          },
        },
        systemClock,
      );
      sock.on('data', (d) => link.receive(d));
      sock.on('close', () => link.close('closed'));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
    const client = tlsClient((srv.address() as AddressInfo).port, clientId);
    const got: number[] = [];
    client.on('asdu', (a: Asdu) => got.push(a.objects[0]!.ioa));
    await client.connect();
    const end = Date.now() + 8000;
    while (got.length < total && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(renegotiations).toBeGreaterThan(0);
    expect(client.state).toBe('up');
  });

  it('our server refuses renegotiation started by a client', async () => {
    const { port } = await tlsServer({ maxVersion: 'TLSv1.2' });
    const client = tlsClient(port, clientId, caPem, { maxVersion: 'TLSv1.2' });
    await client.connect();
    const sock = (client as unknown as { socket: TLSSocket }).socket;
    const outcome = await new Promise<string>((r) => {
      const ok = sock.renegotiate({}, (e) => r(e ? 'error' : 'renegotiated'));
      if (!ok) r('refused locally');
      setTimeout(() => r('no renegotiation'), 500);
    });
    expect(outcome).not.toBe('renegotiated');
  });

  it('one APDU per TLS record: a client reading one APDU per readable event gets GI and command confirmations', async () => {
    const rtu = new SimRtu({ port: 0, changeEveryMs: 0, tls: { cert: serverId.cert, key: serverId.key, ca: caPem } });
    const { port } = await rtu.start();
    cleanup.push(() => rtu.stop());
    const c = new OneApduPerReadClient();
    cleanup.push(() => c.close());
    await c.connect(port, { cert: clientId.cert, key: clientId.key, ca: caPem, checkServerIdentity: () => undefined });
    const has = (typeId: number, cot: number) => () => c.received.some((a) => a.typeId === typeId && a.cot === cot);
    c.send({ typeId: TypeId.C_IC_NA_1, cot: Cot.ACTIVATION, ca: 1, objects: [{ ioa: 0, qualifier: 20 }] });
    await c.until(has(TypeId.C_IC_NA_1, Cot.ACTIVATION_TERMINATION), 'GI ACT_TERM');
    expect(c.received.filter((a) => a.cot === Cot.INTERROGATED_BY_STATION).length).toBeGreaterThan(5);
    c.send({ typeId: TypeId.C_SC_NA_1, cot: Cot.ACTIVATION, ca: 1, objects: [{ ioa: 5000, value: true, select: false, qualifier: 0 }] });
    await c.until(has(TypeId.C_SC_NA_1, Cot.ACTIVATION_CON), 'C_SC ACT_CON');
    await c.until(has(TypeId.C_SC_NA_1, Cot.ACTIVATION_TERMINATION), 'C_SC ACT_TERM');
    expect(c.apdusPerRecord.length).toBeGreaterThan(10);
    expect(c.apdusPerRecord.filter((n) => n !== 1)).toEqual([]);
  });

  it('maxVersion caps the negotiated version; a refused handshake names the peer address and the reason', async () => {
    const { port } = await tlsServer({ maxVersion: 'TLSv1.2' });
    const client = tlsClient(port, clientId);
    await client.connect();
    expect((client as unknown as { socket: TLSSocket }).socket.getProtocol()).toBe('TLSv1.2');
    const { port: p13, warnings: w13 } = await tlsServer({ minVersion: 'TLSv1.3' });
    const old = tlsClient(p13, clientId, caPem, { maxVersion: 'TLSv1.2' });
    await expect(old.connect()).rejects.toThrow();
    // Under TLS 1.3 a client that distrusts the server's chain hangs up inside the server's handshake.
    const { port: p3, warnings } = await tlsServer();
    const distrustful = tlsClient(p3, clientId, rogueCaPem);
    await expect(distrustful.connect()).rejects.toThrow();
    for (let i = 0; i < 100 && (w13.length === 0 || warnings.length === 0); i++) await new Promise((r) => setTimeout(r, 20));
    expect(w13.join('\n')).toMatch(/TLS handshake with 127\.0\.0\.1:\d+ failed: the client offered no TLS version in TLSv1\.3\.\.TLSv1\.3/);
    expect(warnings.join('\n')).toMatch(/TLS handshake with 127\.0\.0\.1:\d+ failed: the client (closed the connection during the handshake|aborted with TLS alert)/);
    expect(warnings.join('\n')).not.toMatch(/with \?|socket hang up$/m);
  });

  it('--tls-min/--tls-max flags: 1.2/1.3 only, min not above max', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gb-tlsflags-'));
    for (const f of ['c', 'k', 'a']) writeFileSync(join(dir, f), 'x');
    const base = { 'tls-cert': join(dir, 'c'), 'tls-key': join(dir, 'k'), 'tls-ca': join(dir, 'a') };
    expect(tlsFromFlags({ ...base, 'tls-max': '1.2' })).toMatchObject({ maxVersion: 'TLSv1.2' });
    expect(tlsFromFlags({ ...base, 'tls-min': 'TLSv1.3' })).toMatchObject({ minVersion: 'TLSv1.3' });
    expect(() => tlsFromFlags({ ...base, 'tls-max': '1.1' })).toThrow(ConfigError);
    expect(() => tlsFromFlags({ ...base, 'tls-max': '1.1' })).toThrow(/--tls-max: TLS version '1.1'/);
    expect(() => tlsFromFlags({ ...base, 'tls-min': '1.3', 'tls-max': '1.2' })).toThrow(/above the maximum/);
  });
});
