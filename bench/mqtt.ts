/**
 * MQTT upstream throughput: points/s published to the embedded aedes broker on loopback (QoS 0 and QoS 1, retained),
 * acknowledged by the broker and received by a subscriber; buffering rate while the broker is down; RSS.
 * Bounded in count (N points per run) and time (each phase gives up after LIMIT_MS).
 */
import { startEmbeddedBroker } from '../src/protocols/mqtt/broker.js';
import { mqttSettings } from '../src/protocols/mqtt/mapping.js';
import { record } from '../src/protocols/mqtt/testing.js';
import { MqttUpstream } from '../src/protocols/mqtt/upstream.js';
import { GOOD, type Point } from '../src/core/point.js';
import { writeResult } from './lib.js';

const N = 50_000;
const DEVICES = 10;
const LIMIT_MS = 30_000;

function points(n: number, t: number): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < n; i++) {
    const device = `dev${i % DEVICES}`;
    const name = `x_p${Math.floor(i / DEVICES) % 100}`;
    out.push({ id: `bench/${device}/${name}`, device, name, value: i, unit: 'W', quality: GOOD, receiveTime: t });
  }
  return out;
}

async function until(pred: () => boolean, limitMs: number): Promise<boolean> {
  const end = performance.now() + limitMs;
  while (!pred()) {
    if (performance.now() > end) return false;
    await new Promise((r) => setImmediate(r));
  }
  return true;
}

async function run(qos: 0 | 1): Promise<Record<string, number | boolean>> {
  const broker = await startEmbeddedBroker();
  const rec = await record(broker.url, ['bench/#'], { clientId: `bench-sub-${qos}` });
  let received = 0;
  rec.client.removeAllListeners('message');
  rec.client.on('message', () => received++);
  const u = new MqttUpstream(mqttSettings({ url: broker.url, baseTopic: 'bench', qos, buffer: { maxMessages: N } }, { site: 'bench' }, {}));
  u.start();
  await until(() => u.status().state === 'up', 5000);
  await until(() => received >= 1, 5000); // birth seen: subscription active
  received = 0;
  const batch = points(N, Date.now());
  const t0 = performance.now();
  // Offer in batches of 1000 as a runtime would per poll cycle; yield between batches.
  for (let i = 0; i < N; i += 1000) {
    u.publishPoints(batch.slice(i, i + 1000));
    await new Promise((r) => setImmediate(r));
  }
  const acked = await until(() => u.stats().published >= N, LIMIT_MS);
  const tAck = performance.now() - t0;
  const delivered = await until(() => received >= N, LIMIT_MS);
  const tRecv = performance.now() - t0;
  const rssMB = Math.round(process.memoryUsage().rss / 1048576);
  const s = u.stats();
  await u.stop(2000);
  await rec.close();
  await broker.close();
  return {
    points: N,
    completed: acked && delivered,
    ackedPerSec: Math.round((s.published / tAck) * 1000),
    receivedPerSec: Math.round((received / tRecv) * 1000),
    dropped: s.dropped,
    rssMB,
  };
}

async function buffering(): Promise<Record<string, number>> {
  const u = new MqttUpstream(mqttSettings({ url: 'mqtt://127.0.0.1:1', buffer: { maxMessages: 10_000 } }, { site: 'bench' }));
  u.start();
  await until(() => u.status().state === 'down', 5000);
  const batch = points(N, Date.now());
  const t0 = performance.now();
  u.publishPoints(batch);
  const ms = performance.now() - t0;
  const s = u.stats();
  await u.stop(100);
  return { offered: N, bufferedPerSec: Math.round((N / ms) * 1000), buffered: s.buffered, dropped: s.dropped, rssMB: Math.round(process.memoryUsage().rss / 1048576) };
}

async function main(): Promise<void> {
  const qos0 = await run(0);
  const qos1 = await run(1);
  const down = await buffering();
  writeResult('mqtt', { broker: 'embedded aedes 1.x, loopback', qos0, qos1, brokerDown: down });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench mqtt failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
