"use strict";
const red_js_1 = require("./red.js");
const point_js_1 = require("../src/core/point.js");
const constants_js_1 = require("../src/protocols/iec104/constants.js");
const cp56time_js_1 = require("../src/protocols/iec104/cp56time.js");
const quality_js_1 = require("../src/protocols/iec104/quality.js");
module.exports = function register(RED) {
    function Iec104Point(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        const node = this;
        const cfg = RED.nodes.getNode(d.server);
        const typeId = (0, constants_js_1.typeIdOf)(d.pointType || 'M_ME_NC_1');
        const ca = Number(d.ca) || 1;
        const ioa = Number(d.ioa);
        if (!cfg?.iec104Server || typeId === undefined || !Number.isInteger(ioa)) {
            node.status({ fill: 'red', shape: 'ring', text: 'config error' });
            return node.error(!cfg?.iec104Server ? 'iec104 point: no usable iec104 server configured' : 'iec104 point: type and IOA are required');
        }
        const { server } = cfg.iec104Server;
        try {
            server.definePoint({ ca, ioa, typeId, groups: (d.groups ?? '').split(/[,\s]+/).filter(Boolean).map(Number) });
        }
        catch (e) {
            return node.error(`iec104 point: ${e instanceof Error ? e.message : String(e)}`);
        }
        let linkUp = true;
        node.on('input', (msg, _send, done) => {
            const p = msg.payload;
            const isObj = typeof p === 'object' && p !== null;
            const raw = isObj ? p.value : p;
            const qcode = isObj && typeof p.quality === 'string' && point_js_1.QUALITY_CODES.includes(p.quality) ? p.quality : 'good';
            const q = isObj && p.quality && typeof p.quality === 'object' ? p.quality : { code: qcode };
            linkUp = !['not_connected', 'timeout'].includes(q.code);
            const base = (0, constants_js_1.withoutTime)(typeId);
            const n = typeof raw === 'boolean' ? (raw ? 1 : 0) : Number(raw);
            const value = base === constants_js_1.TypeId.M_SP_NA_1 ? n !== 0 : base === constants_js_1.TypeId.M_DP_NA_1 ? (n ? 2 : 1) : n;
            const quality = (0, quality_js_1.fromPointQuality)(q);
            if (raw === null || raw === undefined || Number.isNaN(n))
                quality.iv = true;
            const t = isObj && p.sourceTime !== undefined ? Date.parse(String(p.sourceTime)) : Date.now();
            const change = base !== typeId ? { value, quality, time: (0, cp56time_js_1.cp56FromEpoch)(Number.isFinite(t) ? t : Date.now()) } : { value, quality };
            server.update(ca, ioa, change);
            node.status((0, red_js_1.statusFor)(linkUp ? 'up' : 'degraded', `${String(value)}${quality.iv ? ' (IV)' : ''}`));
            done();
        });
        let removeSink;
        const cmdIoa = d.commandIoa === '' || d.commandIoa === undefined ? undefined : Number(d.commandIoa);
        const cmdType = (0, constants_js_1.typeIdOf)(d.commandType || '');
        if (cmdIoa !== undefined && cmdType !== undefined) {
            server.defineCommand({ ca, ioa: cmdIoa, typeIds: [cmdType, cmdType + (constants_js_1.TypeId.C_SC_TA_1 - constants_js_1.TypeId.C_SC_NA_1)], sbo: d.sbo === true });
            removeSink = cfg.iec104Server.addSink((c) => {
                if (c.ca !== ca || c.ioa !== cmdIoa)
                    return undefined;
                if (!linkUp)
                    return { accept: false, reason: 'field link down' };
                if (!c.select)
                    node.send({ topic: `iec104/${ca}/${cmdIoa}`, payload: { value: c.value, type: (0, constants_js_1.typeName)(c.typeId), qualifier: c.qualifier, remote: c.remote } });
                return true;
            });
        }
        const unwatch = cfg.iec104Server.watch((s, text) => node.status((0, red_js_1.statusFor)(s, text)));
        node.on('close', (_r, done) => {
            removeSink?.();
            unwatch();
            done();
        });
    }
    RED.nodes.registerType('gridbridge-iec104-point', Iec104Point);
};
//# sourceMappingURL=iec104-point.js.map