/** YAML script for the 2.0b VTN simulator: steps run per VEN, `at` seconds after that VEN registered. */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatPath, type ProfileError } from '../../core/errors.js';

const eventStep = z
  .object({
    id: z.string().min(1),
    signal: z.string().default('SIMPLE'),
    type: z.string().default('level'),
    /** Seconds from the step time to the event start (may be negative for an already active event). */
    startIn: z.number().default(0),
    intervals: z.array(z.object({ duration: z.number().min(0), value: z.number() }).strict()).min(1),
    responseRequired: z.enum(['always', 'never']).default('always'),
    testEvent: z.boolean().default(false),
    priority: z.number().int().min(0).optional(),
    marketContext: z.string().default('http://gridbridge.example/market'),
  })
  .strict();

const reportStep = z
  .object({
    id: z.string().optional(),
    report: z.enum(['TELEMETRY_USAGE', 'TELEMETRY_STATUS', 'METADATA']).default('TELEMETRY_USAGE'),
    granularity: z.number().min(0).default(10),
    reportBack: z.number().min(0).default(60),
    duration: z.number().min(0).default(0),
    /** Ask for these rIDs only (default: all the VEN registered for the report). */
    rIDs: z.array(z.string()).optional(),
  })
  .strict();

export const vtnScriptSchema = z
  .object({
    vtnId: z.string().default('GRIDBRIDGE-VTN-SIM'),
    pollFreqSec: z.number().positive().default(10),
    steps: z
      .array(
        z
          .object({
            at: z.number().min(0),
            event: eventStep.optional(),
            cancelEvent: z.string().optional(),
            reportRequest: reportStep.optional(),
            cancelReport: z.object({ id: z.string(), reportToFollow: z.boolean().default(false) }).strict().optional(),
            reregister: z.literal(true).optional(),
            cancelRegistration: z.literal(true).optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type VtnScript = z.infer<typeof vtnScriptSchema>;
export type VtnScriptStep = VtnScript['steps'][number];
export type VtnEventSpec = z.infer<typeof eventStep>;
export type VtnReportSpec = z.infer<typeof reportStep>;

export function parseVtnScript(text: string, file = 'script.yaml'): { script?: VtnScript; errors: ProfileError[] } {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    const line = (e as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    return { errors: [{ file, ...(line !== undefined ? { line } : {}), path: '', message: e instanceof Error ? e.message : String(e) }] };
  }
  const r = vtnScriptSchema.safeParse(raw ?? {});
  if (r.success) return { script: r.data, errors: [] };
  return { errors: r.error.issues.map((i) => ({ file, path: formatPath(i.path), message: i.message })) };
}
