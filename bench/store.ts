/**
 * Durable store-and-forward (src/core/store): what a site's upstream queue costs and holds.
 *
 * - Durable writes/s: MQTT point messages (topic + JSON payload as the MQTT adapter stores them) appended in batches
 *   of 500 (one poll of a 500-point site) and of 50; each append is one LMDB transaction committed before it returns.
 *   Append latency percentiles over ≥ 1000 appends.
 * - Baselines in the same run: the same batches as JSON lines appended to a file with fsync per batch (the naive
 *   durable journal), and as raw lmdb putSync of the batch (the store's own overhead on top of LMDB).
 * - Replay: a backlog handed out in order and confirmed (removal committed) through a Forwarder whose send resolves
 *   at once (the store's side of a replay; the upstream's own speed is its own bench), unlimited and at the default
 *   rate cap of 5000 points/s.
 * - Size: bytes the queue occupies per point (LZ4-compressed batches), and the disk a 7-day outage of 500 points
 *   every 10 s needs.
 * - MQTT reconnect after a broker restart: a real mosquitto stopped for OUTAGE_MS and started again on the same port;
 *   time from its listening again to the upstream being up, with the default backoff (100 ms → 1 s) and, in the same
 *   run, the former default (1 s → 60 s).
 * - Optional (STORE_FILL_DAYS=n): fill a queue with n days of a 500-point/10 s site, then report its bytes/point,
 *   file size, reopen time and the replay rate from that backlog (checks the 7-day extrapolation at scale).
 * Bounded in count; everything in a temp directory removed at the end. Timings on a shared, busy machine are noisy.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/core/clock.js';
import { GOOD, type Point } from '../src/core/point.js';
import { Forwarder, LmdbBackend, StoreQueue, openQueue } from '../src/core/store/index.js';
import { encodePointPayload } from '../src/protocols/mqtt/codec.js';
import { mqttSettings } from '../src/protocols/mqtt/mapping.js';
import { MqttUpstream, type MqttMessage } from '../src/protocols/mqtt/upstream.js';
import { percentile, writeResult } from './lib.js';

const SITE_POINTS = 500;
const PERIOD_S = 10;
const WEEK_POINTS = (7 * 86400 * SITE_POINTS) / PERIOD_S;

function batch(n: number, t: number, seq: number): MqttMessage[] {
  const out: MqttMessage[] = [];
  for (let i = 0; i < n; i++) {
    const device = `inv${i % 20}`;
    const name = `x_p${Math.floor(i / 20)}`;
    const p: Point = { id: `site/${device}/${name}`, device, name, kind: 'inverter', value: Math.round(Math.sin(seq + i) * 500000) / 100, unit: 'W', quality: GOOD, receiveTime: t, sourceTime: t - 3 };
    out.push({ topic: `gridbridge/site/${device}/${name}`, payload: encodePointPayload(p), qos: 1, retain: false });
  }
  return out;
}

function appendRun(dir: string, size: number, appends: number): { pointsPerS: number; p50Ms: number; p99Ms: number; bytesPerPoint: number } {
  const q = openQueue<MqttMessage>(`w${size}`, { dir });
  const batches = Array.from({ length: 20 }, (_, k) => batch(size, Date.UTC(2026, 0, 1) + k * 10_000, k));
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < appends; i++) {
    const s = performance.now();
    q.append(batches[i % batches.length]!);
    lat.push(performance.now() - s);
  }
  const el = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const st = q.stats();
  q.close();
  return { pointsPerS: Math.round((size * appends) / el), p50Ms: round(percentile(lat, 50)), p99Ms: round(percentile(lat, 99)), bytesPerPoint: round(st.bytes / st.depth) };
}

function journalBaseline(dir: string, size: number, appends: number): number {
  const file = join(dir, `journal-${size}.jsonl`);
  const fd = openSync(file, 'a');
  const lines = Array.from({ length: 20 }, (_, k) => batch(size, Date.UTC(2026, 0, 1) + k * 10_000, k).map((m) => JSON.stringify(m)).join('\n') + '\n');
  const t0 = performance.now();
  for (let i = 0; i < appends; i++) {
    appendFileSync(fd, lines[i % lines.length]!);
    fsyncSync(fd);
  }
  const el = (performance.now() - t0) / 1000;
  closeSync(fd);
  return Math.round((size * appends) / el);
}

function rawLmdbBaseline(dir: string, size: number, appends: number): number {
  const lmdb = require('lmdb') as { open(o: object): { putSync(k: unknown, v: unknown): void; close(): Promise<void> } };
  const db = lmdb.open({ path: join(dir, 'raw.lmdb'), compression: true });
  const batches = Array.from({ length: 20 }, (_, k) => batch(size, Date.UTC(2026, 0, 1) + k * 10_000, k));
  const t0 = performance.now();
  for (let i = 0; i < appends; i++) db.putSync(i, batches[i % batches.length]!);
  const el = (performance.now() - t0) / 1000;
  void db.close();
  return Math.round((size * appends) / el);
}

async function replayRun(dir: string, points: number, ratePerS: number): Promise<{ pointsPerS: number; points: number }> {
  const name = `r${ratePerS}`;
  const q = openQueue<MqttMessage>(name, { dir });
  for (let i = 0; i < points / SITE_POINTS; i++) q.append(batch(SITE_POINTS, Date.UTC(2026, 0, 1) + i * 10_000, i));
  q.close();
  // Reopen as after a restart: the backlog is on disk.
  const backend = new LmdbBackend<MqttMessage>(dir, name);
  const q2 = new StoreQueue<MqttMessage>(name, backend, 1e12);
  let sent = 0;
  let lastT = 0;
  let ordered = true;
  const f = new Forwarder(q2, {
    clock: systemClock,
    ratePerS,
    maxInflight: 1000,
    send: (m) => {
      sent++;
      const t = Date.parse((JSON.parse(m.payload) as { receiveTime: string }).receiveTime);
      if (t < lastT) ordered = false;
      lastT = t;
      return Promise.resolve(true);
    },
  });
  const t0 = performance.now();
  f.online(true);
  while (q2.size > 0) await new Promise((r) => setTimeout(r, 1));
  const el = (performance.now() - t0) / 1000;
  f.stop();
  await backend.closeAsync();
  if (!ordered || sent !== points) throw new Error(`replay ${name}: ${sent} of ${points} sent, ordered ${ordered}`);
  return { pointsPerS: Math.round(points / el), points };
}

const OUTAGE_MS = 6000;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const listening = (port: number) =>
  new Promise<boolean>((res) => {
    const c = netConnect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), res(true)));
    c.once('error', () => res(false));
  });

async function mosquitto(conf: string, port: number): Promise<ChildProcess> {
  const m = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const end = performance.now() + 10_000;
  while (!(await listening(port))) {
    if (performance.now() > end) throw new Error('mosquitto did not start');
    await new Promise((r) => setTimeout(r, 5));
  }
  return m;
}

/** ms from mosquitto listening again to the upstream up, per restart. */
async function reconnectRun(dir: string, reconnect: { minMs: number; maxMs: number }, runs: number): Promise<number[]> {
  const port = await freePort();
  const conf = join(dir, `mosquitto-${port}.conf`);
  writeFileSync(conf, [...(process.getuid?.() === 0 ? ['user root'] : []), `listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', ''].join('\n'));
  let m = await mosquitto(conf, port);
  const up = new MqttUpstream(mqttSettings({ url: `mqtt://127.0.0.1:${port}`, clientId: `bench-${port}`, reconnect }, { site: 'bench' }));
  const isUp = () => up.status().state === 'up';
  up.start();
  const out: number[] = [];
  try {
    while (!isUp()) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < runs; i++) {
      const exited = new Promise((r) => m.once('exit', r));
      m.kill('SIGTERM');
      await exited;
      while (isUp()) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      m = await mosquitto(conf, port);
      const t0 = performance.now();
      while (!isUp()) await new Promise((r) => setTimeout(r, 2));
      out.push(Math.round(performance.now() - t0));
    }
  } finally {
    await up.stop(500);
    m.kill('SIGTERM');
  }
  return out;
}

async function fillRun(dir: string, days: number): Promise<Record<string, number>> {
  const batches = Math.round((days * 86400) / PERIOD_S);
  const q = openQueue<MqttMessage>('fill', { dir, maxBytes: 64 * 1024 ** 3 });
  const proto = Array.from({ length: 50 }, (_, k) => batch(SITE_POINTS, Date.UTC(2026, 0, 1) + k * 10_000, k));
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) {
    // Fresh timestamps per batch (as a real site), values cycling through 50 polls.
    const t = new Date(Date.UTC(2026, 0, 1) + i * PERIOD_S * 1000).toISOString();
    q.append(proto[i % proto.length]!.map((m) => ({ ...m, payload: m.payload.replace(/"receiveTime":"[^"]*"/, `"receiveTime":"${t}"`) })));
  }
  const writeS = (performance.now() - t0) / 1000;
  const st = q.stats();
  q.close();
  await new Promise((r) => setTimeout(r, 200));
  const o0 = performance.now();
  const backend = new LmdbBackend<MqttMessage>(dir, 'fill');
  const q2 = new StoreQueue<MqttMessage>('fill', backend, 64 * 1024 ** 3);
  const reopenMs = performance.now() - o0;
  let sent = 0;
  const f = new Forwarder(q2, { clock: systemClock, ratePerS: 0, maxInflight: 1000, send: () => (sent++, Promise.resolve(true)) });
  const r0 = performance.now();
  f.online(true);
  while (sent < 200_000) await new Promise((r) => setTimeout(r, 1));
  const replayPerS = sent / ((performance.now() - r0) / 1000);
  f.stop();
  await backend.closeAsync();
  return {
    days,
    points: st.stored,
    writePointsPerS: Math.round(st.stored / writeS),
    bytesPerPoint: round(st.bytes / st.depth),
    fileMiB: Math.round(statSync(join(dir, 'store.lmdb')).size / 1048576),
    reopenMs: Math.round(reopenMs),
    replayFromBacklogPointsPerS: Math.round(replayPerS),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gb-bench-store-'));
  try {
    const w500 = appendRun(dir, SITE_POINTS, 1000);
    const w50 = appendRun(dir, 50, 1000);
    const w1 = appendRun(dir, 1, 1000);
    const journal500 = journalBaseline(dir, SITE_POINTS, 200);
    const raw500 = rawLmdbBaseline(dir, SITE_POINTS, 200);
    const replay = await replayRun(dir, 100_000, 0);
    const replayCapped = await replayRun(dir, 20_000, 5000);
    const bytesPerPoint = w500.bytesPerPoint;
    const fillDays = Number(process.env.STORE_FILL_DAYS ?? 0);
    const fill = fillDays > 0 ? await fillRun(dir, fillDays) : undefined;
    const haveMosquitto = spawnSync('mosquitto', ['-h']).error === undefined;
    const reconnectNow = haveMosquitto ? await reconnectRun(dir, { minMs: 100, maxMs: 1000 }, 3) : [];
    const reconnectFormer = haveMosquitto ? await reconnectRun(dir, { minMs: 1000, maxMs: 60000 }, 3) : [];
    writeResult('store', {
      modelled: 'MQTT point messages as the adapter stores them; LMDB in a temp dir on this machine\'s disk; send() of the replay resolves at once (store side only)',
      durableWrites: {
        batch500: w500,
        batch50: w50,
        batch1: w1,
        baselineJsonlFsyncBatch500PointsPerS: journal500,
        baselineRawLmdbPutSyncBatch500PointsPerS: raw500,
        goalPointsPerS: 20_000,
      },
      replay: {
        unlimitedPointsPerS: replay.pointsPerS,
        cappedAt5000PointsPerS: replayCapped.pointsPerS,
        realTimePointsPerS: SITE_POINTS / PERIOD_S,
        timesRealTimeUnlimited: Math.round(replay.pointsPerS / (SITE_POINTS / PERIOD_S)),
        points: replay.points,
      },
      sizing: {
        bytesPerPoint,
        weekPoints: WEEK_POINTS,
        weekGiB: round((bytesPerPoint * WEEK_POINTS) / 1024 ** 3),
        defaultQuotaGiB: 2,
      },
      ...(fill ? { fill } : {}),
      mqttReconnectAfterBrokerRestart: haveMosquitto
        ? { outageMs: OUTAGE_MS, defaultBackoff100msTo1sMs: reconnectNow, formerBackoff1sTo60sMs: reconnectFormer, peer: 'mosquitto (Debian) stopped with SIGTERM and started again on the same port' }
        : 'mosquitto not installed: not measured',
      note: 'shared 2-core machine with other jobs running: figures are noisy',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
