/** Scripted control scenarios for the 2030.5 test server (YAML), validated with zod; errors name the field. */
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { formatPath } from '../../core/errors.js';

const base = z
  .object({
    opModConnect: z.boolean().optional(),
    opModEnergize: z.boolean().optional(),
    opModFixedW: z.number().int().min(-10000).max(10000).optional(),
    opModMaxLimW: z.number().int().min(0).max(10000).optional(),
    opModTargetW: z.object({ multiplier: z.number().int(), value: z.number().int() }).optional(),
    opModGenLimW: z.object({ multiplier: z.number().int(), value: z.number().int() }).optional(),
    opModLoadLimW: z.object({ multiplier: z.number().int(), value: z.number().int() }).optional(),
    opModExpLimW: z.object({ multiplier: z.number().int(), value: z.number().int() }).optional(),
    opModImpLimW: z.object({ multiplier: z.number().int(), value: z.number().int() }).optional(),
    rampTms: z.number().int().min(0).max(65535).optional(),
  })
  .strict();

export const ControlStepSchema = z
  .object({
    program: z.number().int().min(0).default(0),
    mRID: z.string().regex(/^[0-9A-Fa-f]{1,32}$/).optional(),
    description: z.string().max(32).optional(),
    /** Seconds after the step fires. */
    start: z.number().int().min(-86400).max(86400 * 30).default(0),
    duration: z.number().int().min(1).max(86400 * 7),
    randomizeStart: z.number().int().min(-3600).max(3600).optional(),
    randomizeDuration: z.number().int().min(-3600).max(3600).optional(),
    responseRequired: z.string().regex(/^[0-9A-Fa-f]{2}$/).default('03'),
    base,
  })
  .strict();
export type ControlStep = z.output<typeof ControlStepSchema>;

export const ScenarioSchema = z
  .object({
    pin: z.number().int().min(0).optional(),
    pollRate: z.number().int().min(1).max(86400).default(30),
    postRate: z.number().int().min(1).max(86400).default(60),
    /** Behave as a CSIP-AUS server: refuse (400) a DERCapability without csipaus:doeModesSupported, as envoy does. */
    csipAus: z.boolean().default(false),
    /** `in-band`: our EndDevice is listed only after the client POSTs it; its Registration appears `registrationDelay` s later. */
    registration: z.enum(['out-of-band', 'in-band']).default('out-of-band'),
    registrationDelay: z.number().min(0).max(86400).default(0),
    /** Server clock minus real clock, seconds (to rehearse clients that must follow the server's Time). */
    timeOffsetSeconds: z.number().int().default(0),
    programs: z
      .array(z.object({ primacy: z.number().int().min(0).max(255), description: z.string().max(32).optional(), default: base.optional() }).strict())
      .min(1)
      .default([{ primacy: 1, description: 'DSO program' }]),
    steps: z
      .array(
        z.union([
          z.object({ at: z.number().min(0), control: ControlStepSchema }).strict(),
          z.object({ at: z.number().min(0), cancel: z.string(), status: z.union([z.literal(2), z.literal(3), z.literal(4)]).default(2) }).strict(),
          /** Make a path misbehave from `at` (status, raw body, content type); `fault: null` heals it. */
          z
            .object({
              at: z.number().min(0),
              path: z.string().startsWith('/'),
              fault: z.object({ status: z.number().int().min(100).max(599).optional(), body: z.string().optional(), contentType: z.string().optional() }).strict().nullable(),
            })
            .strict(),
        ]),
      )
      .default([]),
  })
  .strict();
export type Scenario = z.output<typeof ScenarioSchema>;

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    message: string,
  ) {
    super(`${file}: ${path ? path + ': ' : ''}${message}`);
    this.name = 'ScenarioError';
  }
}

export function parseScenario(text: string, file = 'scenario.yaml'): Scenario {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (e) {
    throw new ScenarioError(file, '', e instanceof Error ? e.message : String(e));
  }
  const r = ScenarioSchema.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ScenarioError(file, formatPath(i.path), i.message);
  }
  return r.data;
}
