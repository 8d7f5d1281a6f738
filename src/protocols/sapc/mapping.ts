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
import { z } from 'zod';

export const SAPC_SOURCES = ['load_controller', 'supplier', 'owner', 'aggregator'] as const;

export const sapcPortSchema = z
  .object({
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(9600),
    dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
    parity: z.enum(['none', 'even', 'odd']).default('none'),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
  })
  .strict();

export const sapcSlotSchema = z
  .object({
    slot: z.number().int().min(1).max(15),
    direction: z.enum(['import', 'export']).default('import'),
    device: z.string().min(1),
    /** Canonical point the level drives. */
    point: z.string().min(1).default('SAPCLevel'),
    /** Level (%) when no command is active: the default plan. */
    default: z.number().min(0).max(100).default(100),
    /** Sources accepted on this slot; others are NAKed REJECTED. */
    sources: z.array(z.enum(SAPC_SOURCES)).min(1).default([...SAPC_SOURCES]),
    /**
     * How a source's level enters the arbiter: `cap` (a limit, GBCS "Limit APC level") or `setpoint` (GBCS "Set APC
     * level"). Default: load_controller → cap, others → setpoint.
     */
    as: z.partialRecord(z.enum(SAPC_SOURCES), z.enum(['cap', 'setpoint'])).default({}),
  })
  .strict();

export const sapcMappingSchema = z
  .object({
    port: sapcPortSchema,
    role: z.enum(['appliance', 'meter']).default('appliance'),
    ackTimeoutMs: z.number().int().min(50).max(10_000).default(500),
    retries: z.number().int().min(0).max(10).default(3),
    heartbeatSeconds: z.number().int().min(1).max(3600).default(60),
    /** The adapter echoes transmitted bytes (two-wire RS-485 without echo suppression). */
    echo: z.boolean().default(false),
    slots: z.array(sapcSlotSchema).default([]),
  })
  .strict()
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.slots.forEach((s, i) => {
      const k = `${s.slot}/${s.direction}`;
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: ['slots', i, 'slot'], message: `slot ${s.slot} ${s.direction} defined twice` });
      seen.add(k);
    });
  });

export type SapcPortConfig = z.output<typeof sapcPortSchema>;
export type SapcSlotConfig = z.output<typeof sapcSlotSchema>;
export type SapcMapping = z.output<typeof sapcMappingSchema>;
