/** DERCapability: nameplate ratings (sep.xsd 2018 order). Seed 002 makes rtgMaxChargeRateW/DischargeRateW/W/Wh mandatory. */
import { z } from 'zod';
import { resource } from './xml.js';
import {
  ActivePower,
  AmpereHour,
  ApparentPower,
  CurrentRMS,
  HexBinary32,
  HexBinary8,
  PowerFactor,
  ReactivePower,
  ReactiveSusceptance,
  UInt8,
  VoltageRMS,
  WattHour,
  resourceAttrs,
} from './primitives.js';

/**
 * 2013-schema (namespace http://ieee.org/2030.5) names of the ratings renamed in 2030.5-2018, as the EPRI 2030.5
 * client PUTs them (rtgW, rtgWh, …; element names compared between the EPRI sep.xsd and the 2018+ sep.xsd). Read as
 * the 2018 element when the 2018 one is absent, so a legacy device's DERCapability is accepted, not a 400.
 */
export const DERCAPABILITY_2013_NAMES: Readonly<Record<string, string>> = {
  rtgA: 'rtgMaxA',
  rtgAh: 'rtgMaxAh',
  rtgVA: 'rtgMaxVA',
  rtgVar: 'rtgMaxVar',
  rtgVarNeg: 'rtgMaxVarNeg',
  rtgW: 'rtgMaxW',
  rtgWh: 'rtgMaxWh',
};

function from2013(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const o = { ...(v as Record<string, unknown>) };
  for (const [old, now] of Object.entries(DERCAPABILITY_2013_NAMES)) {
    if (old in o) {
      if (!(now in o)) o[now] = o[old];
      delete o[old];
    }
  }
  return o;
}

const DERCapabilityObject = z.object({
  ...resourceAttrs,
  modesSupported: HexBinary32,
  rtgAbnormalCategory: UInt8.optional(),
  rtgMaxA: CurrentRMS.optional(),
  rtgMaxAh: AmpereHour.optional(),
  rtgMaxChargeRateVA: ApparentPower.optional(),
  rtgMaxChargeRateW: ActivePower.optional(),
  rtgMaxDischargeRateVA: ApparentPower.optional(),
  rtgMaxDischargeRateW: ActivePower.optional(),
  rtgMaxV: VoltageRMS.optional(),
  rtgMaxVA: ApparentPower.optional(),
  rtgMaxVar: ReactivePower.optional(),
  rtgMaxVarNeg: ReactivePower.optional(),
  rtgMaxW: ActivePower,
  rtgMaxWh: WattHour.optional(),
  rtgMinPFOverExcited: PowerFactor.optional(),
  rtgMinPFUnderExcited: PowerFactor.optional(),
  rtgMinV: VoltageRMS.optional(),
  rtgNormalCategory: UInt8.optional(),
  rtgOverExcitedPF: PowerFactor.optional(),
  rtgOverExcitedW: ActivePower.optional(),
  rtgReactiveSusceptance: ReactiveSusceptance.optional(),
  rtgUnderExcitedPF: PowerFactor.optional(),
  rtgUnderExcitedW: ActivePower.optional(),
  rtgVNom: VoltageRMS.optional(),
  type: UInt8,
  /** CSIP-AUS extension (csipaus:, after the 2018 sequence as envoy-schema places it): DOEModesSupported bits. */
  doeModesSupported: HexBinary8.optional(),
});
export const DERCapabilitySchema = z.preprocess(from2013, DERCapabilityObject);
export type DERCapability = z.output<typeof DERCapabilitySchema>;
export const DERCapabilityResource = resource('DERCapability', DERCapabilitySchema);
export const parseDERCapability = DERCapabilityResource.parse;
export const serializeDERCapability = DERCapabilityResource.serialize;

/** DERControlType bits (modesSupported / modesEnabled), sep.xsd 2018. */
export const DER_CONTROL_TYPE_BITS = {
  charge: 0,
  discharge: 1,
  opModConnect: 2,
  opModEnergize: 3,
  opModFixedPFAbsorbW: 4,
  opModFixedPFInjectW: 5,
  opModFixedVar: 6,
  opModFixedW: 7,
  opModMaxLimW: 19,
  opModTargetVar: 20,
  opModTargetW: 21,
} as const;

export function modesHex(modes: ReadonlyArray<keyof typeof DER_CONTROL_TYPE_BITS>): string {
  let v = 0;
  for (const m of modes) v |= 1 << DER_CONTROL_TYPE_BITS[m];
  return (v >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** CSIP-AUS DOE control bits (csipaus:doeModesSupported / doeModesEnabled): 0 export, 1 import, 2 generation, 3 load. */
export const DOE_MODE_BITS = { opModExpLimW: 0, opModImpLimW: 1, opModGenLimW: 2, opModLoadLimW: 3 } as const;

export function doeModesHex(modes: ReadonlyArray<string>): string {
  let v = 0;
  for (const m of modes) if (m in DOE_MODE_BITS) v |= 1 << DOE_MODE_BITS[m as keyof typeof DOE_MODE_BITS];
  return v.toString(16).toUpperCase().padStart(2, '0');
}
