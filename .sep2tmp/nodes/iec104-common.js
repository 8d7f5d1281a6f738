"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.parseHosts = parseHosts;
exports.tlsFromCredentials = tlsFromCredentials;
/** "h1:2404, h2" → host list. */
function parseHosts(text, defaultPort) {
    return text
        .split(/[,\s]+/)
        .filter(Boolean)
        .map((h) => {
        const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(h);
        return { host: m?.[1] ?? h, port: m?.[2] ? Number(m[2]) : defaultPort };
    });
}
function tlsFromCredentials(c, allowedPeers = '') {
    if (!c?.cert || !c.key || !c.ca)
        return undefined;
    const t = { cert: c.cert, key: c.key, ca: c.ca };
    const allow = allowedPeers.split(/[\s,]+/).filter(Boolean);
    if (allow.length)
        t.allowedPeers = allow;
    return t;
}
//# sourceMappingURL=iec104-common.js.map