/**
 * Active 2030.5 control modes → GridBridge ControlIntents (target device + canonical name, each with validTo).
 * Units: opModFixedW is SignedPerCent (hundredths of a percent) of setMaxDischargeRateW when positive and of
 * setMaxChargeRateW when negative (falling back to setMaxW); opModMaxLimW is PerCent of setMaxW; ActivePower values
 * are value × 10^multiplier W; rampTms is in hundredths of a second. Sign convention of WSet: + discharge/export.
 */
import type { ControlIntent, ControlTarget, SourceClass } from '../../core/control.js';
import type { ModeControl, ControlMode } from './scheduler.js';
import { scaled } from './primitives.js';

export const DEFAULT_MODE_TARGETS: Record<ControlMode, string> = {
  opModConnect: 'Conn',
  opModEnergize: 'x_Energize',
  opModFixedW: 'WSet',
  opModTargetW: 'WSet',
  opModMaxLimW: 'WMaxLimPct',
  opModTargetVar: 'x_VArSet',
  opModFixedVar: 'VArPct',
  opModImpLimW: 'x_ImpLimW',
  opModExpLimW: 'x_ExpLimW',
  opModGenLimW: 'WMax',
  opModLoadLimW: 'WChaMax',
  rampTms: 'WMaxLimPct_RmpTms',
};

export interface IntentContext {
  device: string;
  sourceClass: SourceClass;
  overrides?: Partial<Record<string, ControlTarget>>;
  ratings: { maxW: number; maxChargeRateW: number; maxDischargeRateW: number };
  /** Server minus local clock (ms); intents carry local epoch ms. */
  serverOffsetMs: number;
}

/** The value/cap a mode asks for, in GridBridge units; undefined when it cannot be expressed. */
export function modeSetpoint(c: ModeControl, ratings: IntentContext['ratings']): { value?: number | boolean; cap?: number } | undefined {
  const v = c.value as unknown;
  switch (c.mode) {
    case 'opModConnect':
    case 'opModEnergize':
      return typeof v === 'boolean' ? { value: v } : undefined;
    case 'opModFixedW': {
      if (typeof v !== 'number') return undefined;
      const base = v >= 0 ? ratings.maxDischargeRateW || ratings.maxW : ratings.maxChargeRateW || ratings.maxW;
      return { value: Math.round((v / 10000) * base * 1000) / 1000 };
    }
    case 'opModMaxLimW':
      return typeof v === 'number' ? { cap: v / 100 } : undefined;
    case 'opModFixedVar': {
      const fv = v as { value?: number } | undefined;
      return typeof fv?.value === 'number' ? { value: fv.value / 100 } : undefined;
    }
    case 'rampTms':
      return typeof v === 'number' ? { value: v / 100 } : undefined;
    case 'opModTargetW':
    case 'opModTargetVar':
      return isPower(v) ? { value: scaled(v) } : undefined;
    case 'opModImpLimW':
    case 'opModExpLimW':
    case 'opModGenLimW':
    case 'opModLoadLimW':
      return isPower(v) ? { cap: scaled(v) } : undefined;
  }
}

function isPower(v: unknown): v is { multiplier: number; value: number } {
  return !!v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'number' && typeof (v as { multiplier?: unknown }).multiplier === 'number';
}

export function controlsToIntents(controls: readonly ModeControl[], ctx: IntentContext): ControlIntent[] {
  const out: ControlIntent[] = [];
  for (const c of controls) {
    const sp = modeSetpoint(c, ctx.ratings);
    if (!sp) continue;
    const target = ctx.overrides?.[c.mode] ?? { device: ctx.device, name: DEFAULT_MODE_TARGETS[c.mode] };
    const intent: ControlIntent = {
      id: `${c.mRID}:${c.mode}`,
      source: `sep2:${c.programHref}${c.isDefault ? '/dderc' : ''}`,
      sourceClass: ctx.sourceClass,
      target: { device: target.device, name: target.name },
      validFrom: c.validFrom - ctx.serverOffsetMs,
      validTo: c.validTo - ctx.serverOffsetMs,
      randomised: true,
      // Events outrank any DefaultDERControl of the same source.
      priority: c.isDefault ? 256 + c.primacy : c.primacy,
    };
    if (sp.value !== undefined) intent.value = sp.value;
    if (sp.cap !== undefined) intent.cap = sp.cap;
    out.push(intent);
  }
  return out;
}
