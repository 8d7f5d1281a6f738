"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Oadr3Error = exports.problemSchema = exports.tokenResponseSchema = exports.notificationSchema = exports.venSchema = exports.subscriptionSchema = exports.objectTypes = exports.reportSchema = exports.reportResourceSchema = exports.eventSchema = exports.programSchema = exports.reportDescriptorSchema = exports.reportPayloadDescriptorSchema = exports.eventPayloadDescriptorSchema = exports.intervalSchema = exports.intervalPeriodSchema = exports.targetSchema = exports.valuesMapSchema = exports.pointSchema = exports.objectID = void 0;
exports.parseDateTime3 = parseDateTime3;
exports.formatDateTime3 = formatDateTime3;
exports.parseDuration3 = parseDuration3;
exports.parseJson = parseJson;
exports.check = check;
exports.venRequest = venRequest;
/**
 * OpenADR 3 (3.0.1 and 3.1.0) JSON models as zod schemas, derived from components/schemas of the OpenAPI files in
 * ../shared/schemas/openadr-3. Parsing is tolerant of known field deviations (each one is reported through
 * `Deviations`); what GridBridge emits follows the schema of the configured version strictly.
 */
const zod_1 = require("zod");
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
/** RFC 3339 date-time to epoch ms; tolerates a space separator or a missing zone (UTC assumed), with a deviation. */
function parseDateTime3(s, dev) {
    if (RFC3339.test(s))
        return Date.parse(s);
    const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/i.exec(s.trim());
    if (m) {
        dev?.(`date-time "${s}" is not RFC 3339`);
        const t = Date.parse(`${m[1]}T${m[2]}${m[3] ? '' : ':00'}${m[5] ?? 'Z'}`);
        return Number.isFinite(t) ? t : undefined;
    }
    dev?.(`date-time "${s}" unusable (time only or unknown format)`);
    return undefined;
}
function formatDateTime3(ms) {
    return new Date(ms).toISOString();
}
/** ISO 8601 duration (the 3.x pattern: fractional seconds and weeks allowed) to seconds. */
function parseDuration3(s) {
    const m = /^(-?)P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)([DW]))?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s);
    if (!m)
        return undefined;
    const n = (i) => (m[i] ? Number(m[i]) : 0);
    const days = m[5] === 'W' ? n(4) * 7 : n(4);
    const secs = n(2) * 31536000 + n(3) * 2592000 + days * 86400 + n(6) * 3600 + n(7) * 60 + n(8);
    return m[1] === '-' ? -secs : secs;
}
exports.objectID = zod_1.z.string().regex(/^[a-zA-Z0-9_-]*$/).min(1).max(128);
exports.pointSchema = zod_1.z.object({ x: zod_1.z.number(), y: zod_1.z.number() });
exports.valuesMapSchema = zod_1.z.object({
    type: zod_1.z.string().min(1).max(128),
    values: zod_1.z.array(zod_1.z.union([zod_1.z.number(), zod_1.z.string(), zod_1.z.boolean(), exports.pointSchema])),
});
/** 3.0.1 targets are valuesMaps, 3.1.0 targets are plain strings: accept both. */
exports.targetSchema = zod_1.z.union([exports.valuesMapSchema, zod_1.z.string().min(1).max(128)]);
exports.intervalPeriodSchema = zod_1.z.object({ start: zod_1.z.string(), duration: zod_1.z.string().optional(), randomizeStart: zod_1.z.string().nullish() });
exports.intervalSchema = zod_1.z.object({ id: zod_1.z.number().int(), intervalPeriod: exports.intervalPeriodSchema.nullish(), payloads: zod_1.z.array(exports.valuesMapSchema) });
exports.eventPayloadDescriptorSchema = zod_1.z.object({
    objectType: zod_1.z.literal('EVENT_PAYLOAD_DESCRIPTOR').optional(),
    payloadType: zod_1.z.string().min(1).max(128),
    units: zod_1.z.string().nullish(),
    currency: zod_1.z.string().nullish(),
});
exports.reportPayloadDescriptorSchema = zod_1.z.object({
    objectType: zod_1.z.literal('REPORT_PAYLOAD_DESCRIPTOR').optional(),
    payloadType: zod_1.z.string().min(1).max(128),
    readingType: zod_1.z.string().nullish(),
    units: zod_1.z.string().nullish(),
    accuracy: zod_1.z.number().nullish(),
    confidence: zod_1.z.number().int().min(0).max(100).nullish(),
});
exports.reportDescriptorSchema = zod_1.z.object({
    payloadType: zod_1.z.string().min(1).max(128),
    readingType: zod_1.z.string().nullish(),
    units: zod_1.z.string().nullish(),
    targets: zod_1.z.array(exports.targetSchema).nullish(),
    aggregate: zod_1.z.boolean().optional(),
    startInterval: zod_1.z.number().int().optional(),
    numIntervals: zod_1.z.number().int().optional(),
    historical: zod_1.z.boolean().optional(),
    frequency: zod_1.z.number().int().optional(),
    repeat: zod_1.z.number().int().optional(),
});
const meta = {
    id: exports.objectID.optional(),
    createdDateTime: zod_1.z.string().optional(),
    modificationDateTime: zod_1.z.string().optional(),
};
exports.programSchema = zod_1.z.object({
    ...meta,
    objectType: zod_1.z.literal('PROGRAM').optional(),
    programName: zod_1.z.string().min(1).max(128),
    programLongName: zod_1.z.string().nullish(),
    intervalPeriod: exports.intervalPeriodSchema.nullish(),
    payloadDescriptors: zod_1.z.array(zod_1.z.union([exports.eventPayloadDescriptorSchema, exports.reportPayloadDescriptorSchema])).nullish(),
    targets: zod_1.z.array(exports.targetSchema).nullish(),
});
exports.eventSchema = zod_1.z.object({
    ...meta,
    objectType: zod_1.z.literal('EVENT').optional(),
    programID: exports.objectID,
    eventName: zod_1.z.string().nullish(),
    priority: zod_1.z.number().int().min(0).nullish(),
    /** 3.1.0: optional event duration (may loop intervals). */
    duration: zod_1.z.string().nullish(),
    targets: zod_1.z.array(exports.targetSchema).nullish(),
    reportDescriptors: zod_1.z.array(exports.reportDescriptorSchema).nullish(),
    payloadDescriptors: zod_1.z.array(exports.eventPayloadDescriptorSchema).nullish(),
    intervalPeriod: exports.intervalPeriodSchema.nullish(),
    /** Required in 3.0.1, optional in 3.1.0 (eventRequest requires programID only). */
    intervals: zod_1.z.array(exports.intervalSchema).default([]),
});
exports.reportResourceSchema = zod_1.z.object({ resourceName: zod_1.z.string().min(1).max(128), intervalPeriod: exports.intervalPeriodSchema.nullish(), intervals: zod_1.z.array(exports.intervalSchema) });
exports.reportSchema = zod_1.z.object({
    ...meta,
    objectType: zod_1.z.literal('REPORT').optional(),
    programID: exports.objectID.optional(),
    eventID: exports.objectID,
    clientName: zod_1.z.string().min(1).max(128),
    reportName: zod_1.z.string().nullish(),
    payloadDescriptors: zod_1.z.array(exports.reportPayloadDescriptorSchema).nullish(),
    resources: zod_1.z.array(exports.reportResourceSchema),
});
exports.objectTypes = zod_1.z.enum(['PROGRAM', 'EVENT', 'REPORT', 'SUBSCRIPTION', 'VEN', 'RESOURCE']);
exports.subscriptionSchema = zod_1.z.object({
    ...meta,
    objectType: zod_1.z.literal('SUBSCRIPTION').optional(),
    clientName: zod_1.z.string().min(1).max(128),
    programID: exports.objectID,
    objectOperations: zod_1.z.array(zod_1.z.object({ objects: zod_1.z.array(exports.objectTypes), operations: zod_1.z.array(zod_1.z.enum(['READ', 'CREATE', 'UPDATE', 'DELETE'])), callbackUrl: zod_1.z.string(), bearerToken: zod_1.z.string().nullish() })),
    targets: zod_1.z.array(exports.targetSchema).nullish(),
});
exports.venSchema = zod_1.z.object({ ...meta, objectType: zod_1.z.string().optional(), venName: zod_1.z.string().min(1).max(128), clientID: zod_1.z.string().optional() });
exports.notificationSchema = zod_1.z.object({
    objectType: exports.objectTypes,
    /** 3.0.1: GET/POST/PUT/DELETE; 3.1.0: CREATE/READ/UPDATE/DELETE. */
    operation: zod_1.z.enum(['GET', 'POST', 'PUT', 'DELETE', 'CREATE', 'READ', 'UPDATE']),
    object: zod_1.z.record(zod_1.z.string(), zod_1.z.unknown()),
    targets: zod_1.z.array(exports.targetSchema).nullish(),
});
exports.tokenResponseSchema = zod_1.z.object({
    access_token: zod_1.z.string().min(1),
    token_type: zod_1.z.string(),
    expires_in: zod_1.z.number().optional(),
    refresh_token: zod_1.z.string().optional(),
    scope: zod_1.z.union([zod_1.z.string(), zod_1.z.array(zod_1.z.string())]).optional(),
});
exports.problemSchema = zod_1.z.object({ type: zod_1.z.string().optional(), title: zod_1.z.string().optional(), status: zod_1.z.union([zod_1.z.number(), zod_1.z.string()]).optional(), detail: zod_1.z.string().optional() });
class Oadr3Error extends Error {
    where;
    reason;
    status;
    constructor(where, reason, status) {
        super(`openadr3: ${where}: ${reason}`);
        this.where = where;
        this.reason = reason;
        this.status = status;
        this.name = 'Oadr3Error';
    }
}
exports.Oadr3Error = Oadr3Error;
/** Parse JSON text; tolerates a body that is JSON-encoded twice (a known VTN deviation). */
function parseJson(text, where, dev) {
    let v;
    try {
        v = JSON.parse(text);
    }
    catch (e) {
        throw new Oadr3Error(where, `invalid JSON: ${e instanceof Error ? e.message : String(e)}`, 400);
    }
    if (typeof v === 'string') {
        try {
            v = JSON.parse(v);
            dev?.(`${where}: body was JSON-encoded twice`);
        }
        catch {
            throw new Oadr3Error(where, 'JSON string where an object was expected', 400);
        }
    }
    return v;
}
/** Validate with a schema; the error names the field path. */
function check(schema, v, where) {
    const r = schema.safeParse(v);
    if (r.success)
        return r.data;
    const i = r.error.issues[0];
    throw new Oadr3Error(`${where}${i.path.length ? '.' + i.path.join('.') : ''}`, i.message, 400);
}
/** Emit a VEN object for the version (3.1.0 wants objectType VEN_VEN_REQUEST, see the erratum in the notes). */
function venRequest(version, venName) {
    return version === '3.1.0' ? { objectType: 'VEN_VEN_REQUEST', venName } : { venName };
}
//# sourceMappingURL=models.js.map