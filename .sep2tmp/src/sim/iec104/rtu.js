"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SimRtu = exports.DEFAULT_RTU_COMMANDS = void 0;
exports.defaultRtuPoints = defaultRtuPoints;
/**
 * A simulated RTU (IEC 104 controlled station): serves every supported monitor type with moving values, accepts every
 * command type (select-before-operate where configured) and reflects commands in its status points. With a mapping
 * block it serves the mapping's addresses instead.
 */
const clock_js_1 = require("../../core/clock.js");
const constants_js_1 = require("../../protocols/iec104/constants.js");
const mapping_js_1 = require("../../protocols/iec104/mapping.js");
const server_js_1 = require("../../protocols/iec104/server.js");
/** Built-in point list: one or more points of each monitor type, at documented IOAs. */
function defaultRtuPoints(ca = 1) {
    const t = constants_js_1.TypeId;
    const pts = [
        { ca, ioa: 100, typeId: t.M_SP_NA_1, groups: [1], initial: { value: true, quality: {} } },
        { ca, ioa: 101, typeId: t.M_SP_TB_1, groups: [1], initial: { value: false, quality: {} } },
        { ca, ioa: 200, typeId: t.M_DP_NA_1, groups: [1], initial: { value: 2, quality: {} } },
        { ca, ioa: 201, typeId: t.M_DP_TB_1, groups: [1], initial: { value: 1, quality: {} } },
        { ca, ioa: 300, typeId: t.M_ST_NA_1, groups: [2], initial: { value: 5, transient: false, quality: {} } },
        { ca, ioa: 301, typeId: t.M_ST_TB_1, groups: [2], initial: { value: 0, transient: false, quality: {} } },
        { ca, ioa: 400, typeId: t.M_BO_NA_1, groups: [2], initial: { value: 0, quality: {} } },
        { ca, ioa: 401, typeId: t.M_BO_TB_1, groups: [2], initial: { value: 0xa5, quality: {} } },
        { ca, ioa: 500, typeId: t.M_ME_NA_1, groups: [3], cyclic: true, initial: { value: 0.5, quality: {} } },
        { ca, ioa: 501, typeId: t.M_ME_TD_1, groups: [3], initial: { value: -0.25, quality: {} } },
        { ca, ioa: 600, typeId: t.M_ME_NB_1, groups: [3], cyclic: true, initial: { value: 1000, quality: {} } },
        { ca, ioa: 601, typeId: t.M_ME_TE_1, groups: [3], initial: { value: -20, quality: {} } },
        { ca, ioa: 710, typeId: t.M_ME_TF_1, groups: [3], initial: { value: 49.98, quality: {} } },
        { ca, ioa: 800, typeId: t.M_IT_NA_1, counterGroup: 1, initial: { value: 0, sequence: 0, quality: {} } },
        { ca, ioa: 801, typeId: t.M_IT_TB_1, counterGroup: 2, initial: { value: 0, sequence: 0, quality: {} } },
    ];
    // A block of consecutive floats (W, VAr, V L1-L3, A L1-L3, Hz, PF) shows SQ=1 packing in GI answers.
    const floats = [12_500, 1_200, 230.1, 229.8, 231.0, 18.2, 17.9, 18.5, 50.0, 0.98];
    floats.forEach((v, i) => pts.push({ ca, ioa: 700 + i, typeId: t.M_ME_NC_1, groups: [3], cyclic: i === 0, initial: { value: v, quality: {} } }));
    return pts;
}
/** Built-in commands: IOA → type(s), SBO, and the status point the command drives. */
exports.DEFAULT_RTU_COMMANDS = [
    { ioa: 5000, typeId: constants_js_1.TypeId.C_SC_NA_1, sbo: false, echo: 100 },
    { ioa: 5001, typeId: constants_js_1.TypeId.C_DC_NA_1, sbo: true, echo: 200 },
    { ioa: 5002, typeId: constants_js_1.TypeId.C_RC_NA_1, sbo: false, echo: 300 },
    { ioa: 5003, typeId: constants_js_1.TypeId.C_SE_NA_1, sbo: false, echo: 500 },
    { ioa: 5004, typeId: constants_js_1.TypeId.C_SE_NB_1, sbo: false, echo: 600 },
    { ioa: 5005, typeId: constants_js_1.TypeId.C_SE_NC_1, sbo: true, echo: 700 },
    { ioa: 5006, typeId: constants_js_1.TypeId.C_BO_NA_1, sbo: false, echo: 400 },
];
const TA_OFFSET = constants_js_1.TypeId.C_SC_TA_1 - constants_js_1.TypeId.C_SC_NA_1;
class SimRtu {
    opts;
    server;
    clock;
    timer;
    tick = 0;
    echo = new Map();
    ca;
    constructor(opts = {}) {
        this.opts = opts;
        this.clock = opts.clock ?? clock_js_1.systemClock;
        this.ca = opts.ca ?? opts.mapping?.commonAddress ?? 1;
        this.server = new server_js_1.Iec104Server({ ...opts, clock: this.clock, onCommand: (c) => this.onCommand(c) });
        if (opts.mapping) {
            const d = (0, mapping_js_1.serverDefinitions)(opts.mapping);
            for (const p of d.points)
                this.server.definePoint({ ...p, initial: { value: 0, quality: {} } });
            for (const c of d.commands)
                this.server.defineCommand(c);
        }
        else {
            for (const p of defaultRtuPoints(this.ca))
                this.server.definePoint(p);
            for (const c of exports.DEFAULT_RTU_COMMANDS) {
                this.server.defineCommand({ ca: this.ca, ioa: c.ioa, typeIds: [c.typeId, c.typeId + TA_OFFSET], sbo: c.sbo });
                this.echo.set(c.ioa, c.echo);
            }
        }
        for (const ioa of opts.linkDown ?? [])
            this.server.setCommandAvailable(this.ca, ioa, false);
    }
    async start() {
        const addr = await this.server.listen();
        this.arm();
        return addr;
    }
    async stop() {
        this.clock.clearTimeout(this.timer);
        this.timer = undefined;
        await this.server.close();
    }
    arm() {
        const every = this.opts.changeEveryMs ?? 1000;
        if (every <= 0)
            return;
        this.timer = this.clock.setTimeout(() => {
            this.step();
            this.arm();
        }, every);
    }
    /** Move values: measurands wander, counters count, a status point toggles now and then. */
    step() {
        this.tick++;
        for (const ca of this.server.store.commonAddresses()) {
            for (const p of this.server.store.list(ca)) {
                const base = (0, constants_js_1.withoutTime)(p.typeId);
                const v = p.obj.value;
                const cur = typeof v === 'number' ? v : v ? 1 : 0;
                const wave = Math.sin((this.tick + p.ioa) / 5);
                switch (base) {
                    case constants_js_1.TypeId.M_ME_NC_1:
                        this.server.update(ca, p.ioa, { value: Math.round((cur + wave * Math.max(0.01, Math.abs(cur) * 0.01)) * 1000) / 1000 });
                        break;
                    case constants_js_1.TypeId.M_ME_NB_1:
                        this.server.update(ca, p.ioa, { value: Math.max(-32768, Math.min(32767, Math.round(cur + wave * 10))) });
                        break;
                    case constants_js_1.TypeId.M_ME_NA_1:
                        this.server.update(ca, p.ioa, { value: Math.max(-1, Math.min(0.999, Math.round(wave * 0.9 * 32768) / 32768)) });
                        break;
                    case constants_js_1.TypeId.M_IT_NA_1:
                        this.server.update(ca, p.ioa, { value: (cur + 7) | 0, sequence: ((p.obj.sequence ?? 0) + 1) & 31 }, { spontaneous: false });
                        break;
                    case constants_js_1.TypeId.M_SP_NA_1:
                        if (this.tick % 10 === p.ioa % 10)
                            this.server.update(ca, p.ioa, { value: !(v === true) });
                        break;
                    case constants_js_1.TypeId.M_BO_NA_1:
                        if (this.tick % 5 === 0)
                            this.server.update(ca, p.ioa, { value: ((cur << 1) | (cur >>> 31)) >>> 0 || 1 });
                        break;
                    default:
                        break;
                }
            }
        }
    }
    onCommand(c) {
        if (c.select)
            return true;
        const target = this.echo.get(c.ioa);
        if (target !== undefined) {
            const p = this.server.store.get(c.ca, target);
            if (p) {
                let value = c.value;
                const base = c.typeId >= constants_js_1.TypeId.C_SC_TA_1 ? c.typeId - TA_OFFSET : c.typeId;
                if (base === constants_js_1.TypeId.C_RC_NA_1)
                    value = Math.max(-64, Math.min(63, (Number(p.obj.value) || 0) + (c.value === 2 ? 1 : c.value === 1 ? -1 : 0)));
                // Return information caused by a remote command (COT 11).
                this.server.update(c.ca, target, { value }, { cot: 11 });
            }
        }
        return true;
    }
}
exports.SimRtu = SimRtu;
//# sourceMappingURL=rtu.js.map