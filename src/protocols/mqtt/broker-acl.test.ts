import { afterEach, describe, expect, it } from 'vitest';
import { connect, type MqttClient } from 'mqtt';
import { filterCovers, hashBrokerPassword, startEmbeddedBroker, type EmbeddedBroker } from './broker.js';

// Embedded broker with users and allow-lists, checked with a real mqtt.js client over TCP.
let broker: EmbeddedBroker | undefined;
const clients: MqttClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.end(true);
  await broker?.close();
  broker = undefined;
});

function open(opts: { username?: string; password?: string }): Promise<{ client?: MqttClient; error?: Error }> {
  return new Promise((resolve) => {
    const c = connect(broker!.url, { ...opts, reconnectPeriod: 0, connectTimeout: 5000 });
    clients.push(c);
    c.once('connect', () => resolve({ client: c }));
    c.once('error', (error) => resolve({ error }));
  });
}

describe('embedded broker users and allow-lists', () => {
  it('matches topic filters as MQTT does', () => {
    expect(filterCovers('a/+/c', 'a/b/c')).toBe(true);
    expect(filterCovers('a/#', 'a')).toBe(true);
    expect(filterCovers('a/#', 'a/b/c')).toBe(true);
    expect(filterCovers('a/+', 'a/b/c')).toBe(false);
    expect(filterCovers('a/+', 'a/#')).toBe(false);
    expect(filterCovers('a/#', 'a/+/x')).toBe(true);
    expect(filterCovers('#', '$SYS/x')).toBe(false);
    expect(filterCovers('a/b', 'a/b/c')).toBe(false);
  });

  it('refuses anonymous and wrong passwords, and lets a user command only what its allow-list names', async () => {
    broker = await startEmbeddedBroker({
      users: [
        { username: 'scada', password: hashBrokerPassword('scada-pw'), publish: ['gb/site/inverter/WMaxLimPct/set'] },
        { username: 'viewer', password: 'viewer-pw', subscribe: ['gb/site/+/W'] },
      ],
    });
    expect((await open({})).error?.message).toMatch(/Not authorized|Bad username|unauthori/i);
    expect((await open({ username: 'scada', password: 'nope' })).error?.message).toMatch(/Not authorized|Bad username|unauthori/i);

    const published: string[] = [];
    broker.aedes.on('publish', (p, c) => { if (c) published.push(p.topic); });
    const scada = (await open({ username: 'scada', password: 'scada-pw' })).client!;
    await new Promise<void>((resolve, reject) => scada.publish('gb/site/inverter/WMaxLimPct/set', '50', { qos: 1 }, (e) => (e ? reject(e) : resolve())));
    expect(published).toEqual(['gb/site/inverter/WMaxLimPct/set']);
    // Not on its list: the broker drops the connection rather than deliver the command.
    const closed = new Promise<void>((resolve) => scada.once('close', () => resolve()));
    scada.publish('gb/site/battery/WSet/set', '1000', { qos: 1 });
    await closed;
    expect(published).toEqual(['gb/site/inverter/WMaxLimPct/set']);

    const viewer = (await open({ username: 'viewer', password: 'viewer-pw' })).client!;
    const sub = (f: string) => new Promise<string>((resolve) => viewer.subscribe(f, { qos: 0 }, (e, g) => resolve(e ? `refused: ${e.message}` : `granted ${g?.[0]?.qos}`)));
    expect(await sub('gb/site/meter/W')).toBe('granted 0');
    expect(await sub('gb/#')).toMatch(/^refused/);
    const vclosed = new Promise<void>((resolve) => viewer.once('close', () => resolve()));
    viewer.publish('gb/site/inverter/WMaxLimPct/set', '0', { qos: 1 });
    await vclosed;
    expect(published).toEqual(['gb/site/inverter/WMaxLimPct/set']);
  });

  it('listens beyond loopback only with TLS and users', async () => {
    await expect(startEmbeddedBroker({ host: '0.0.0.0' })).rejects.toThrow(/beyond loopback\) needs TLS \(certificate and key\) and users/);
    await expect(startEmbeddedBroker({ host: '0.0.0.0', users: [{ username: 'a', password: 'password1' }] })).rejects.toThrow(/needs TLS/);
  });
});
