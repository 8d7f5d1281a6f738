"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.vtnScriptSchema = void 0;
exports.parseVtnScript = parseVtnScript;
/** YAML script for the 2.0b VTN simulator: steps run per VEN, `at` seconds after that VEN registered. */
const yaml_1 = require("yaml");
const zod_1 = require("zod");
const errors_js_1 = require("../../core/errors.js");
const eventStep = zod_1.z
    .object({
    id: zod_1.z.string().min(1),
    signal: zod_1.z.string().default('SIMPLE'),
    type: zod_1.z.string().default('level'),
    /** Seconds from the step time to the event start (may be negative for an already active event). */
    startIn: zod_1.z.number().default(0),
    intervals: zod_1.z.array(zod_1.z.object({ duration: zod_1.z.number().min(0), value: zod_1.z.number() }).strict()).min(1),
    responseRequired: zod_1.z.enum(['always', 'never']).default('always'),
    testEvent: zod_1.z.boolean().default(false),
    priority: zod_1.z.number().int().min(0).optional(),
    marketContext: zod_1.z.string().default('http://gridbridge.example/market'),
})
    .strict();
const reportStep = zod_1.z
    .object({
    id: zod_1.z.string().optional(),
    report: zod_1.z.enum(['TELEMETRY_USAGE', 'TELEMETRY_STATUS', 'METADATA']).default('TELEMETRY_USAGE'),
    granularity: zod_1.z.number().min(0).default(10),
    reportBack: zod_1.z.number().min(0).default(60),
    duration: zod_1.z.number().min(0).default(0),
    /** Ask for these rIDs only (default: all the VEN registered for the report). */
    rIDs: zod_1.z.array(zod_1.z.string()).optional(),
})
    .strict();
exports.vtnScriptSchema = zod_1.z
    .object({
    vtnId: zod_1.z.string().default('GRIDBRIDGE-VTN-SIM'),
    pollFreqSec: zod_1.z.number().positive().default(10),
    steps: zod_1.z
        .array(zod_1.z
        .object({
        at: zod_1.z.number().min(0),
        event: eventStep.optional(),
        cancelEvent: zod_1.z.string().optional(),
        reportRequest: reportStep.optional(),
        cancelReport: zod_1.z.object({ id: zod_1.z.string(), reportToFollow: zod_1.z.boolean().default(false) }).strict().optional(),
        reregister: zod_1.z.literal(true).optional(),
        cancelRegistration: zod_1.z.literal(true).optional(),
    })
        .strict())
        .default([]),
})
    .strict();
function parseVtnScript(text, file = 'script.yaml') {
    let raw;
    try {
        raw = (0, yaml_1.parse)(text);
    }
    catch (e) {
        const line = e.linePos?.[0]?.line;
        return { errors: [{ file, ...(line !== undefined ? { line } : {}), path: '', message: e instanceof Error ? e.message : String(e) }] };
    }
    const r = exports.vtnScriptSchema.safeParse(raw ?? {});
    if (r.success)
        return { script: r.data, errors: [] };
    return { errors: r.error.issues.map((i) => ({ file, path: (0, errors_js_1.formatPath)(i.path), message: i.message })) };
}
//# sourceMappingURL=script.js.map