"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SOURCE_ALIASES = void 0;
exports.buildCommand = buildCommand;
exports.parseDuration = parseDuration;
let counter = 0;
function buildCommand(p, now) {
    const start = p.from ?? now;
    const c = {
        slot: p.slot ?? 1,
        direction: p.direction ?? 'import',
        level: p.level,
        source: p.source ?? 'load_controller',
        validTo: Math.floor((start + p.forMs) / 1000) * 1000,
        randomDelayS: p.randomDelayS ?? 0,
        randomised: p.randomised ?? false,
        eventId: p.eventId ?? `gb${Math.floor(now / 1000).toString(36)}${(++counter).toString(36)}`,
        timestamp: Math.floor(now / 1000) * 1000,
    };
    if (p.from !== undefined)
        c.validFrom = Math.floor(p.from / 1000) * 1000;
    if (p.text !== undefined)
        c.text = p.text;
    return c;
}
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };
/** `500ms`, `90s`, `15m`, `2h30m`, `1d`, or a bare number of seconds. Returns undefined when unreadable. */
function parseDuration(s) {
    const t = s.trim();
    if (/^\d+(\.\d+)?$/.test(t))
        return Number(t) * 1000;
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
    let total = 0;
    let m;
    let used = 0;
    while ((m = re.exec(t))) {
        total += Number(m[1]) * UNIT_MS[m[2]];
        used = re.lastIndex;
    }
    return used === t.length && used > 0 ? total : undefined;
}
exports.SOURCE_ALIASES = {
    lc: 'load_controller',
    load_controller: 'load_controller',
    sup: 'supplier',
    supplier: 'supplier',
    own: 'owner',
    owner: 'owner',
    agg: 'aggregator',
    aggregator: 'aggregator',
};
//# sourceMappingURL=client.js.map