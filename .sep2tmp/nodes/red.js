"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.statusFor = statusFor;
function statusFor(state, text) {
    switch (state) {
        case 'up':
            return { fill: 'green', shape: 'dot', text: text ?? 'connected' };
        case 'connecting':
            return { fill: 'yellow', shape: 'ring', text: text ?? 'connecting' };
        case 'degraded':
            return { fill: 'yellow', shape: 'dot', text: text ?? 'degraded' };
        case 'down':
            return { fill: 'red', shape: 'ring', text: text ?? 'disconnected' };
        default:
            return { fill: 'grey', shape: 'ring', text: text ?? 'idle' };
    }
}
//# sourceMappingURL=red.js.map