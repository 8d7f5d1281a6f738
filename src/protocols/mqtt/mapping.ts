/**
 * The `upstream.mqtt` block of a pilot mapping YAML, and its resolution into MqttUpstream options
 * (files read, password taken from the environment or Node-RED credentials).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { SOURCE_CLASSES, type SourceClass } from '../../core/control.js';
import { errorMessage } from '../../core/errors.js';
import { TopicTemplate, TopicTemplateError, type TopicVariable } from './topic.js';

export const BASE_VARIABLES: readonly TopicVariable[] = ['site'];
export const POINT_VARIABLES: readonly TopicVariable[] = ['base', 'site', 'device', 'kind', 'name', 'unit'];
export const STATUS_VARIABLES: readonly TopicVariable[] = ['base', 'site'];

const URL_SCHEMES = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];

/** Selects points to publish: a device (all its points) or one point; optional report-by-exception settings. */
export const mqttPointSelectorSchema = z.strictObject({
  device: z.string().min(1).describe('Device id in this mapping'),
  name: z.string().min(1).optional().describe('Canonical point name; absent = every point of the device'),
  minIntervalMs: z.number().int().min(0).optional().describe('Publish this point at most once per interval (the last value is sent when it ends)'),
  deadband: z.number().min(0).optional().describe('Publish a numeric value only when it moved at least this much since the last publish'),
  maxIntervalMs: z.number().int().positive().optional().describe('Publish unchanged values again after this long (heartbeat)'),
});
export type MqttPointSelector = z.infer<typeof mqttPointSelectorSchema>;

export const mqttTlsSchema = z
  .strictObject({
    ca: z.string().min(1).optional().describe('PEM file of the CA(s) that sign the broker certificate (relative to the mapping file)'),
    cert: z.string().min(1).optional().describe('PEM client certificate file (mutual TLS)'),
    key: z.string().min(1).optional().describe('PEM client private key file (mutual TLS)'),
    servername: z.string().min(1).optional().describe('TLS server name (SNI and certificate check) when it differs from the URL host'),
    rejectUnauthorized: z
      .literal(true, { error: 'rejectUnauthorized cannot be false: broker certificates are always verified (a lab broker may use insecure: true, which logs a warning on every connect)' })
      .optional(),
    insecure: z.boolean().default(false).describe('Lab only: do not verify the broker certificate. Logged loudly on every connect.'),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), { error: 'cert and key go together (mutual TLS needs both)', path: ['key'] });

export const mqttCommandsSchema = z.strictObject({
  sourceClass: z.enum(SOURCE_CLASSES).default('owner').describe('Source class of control intents made from MQTT commands'),
  validForS: z.number().positive().default(900).describe('Validity of a command that gives no validFor (seconds)'),
  maxValidForS: z.number().positive().default(86400).describe('Longest validity a command may ask for (seconds)'),
  timeoutMs: z.number().int().positive().default(30000).describe('Answer "timeout" when the write has not completed by then'),
});

function templateCheck(allowed: readonly TopicVariable[], multi: readonly TopicVariable[], required: readonly TopicVariable[] = []) {
  return (tpl: string, ctx: z.RefinementCtx) => {
    try {
      const t = TopicTemplate.compile(tpl, allowed, multi);
      for (const r of required) if (!t.uses(r)) ctx.addIssue({ code: 'custom', message: `topic template "${tpl}" must use {${r}} so every point has its own topic` });
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: e instanceof TopicTemplateError ? e.message : errorMessage(e) });
    }
  };
}

export const mqttUpstreamSchema = z
  .strictObject({
    url: z
      .string()
      .refine((u) => URL.canParse(u) && URL_SCHEMES.includes(new URL(u).protocol), { error: `url must be ${URL_SCHEMES.map((s) => s + '//host:port').join(', ')}` })
      .optional()
      .describe('Broker URL; absent = the main job starts an embedded broker on 127.0.0.1'),
    clientId: z.string().min(1).max(65535).optional().describe('MQTT client id; default gridbridge-<site>'),
    username: z.string().optional(),
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'passwordEnv is the NAME of an environment variable' })
      .optional()
      .describe('Environment variable holding the password (or set it in the Node-RED node credentials)'),
    password: z.never({ error: 'a password never goes in the mapping file: use passwordEnv: NAME or the Node-RED node credentials' }).optional(),
    tls: mqttTlsSchema.optional(),
    baseTopic: z.string().default('gridbridge/{site}').superRefine(templateCheck(BASE_VARIABLES, [])).describe('Template; variables: {site}'),
    topic: z
      .string()
      .default('{base}/{device}/{name}')
      .superRefine(templateCheck(POINT_VARIABLES, ['base'], ['device', 'name']))
      .describe('Point topic template; variables: {base} {site} {device} {kind} {name} {unit}'),
    qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
    retain: z.boolean().default(true),
    statusTopic: z
      .string()
      .default('{base}/status')
      .superRefine(templateCheck(STATUS_VARIABLES, ['base']))
      .describe('Birth "online" and last will "offline" (both retained); variables: {base} {site}'),
    commands: z.union([z.boolean(), mqttCommandsSchema]).default(false).describe('Subscribe to "<point topic>/set", answer on "<point topic>/result"'),
    publish: z.union([z.literal('all'), z.array(mqttPointSelectorSchema).min(1)]).default('all'),
    minIntervalMs: z.number().int().min(0).optional().describe('Default for every published point'),
    deadband: z.number().min(0).optional().describe('Default for every published numeric point'),
    maxIntervalMs: z.number().int().positive().optional().describe('Default heartbeat for every published point'),
    buffer: z
      .strictObject({ maxMessages: z.number().int().positive().max(10_000_000).default(10000) })
      .default({ maxMessages: 10000 })
      .describe('Messages kept in memory while the broker is unreachable; the oldest are dropped (and counted) beyond this'),
    keepaliveS: z.number().int().min(0).max(65535).default(30),
    reconnect: z
      .strictObject({ minMs: z.number().int().positive().default(100), maxMs: z.number().int().positive().max(600_000).default(1000) })
      .default({ minMs: 100, maxMs: 1000 })
      .refine((r) => r.maxMs >= r.minMs, { error: 'reconnect.maxMs must be ≥ reconnect.minMs' })
      .describe('Reconnect backoff: exponential with jitter from minMs, capped at maxMs (default 1 s: back within ~1 s of a broker restart)'),
  })
  .superRefine((b, ctx) => {
    if (b.url && new URL(b.url).protocol === 'mqtt:' && b.tls) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'tls is set but the url is mqtt:// (plain TCP): use mqtts://' });
    }
    if (b.passwordEnv && b.username === undefined) {
      ctx.addIssue({ code: 'custom', path: ['username'], message: 'passwordEnv needs a username' });
    }
  });

/** The block as written in YAML (defaults optional). */
export type MqttUpstreamBlockInput = z.input<typeof mqttUpstreamSchema>;
/** The block after parsing (defaults applied). */
export type MqttUpstreamBlock = z.output<typeof mqttUpstreamSchema>;

/** A setting that cannot be resolved (missing file, missing environment variable), with its path in the mapping. */
export class MqttConfigError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`upstream.mqtt.${path}: ${reason}`);
    this.name = 'MqttConfigError';
  }
}

export interface MqttCommandSettings {
  sourceClass: SourceClass;
  validForMs: number;
  maxValidForMs: number;
  timeoutMs: number;
}

/** Connection and behaviour settings of MqttUpstream, resolved (no file names, no env names). */
export interface MqttSettings {
  url: string;
  site: string;
  clientId: string;
  username?: string;
  password?: string;
  tls?: { ca?: string; cert?: string; key?: string; servername?: string; insecure: boolean };
  baseTopic: string;
  topic: string;
  statusTopic: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  commands: MqttCommandSettings | false;
  publish: 'all' | MqttPointSelector[];
  minIntervalMs?: number;
  deadband?: number;
  maxIntervalMs?: number;
  bufferMaxMessages: number;
  keepaliveS: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Unacknowledged publishes on the wire at once; more wait in the buffer. */
  maxInflight: number;
  connectTimeoutMs: number;
}

export interface ResolveContext {
  /** Site id from the mapping (fills {site}). */
  site: string;
  /** URL of the embedded broker, used when the block has no url. */
  defaultUrl?: string;
  /** Directory of the mapping file; relative TLS file names resolve against it. */
  baseDir?: string;
  /** Environment for passwordEnv (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Password from Node-RED credentials; wins over passwordEnv. */
  password?: string;
}

export function resolveMqttSettings(block: MqttUpstreamBlock, ctx: ResolveContext): MqttSettings {
  const url = block.url ?? ctx.defaultUrl;
  if (!url) throw new MqttConfigError('url', 'no broker url and no embedded broker url given');
  let password = ctx.password;
  if (password === undefined && block.passwordEnv) {
    password = (ctx.env ?? process.env)[block.passwordEnv];
    if (password === undefined) throw new MqttConfigError('passwordEnv', `environment variable ${block.passwordEnv} is not set`);
  }
  const read = (field: 'ca' | 'cert' | 'key', file: string | undefined): string | undefined => {
    if (file === undefined) return undefined;
    const path = isAbsolute(file) ? file : resolve(ctx.baseDir ?? process.cwd(), file);
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new MqttConfigError(`tls.${field}`, `cannot read ${path}: ${errorMessage(e)}`);
    }
  };
  const tls = block.tls
    ? {
        ca: read('ca', block.tls.ca),
        cert: read('cert', block.tls.cert),
        key: read('key', block.tls.key),
        servername: block.tls.servername,
        insecure: block.tls.insecure,
      }
    : undefined;
  const c = block.commands === true ? mqttCommandsSchema.parse({}) : block.commands;
  const s: MqttSettings = {
    url,
    site: ctx.site,
    clientId: block.clientId ?? `gridbridge-${ctx.site}`,
    baseTopic: block.baseTopic,
    topic: block.topic,
    statusTopic: block.statusTopic,
    qos: block.qos,
    retain: block.retain,
    commands: c === false ? false : { sourceClass: c.sourceClass, validForMs: c.validForS * 1000, maxValidForMs: c.maxValidForS * 1000, timeoutMs: c.timeoutMs },
    publish: block.publish,
    bufferMaxMessages: block.buffer.maxMessages,
    keepaliveS: block.keepaliveS,
    reconnectMinMs: block.reconnect.minMs,
    reconnectMaxMs: block.reconnect.maxMs,
    maxInflight: 100,
    connectTimeoutMs: 30000,
  };
  if (block.username !== undefined) s.username = block.username;
  if (password !== undefined) s.password = password;
  if (tls) s.tls = tls;
  if (block.minIntervalMs !== undefined) s.minIntervalMs = block.minIntervalMs;
  if (block.deadband !== undefined) s.deadband = block.deadband;
  if (block.maxIntervalMs !== undefined) s.maxIntervalMs = block.maxIntervalMs;
  return s;
}

/** Settings for tests and simple embedding: parse a block (input form) and resolve it in one step. */
export function mqttSettings(block: MqttUpstreamBlockInput, ctx: ResolveContext, overrides: Partial<MqttSettings> = {}): MqttSettings {
  return { ...resolveMqttSettings(mqttUpstreamSchema.parse(block), ctx), ...overrides };
}
