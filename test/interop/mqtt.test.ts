/**
 * Interop: the MQTT upstream against a real mosquitto (Debian package), started here on free loopback ports.
 * A TCP proxy between GridBridge and mosquitto cuts or refuses connections to exercise the last will and the
 * broker-down buffer. Run with `npm run test:interop`.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { GOOD, pointToJson, type Point } from '../../src/core/point.js';
import { mqttSettings, type MqttUpstreamBlockInput } from '../../src/protocols/mqtt/mapping.js';
import { record, waitFor, type Recorder } from '../../src/protocols/mqtt/testing.js';
import { MqttUpstream, type MqttUpstreamOptions } from '../../src/protocols/mqtt/upstream.js';

const T0 = Date.UTC(2026, 0, 1, 12);
const pt = (device: string, name: string, value: Point['value']): Point => ({ id: `s1/${device}/${name}`, device, name, value, unit: 'W', quality: GOOD, receiveTime: T0 });

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = netConnect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

/** A TCP proxy that can cut every connection (the broker sees a dead client) and refuse new ones. */
class Proxy {
  private server: Server | undefined;
  private readonly pairs = new Set<[Socket, Socket]>();
  constructor(
    readonly port: number,
    private readonly target: number,
  ) {}
  async open(): Promise<void> {
    this.server = createServer((down) => {
      const up = netConnect(this.target, '127.0.0.1');
      const pair: [Socket, Socket] = [down, up];
      this.pairs.add(pair);
      const end = () => {
        down.destroy();
        up.destroy();
        this.pairs.delete(pair);
      };
      down.on('error', end).on('close', end);
      up.on('error', end).on('close', end);
      down.pipe(up);
      up.pipe(down);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
  }
  cut(): void {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }
  async close(): Promise<void> {
    this.cut();
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

let dir: string;
let mosquitto: ChildProcess;
let port: number;
let authPort: number;
let url: string;
let stderr = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gb-mosquitto-'));
  port = await freePort();
  authPort = await freePort();
  writeFileSync(join(dir, 'passwd'), '');
  execFileSync('mosquitto_passwd', ['-b', join(dir, 'passwd'), 'gw', 's3cret']);
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      // As root, mosquitto would switch to the "mosquitto" user, which cannot read this private temp dir.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      'per_listener_settings true',
      'persistence false',
      'log_dest stderr',
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      `listener ${authPort} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${join(dir, 'passwd')}`,
      '',
    ].join('\n'),
  );
  mosquitto = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  mosquitto.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const end = Date.now() + 10000;
  while (!(await portOpen(port)) || !(await portOpen(authPort))) {
    if (Date.now() > end || mosquitto.exitCode !== null) throw new Error(`mosquitto did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  url = `mqtt://127.0.0.1:${port}`;
});

afterAll(() => {
  mosquitto?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

let cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  cleanups = [];
});

async function recorder(filters: string[]): Promise<Recorder> {
  const r = await record(url, filters);
  cleanups.push(() => r.close());
  return r;
}
function upstream(brokerUrl: string, block: MqttUpstreamBlockInput, opts: MqttUpstreamOptions = {}, password?: string) {
  const u = new MqttUpstream(mqttSettings({ url: brokerUrl, ...block }, { site: 's1', ...(password ? { password } : {}) }), opts);
  cleanups.push(() => u.stop(1000));
  return { u, state: (s: string) => waitFor(() => u.status().state === s, 10000, s) };
}

describe('MQTT upstream against mosquitto', () => {
  it('publishes exact payloads with QoS 1 and retain, and a retained birth', async () => {
    const base = `gridbridge/it-${Date.now()}`;
    const rec = await recorder([`${base}/#`]);
    const { u, state } = upstream(url, { clientId: 'gb-it-1', baseTopic: base, qos: 1 });
    u.start();
    await state('up');
    const points = [pt('inv1', 'W', 1234), pt('inv1', 'Conn', true), pt('bat1', 'x_mode', 'idle')];
    expect(u.publishPoints(points).queued).toBe(3);
    await rec.until((m) => m.length >= 4);
    for (const p of points) {
      const got = rec.on(`${base}/${p.device}/${p.name}`);
      expect(got).toHaveLength(1);
      expect(JSON.parse(got[0]!.payload)).toEqual(pointToJson(p));
      expect(got[0]!.qos).toBe(1);
    }
    const late = await recorder([`${base}/#`]);
    await late.until((m) => m.length >= 4);
    expect(late.messages.every((m) => m.retain)).toBe(true);
    expect(late.on(`${base}/status`)[0]!.payload).toBe('online');
  });

  it('last will "offline" when the connection dies, buffer while unreachable, flush in order after reconnect', async () => {
    const base = `gridbridge/it-${Date.now()}`;
    const proxy = new Proxy(await freePort(), port);
    await proxy.open();
    cleanups.push(() => proxy.close());
    const rec = await recorder([`${base}/#`]);
    const clock = new FakeClock(T0);
    const { u, state } = upstream(`mqtt://127.0.0.1:${proxy.port}`, { clientId: 'gb-it-2', baseTopic: base, buffer: { maxMessages: 4 }, reconnect: { minMs: 1000, maxMs: 1000 } }, { clock });
    u.start();
    await state('up');
    await rec.until((m) => m.some((x) => x.payload === 'online'));
    await proxy.close(); // connection cut and port closed: mosquitto sees a dead client
    await rec.until((m) => m.some((x) => x.topic === `${base}/status` && x.payload === 'offline'), 10000, 'last will');
    await state('down');
    for (let i = 1; i <= 6; i++) u.publishPoints([pt('inv1', 'WH', i)]);
    expect(u.stats()).toMatchObject({ buffered: 4, dropped: 2 });
    let downs = 0;
    u.on('status', (st) => (downs += st.state === 'down' ? 1 : 0));
    clock.advance(1000); // reconnect attempt while the proxy still refuses
    await waitFor(() => downs >= 1, 10000, 'refused attempt');
    expect(u.status().reason).toMatch(/ECONNREFUSED/);
    await proxy.open();
    clock.advance(1000);
    await state('up');
    await rec.until((m) => m.filter((x) => x.topic.endsWith('/WH')).length >= 4);
    expect(rec.on(`${base}/inv1/WH`).map((m) => JSON.parse(m.payload).value)).toEqual([3, 4, 5, 6]);
    expect(rec.on(`${base}/status`).map((m) => m.payload)).toEqual(['online', 'offline', 'online']);
    await u.stop();
    await rec.until((m) => m.filter((x) => x.topic === `${base}/status`).length >= 4);
    expect(rec.on(`${base}/status`).at(-1)!.payload).toBe('offline');
  });

  it('commands: /set → onCommand → /result; malformed → error result', async () => {
    const base = `gridbridge/it-${Date.now()}`;
    const rec = await recorder([`${base}/+/+/result`]);
    const { u, state } = upstream(url, { clientId: 'gb-it-3', baseTopic: base, commands: true }, { onCommand: async (c) => ({ ok: true, value: c.value }) });
    u.start();
    await state('up');
    // the subscription is made on connect: repeat a probe command until it is answered
    for (let i = 0; i < 50 && !rec.messages.some((x) => JSON.parse(x.payload).id === 'probe'); i++) {
      await rec.publish(`${base}/inv1/WMaxLimPct/set`, '{"value": 60, "id": "probe"}');
      await new Promise((r) => setTimeout(r, 100));
    }
    await rec.until((m) => m.some((x) => JSON.parse(x.payload).id === 'probe'));
    await rec.publish(`${base}/inv1/WMaxLimPct/set`, '{"value": 42, "id": "c2", "validFor": 30}');
    await rec.publish(`${base}/inv1/WMaxLimPct/set`, '{"value":');
    await rec.until((m) => m.some((x) => JSON.parse(x.payload).id === 'c2') && m.some((x) => JSON.parse(x.payload).ok === false));
    const answers = rec.messages.map((m) => JSON.parse(m.payload) as { id: string | null; ok: boolean; reason: string | null; value: unknown });
    expect(answers.find((a) => a.id === 'c2')).toMatchObject({ ok: true, value: 42, reason: null });
    expect(answers.find((a) => !a.ok)!.reason).toMatch(/malformed JSON/);
  });

  it('username/password: refused with the reason when wrong, up when right', async () => {
    const authUrl = `mqtt://127.0.0.1:${authPort}`;
    const bad = upstream(authUrl, { clientId: 'gb-it-bad', username: 'gw' }, { clock: new FakeClock() }, 'wrong');
    bad.u.start();
    await bad.state('down');
    expect(bad.u.status().reason).toMatch(/Not authorized|Bad username/i);
    const good = upstream(authUrl, { clientId: 'gb-it-good', username: 'gw' }, {}, 's3cret');
    good.u.start();
    await good.state('up');
  });
});
