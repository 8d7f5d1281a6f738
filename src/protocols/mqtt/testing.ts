/**
 * Test helpers: an MQTT subscriber that records what it receives, and a wait helper.
 * Used by the MQTT stack tests, the interop test and Node-RED node tests.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

export interface Recorder {
  client: MqttClient;
  messages: Received[];
  /** Messages on one topic. */
  on(topic: string): Received[];
  /** Wait until `pred` holds for the received messages (polls every 10 ms; rejects after timeoutMs). */
  until(pred: (msgs: Received[]) => boolean, timeoutMs?: number, what?: string): Promise<Received[]>;
  publish(topic: string, payload: string | Buffer, opts?: { qos?: 0 | 1 | 2; retain?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function record(url: string, filters: string[], opts: IClientOptions = {}): Promise<Recorder> {
  const client = connect(url, { reconnectPeriod: 0, clientId: `rec-${Math.random().toString(16).slice(2, 10)}`, ...opts });
  await new Promise<void>((res, rej) => {
    client.once('connect', () => res());
    client.once('error', rej);
  });
  client.on('error', () => undefined);
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload: payload.toString('utf8'), qos: packet.qos, retain: packet.retain });
  });
  await client.subscribeAsync(filters.map((f) => ({ [f]: { qos: 2 as const } })).reduce((a, b) => ({ ...a, ...b }), {}));
  return {
    client,
    messages,
    on: (topic) => messages.filter((m) => m.topic === topic),
    until: (pred, timeoutMs = 5000, what = 'condition') => waitFor(() => (pred(messages) ? messages : undefined), timeoutMs, what),
    publish: async (topic, payload, o = {}) => {
      await client.publishAsync(topic, payload, { qos: o.qos ?? 1, retain: o.retain ?? false });
    },
    close: () => client.endAsync(true),
  };
}

/** Poll `fn` every 10 ms until it returns a value other than undefined/false. */
export async function waitFor<T>(fn: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
