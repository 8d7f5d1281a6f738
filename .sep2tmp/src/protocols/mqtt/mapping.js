"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.MqttConfigError = exports.mqttUpstreamSchema = exports.mqttCommandsSchema = exports.mqttTlsSchema = exports.mqttPointSelectorSchema = exports.STATUS_VARIABLES = exports.POINT_VARIABLES = exports.BASE_VARIABLES = void 0;
exports.resolveMqttSettings = resolveMqttSettings;
exports.mqttSettings = mqttSettings;
/**
 * The `upstream.mqtt` block of a pilot mapping YAML, and its resolution into MqttUpstream options
 * (files read, password taken from the environment or Node-RED credentials).
 */
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const zod_1 = require("zod");
const control_js_1 = require("../../core/control.js");
const errors_js_1 = require("../../core/errors.js");
const topic_js_1 = require("./topic.js");
exports.BASE_VARIABLES = ['site'];
exports.POINT_VARIABLES = ['base', 'site', 'device', 'kind', 'name', 'unit'];
exports.STATUS_VARIABLES = ['base', 'site'];
const URL_SCHEMES = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];
/** Selects points to publish: a device (all its points) or one point; optional report-by-exception settings. */
exports.mqttPointSelectorSchema = zod_1.z.strictObject({
    device: zod_1.z.string().min(1).describe('Device id in this mapping'),
    name: zod_1.z.string().min(1).optional().describe('Canonical point name; absent = every point of the device'),
    minIntervalMs: zod_1.z.number().int().min(0).optional().describe('Publish this point at most once per interval (the last value is sent when it ends)'),
    deadband: zod_1.z.number().min(0).optional().describe('Publish a numeric value only when it moved at least this much since the last publish'),
    maxIntervalMs: zod_1.z.number().int().positive().optional().describe('Publish unchanged values again after this long (heartbeat)'),
});
exports.mqttTlsSchema = zod_1.z
    .strictObject({
    ca: zod_1.z.string().min(1).optional().describe('PEM file of the CA(s) that sign the broker certificate (relative to the mapping file)'),
    cert: zod_1.z.string().min(1).optional().describe('PEM client certificate file (mutual TLS)'),
    key: zod_1.z.string().min(1).optional().describe('PEM client private key file (mutual TLS)'),
    servername: zod_1.z.string().min(1).optional().describe('TLS server name (SNI and certificate check) when it differs from the URL host'),
    rejectUnauthorized: zod_1.z
        .literal(true, { error: 'rejectUnauthorized cannot be false: broker certificates are always verified (a lab broker may use insecure: true, which logs a warning on every connect)' })
        .optional(),
    insecure: zod_1.z.boolean().default(false).describe('Lab only: do not verify the broker certificate. Logged loudly on every connect.'),
})
    .refine((t) => (t.cert === undefined) === (t.key === undefined), { error: 'cert and key go together (mutual TLS needs both)', path: ['key'] });
exports.mqttCommandsSchema = zod_1.z.strictObject({
    sourceClass: zod_1.z.enum(control_js_1.SOURCE_CLASSES).default('owner').describe('Source class of control intents made from MQTT commands'),
    validForS: zod_1.z.number().positive().default(900).describe('Validity of a command that gives no validFor (seconds)'),
    maxValidForS: zod_1.z.number().positive().default(86400).describe('Longest validity a command may ask for (seconds)'),
    timeoutMs: zod_1.z.number().int().positive().default(30000).describe('Answer "timeout" when the write has not completed by then'),
});
function templateCheck(allowed, multi, required = []) {
    return (tpl, ctx) => {
        try {
            const t = topic_js_1.TopicTemplate.compile(tpl, allowed, multi);
            for (const r of required)
                if (!t.uses(r))
                    ctx.addIssue({ code: 'custom', message: `topic template "${tpl}" must use {${r}} so every point has its own topic` });
        }
        catch (e) {
            ctx.addIssue({ code: 'custom', message: e instanceof topic_js_1.TopicTemplateError ? e.message : (0, errors_js_1.errorMessage)(e) });
        }
    };
}
exports.mqttUpstreamSchema = zod_1.z
    .strictObject({
    url: zod_1.z
        .string()
        .refine((u) => URL.canParse(u) && URL_SCHEMES.includes(new URL(u).protocol), { error: `url must be ${URL_SCHEMES.map((s) => s + '//host:port').join(', ')}` })
        .optional()
        .describe('Broker URL; absent = the main job starts an embedded broker on 127.0.0.1'),
    clientId: zod_1.z.string().min(1).max(65535).optional().describe('MQTT client id; default gridbridge-<site>'),
    username: zod_1.z.string().optional(),
    passwordEnv: zod_1.z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'passwordEnv is the NAME of an environment variable' })
        .optional()
        .describe('Environment variable holding the password (or set it in the Node-RED node credentials)'),
    password: zod_1.z.never({ error: 'a password never goes in the mapping file: use passwordEnv: NAME or the Node-RED node credentials' }).optional(),
    tls: exports.mqttTlsSchema.optional(),
    baseTopic: zod_1.z.string().default('gridbridge/{site}').superRefine(templateCheck(exports.BASE_VARIABLES, [])).describe('Template; variables: {site}'),
    topic: zod_1.z
        .string()
        .default('{base}/{device}/{name}')
        .superRefine(templateCheck(exports.POINT_VARIABLES, ['base'], ['device', 'name']))
        .describe('Point topic template; variables: {base} {site} {device} {kind} {name} {unit}'),
    qos: zod_1.z.union([zod_1.z.literal(0), zod_1.z.literal(1), zod_1.z.literal(2)]).default(1),
    retain: zod_1.z.boolean().default(true),
    statusTopic: zod_1.z
        .string()
        .default('{base}/status')
        .superRefine(templateCheck(exports.STATUS_VARIABLES, ['base']))
        .describe('Birth "online" and last will "offline" (both retained); variables: {base} {site}'),
    commands: zod_1.z.union([zod_1.z.boolean(), exports.mqttCommandsSchema]).default(false).describe('Subscribe to "<point topic>/set", answer on "<point topic>/result"'),
    publish: zod_1.z.union([zod_1.z.literal('all'), zod_1.z.array(exports.mqttPointSelectorSchema).min(1)]).default('all'),
    minIntervalMs: zod_1.z.number().int().min(0).optional().describe('Default for every published point'),
    deadband: zod_1.z.number().min(0).optional().describe('Default for every published numeric point'),
    maxIntervalMs: zod_1.z.number().int().positive().optional().describe('Default heartbeat for every published point'),
    buffer: zod_1.z
        .strictObject({ maxMessages: zod_1.z.number().int().positive().max(10_000_000).default(10000) })
        .default({ maxMessages: 10000 })
        .describe('Messages kept in memory while the broker is unreachable; the oldest are dropped (and counted) beyond this'),
    keepaliveS: zod_1.z.number().int().min(0).max(65535).default(30),
    reconnect: zod_1.z
        .strictObject({ minMs: zod_1.z.number().int().positive().default(1000), maxMs: zod_1.z.number().int().positive().default(60000) })
        .default({ minMs: 1000, maxMs: 60000 })
        .refine((r) => r.maxMs >= r.minMs, { error: 'reconnect.maxMs must be ≥ reconnect.minMs' }),
})
    .superRefine((b, ctx) => {
    if (b.url && new URL(b.url).protocol === 'mqtt:' && b.tls) {
        ctx.addIssue({ code: 'custom', path: ['tls'], message: 'tls is set but the url is mqtt:// (plain TCP): use mqtts://' });
    }
    if (b.passwordEnv && b.username === undefined) {
        ctx.addIssue({ code: 'custom', path: ['username'], message: 'passwordEnv needs a username' });
    }
});
/** A setting that cannot be resolved (missing file, missing environment variable), with its path in the mapping. */
class MqttConfigError extends Error {
    path;
    reason;
    constructor(path, reason) {
        super(`upstream.mqtt.${path}: ${reason}`);
        this.path = path;
        this.reason = reason;
        this.name = 'MqttConfigError';
    }
}
exports.MqttConfigError = MqttConfigError;
function resolveMqttSettings(block, ctx) {
    const url = block.url ?? ctx.defaultUrl;
    if (!url)
        throw new MqttConfigError('url', 'no broker url and no embedded broker url given');
    let password = ctx.password;
    if (password === undefined && block.passwordEnv) {
        password = (ctx.env ?? process.env)[block.passwordEnv];
        if (password === undefined)
            throw new MqttConfigError('passwordEnv', `environment variable ${block.passwordEnv} is not set`);
    }
    const read = (field, file) => {
        if (file === undefined)
            return undefined;
        const path = (0, node_path_1.isAbsolute)(file) ? file : (0, node_path_1.resolve)(ctx.baseDir ?? process.cwd(), file);
        try {
            return (0, node_fs_1.readFileSync)(path, 'utf8');
        }
        catch (e) {
            throw new MqttConfigError(`tls.${field}`, `cannot read ${path}: ${(0, errors_js_1.errorMessage)(e)}`);
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
    const c = block.commands === true ? exports.mqttCommandsSchema.parse({}) : block.commands;
    const s = {
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
    if (block.username !== undefined)
        s.username = block.username;
    if (password !== undefined)
        s.password = password;
    if (tls)
        s.tls = tls;
    if (block.minIntervalMs !== undefined)
        s.minIntervalMs = block.minIntervalMs;
    if (block.deadband !== undefined)
        s.deadband = block.deadband;
    if (block.maxIntervalMs !== undefined)
        s.maxIntervalMs = block.maxIntervalMs;
    return s;
}
/** Settings for tests and simple embedding: parse a block (input form) and resolve it in one step. */
function mqttSettings(block, ctx, overrides = {}) {
    return { ...resolveMqttSettings(exports.mqttUpstreamSchema.parse(block), ctx), ...overrides };
}
//# sourceMappingURL=mapping.js.map