"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.iec104MappingSchema = exports.iec104CommandSchema = exports.iec104PointSchema = void 0;
exports.serverDefinitions = serverDefinitions;
exports.pointsToUpdates = pointsToUpdates;
exports.commandToWrite = commandToWrite;
exports.clientNaming = clientNaming;
exports.applyMapping = applyMapping;
exports.publishPoints = publishPoints;
exports.mappingCommandHandler = mappingCommandHandler;
exports.parseIec104MappingText = parseIec104MappingText;
/**
 * The `iec104` block of a pilot mapping: which device points are served to SCADA (or read from an RTU) at which
 * common address / IOA / type, and which IEC 104 commands become which field writes. Keyed by device id + canonical
 * point name. Pure functions here let the site runtime bridge Points ↔ the 104 server without knowing the protocol.
 */
const yaml_1 = require("yaml");
const zod_1 = require("zod");
const constants_js_1 = require("./constants.js");
const cp56time_js_1 = require("./cp56time.js");
const quality_js_1 = require("./quality.js");
const monitorTypes = ['M_SP_NA_1', 'M_DP_NA_1', 'M_ST_NA_1', 'M_BO_NA_1', 'M_ME_NA_1', 'M_ME_NB_1', 'M_ME_NC_1', 'M_IT_NA_1', 'M_SP_TB_1', 'M_DP_TB_1', 'M_ST_TB_1', 'M_BO_TB_1', 'M_ME_TD_1', 'M_ME_TE_1', 'M_ME_TF_1', 'M_IT_TB_1'];
const commandTypes = ['C_SC_NA_1', 'C_DC_NA_1', 'C_RC_NA_1', 'C_SE_NA_1', 'C_SE_NB_1', 'C_SE_NC_1', 'C_BO_NA_1', 'C_SC_TA_1', 'C_DC_TA_1', 'C_RC_TA_1', 'C_SE_TA_1', 'C_SE_TB_1', 'C_SE_TC_1', 'C_BO_TA_1'];
const ioa = zod_1.z.number().int().min(0).max(0xffffff);
const ca = zod_1.z.number().int().min(0).max(0xfffe);
exports.iec104PointSchema = zod_1.z.strictObject({
    device: zod_1.z.string().min(1),
    name: zod_1.z.string().min(1),
    ioa,
    type: zod_1.z.enum(monitorTypes),
    /** Overrides the block's common address. */
    ca: ca.optional(),
    /** Interrogation groups 1..16. */
    groups: zod_1.z.array(zod_1.z.number().int().min(1).max(16)).optional(),
    /** Counter interrogation group 1..4 (M_IT only). */
    counterGroup: zod_1.z.number().int().min(1).max(4).optional(),
    cyclic: zod_1.z.boolean().optional(),
    /** 104 value = point value × scale (e.g. 0.001 to send W as kW). */
    scale: zod_1.z.number().refine((v) => v !== 0, 'scale must not be 0').optional(),
    unit: zod_1.z.string().optional(),
});
exports.iec104CommandSchema = zod_1.z
    .strictObject({
    device: zod_1.z.string().min(1),
    name: zod_1.z.string().min(1),
    ioa,
    type: zod_1.z.enum(commandTypes),
    ca: ca.optional(),
    /** Require select before operate. */
    sbo: zod_1.z.boolean().default(false),
    /** Also accept the time-tagged variant (TA) of the type (default true). */
    acceptTimeTag: zod_1.z.boolean().default(true),
    /** Field value = command value × scale. */
    scale: zod_1.z.number().refine((v) => v !== 0, 'scale must not be 0').optional(),
    /** Accepted range of the field value (after scaling). */
    min: zod_1.z.number().optional(),
    max: zod_1.z.number().optional(),
})
    .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, { message: 'min must not exceed max', path: ['min'] });
exports.iec104MappingSchema = zod_1.z
    .strictObject({
    /** server: GridBridge is the controlled station SCADA connects to; client: GridBridge reads an RTU. */
    role: zod_1.z.enum(['server', 'client']).default('server'),
    commonAddress: ca.default(1),
    points: zod_1.z.array(exports.iec104PointSchema).default([]),
    commands: zod_1.z.array(exports.iec104CommandSchema).default([]),
})
    .superRefine((m, ctx) => {
    const seen = new Map();
    const check = (kind, i, a, o, what) => {
        const k = `${a}:${o}`;
        const prev = seen.get(k);
        if (prev)
            ctx.addIssue({ code: 'custom', path: [kind, i, 'ioa'], message: `CA ${a} IOA ${o} already used by ${prev}` });
        else
            seen.set(k, what);
    };
    m.points.forEach((p, i) => check('points', i, p.ca ?? m.commonAddress, p.ioa, `${p.device}/${p.name}`));
    m.commands.forEach((c, i) => check('commands', i, c.ca ?? m.commonAddress, c.ioa, `${c.device}/${c.name}`));
    m.points.forEach((p, i) => {
        if (p.counterGroup !== undefined && (0, constants_js_1.withoutTime)((0, constants_js_1.typeIdOf)(p.type)) !== constants_js_1.TypeId.M_IT_NA_1)
            ctx.addIssue({ code: 'custom', path: ['points', i, 'counterGroup'], message: 'counterGroup applies to M_IT types only' });
    });
});
const tid = (t) => (0, constants_js_1.typeIdOf)(t);
/** Point and command definitions for an Iec104Server. */
function serverDefinitions(m) {
    const points = m.points.map((p) => {
        const d = { ca: p.ca ?? m.commonAddress, ioa: p.ioa, typeId: tid(p.type), groups: p.groups ?? [], cyclic: p.cyclic ?? false };
        if (p.counterGroup !== undefined)
            d.counterGroup = p.counterGroup;
        return d;
    });
    const commands = m.commands.map((c) => {
        const base = tid(c.type);
        const typeIds = [base];
        if (c.acceptTimeTag && base < constants_js_1.TypeId.C_SC_TA_1)
            typeIds.push(base + (constants_js_1.TypeId.C_SC_TA_1 - constants_js_1.TypeId.C_SC_NA_1));
        return { ca: c.ca ?? m.commonAddress, ioa: c.ioa, typeIds, sbo: c.sbo };
    });
    return { points, commands };
}
function numeric(v) {
    if (typeof v === 'number')
        return Number.isFinite(v) ? v : undefined;
    if (typeof v === 'boolean')
        return v ? 1 : 0;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)))
        return Number(v);
    return undefined;
}
/** GridBridge Points → server updates for the mapped ones (unmapped points are skipped). */
function pointsToUpdates(points, m, opts = {}) {
    const index = new Map();
    for (const p of m.points) {
        const k = `${p.device}/${p.name}`;
        const arr = index.get(k);
        if (arr)
            arr.push(p);
        else
            index.set(k, [p]);
    }
    const out = [];
    for (const pt of points) {
        for (const mp of index.get(`${pt.device}/${pt.name}`) ?? []) {
            const typeId = tid(mp.type);
            const base = (0, constants_js_1.withoutTime)(typeId);
            const quality = (0, quality_js_1.fromPointQuality)(pt.quality);
            let value;
            const n = numeric(pt.value);
            if (base === constants_js_1.TypeId.M_SP_NA_1)
                value = n !== undefined && n !== 0;
            else if (base === constants_js_1.TypeId.M_DP_NA_1)
                value = n === undefined ? 0 : n !== 0 ? 2 : 1;
            else
                value = (n ?? 0) * (mp.scale ?? 1);
            if (n === undefined)
                quality.iv = true;
            const change = { value, quality };
            if (base !== typeId)
                change.time = (0, cp56time_js_1.cp56FromEpoch)(pt.sourceTime ?? pt.receiveTime, { utcOffsetMinutes: opts.utcOffsetMinutes ?? 0 });
            out.push({ ca: mp.ca ?? m.commonAddress, ioa: mp.ioa, typeId, change });
        }
    }
    return out;
}
/** A command received by the server → the field write it stands for, validated against the mapping. */
function commandToWrite(c, m) {
    const mc = m.commands.find((x) => (x.ca ?? m.commonAddress) === c.ca && x.ioa === c.ioa);
    if (!mc)
        return { ok: false, reason: `no command mapped at CA ${c.ca} IOA ${c.ioa}` };
    const base = tid(mc.type);
    const got = c.typeId >= constants_js_1.TypeId.C_SC_TA_1 && c.typeId <= constants_js_1.TypeId.C_BO_TA_1 ? c.typeId - (constants_js_1.TypeId.C_SC_TA_1 - constants_js_1.TypeId.C_SC_NA_1) : c.typeId;
    if (got !== base)
        return { ok: false, reason: `type ${c.typeId} does not match ${mc.type}` };
    let value;
    if (base === constants_js_1.TypeId.C_SC_NA_1)
        value = c.value === true || c.value === 1;
    else if (base === constants_js_1.TypeId.C_DC_NA_1) {
        if (c.value !== 1 && c.value !== 2)
            return { ok: false, reason: `double command state ${String(c.value)} is not off (1) or on (2)` };
        value = c.value === 2;
    }
    else if (base === constants_js_1.TypeId.C_RC_NA_1) {
        if (c.value !== 1 && c.value !== 2)
            return { ok: false, reason: `regulating step ${String(c.value)} is not lower (1) or higher (2)` };
        value = c.value === 2 ? 1 : -1;
    }
    else {
        const n = typeof c.value === 'number' ? c.value : c.value ? 1 : 0;
        value = n * (mc.scale ?? 1);
        if (!Number.isFinite(value))
            return { ok: false, reason: 'value is not finite' };
        if (mc.min !== undefined && value < mc.min)
            return { ok: false, reason: `${value} below min ${mc.min}` };
        if (mc.max !== undefined && value > mc.max)
            return { ok: false, reason: `${value} above max ${mc.max}` };
    }
    return { ok: true, device: mc.device, name: mc.name, value };
}
/** Client role: (CA, IOA) → device point name, for Iec104Client's `naming` option. */
function clientNaming(m) {
    const map = new Map();
    for (const p of m.points) {
        const n = { device: p.device, name: p.name };
        if (p.unit)
            n.unit = p.unit;
        map.set((p.ca ?? m.commonAddress) * 0x1000000 + p.ioa, n);
    }
    return (a, o) => map.get(a * 0x1000000 + o);
}
/** Define the mapping's points and commands on a server. */
function applyMapping(server, m) {
    const d = serverDefinitions(m);
    for (const p of d.points)
        server.definePoint(p);
    for (const c of d.commands)
        server.defineCommand(c);
}
/** Push Points into a server (spontaneous transmission of the mapped ones). Returns how many were applied. */
function publishPoints(server, points, m) {
    let n = 0;
    for (const u of pointsToUpdates(points, m))
        if (server.update(u.ca, u.ioa, u.change))
            n++;
    return n;
}
/**
 * A server `onCommand` handler that validates commands against the mapping and hands them to `write` (the field
 * driver). Selects are checked but not written. `write` resolves true when the field accepted the write; a field
 * link that is down should make it resolve false (negative ACT_CON) — never leave SCADA believing it was done.
 */
function mappingCommandHandler(m, write, isLinkUp = () => true) {
    return async (c) => {
        const w = commandToWrite(c, m);
        if (!w.ok)
            return { accept: false, reason: w.reason };
        if (!isLinkUp(w.device))
            return { accept: false, reason: `field link to ${w.device} is down` };
        if (c.select)
            return { accept: true };
        const ok = await write({ device: w.device, name: w.name, value: w.value });
        return ok ? { accept: true } : { accept: false, reason: `field write to ${w.device}/${w.name} failed` };
    };
}
/** Parse an `iec104` block given as YAML or JSON text (Node-RED config fields); errors name the field path. */
function parseIec104MappingText(text) {
    let raw;
    try {
        raw = (0, yaml_1.parse)(text);
    }
    catch (e) {
        return { ok: false, error: `mapping is not valid YAML/JSON: ${e instanceof Error ? e.message : String(e)}` };
    }
    const block = raw && typeof raw === 'object' && 'iec104' in raw ? raw.iec104 : (raw ?? {});
    const r = exports.iec104MappingSchema.safeParse(block);
    if (r.success)
        return { ok: true, mapping: r.data };
    const i = r.error.issues[0];
    return { ok: false, error: `${i.path.map(String).join('.') || '(block)'}: ${i.message}` };
}
//# sourceMappingURL=mapping.js.map