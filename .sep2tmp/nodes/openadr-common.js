"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.linkStateOf = linkStateOf;
function linkStateOf(state) {
    return state === 'up' ? 'up' : state === 'degraded' ? 'degraded' : state === 'down' ? 'down' : state === 'connecting' ? 'connecting' : 'idle';
}
//# sourceMappingURL=openadr-common.js.map