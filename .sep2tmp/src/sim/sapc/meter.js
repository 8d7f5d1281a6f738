"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SapcMeterSim = exports.meterScriptSchema = exports.meterStepSchema = void 0;
/**
 * Smart-meter SAPC port simulator: the sending end of an SSP-1 line. Sends heartbeats, plays a script of
 * overrides / cancels / status requests / raw noise, and records every answer (ACK, NAK, STA, timeout).
 */
const node_events_1 = require("node:events");
const zod_1 = require("zod");
const errors_js_1 = require("../../core/errors.js");
const session_js_1 = require("../../protocols/sapc/session.js");
const client_js_1 = require("../../protocols/sapc/client.js");
const duration = zod_1.z.union([zod_1.z.number().nonnegative().transform((s) => s * 1000), zod_1.z.string().transform((s, ctx) => (0, client_js_1.parseDuration)(s) ?? (ctx.addIssue({ code: 'custom', message: `bad duration "${s}"` }), 0))]);
const source = zod_1.z.string().transform((s, ctx) => client_js_1.SOURCE_ALIASES[s.toLowerCase()] ?? (ctx.addIssue({ code: 'custom', message: `unknown source "${s}" (lc, sup, own, agg)` }), 'load_controller'));
exports.meterStepSchema = zod_1.z
    .object({
    /** Offset from the script start: seconds, or a duration like "90s". */
    at: duration,
    command: zod_1.z
        .object({
        level: zod_1.z.number().int(),
        for: duration,
        slot: zod_1.z.number().int().min(1).max(15).default(1),
        direction: zod_1.z.enum(['import', 'export']).default('import'),
        source: source.default('load_controller'),
        eventId: zod_1.z.string().optional(),
        /** Start offset from the step time (duration); absent = now. */
        startIn: duration.optional(),
        randomDelay: zod_1.z.number().int().min(0).default(0),
        randomised: zod_1.z.boolean().default(false),
        text: zod_1.z.string().optional(),
    })
        .strict()
        .optional(),
    cancel: zod_1.z.object({ eventId: zod_1.z.string(), source: source.default('load_controller'), slot: zod_1.z.number().int().optional() }).strict().optional(),
    status: zod_1.z.object({ slot: zod_1.z.number().int().optional() }).strict().optional(),
    /** Bytes written as-is (noise, hand-made frames). */
    raw: zod_1.z.string().optional(),
})
    .strict()
    .refine((s) => [s.command, s.cancel, s.status, s.raw].filter((x) => x !== undefined).length === 1, { message: 'each step needs exactly one of command, cancel, status, raw' });
exports.meterScriptSchema = zod_1.z.object({ steps: zod_1.z.array(exports.meterStepSchema) }).strict();
class SapcMeterSim extends node_events_1.EventEmitter {
    session;
    clock;
    writeRaw;
    records = [];
    timers = [];
    pending = 0;
    scheduled = 0;
    constructor(session, clock, writeRaw) {
        super();
        this.session = session;
        this.clock = clock;
        this.writeRaw = writeRaw;
    }
    /** Schedule every step of the script relative to now; emits `done` when all have answered or failed. */
    play(script) {
        this.scheduled += script.steps.length;
        script.steps.forEach((step, i) => {
            this.timers.push(this.clock.setTimeout(() => void this.run(step, i), step.at));
        });
        if (script.steps.length === 0)
            this.emit('done', this.records);
    }
    /** Send one request now and record the answer. */
    async send(body, step = -1) {
        this.pending++;
        const rec = { at: this.clock.now(), step, request: body.type };
        try {
            rec.reply = await this.session.request(body);
        }
        catch (e) {
            rec.error = e instanceof session_js_1.SapcTimeoutError ? `timeout after ${e.attempts} attempts` : (0, errors_js_1.errorMessage)(e);
        }
        this.pending--;
        this.push(rec);
        return rec;
    }
    stop() {
        for (const t of this.timers)
            this.clock.clearTimeout(t);
        this.timers = [];
        this.session.close();
    }
    async run(step, i) {
        const now = this.clock.now();
        if (step.raw !== undefined) {
            this.writeRaw(step.raw);
            this.push({ at: now, step: i, request: 'RAW' });
        }
        else if (step.command) {
            const c = step.command;
            const command = (0, client_js_1.buildCommand)({
                level: c.level,
                forMs: c.for,
                slot: c.slot,
                direction: c.direction,
                source: c.source,
                randomDelayS: c.randomDelay,
                randomised: c.randomised,
                ...(c.startIn !== undefined ? { from: now + c.startIn } : {}),
                ...(c.eventId !== undefined ? { eventId: c.eventId } : {}),
                ...(c.text !== undefined ? { text: c.text } : {}),
            }, now);
            await this.send({ type: 'CMD', command }, i);
        }
        else if (step.cancel) {
            await this.send({ type: 'CAN', eventId: step.cancel.eventId, source: step.cancel.source, ...(step.cancel.slot !== undefined ? { slot: step.cancel.slot } : {}) }, i);
        }
        else if (step.status) {
            await this.send({ type: 'STQ', ...(step.status.slot !== undefined ? { slot: step.status.slot } : {}) }, i);
        }
    }
    push(rec) {
        this.records.push(rec);
        this.emit('record', rec);
        if (rec.step >= 0 && --this.scheduled === 0 && this.pending === 0)
            this.emit('done', this.records);
    }
}
exports.SapcMeterSim = SapcMeterSim;
//# sourceMappingURL=meter.js.map