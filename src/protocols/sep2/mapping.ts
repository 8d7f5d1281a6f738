/**
 * The `sep2` block of a pilot mapping YAML: where the 2030.5 server is, which device receives each control mode
 * (device id + canonical point name), which points become MirrorUsagePoints, and the ratings reported in
 * DERCapability / DERSettings (seed 002).
 */
import { z } from 'zod';
import { SOURCE_CLASSES } from '../../core/control.js';
import { pinIsValid } from './registration.js';

const target = z.object({ device: z.string().min(1), name: z.string().min(1) });

export const TELEMETRY_QUANTITIES = ['realPower', 'frequency', 'reactivePower', 'voltage', 'current', 'stateOfCharge'] as const;

export const Sep2MappingSchema = z
  .object({
    /** URL of DeviceCapability, e.g. https://utility.example:8443/dcap */
    server: z.url(),
    /** Registration PIN (with check digit) the server must show for our EndDevice. */
    pin: z.number().int().min(0).max(0xffffffff).refine(pinIsValid, 'PIN check digit is wrong (digit sum must be a multiple of 10)').optional(),
    /** Default device receiving controls. */
    device: z.string().min(1),
    sourceClass: z.enum(SOURCE_CLASSES).default('dso'),
    /** Overrides of the default control-mode → canonical-name map, per mode. */
    controls: z.record(z.string(), target).default({}),
    telemetry: z
      .array(
        z.object({
          device: z.string().min(1),
          name: z.string().min(1),
          quantity: z.enum(TELEMETRY_QUANTITIES),
          description: z.string().max(32).optional(),
        }),
      )
      .default([]),
    /** Source of DERStatus.stateOfChargeStatus. */
    stateOfCharge: target.optional(),
    ratings: z.object({
      maxW: z.number().positive(),
      maxChargeRateW: z.number().positive(),
      maxDischargeRateW: z.number().positive(),
      maxWh: z.number().positive(),
      /** DERType: 83 = combined PV and storage, 80 = storage (IEEE 2030.5 DERType). */
      type: z.number().int().min(0).max(255).default(80),
    }),
    /** Interval of telemetry samples in seconds (seed 002: 30). */
    intervalSeconds: z.number().int().min(1).max(3600).default(30),
    /** Seconds between DERStatus posts (seed 002: 60). */
    statusSeconds: z.number().int().min(10).max(3600).default(60),
    /** Send the CSIP-AUS (csipaus:) elements: true, false, or `auto` (when the server shows the CSIP-AUS namespace). */
    csipAus: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    /** `out-of-band`: the server already lists our EndDevice; `in-band`: POST it and wait for its Registration. */
    registration: z.enum(['out-of-band', 'in-band']).default('out-of-band'),
  })
  .strict();
export type Sep2Mapping = z.output<typeof Sep2MappingSchema>;
