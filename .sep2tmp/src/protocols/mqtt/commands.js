"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.CommandDispatcher = exports.MAX_PENDING_COMMANDS = void 0;
const errors_js_1 = require("../../core/errors.js");
const codec_js_1 = require("./codec.js");
exports.MAX_PENDING_COMMANDS = 32;
const RECENT_COMMAND_IDS = 256;
class CommandDispatcher {
    deps;
    handler;
    received = 0;
    rejected = 0;
    pending = 0;
    seq = 0;
    recent = new Map();
    constructor(deps) {
        this.deps = deps;
    }
    /** Handle one message on `…/set`. `retained` is the RETAIN flag as delivered by the broker. */
    async handle(topic, payload, retained) {
        const { settings, clock } = this.deps;
        const pointTopic = topic.slice(0, -'/set'.length);
        const answer = (o, cmd) => {
            if (!o.ok)
                this.rejected++;
            this.deps.audit(cmd, { ...o, topic });
            this.deps.send(`${pointTopic}/result`, (0, codec_js_1.encodeCommandResult)(o, clock.now()));
        };
        this.received++;
        let parsed;
        try {
            parsed = (0, codec_js_1.parseCommandPayload)(payload);
        }
        catch (e) {
            answer({ ok: false, reason: `malformed command: ${e instanceof codec_js_1.CommandError ? e.message : (0, errors_js_1.errorMessage)(e)}` });
            return;
        }
        const id = parsed.id;
        if (retained) {
            answer({ id, ok: false, reason: 'retained command refused: a stored command is stale by nature; publish commands with retain=false' });
            return;
        }
        const target = this.deps.resolve(pointTopic);
        if (!target) {
            answer({ id, ok: false, reason: `unknown point: topic "${pointTopic}" does not match template "${this.deps.template}"` });
            return;
        }
        const validForMs = parsed.validForMs ?? settings.validForMs;
        if (validForMs > settings.maxValidForMs) {
            answer({ id, ok: false, reason: `validFor ${validForMs / 1000} s exceeds the maximum of ${settings.maxValidForMs / 1000} s` });
            return;
        }
        if (id !== undefined) {
            const prior = this.recent.get(id);
            if (prior) {
                const o = await prior;
                answer({ ...o, id, reason: o.reason ?? 'duplicate id: this is the result of the earlier command, not run again' });
                return;
            }
        }
        if (!this.handler) {
            answer({ id, ok: false, reason: 'commands are not handled by this gateway (no command handler)' });
            return;
        }
        if (this.pending >= exports.MAX_PENDING_COMMANDS) {
            answer({ id, ok: false, reason: `busy: ${exports.MAX_PENDING_COMMANDS} commands already pending` });
            return;
        }
        const now = clock.now();
        const cmd = {
            id: id ?? `mqtt-${now}-${++this.seq}`,
            source: `mqtt:${topic}`,
            sourceClass: settings.sourceClass,
            target,
            value: parsed.value,
            validFrom: now,
            validTo: now + validForMs,
            topic,
        };
        const outcome = this.run(this.handler, cmd);
        if (id !== undefined) {
            this.recent.set(id, outcome);
            if (this.recent.size > RECENT_COMMAND_IDS)
                this.recent.delete(this.recent.keys().next().value);
        }
        answer({ id: cmd.id, ...(await outcome) }, cmd);
    }
    run(handler, cmd) {
        const { clock, settings, warn } = this.deps;
        this.pending++;
        return new Promise((res) => {
            let done = false;
            const finish = (o) => {
                if (done)
                    return;
                done = true;
                this.pending--;
                clock.clearTimeout(timer);
                res(o);
            };
            const timer = clock.setTimeout(() => finish({ ok: false, reason: `no result within ${settings.timeoutMs} ms` }), settings.timeoutMs);
            let p;
            try {
                p = Promise.resolve(handler(cmd));
            }
            catch (e) {
                p = Promise.reject(e instanceof Error ? e : new Error(String(e)));
            }
            p.then((o) => {
                if (done)
                    warn(`command ${cmd.id} on ${cmd.topic} finished after its timeout: ${o.ok ? 'ok' : (o.reason ?? 'failed')}`);
                finish(normaliseOutcome(o));
            }, (e) => {
                if (done)
                    warn(`command ${cmd.id} on ${cmd.topic} failed after its timeout: ${(0, errors_js_1.errorMessage)(e)}`);
                finish({ ok: false, reason: (0, errors_js_1.errorMessage)(e) });
            });
        });
    }
}
exports.CommandDispatcher = CommandDispatcher;
function normaliseOutcome(o) {
    if (typeof o !== 'object' || o === null || typeof o.ok !== 'boolean') {
        return { ok: false, reason: 'command handler returned no {ok} result' };
    }
    const c = o;
    const r = { ok: c.ok };
    if (typeof c.reason === 'string')
        r.reason = c.reason;
    if (typeof c.value === 'number' || typeof c.value === 'boolean' || typeof c.value === 'string')
        r.value = c.value;
    return r;
}
//# sourceMappingURL=commands.js.map