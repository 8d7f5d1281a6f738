"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.sapcMappingSchema = exports.sapcSlotSchema = exports.sapcPortSchema = exports.SAPC_SOURCES = void 0;
/**
 * The `sapc` block of a pilot mapping YAML: one serial port (one SSP-1 line), and its controller slots keyed by
 * device id + canonical point name (normally `SAPCLevel` of a `sapc_appliance`).
 *
 *   sapc:
 *     port: { path: /dev/ttyUSB0, baudRate: 9600 }
 *     role: appliance
 *     slots:
 *       - { slot: 1, direction: import, device: ev1, point: SAPCLevel, default: 100 }
 */
const zod_1 = require("zod");
exports.SAPC_SOURCES = ['load_controller', 'supplier', 'owner', 'aggregator'];
exports.sapcPortSchema = zod_1.z
    .object({
    path: zod_1.z.string().min(1),
    baudRate: zod_1.z.number().int().positive().default(9600),
    dataBits: zod_1.z.union([zod_1.z.literal(7), zod_1.z.literal(8)]).default(8),
    parity: zod_1.z.enum(['none', 'even', 'odd']).default('none'),
    stopBits: zod_1.z.union([zod_1.z.literal(1), zod_1.z.literal(2)]).default(1),
})
    .strict();
exports.sapcSlotSchema = zod_1.z
    .object({
    slot: zod_1.z.number().int().min(1).max(15),
    direction: zod_1.z.enum(['import', 'export']).default('import'),
    device: zod_1.z.string().min(1),
    /** Canonical point the level drives. */
    point: zod_1.z.string().min(1).default('SAPCLevel'),
    /** Level (%) when no command is active: the default plan. */
    default: zod_1.z.number().min(0).max(100).default(100),
    /** Sources accepted on this slot; others are NAKed REJECTED. */
    sources: zod_1.z.array(zod_1.z.enum(exports.SAPC_SOURCES)).min(1).default([...exports.SAPC_SOURCES]),
    /**
     * How a source's level enters the arbiter: `cap` (a limit, GBCS "Limit APC level") or `setpoint` (GBCS "Set APC
     * level"). Default: load_controller → cap, others → setpoint.
     */
    as: zod_1.z.partialRecord(zod_1.z.enum(exports.SAPC_SOURCES), zod_1.z.enum(['cap', 'setpoint'])).default({}),
})
    .strict();
exports.sapcMappingSchema = zod_1.z
    .object({
    port: exports.sapcPortSchema,
    role: zod_1.z.enum(['appliance', 'meter']).default('appliance'),
    ackTimeoutMs: zod_1.z.number().int().min(50).max(10_000).default(500),
    retries: zod_1.z.number().int().min(0).max(10).default(3),
    heartbeatSeconds: zod_1.z.number().int().min(1).max(3600).default(60),
    slots: zod_1.z.array(exports.sapcSlotSchema).default([]),
})
    .strict()
    .superRefine((m, ctx) => {
    const seen = new Set();
    m.slots.forEach((s, i) => {
        const k = `${s.slot}/${s.direction}`;
        if (seen.has(k))
            ctx.addIssue({ code: 'custom', path: ['slots', i, 'slot'], message: `slot ${s.slot} ${s.direction} defined twice` });
        seen.add(k);
    });
});
//# sourceMappingURL=mapping.js.map