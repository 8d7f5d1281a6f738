/**
 * Pilot-site mapping (one YAML per site): which devices exist (profile + connection + unit id), and how their
 * canonical points are bound to upstream protocols. The core knows the shape of devices and connections; each
 * upstream block (`upstream.mqtt`, `upstream.sep2`, `upstream.iec104`, `upstream.openadr`, `upstream.sapc`) is
 * validated by its protocol's own schema in src/runtime (the core never imports a protocol).
 */
import { z } from 'zod';
import { DEVICE_KINDS } from '../kinds.js';
import { pollPeriod } from '../profile/schema.js';

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "_", "-" or "." (it becomes part of point ids and topics)');

export const TcpConnectionSchema = z.strictObject({
  type: z.literal('tcp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(502),
  timeoutMs: z.number().int().min(10).max(60000).default(1000),
  retries: z.number().int().min(0).max(10).default(1),
  /** Requests allowed in flight on one TCP connection (Modbus TCP transaction ids); 1 is safest for gateways. */
  maxInFlight: z.number().int().min(1).max(16).default(1),
});

/** Character framing of a serial line (both ends must agree). */
const serialFraming = {
  parity: z.enum(['none', 'even', 'odd']).default('none'),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
};

export const RtuConnectionSchema = z.strictObject({
  type: z.literal('rtu'),
  device: z.string().min(1),
  baudRate: z.number().int().min(300).max(921600).default(9600),
  ...serialFraming,
  timeoutMs: z.number().int().min(10).max(60000).default(500),
  retries: z.number().int().min(0).max(10).default(1),
});

/**
 * A field connection to an IEC 60870-5-104 RTU, GridBridge as the controlling station: it starts data transfer,
 * takes spontaneous and cyclic data, runs a general interrogation after every STARTDT and every `interrogationS`,
 * and a counter interrogation every `counterInterrogationS`. `points` (monitor addresses → device points) and
 * `commands` (device points → command addresses) have the shape of the `upstream.iec104` entries and are checked
 * by the IEC 104 schema in src/runtime/validate.ts. Devices on it have no profile or unit: their points are these.
 */
export const Iec104ConnectionSchema = z.strictObject({
  type: z.literal('iec104'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(2404),
  /** Further addresses of the same RTU (redundant front ends), tried in turn. */
  alternates: z.array(z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535).default(2404) })).default([]),
  commonAddress: z.number().int().min(0).max(0xfffe).default(1),
  /** General interrogation period in seconds (0: only after each STARTDT). */
  interrogationS: z.number().int().min(0).max(86_400).default(900),
  /** Counter interrogation period in seconds (0: off). */
  counterInterrogationS: z.number().int().min(0).max(86_400).default(0),
  /** Clock synchronisation period in seconds (0: off; many RTUs take time from GPS/NTP). */
  clockSyncS: z.number().int().min(0).max(86_400).default(0),
  /** Wait this long for a command's ACT_CON (ms). */
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  points: z.array(z.unknown()).default([]),
  commands: z.array(z.unknown()).default([]),
});

/**
 * A field connection to a SAPC appliance over SSP-1 (docs/sapc-ssp1.md), GridBridge as the **meter end**: the
 * arbiter's effective level of each slot's device point becomes a `CMD` (a limit or a set level, per `as`) whose
 * window ends with the control, a release becomes a `CAN`; every command is confirmed by the appliance's `STA`
 * before it counts as held. `path` is a serial device or `tcp://host:port` (a TCP-serial bridge). Devices on it use a
 * SAPC profile (`protocol: sapc`, e.g. device-profiles/sapc-appliance.yaml) and no unit.
 */
export const SapcConnectionSchema = z.strictObject({
  type: z.literal('sapc'),
  /** Serial device (`/dev/ttyUSB0`, a socat pty) or `tcp://host:port` of a serial device server. */
  path: z.string().min(1),
  baudRate: z.number().int().min(1200).max(115_200).default(9600),
  ...serialFraming,
  /** SSP-1 answer timeout before a resend (ms; §4) and resends before a request fails. */
  ackTimeoutMs: z.number().int().min(50).max(10_000).default(500),
  retries: z.number().int().min(0).max(10).default(3),
  /** Heartbeat period (s); the appliance counts as gone after 3 silent periods (§4). */
  heartbeatSeconds: z.number().int().min(1).max(3600).default(60),
  /** Status request (STQ) period per slot (s; 0 = only after commands): reads the level the appliance applies. */
  statusS: z.number().int().min(0).max(86_400).default(30),
  /** The adapter echoes what it sends (two-wire RS-485 without echo suppression). */
  echo: z.boolean().default(false),
  /** The SSP-1 source GridBridge sends as (a load controller by default: GBCS "Limit APC level"). */
  source: z.enum(['load_controller', 'supplier', 'owner', 'aggregator', 'emergency']).default('load_controller'),
  /** Longest window of one command (s; SSP-1 allows 48 h); a longer control is renewed before the window ends. */
  commandWindowS: z.number().int().min(10).max(48 * 3600).default(3600),
  slots: z
    .array(
      z.strictObject({
        slot: z.number().int().min(1).max(15),
        direction: z.enum(['import', 'export']).default('import'),
        device: id,
        /** The device point whose effective value is the slot's level (0-100 %). */
        point: z.string().min(1).default('SAPCLevel'),
        /** `cap`: a limit (held when the appliance runs at or below it); `setpoint`: a level (held when equal). */
        as: z.enum(['cap', 'setpoint']).default('cap'),
      }),
    )
    .min(1),
});

export const ConnectionSchema = z.discriminatedUnion('type', [TcpConnectionSchema, RtuConnectionSchema, Iec104ConnectionSchema, SapcConnectionSchema]);
export type ConnectionConfig = z.output<typeof ConnectionSchema>;
export type ModbusConnectionConfig = Extract<ConnectionConfig, { type: 'tcp' | 'rtu' }>;
export type Iec104ConnectionConfig = Extract<ConnectionConfig, { type: 'iec104' }>;
export type SapcConnectionConfig = Extract<ConnectionConfig, { type: 'sapc' }>;

export const BackoffSchema = z.strictObject({
  initialMs: z.number().int().min(100).default(1000),
  maxMs: z.number().int().min(1000).default(60000),
  factor: z.number().min(1).max(10).default(2),
  jitter: z.number().min(0).max(1).default(0.2),
});

export const DeviceSchema = z.strictObject({
  id,
  name: z.string().optional(),
  /**
   * A profile id (looked up in the mapping's profile directories) or a path to a profile YAML file. Required on
   * Modbus connections; devices on an `iec104` connection take their points from the connection instead.
   */
  profile: z.string().min(1).optional(),
  connection: id,
  /** Modbus unit id (required on Modbus connections). */
  unit: z.number().int().min(0).max(255).optional(),
  /** Optional override of the profile's kind check: the kind this device plays in the site. */
  kind: z.enum(DEVICE_KINDS).optional(),
  /** Override poll periods (ms, or `continuous`: as fast as the connection allows, blocks in turn) of the profile's poll classes. */
  pollClasses: z.record(z.string(), pollPeriod(50)).optional(),
  /** Only poll these canonical points (default: all readable points of the profile). */
  points: z.array(z.string().min(1)).optional(),
  offlineBackoff: BackoffSchema.optional(),
  enabled: z.boolean().default(true),
});
export type DeviceConfig = z.output<typeof DeviceSchema>;

export const SiteSchema = z.strictObject({
  id,
  name: z.string().optional(),
  timezone: z.string().optional(),
  description: z.string().optional(),
  /**
   * Directory (relative to the mapping file) for state that must survive a restart: the control intents held by the
   * arbiter. Without it, a restart forgets active controls (the fail-safe defaults apply until upstreams resend).
   */
  stateDir: z.string().min(1).optional(),
  /**
   * Longest validity any control may have, from any upstream (seconds; default 48 h, the longest SAPC plan). Longer
   * windows are cut to it (the source must renew); enforced in the arbiter itself.
   */
  maxControlValidityS: z.number().int().min(1).max(31 * 86400).default(48 * 3600),
});

/**
 * Store-and-forward (src/core/store): every upstream path writes through a durable queue in `dir` (default: the
 * site's stateDir; without either, queues are in memory and do not survive a restart).
 */
export const StoreSchema = z.strictObject({
  /** Directory (relative to the mapping file) of the store file `store.lmdb`. */
  dir: z.string().min(1).optional(),
  /** Disk quota for all queued data, MiB; beyond it the oldest batches are dropped and counted (drop-oldest). */
  maxMB: z.number().positive().max(1024 * 1024).default(2048),
  /** Replay rate after an outage, items per second per upstream (0 = as fast as the upstream confirms). */
  replayPerS: z.number().int().min(0).default(5000),
  /** Unconfirmed items on the wire at once, per upstream. */
  maxInflight: z.number().int().min(1).max(10_000).default(100),
});
export type StoreConfig = z.output<typeof StoreSchema>;

export const MappingSchema = z.strictObject({
  /** Format version of this file. */
  mapping: z.literal(1),
  site: SiteSchema,
  /** Directories searched for profile ids, relative to the mapping file (default: ../device-profiles and ./). */
  profileDirs: z.array(z.string()).optional(),
  connections: z.record(id, ConnectionSchema),
  devices: z.array(DeviceSchema).min(1),
  /** Upstream blocks, each checked by its protocol's schema (see src/runtime/validate.ts). */
  upstream: z.partialRecord(z.enum(['mqtt', 'sep2', 'iec104', 'openadr', 'sapc']), z.unknown()).optional(),
  /**
   * Controlled points and their fail-safe behaviour: the value applied when no control is active (e.g. WMaxLimPct
   * 100 = no limit) and the range controls are clipped to. Every control from any upstream expires; on expiry the
   * arbiter falls back to the next active control, then to this default.
   */
  controls: z
    .array(
      z.strictObject({
        device: id,
        name: z.string().min(1),
        default: z.union([z.number(), z.boolean(), z.string()]).optional(),
        min: z.number().optional(),
        max: z.number().optional(),
      }),
    )
    .optional(),
  /** Local plans (charge/balance/discharge), checked by src/core/plans. */
  plans: z.array(z.unknown()).optional(),
  /** Durable store-and-forward of everything sent upstream (docs/store.md). */
  store: StoreSchema.optional(),
});
export type Mapping = z.output<typeof MappingSchema>;
export type MappingInput = z.input<typeof MappingSchema>;

/** A reference from an upstream block to a device's canonical point. */
export const PointRefSchema = z.strictObject({ device: id, name: z.string().min(1) });
export type PointRef = z.output<typeof PointRefSchema>;
