"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ScenarioError = exports.ScenarioSchema = exports.ControlStepSchema = void 0;
exports.parseScenario = parseScenario;
/** Scripted control scenarios for the 2030.5 test server (YAML), validated with zod; errors name the field. */
const zod_1 = require("zod");
const yaml_1 = require("yaml");
const errors_js_1 = require("../../core/errors.js");
const base = zod_1.z
    .object({
    opModConnect: zod_1.z.boolean().optional(),
    opModEnergize: zod_1.z.boolean().optional(),
    opModFixedW: zod_1.z.number().int().min(-10000).max(10000).optional(),
    opModMaxLimW: zod_1.z.number().int().min(0).max(10000).optional(),
    opModTargetW: zod_1.z.object({ multiplier: zod_1.z.number().int(), value: zod_1.z.number().int() }).optional(),
    opModGenLimW: zod_1.z.object({ multiplier: zod_1.z.number().int(), value: zod_1.z.number().int() }).optional(),
    opModLoadLimW: zod_1.z.object({ multiplier: zod_1.z.number().int(), value: zod_1.z.number().int() }).optional(),
    opModExpLimW: zod_1.z.object({ multiplier: zod_1.z.number().int(), value: zod_1.z.number().int() }).optional(),
    opModImpLimW: zod_1.z.object({ multiplier: zod_1.z.number().int(), value: zod_1.z.number().int() }).optional(),
    rampTms: zod_1.z.number().int().min(0).max(65535).optional(),
})
    .strict();
exports.ControlStepSchema = zod_1.z
    .object({
    program: zod_1.z.number().int().min(0).default(0),
    mRID: zod_1.z.string().regex(/^[0-9A-Fa-f]{1,32}$/).optional(),
    description: zod_1.z.string().max(32).optional(),
    /** Seconds after the step fires. */
    start: zod_1.z.number().int().min(-86400).max(86400 * 30).default(0),
    duration: zod_1.z.number().int().min(1).max(86400 * 7),
    randomizeStart: zod_1.z.number().int().min(-3600).max(3600).optional(),
    randomizeDuration: zod_1.z.number().int().min(-3600).max(3600).optional(),
    responseRequired: zod_1.z.string().regex(/^[0-9A-Fa-f]{2}$/).default('03'),
    base,
})
    .strict();
exports.ScenarioSchema = zod_1.z
    .object({
    pin: zod_1.z.number().int().min(0).optional(),
    pollRate: zod_1.z.number().int().min(1).max(86400).default(30),
    postRate: zod_1.z.number().int().min(1).max(86400).default(60),
    /** Server clock minus real clock, seconds (to rehearse clients that must follow the server's Time). */
    timeOffsetSeconds: zod_1.z.number().int().default(0),
    programs: zod_1.z
        .array(zod_1.z.object({ primacy: zod_1.z.number().int().min(0).max(255), description: zod_1.z.string().max(32).optional(), default: base.optional() }).strict())
        .min(1)
        .default([{ primacy: 1, description: 'DSO program' }]),
    steps: zod_1.z
        .array(zod_1.z.union([
        zod_1.z.object({ at: zod_1.z.number().min(0), control: exports.ControlStepSchema }).strict(),
        zod_1.z.object({ at: zod_1.z.number().min(0), cancel: zod_1.z.string(), status: zod_1.z.union([zod_1.z.literal(2), zod_1.z.literal(3), zod_1.z.literal(4)]).default(2) }).strict(),
    ]))
        .default([]),
})
    .strict();
class ScenarioError extends Error {
    file;
    path;
    constructor(file, path, message) {
        super(`${file}: ${path ? path + ': ' : ''}${message}`);
        this.file = file;
        this.path = path;
        this.name = 'ScenarioError';
    }
}
exports.ScenarioError = ScenarioError;
function parseScenario(text, file = 'scenario.yaml') {
    let doc;
    try {
        doc = (0, yaml_1.parse)(text) ?? {};
    }
    catch (e) {
        throw new ScenarioError(file, '', e instanceof Error ? e.message : String(e));
    }
    const r = exports.ScenarioSchema.safeParse(doc);
    if (!r.success) {
        const i = r.error.issues[0];
        throw new ScenarioError(file, (0, errors_js_1.formatPath)(i.path), i.message);
    }
    return r.data;
}
//# sourceMappingURL=scenario.js.map