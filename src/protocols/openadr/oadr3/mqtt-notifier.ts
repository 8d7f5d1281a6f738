/**
 * OpenADR 3.1.0 MQTT notifier binding, VEN side. The VTN describes its broker in `GET /notifiers` (`MQTT.URIS`,
 * `authentication`: ANONYMOUS, OAUTH2_BEARER_TOKEN with a username, or CERTIFICATE with PEM strings;
 * `serialization`: JSON) and topic names per object and operation in `GET /notifiers/mqtt/topics/...`
 * (`{ topics: { CREATE?, UPDATE, DELETE, ALL? } }`). Messages carry the same notification object as webhooks.
 */
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { z } from 'zod';
import type { Deviations } from './models.js';

export const mqttBindingSchema = z.object({
  URIS: z.array(z.string()).min(1),
  serialization: z.string(),
  authentication: z.union([
    z.object({ method: z.literal('ANONYMOUS') }),
    z.object({ method: z.literal('OAUTH2_BEARER_TOKEN'), username: z.string() }),
    z.object({ method: z.literal('CERTIFICATE'), caCert: z.string(), clientCert: z.string(), clientKey: z.string() }),
  ]),
});
export const notifiersSchema = z.object({ WEBHOOK: z.boolean().optional(), MQTT: mqttBindingSchema.nullish() });
export const topicsResponseSchema = z.object({
  topics: z.object({ CREATE: z.string().optional(), UPDATE: z.string(), DELETE: z.string(), ALL: z.string().optional() }),
});

export type MqttBinding = z.infer<typeof mqttBindingSchema>;
export type NotifierTopics = z.infer<typeof topicsResponseSchema>['topics'];

/** The topics to subscribe to for one object set: ALL when the VTN offers it, else each operation. */
export function topicFilters(t: NotifierTopics): string[] {
  return t.ALL ? [t.ALL] : [t.CREATE, t.UPDATE, t.DELETE].filter((x): x is string => typeof x === 'string');
}

export interface MqttNotifierOptions {
  clientId: string;
  /** Current OAuth2 access token (password for OAUTH2_BEARER_TOKEN brokers). */
  token(): string | undefined;
  onMessage(topic: string, text: string): void;
  onState(connected: boolean, reason?: string): void;
  dev?: Deviations;
  /** Broker connection attempts give up after this long. */
  connectTimeoutMs?: number;
}

export class MqttNotifier {
  private client: MqttClient | undefined;
  private readonly subscribed = new Set<string>();

  constructor(
    readonly binding: MqttBinding,
    private readonly opts: MqttNotifierOptions,
  ) {}

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Connect once; mqtt.js then reconnects by itself and resubscribes (the VEN keeps polling as a safety net). */
  async connect(): Promise<void> {
    if (this.client) return;
    const uri = this.binding.URIS.find((u) => /^mqtts?:\/\//.test(u));
    if (!uri) throw new Error(`notifiers: no mqtt:// or mqtts:// URI in ${JSON.stringify(this.binding.URIS)}`);
    if (uri.startsWith('mqtt://')) this.opts.dev?.(`notifiers: MQTT broker ${uri} is not TLS (the 3.1.0 Definition requires MQTTS)`);
    if (this.binding.serialization !== 'JSON') throw new Error(`notifiers: MQTT serialization ${this.binding.serialization} is not supported (JSON only)`);
    const auth = this.binding.authentication;
    const options: IClientOptions = {
      clientId: `${this.opts.clientId}-${Math.random().toString(16).slice(2, 10)}`,
      protocolVersion: 5,
      reconnectPeriod: 5000,
      connectTimeout: this.opts.connectTimeoutMs ?? 15000,
      clean: true,
      ...(auth.method === 'OAUTH2_BEARER_TOKEN' ? { username: auth.username === '{clientID}' ? this.opts.clientId : auth.username, password: this.opts.token() ?? '' } : {}),
      ...(auth.method === 'CERTIFICATE' ? { ca: auth.caCert, cert: auth.clientCert, key: auth.clientKey, rejectUnauthorized: true } : {}),
    };
    const client = await connectAsync(uri, options);
    this.client = client;
    client.on('message', (topic, payload) => this.opts.onMessage(topic, payload.toString('utf8')));
    client.on('connect', () => this.opts.onState(true));
    client.on('close', () => {
      // A fresh token for the next attempt (OAuth2 tokens expire).
      if (auth.method === 'OAUTH2_BEARER_TOKEN') client.options.password = this.opts.token() ?? '';
      this.opts.onState(false, 'MQTT broker connection closed');
    });
    client.on('error', (e) => this.opts.onState(false, `MQTT: ${e.message}`));
    this.opts.onState(true);
  }

  async subscribe(filters: string[]): Promise<void> {
    const fresh = filters.filter((f) => !this.subscribed.has(f));
    if (!this.client || fresh.length === 0) return;
    const granted = await this.client.subscribeAsync(fresh, { qos: 1 });
    const refused = granted.filter((g) => g.qos === 128);
    if (refused.length) throw new Error(`MQTT broker refused subscription to ${refused.map((g) => g.topic).join(', ')}`);
    for (const f of fresh) this.subscribed.add(f);
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.subscribed.clear();
    if (c) await c.endAsync(true).catch(() => undefined);
  }
}
