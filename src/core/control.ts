/**
 * Control intents: what any upstream (2030.5, OpenADR, MQTT, SAPC, IEC 104) or a local plan asks of a device point.
 * The arbiter turns intents into one effective setpoint per target. Every intent has an expiry (`validTo`).
 */
import type { PointValue } from './point.js';

/** Ordered from most to least authoritative where the arbiter ranks them; see src/core/arbitration. */
export const SOURCE_CLASSES = ['safety', 'load_controller', 'dso', 'supplier', 'aggregator', 'owner', 'local_plan', 'default'] as const;
export type SourceClass = (typeof SOURCE_CLASSES)[number];

export interface ControlTarget {
  device: string;
  /** Canonical point name, e.g. WMaxLimPct, WSet, Conn, SAPCLevel. */
  name: string;
}

export interface ControlIntent {
  /** Unique per source (event id, mRID, SAPC event id …). */
  id: string;
  /** Free-form origin, e.g. "sep2:/derp/1/derc/7", "openadr:evt-12", "mqtt:site/inv/WMaxLimPct/set". */
  source: string;
  sourceClass: SourceClass;
  target: ControlTarget;
  /** Exact setpoint (e.g. connect=false, fixed W). Exclusive with `cap`. */
  value?: PointValue;
  /** Upper limit (e.g. max export W / max import %). The effective cap is the minimum of active caps. */
  cap?: number;
  /** Epoch ms. */
  validFrom: number;
  /** Epoch ms; mandatory: controls always expire. */
  validTo: number;
  /** True when randomisation has already been applied upstream; the arbiter must not apply it again. */
  randomised?: boolean;
  /** Optional priority within a source class (lower wins), e.g. 2030.5 primacy. */
  priority?: number;
}

export type ControlOutcome = 'applied' | 'clipped' | 'superseded' | 'rejected' | 'expired' | 'cancelled';

export interface ControlResult {
  intentId: string;
  outcome: ControlOutcome;
  reason?: string;
  effective?: PointValue;
}
