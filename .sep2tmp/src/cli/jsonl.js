"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.emit = emit;
exports.warn = warn;
exports.untilSignal = untilSignal;
/** JSON lines on stdout: one object per event, with an ISO timestamp and an event name. */
function emit(event, data = {}) {
    process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), event, ...data }) + '\n');
}
/** Diagnostics go to stderr so stdout stays machine-readable. */
function warn(message) {
    process.stderr.write(message.endsWith('\n') ? message : message + '\n');
}
/** Resolve when the process is asked to stop (SIGINT/SIGTERM); used by long-running sim/client commands. */
function untilSignal() {
    return new Promise((resolve) => {
        const on = (s) => {
            process.off('SIGINT', on);
            process.off('SIGTERM', on);
            resolve(s);
        };
        process.on('SIGINT', on);
        process.on('SIGTERM', on);
    });
}
//# sourceMappingURL=jsonl.js.map