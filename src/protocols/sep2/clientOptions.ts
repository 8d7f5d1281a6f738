/** Options of the 2030.5 client, and the part of them a mapping's `sep2` block decides. */
import type { Sep2Mapping } from './mapping.js';
import type { Clock } from '../../core/clock.js';
import type { ControlTarget, SourceClass } from '../../core/control.js';
import type { HttpOptions } from './http.js';
import type { TelemetryPoint } from './telemetry.js';

export interface Ratings {
  maxW: number;
  maxChargeRateW: number;
  maxDischargeRateW: number;
  maxWh: number;
  type?: number;
}

export interface Sep2ClientOptions extends Omit<HttpOptions, 'clock'> {
  dcapUrl: string;
  clock: Clock;
  pin?: number;
  device: string;
  sourceClass?: SourceClass;
  overrides?: Partial<Record<string, ControlTarget>>;
  ratings: Ratings;
  telemetry?: TelemetryPoint[];
  /** `device/name` key whose value is the state of charge in %. */
  stateOfChargeKey?: string;
  intervalSeconds?: number;
  statusSeconds?: number;
  random?: () => number;
  /** Floor for any pollRate/postRate (s), so a hostile server (pollRate 0) cannot make us spin. Default 1. */
  minPollSeconds?: number;
  /**
   * Send the CSIP-AUS elements (csipaus:doeModesSupported in DERCapability, csipaus:doeModesEnabled in DERSettings).
   * `auto` (default): once the server shows the CSIP-AUS namespace in anything it serves, or refuses a DERCapability
   * without them with a 4xx.
   */
  csipAus?: boolean | 'auto';
  /** `in-band`: when the server lists no EndDevice for us, POST one and poll until it has a Registration. */
  registration?: 'out-of-band' | 'in-band';
  /** First delay after a 4xx on a resource (s), doubled per failure up to an hour. Default 30. */
  refusedBackoffSeconds?: number;
}

/** Result of posting one batch of readings (for callers that keep their own durable queue). */
export type ReadingPostOutcome = { ok: true; status: number } | { ok: false; retryable: boolean; status?: number; message: string };

/** The client options a mapping's `sep2` block decides (the rest — TLS, clock, tuning — come from the caller). */
export function clientOptionsFromMapping(
  m: Sep2Mapping,
): Pick<Sep2ClientOptions, 'dcapUrl' | 'pin' | 'device' | 'sourceClass' | 'overrides' | 'ratings' | 'telemetry' | 'stateOfChargeKey' | 'intervalSeconds' | 'statusSeconds' | 'csipAus' | 'registration'> {
  return {
    csipAus: m.csipAus,
    registration: m.registration,
    dcapUrl: m.server,
    ...(m.pin !== undefined ? { pin: m.pin } : {}),
    device: m.device,
    sourceClass: m.sourceClass,
    overrides: m.controls,
    ratings: m.ratings,
    telemetry: m.telemetry.map((t) => ({ key: `${t.device}/${t.name}`, quantity: t.quantity, ...(t.description ? { description: t.description } : {}) })),
    ...(m.stateOfCharge ? { stateOfChargeKey: `${m.stateOfCharge.device}/${m.stateOfCharge.name}` } : {}),
    intervalSeconds: m.intervalSeconds,
    statusSeconds: m.statusSeconds,
  };
}

export type ClientState = 'connecting' | 'up' | 'degraded' | 'down';
