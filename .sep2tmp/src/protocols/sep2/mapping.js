"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Sep2MappingSchema = exports.TELEMETRY_QUANTITIES = void 0;
/**
 * The `sep2` block of a pilot mapping YAML: where the 2030.5 server is, which device receives each control mode
 * (device id + canonical point name), which points become MirrorUsagePoints, and the ratings reported in
 * DERCapability / DERSettings (seed 002).
 */
const zod_1 = require("zod");
const control_js_1 = require("../../core/control.js");
const target = zod_1.z.object({ device: zod_1.z.string().min(1), name: zod_1.z.string().min(1) });
exports.TELEMETRY_QUANTITIES = ['realPower', 'frequency', 'reactivePower', 'voltage', 'current', 'stateOfCharge'];
exports.Sep2MappingSchema = zod_1.z
    .object({
    /** URL of DeviceCapability, e.g. https://utility.example:8443/dcap */
    server: zod_1.z.url(),
    /** Registration PIN (with check digit) the server must show for our EndDevice. */
    pin: zod_1.z.number().int().min(0).max(0xffffffff).optional(),
    /** Default device receiving controls. */
    device: zod_1.z.string().min(1),
    sourceClass: zod_1.z.enum(control_js_1.SOURCE_CLASSES).default('dso'),
    /** Overrides of the default control-mode → canonical-name map, per mode. */
    controls: zod_1.z.record(zod_1.z.string(), target).default({}),
    telemetry: zod_1.z
        .array(zod_1.z.object({
        device: zod_1.z.string().min(1),
        name: zod_1.z.string().min(1),
        quantity: zod_1.z.enum(exports.TELEMETRY_QUANTITIES),
        description: zod_1.z.string().max(32).optional(),
    }))
        .default([]),
    /** Source of DERStatus.stateOfChargeStatus. */
    stateOfCharge: target.optional(),
    ratings: zod_1.z.object({
        maxW: zod_1.z.number().positive(),
        maxChargeRateW: zod_1.z.number().positive(),
        maxDischargeRateW: zod_1.z.number().positive(),
        maxWh: zod_1.z.number().positive(),
        /** DERType: 83 = combined PV and storage, 80 = storage (IEEE 2030.5 DERType). */
        type: zod_1.z.number().int().min(0).max(255).default(80),
    }),
    /** Interval of telemetry samples in seconds (seed 002: 30). */
    intervalSeconds: zod_1.z.number().int().min(1).max(3600).default(30),
    /** Seconds between DERStatus posts (seed 002: 60). */
    statusSeconds: zod_1.z.number().int().min(10).max(3600).default(60),
})
    .strict();
//# sourceMappingURL=mapping.js.map