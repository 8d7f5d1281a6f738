"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.openadrMappingSchema = exports.openadrPolicySchema = exports.openadrSignalBindingSchema = exports.openadrReportBindingSchema = exports.ITEM_KINDS = void 0;
/**
 * The `openadr` block of a pilot mapping YAML: which VTN, which points are reported (keyed by device id + canonical
 * point name) and which event signals become control intents on which device points.
 */
const zod_1 = require("zod");
const control_js_1 = require("../../core/control.js");
exports.ITEM_KINDS = ['powerReal', 'powerReactive', 'powerApparent', 'energyReal', 'voltage', 'current', 'frequency', 'customUnit'];
exports.openadrReportBindingSchema = zod_1.z
    .object({
    device: zod_1.z.string().min(1),
    point: zod_1.z.string().min(1),
    /** 2.0b rID / 3.x resourceName suffix; default `<device>/<point>`. */
    rID: zod_1.z.string().min(1).optional(),
    /** 2.0b report the point belongs to. TELEMETRY_STATUS points are sent as oadrPayloadResourceStatus. */
    report: zod_1.z.enum(['TELEMETRY_USAGE', 'TELEMETRY_STATUS']).default('TELEMETRY_USAGE'),
    reportType: zod_1.z.string().default('usage'),
    readingType: zod_1.z.string().default('Direct Read'),
    itemKind: zod_1.z.enum(exports.ITEM_KINDS).optional(),
    unit: zod_1.z.string().optional(),
    /** OpenADR 3 report payloadType (default from reportType: usage → USAGE, demand → DEMAND, else READING). */
    payloadType: zod_1.z.string().optional(),
})
    .strict();
exports.openadrSignalBindingSchema = zod_1.z
    .object({
    /** 2.0b signalName (SIMPLE, LOAD_DISPATCH, …) or OpenADR 3 payloadType (SIMPLE, IMPORT_CAPACITY_LIMIT, …). */
    signal: zod_1.z.string().min(1),
    /** Optional 2.0b signalType filter (level, setpoint, x-loadControlCapacity …). */
    signalType: zod_1.z.string().optional(),
    device: zod_1.z.string().min(1),
    point: zod_1.z.string().min(1),
    /** `cap`: the value is an upper limit; `value`: an exact setpoint. */
    mode: zod_1.z.enum(['cap', 'value']).default('cap'),
    /** Discrete mapping of signal values, e.g. SIMPLE levels { "0": 100, "1": 50, "2": 0, "3": 0 }. */
    levels: zod_1.z.record(zod_1.z.string(), zod_1.z.number()).optional(),
    scale: zod_1.z.number().default(1),
    offset: zod_1.z.number().default(0),
})
    .strict();
exports.openadrPolicySchema = zod_1.z
    .object({
    opt: zod_1.z.enum(['optIn', 'optOut']).default('optIn'),
    /** Opt out of events whose testEvent is not "false" (controls are never applied for test events). */
    optOutTestEvents: zod_1.z.boolean().default(false),
    /** Expiry for open-ended events (duration 0 = until cancelled). Controls always expire. */
    maxOpenEndedSec: zod_1.z.number().int().positive().default(3600),
    sourceClass: zod_1.z.enum(control_js_1.SOURCE_CLASSES).default('aggregator'),
})
    .strict();
exports.openadrMappingSchema = zod_1.z
    .object({
    version: zod_1.z.enum(['2.0b', '3.0.1', '3.1.0']).default('2.0b'),
    vtnUrl: zod_1.z.url(),
    venName: zod_1.z.string().min(1),
    /** 2.0b: when omitted and a client certificate is configured, the certificate fingerprint is used. */
    venId: zod_1.z.string().optional(),
    transport: zod_1.z.enum(['pull', 'push']).default('pull'),
    /** PUSH: the address the VEN listens on, sent as oadrTransportAddress. */
    pushUrl: zod_1.z.url().optional(),
    reportOnly: zod_1.z.boolean().default(false),
    xmlSignature: zod_1.z.boolean().default(false),
    pollIntervalSec: zod_1.z.number().positive().default(10),
    tls: zod_1.z.object({ cert: zod_1.z.string(), key: zod_1.z.string(), ca: zod_1.z.string().optional() }).strict().optional(),
    oauth: zod_1.z.object({ clientId: zod_1.z.string(), clientSecretEnv: zod_1.z.string().default('OPENADR_CLIENT_SECRET'), tokenUrl: zod_1.z.url().optional() }).strict().optional(),
    notification: zod_1.z.enum(['poll', 'webhook']).default('poll'),
    callbackUrl: zod_1.z.url().optional(),
    marketContext: zod_1.z.string().optional(),
    policy: exports.openadrPolicySchema.default({ opt: 'optIn', optOutTestEvents: false, maxOpenEndedSec: 3600, sourceClass: 'aggregator' }),
    reports: zod_1.z.array(exports.openadrReportBindingSchema).default([]),
    signals: zod_1.z.array(exports.openadrSignalBindingSchema).default([]),
})
    .strict();
//# sourceMappingURL=mapping.js.map