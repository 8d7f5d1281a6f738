/**
 * The `openadr` block of a pilot mapping YAML: which VTN, which points are reported (keyed by device id + canonical
 * point name) and which event signals become control intents on which device points.
 */
import { z } from 'zod';
import { SOURCE_CLASSES } from '../../core/control.js';

export const ITEM_KINDS = ['powerReal', 'powerReactive', 'powerApparent', 'energyReal', 'voltage', 'current', 'frequency', 'customUnit'] as const;

export const openadrReportBindingSchema = z
  .object({
    device: z.string().min(1),
    point: z.string().min(1),
    /** 2.0b rID / 3.x resourceName suffix; default `<device>/<point>`. */
    rID: z.string().min(1).optional(),
    /** 2.0b report the point belongs to. TELEMETRY_STATUS points are sent as oadrPayloadResourceStatus. */
    report: z.enum(['TELEMETRY_USAGE', 'TELEMETRY_STATUS']).default('TELEMETRY_USAGE'),
    reportType: z.string().default('usage'),
    readingType: z.string().default('Direct Read'),
    itemKind: z.enum(ITEM_KINDS).optional(),
    unit: z.string().optional(),
    /** OpenADR 3 report payloadType (default from reportType: usage → USAGE, demand → DEMAND, else READING). */
    payloadType: z.string().optional(),
  })
  .strict();

export const openadrSignalBindingSchema = z
  .object({
    /** 2.0b signalName (SIMPLE, LOAD_DISPATCH, …) or OpenADR 3 payloadType (SIMPLE, IMPORT_CAPACITY_LIMIT, …). */
    signal: z.string().min(1),
    /** Optional 2.0b signalType filter (level, setpoint, x-loadControlCapacity …). */
    signalType: z.string().optional(),
    device: z.string().min(1),
    point: z.string().min(1),
    /** `cap`: the value is an upper limit; `value`: an exact setpoint. */
    mode: z.enum(['cap', 'value']).default('cap'),
    /** Discrete mapping of signal values, e.g. SIMPLE levels { "0": 100, "1": 50, "2": 0, "3": 0 }. */
    levels: z.record(z.string(), z.number()).optional(),
    scale: z.number().default(1),
    offset: z.number().default(0),
  })
  .strict();

export const openadrPolicySchema = z
  .object({
    opt: z.enum(['optIn', 'optOut']).default('optIn'),
    /** Opt out of events whose testEvent is not "false" (controls are never applied for test events). */
    optOutTestEvents: z.boolean().default(false),
    /** Expiry for open-ended events (duration 0 = until cancelled). Controls always expire. */
    maxOpenEndedSec: z.number().int().positive().default(3600),
    sourceClass: z.enum(SOURCE_CLASSES).default('aggregator'),
  })
  .strict();

export const openadrMappingSchema = z
  .object({
    version: z.enum(['2.0b', '3.0.1', '3.1.0']).default('2.0b'),
    vtnUrl: z.url(),
    venName: z.string().min(1),
    /** 2.0b: when omitted and a client certificate is configured, the certificate fingerprint is used. */
    venId: z.string().optional(),
    transport: z.enum(['pull', 'push']).default('pull'),
    /** PUSH: the address the VEN listens on, sent as oadrTransportAddress. */
    pushUrl: z.url().optional(),
    reportOnly: z.boolean().default(false),
    /** 2.0b: sign every payload (XML signature with ReplayProtect) and refuse VTN payloads not signed by the VTN. */
    xmlSignature: z.boolean().default(false),
    /**
     * 2.0b signature material (PEM file names): signing `cert`/`key` (default `tls.cert`/`tls.key`), and the VTN's
     * signing certificate `vtnCert`, or a `ca` (default `tls.ca`) that issued it. `replayWindowSec`: largest accepted
     * clock difference of a ReplayProtect timestamp.
     */
    signature: z
      .object({ cert: z.string().optional(), key: z.string().optional(), vtnCert: z.string().optional(), ca: z.string().optional(), replayWindowSec: z.number().positive().default(300) })
      .strict()
      .optional(),
    pollIntervalSec: z.number().positive().default(10),
    tls: z.object({ cert: z.string(), key: z.string(), ca: z.string().optional() }).strict().optional(),
    oauth: z.object({ clientId: z.string(), clientSecretEnv: z.string().default('OPENADR_CLIENT_SECRET'), tokenUrl: z.url().optional() }).strict().optional(),
    /** 3.x: poll only, or also webhook subscriptions, or (3.1.0) the MQTT notifier binding of GET /notifiers. */
    notification: z.enum(['poll', 'webhook', 'mqtt']).default('poll'),
    callbackUrl: z.url().optional(),
    marketContext: z.string().optional(),
    policy: openadrPolicySchema.default({ opt: 'optIn', optOutTestEvents: false, maxOpenEndedSec: 3600, sourceClass: 'aggregator' }),
    reports: z.array(openadrReportBindingSchema).default([]),
    signals: z.array(openadrSignalBindingSchema).default([]),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.notification === 'mqtt' && m.version !== '3.1.0') ctx.addIssue({ code: 'custom', path: ['notification'], message: 'mqtt notifications need OpenADR 3.1.0' });
    if (!m.xmlSignature && m.signature) ctx.addIssue({ code: 'custom', path: ['signature'], message: 'signature material given but xmlSignature is not true' });
    if (!m.xmlSignature) return;
    if (m.version !== '2.0b') {
      ctx.addIssue({ code: 'custom', path: ['xmlSignature'], message: 'XML signatures are an OpenADR 2.0b feature (OpenADR 3 relies on TLS and OAuth2)' });
      return;
    }
    // Whether signing material exists is checked when the VEN is built: Node-RED passes it as credentials.
  });

export type OpenadrMapping = z.infer<typeof openadrMappingSchema>;
export type OpenadrReportBinding = z.infer<typeof openadrReportBindingSchema>;
export type OpenadrSignalBinding = z.infer<typeof openadrSignalBindingSchema>;
export type OpenadrPolicy = z.infer<typeof openadrPolicySchema>;
