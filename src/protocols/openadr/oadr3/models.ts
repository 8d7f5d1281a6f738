/**
 * OpenADR 3 (3.0.1 and 3.1.0) JSON models as zod schemas, derived from components/schemas of the OpenAPI files in
 * ../shared/schemas/openadr-3. Parsing is tolerant of known field deviations (each one is reported through
 * `Deviations`); what GridBridge emits follows the schema of the configured version strictly.
 */
import { z } from 'zod';

export type Oadr3Version = '3.0.1' | '3.1.0';

/** Collects deviations from the specification found while parsing (logged by the VEN, never fatal). */
export type Deviations = (what: string) => void;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** RFC 3339 date-time to epoch ms; tolerates a space separator or a missing zone (UTC assumed), with a deviation. */
export function parseDateTime3(s: string, dev?: Deviations): number | undefined {
  if (RFC3339.test(s)) return Date.parse(s);
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/i.exec(s.trim());
  if (m) {
    dev?.(`date-time "${s}" is not RFC 3339`);
    const t = Date.parse(`${m[1]}T${m[2]}${m[3] ? '' : ':00'}${m[5] ?? 'Z'}`);
    return Number.isFinite(t) ? t : undefined;
  }
  dev?.(`date-time "${s}" unusable (time only or unknown format)`);
  return undefined;
}

export function formatDateTime3(ms: number): string {
  return new Date(ms).toISOString();
}

/** ISO 8601 duration (the 3.x pattern: fractional seconds and weeks allowed) to seconds. */
export function parseDuration3(s: string): number | undefined {
  const m = /^(-?)P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)([DW]))?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s);
  if (!m) return undefined;
  const n = (i: number) => (m[i] ? Number(m[i]) : 0);
  const days = m[5] === 'W' ? n(4) * 7 : n(4);
  const secs = n(2) * 31536000 + n(3) * 2592000 + days * 86400 + n(6) * 3600 + n(7) * 60 + n(8);
  return m[1] === '-' ? -secs : secs;
}

export const objectID = z.string().regex(/^[a-zA-Z0-9_-]*$/).min(1).max(128);
export const pointSchema = z.object({ x: z.number(), y: z.number() });
export const valuesMapSchema = z.object({
  type: z.string().min(1).max(128),
  values: z.array(z.union([z.number(), z.string(), z.boolean(), pointSchema])),
});
/** 3.0.1 targets are valuesMaps, 3.1.0 targets are plain strings: accept both. */
export const targetSchema = z.union([valuesMapSchema, z.string().min(1).max(128)]);
export const intervalPeriodSchema = z.object({ start: z.string(), duration: z.string().optional(), randomizeStart: z.string().nullish() });
export const intervalSchema = z.object({ id: z.number().int(), intervalPeriod: intervalPeriodSchema.nullish(), payloads: z.array(valuesMapSchema) });

export const eventPayloadDescriptorSchema = z.object({
  objectType: z.literal('EVENT_PAYLOAD_DESCRIPTOR').optional(),
  payloadType: z.string().min(1).max(128),
  units: z.string().nullish(),
  currency: z.string().nullish(),
});
export const reportPayloadDescriptorSchema = z.object({
  objectType: z.literal('REPORT_PAYLOAD_DESCRIPTOR').optional(),
  payloadType: z.string().min(1).max(128),
  readingType: z.string().nullish(),
  units: z.string().nullish(),
  accuracy: z.number().nullish(),
  confidence: z.number().int().min(0).max(100).nullish(),
});
export const reportDescriptorSchema = z.object({
  payloadType: z.string().min(1).max(128),
  readingType: z.string().nullish(),
  units: z.string().nullish(),
  targets: z.array(targetSchema).nullish(),
  aggregate: z.boolean().optional(),
  startInterval: z.number().int().optional(),
  numIntervals: z.number().int().optional(),
  historical: z.boolean().optional(),
  frequency: z.number().int().optional(),
  repeat: z.number().int().optional(),
});

const meta = {
  id: objectID.optional(),
  createdDateTime: z.string().optional(),
  modificationDateTime: z.string().optional(),
};

export const programSchema = z.object({
  ...meta,
  objectType: z.literal('PROGRAM').optional(),
  programName: z.string().min(1).max(128),
  programLongName: z.string().nullish(),
  intervalPeriod: intervalPeriodSchema.nullish(),
  payloadDescriptors: z.array(z.union([eventPayloadDescriptorSchema, reportPayloadDescriptorSchema])).nullish(),
  targets: z.array(targetSchema).nullish(),
});

export const eventSchema = z.object({
  ...meta,
  objectType: z.literal('EVENT').optional(),
  programID: objectID,
  eventName: z.string().nullish(),
  priority: z.number().int().min(0).nullish(),
  /** 3.1.0: optional event duration (may loop intervals). */
  duration: z.string().nullish(),
  targets: z.array(targetSchema).nullish(),
  reportDescriptors: z.array(reportDescriptorSchema).nullish(),
  payloadDescriptors: z.array(eventPayloadDescriptorSchema).nullish(),
  intervalPeriod: intervalPeriodSchema.nullish(),
  /** Required in 3.0.1, optional in 3.1.0 (eventRequest requires programID only). */
  intervals: z.array(intervalSchema).default([]),
});

export const reportResourceSchema = z.object({ resourceName: z.string().min(1).max(128), intervalPeriod: intervalPeriodSchema.nullish(), intervals: z.array(intervalSchema) });
export const reportSchema = z.object({
  ...meta,
  objectType: z.literal('REPORT').optional(),
  programID: objectID.optional(),
  eventID: objectID,
  clientName: z.string().min(1).max(128),
  reportName: z.string().nullish(),
  payloadDescriptors: z.array(reportPayloadDescriptorSchema).nullish(),
  resources: z.array(reportResourceSchema),
});

export const objectTypes = z.enum(['PROGRAM', 'EVENT', 'REPORT', 'SUBSCRIPTION', 'VEN', 'RESOURCE']);
export const subscriptionSchema = z.object({
  ...meta,
  objectType: z.literal('SUBSCRIPTION').optional(),
  clientName: z.string().min(1).max(128),
  programID: objectID,
  objectOperations: z.array(
    z.object({ objects: z.array(objectTypes), operations: z.array(z.enum(['READ', 'CREATE', 'UPDATE', 'DELETE'])), callbackUrl: z.string(), bearerToken: z.string().nullish() }),
  ),
  targets: z.array(targetSchema).nullish(),
});

export const venSchema = z.object({ ...meta, objectType: z.string().optional(), venName: z.string().min(1).max(128), clientID: z.string().optional() });

export const notificationSchema = z.object({
  objectType: objectTypes,
  /** 3.0.1: GET/POST/PUT/DELETE; 3.1.0: CREATE/READ/UPDATE/DELETE. */
  operation: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'CREATE', 'READ', 'UPDATE']),
  object: z.record(z.string(), z.unknown()),
  targets: z.array(targetSchema).nullish(),
});

export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().optional(),
  refresh_token: z.string().optional(),
  scope: z.union([z.string(), z.array(z.string())]).optional(),
});

export const problemSchema = z.object({ type: z.string().optional(), title: z.string().optional(), status: z.union([z.number(), z.string()]).optional(), detail: z.string().optional() });

export type Program3 = z.infer<typeof programSchema>;
export type Event3 = z.infer<typeof eventSchema>;
export type Report3 = z.infer<typeof reportSchema>;
export type Subscription3 = z.infer<typeof subscriptionSchema>;
export type Notification3 = z.infer<typeof notificationSchema>;
export type ValuesMap = z.infer<typeof valuesMapSchema>;
export type Interval3 = z.infer<typeof intervalSchema>;

export class Oadr3Error extends Error {
  constructor(
    readonly where: string,
    readonly reason: string,
    readonly status?: number,
  ) {
    super(`openadr3: ${where}: ${reason}`);
    this.name = 'Oadr3Error';
  }
}

/** Parse JSON text; tolerates a body that is JSON-encoded twice (a known VTN deviation). */
export function parseJson(text: string, where: string, dev?: Deviations): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Oadr3Error(where, `invalid JSON: ${e instanceof Error ? e.message : String(e)}`, 400);
  }
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
      dev?.(`${where}: body was JSON-encoded twice`);
    } catch {
      throw new Oadr3Error(where, 'JSON string where an object was expected', 400);
    }
  }
  return v;
}

/** Validate with a schema; the error names the field path. */
export function check<T>(schema: z.ZodType<T>, v: unknown, where: string): T {
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  throw new Oadr3Error(`${where}${i.path.length ? '.' + i.path.join('.') : ''}`, i.message, 400);
}

/** Emit a VEN object for the version (3.1.0 wants objectType VEN_VEN_REQUEST, see the erratum in the notes). */
export function venRequest(version: Oadr3Version, venName: string): Record<string, unknown> {
  return version === '3.1.0' ? { objectType: 'VEN_VEN_REQUEST', venName } : { venName };
}
