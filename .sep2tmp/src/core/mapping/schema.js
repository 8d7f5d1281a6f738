"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.PointRefSchema = exports.MappingSchema = exports.SiteSchema = exports.DeviceSchema = exports.BackoffSchema = exports.ConnectionSchema = exports.RtuConnectionSchema = exports.TcpConnectionSchema = void 0;
/**
 * Pilot-site mapping (one YAML per site): which devices exist (profile + connection + unit id), and how their
 * canonical points are bound to upstream protocols. The core knows the shape of devices and connections; each
 * upstream block (`upstream.mqtt`, `upstream.sep2`, `upstream.iec104`, `upstream.openadr`, `upstream.sapc`) is
 * validated by its protocol's own schema in src/runtime (the core never imports a protocol).
 */
const zod_1 = require("zod");
const kinds_js_1 = require("../kinds.js");
const id = zod_1.z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "_", "-" or "." (it becomes part of point ids and topics)');
exports.TcpConnectionSchema = zod_1.z.strictObject({
    type: zod_1.z.literal('tcp'),
    host: zod_1.z.string().min(1),
    port: zod_1.z.number().int().min(1).max(65535).default(502),
    timeoutMs: zod_1.z.number().int().min(10).max(60000).default(1000),
    retries: zod_1.z.number().int().min(0).max(10).default(1),
    /** Requests allowed in flight on one TCP connection (Modbus TCP transaction ids); 1 is safest for gateways. */
    maxInFlight: zod_1.z.number().int().min(1).max(16).default(1),
});
exports.RtuConnectionSchema = zod_1.z.strictObject({
    type: zod_1.z.literal('rtu'),
    device: zod_1.z.string().min(1),
    baudRate: zod_1.z.number().int().min(300).max(921600).default(9600),
    parity: zod_1.z.enum(['none', 'even', 'odd']).default('none'),
    dataBits: zod_1.z.union([zod_1.z.literal(7), zod_1.z.literal(8)]).default(8),
    stopBits: zod_1.z.union([zod_1.z.literal(1), zod_1.z.literal(2)]).default(1),
    timeoutMs: zod_1.z.number().int().min(10).max(60000).default(500),
    retries: zod_1.z.number().int().min(0).max(10).default(1),
});
exports.ConnectionSchema = zod_1.z.discriminatedUnion('type', [exports.TcpConnectionSchema, exports.RtuConnectionSchema]);
exports.BackoffSchema = zod_1.z.strictObject({
    initialMs: zod_1.z.number().int().min(100).default(1000),
    maxMs: zod_1.z.number().int().min(1000).default(60000),
    factor: zod_1.z.number().min(1).max(10).default(2),
    jitter: zod_1.z.number().min(0).max(1).default(0.2),
});
exports.DeviceSchema = zod_1.z.strictObject({
    id,
    name: zod_1.z.string().optional(),
    /** A profile id (looked up in the mapping's profile directories) or a path to a profile YAML file. */
    profile: zod_1.z.string().min(1),
    connection: id,
    unit: zod_1.z.number().int().min(0).max(255),
    /** Optional override of the profile's kind check: the kind this device plays in the site. */
    kind: zod_1.z.enum(kinds_js_1.DEVICE_KINDS).optional(),
    /** Override poll periods (ms) of the profile's poll classes. */
    pollClasses: zod_1.z.record(zod_1.z.string(), zod_1.z.number().int().min(50).max(86_400_000)).optional(),
    /** Only poll these canonical points (default: all readable points of the profile). */
    points: zod_1.z.array(zod_1.z.string().min(1)).optional(),
    offlineBackoff: exports.BackoffSchema.optional(),
    enabled: zod_1.z.boolean().default(true),
});
exports.SiteSchema = zod_1.z.strictObject({
    id,
    name: zod_1.z.string().optional(),
    timezone: zod_1.z.string().optional(),
    description: zod_1.z.string().optional(),
});
exports.MappingSchema = zod_1.z.strictObject({
    /** Format version of this file. */
    mapping: zod_1.z.literal(1),
    site: exports.SiteSchema,
    /** Directories searched for profile ids, relative to the mapping file (default: ../device-profiles and ./). */
    profileDirs: zod_1.z.array(zod_1.z.string()).optional(),
    connections: zod_1.z.record(id, exports.ConnectionSchema),
    devices: zod_1.z.array(exports.DeviceSchema).min(1),
    /** Upstream blocks, each checked by its protocol's schema (see src/runtime/validate.ts). */
    upstream: zod_1.z.record(zod_1.z.enum(['mqtt', 'sep2', 'iec104', 'openadr', 'sapc']), zod_1.z.unknown()).optional(),
    /**
     * Controlled points and their fail-safe behaviour: the value applied when no control is active (e.g. WMaxLimPct
     * 100 = no limit) and the range controls are clipped to. Every control from any upstream expires; on expiry the
     * arbiter falls back to the next active control, then to this default.
     */
    controls: zod_1.z
        .array(zod_1.z.strictObject({
        device: id,
        name: zod_1.z.string().min(1),
        default: zod_1.z.union([zod_1.z.number(), zod_1.z.boolean(), zod_1.z.string()]).optional(),
        min: zod_1.z.number().optional(),
        max: zod_1.z.number().optional(),
    }))
        .optional(),
    /** Local plans (charge/balance/discharge), checked by src/core/plans. */
    plans: zod_1.z.array(zod_1.z.unknown()).optional(),
});
/** A reference from an upstream block to a device's canonical point. */
exports.PointRefSchema = zod_1.z.strictObject({ device: id, name: zod_1.z.string().min(1) });
//# sourceMappingURL=schema.js.map