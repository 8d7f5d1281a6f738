import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MqttConfigError, mqttUpstreamSchema, resolveMqttSettings } from './mapping.js';

const issues = (block: unknown) => {
  const r = mqttUpstreamSchema.safeParse(block);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('upstream.mqtt mapping block', () => {
  it('parses the documented example with defaults', () => {
    const block = parse(`
url: mqtts://broker.example:8883
clientId: gb-demo
username: gateway
passwordEnv: GB_MQTT_PASSWORD
tls: { ca: ca.pem }
baseTopic: gridbridge/{site}
topic: "{base}/{device}/{name}"
qos: 1
retain: true
statusTopic: "{base}/status"
commands: true
publish:
  - { device: inv1, name: W, deadband: 50 }
  - { device: meter1 }
buffer: { maxMessages: 5000 }
`);
    const b = mqttUpstreamSchema.parse(block);
    expect(b.tls).toEqual({ ca: 'ca.pem', insecure: false });
    expect(b.buffer.maxMessages).toBe(5000);
    expect(b.reconnect).toEqual({ minMs: 100, maxMs: 1000 });
    expect(b.publish).toEqual([{ device: 'inv1', name: 'W', deadband: 50 }, { device: 'meter1' }]);
  });

  it('an empty block is valid (embedded broker, publish all)', () => {
    const b = mqttUpstreamSchema.parse({});
    expect(b).toMatchObject({ baseTopic: 'gridbridge/{site}', topic: '{base}/{device}/{name}', qos: 1, retain: true, commands: false, publish: 'all' });
  });

  it.each([
    [{ password: 'secret' }, 'password', 'never goes in the mapping'],
    [{ tls: { rejectUnauthorized: false } }, 'tls.rejectUnauthorized', 'cannot be false'],
    [{ tls: { cert: 'c.pem' } }, 'tls.key', 'cert and key go together'],
    [{ topic: '{base}/{device}' }, 'topic', 'must use {name}'],
    [{ topic: '{base}/{dev}/{name}' }, 'topic', 'variable {dev}: unknown'],
    [{ statusTopic: '{base}/{device}/status' }, 'statusTopic', 'unknown variable'],
    [{ baseTopic: 'gb/#' }, 'baseTopic', 'wildcard'],
    [{ url: 'http://x' }, 'url', 'url must be'],
    [{ url: 'mqtt://x:1883', tls: { ca: 'a' } }, 'tls', 'use mqtts://'],
    [{ passwordEnv: 'X' }, 'username', 'needs a username'],
    [{ qos: 3 }, 'qos', ''],
    [{ publish: [] }, 'publish', ''],
    [{ buffer: { maxMessages: 0 } }, 'buffer.maxMessages', ''],
    [{ reconnect: { minMs: 5000, maxMs: 1000 } }, 'reconnect', 'maxMs'],
    [{ topc: 'x' }, '', 'topc'],
  ])('rejects %j at %s', (block, path, msg) => {
    const found = issues(block);
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((i) => i.path === path && i.message.includes(msg))).toBe(true);
  });

  it('resolves password from env, TLS files relative to the mapping dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gb-mqtt-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA PEM');
    const b = mqttUpstreamSchema.parse({ url: 'mqtts://h:8883', username: 'u', passwordEnv: 'PW', tls: { ca: 'ca.pem' }, commands: true });
    const s = resolveMqttSettings(b, { site: 's1', baseDir: dir, env: { PW: 'pw' } });
    expect(s).toMatchObject({ url: 'mqtts://h:8883', clientId: 'gridbridge-s1', username: 'u', password: 'pw', tls: { ca: 'CA PEM', insecure: false } });
    expect(s.commands).toEqual({ sourceClass: 'owner', validForMs: 900000, maxValidForMs: 86400000, timeoutMs: 30000 });
    // Node-RED credentials win over the environment
    expect(resolveMqttSettings(b, { site: 's1', baseDir: dir, env: {}, password: 'cred' }).password).toBe('cred');
  });

  it('names the field when a file or env variable is missing, or no url is known', () => {
    const b = mqttUpstreamSchema.parse({ url: 'mqtts://h', username: 'u', passwordEnv: 'NOPE', tls: { ca: 'missing.pem' } });
    expect(() => resolveMqttSettings(b, { site: 's', env: {} })).toThrow(/upstream\.mqtt\.passwordEnv: environment variable NOPE/);
    expect(() => resolveMqttSettings(b, { site: 's', env: { NOPE: 'x' }, baseDir: '/nonexistent' })).toThrow(MqttConfigError);
    expect(() => resolveMqttSettings(b, { site: 's', env: { NOPE: 'x' }, baseDir: '/nonexistent' })).toThrow(/tls\.ca/);
    expect(() => resolveMqttSettings(mqttUpstreamSchema.parse({}), { site: 's' })).toThrow(/url/);
    expect(resolveMqttSettings(mqttUpstreamSchema.parse({}), { site: 's', defaultUrl: 'mqtt://127.0.0.1:1883' }).url).toBe('mqtt://127.0.0.1:1883');
  });
});
