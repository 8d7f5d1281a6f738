/** DERSettings: the settings in force (sep.xsd 2018 order). Seed 002 lists setMaxW/ChargeRateW/DischargeRateW/Wh. */
import { z } from 'zod';
import { resource } from './xml.js';
import {
  ActivePower,
  AmpereHour,
  ApparentPower,
  CurrentRMS,
  HexBinary32,
  HexBinary8,
  Int16,
  PowerFactor,
  ReactivePower,
  TimeType,
  UInt16,
  UInt32,
  VoltageRMS,
  WattHour,
  subscribableAttrs,
} from './primitives.js';

export const DERSettingsSchema = z.object({
  ...subscribableAttrs,
  modesEnabled: HexBinary32.optional(),
  setESDelay: UInt32.optional(),
  setESHighFreq: UInt16.optional(),
  setESHighVolt: Int16.optional(),
  setESLowFreq: UInt16.optional(),
  setESLowVolt: Int16.optional(),
  setESRampTms: UInt32.optional(),
  setESRandomDelay: UInt32.optional(),
  setGradW: UInt16,
  setMaxA: CurrentRMS.optional(),
  setMaxAh: AmpereHour.optional(),
  setMaxChargeRateVA: ApparentPower.optional(),
  setMaxChargeRateW: ActivePower.optional(),
  setMaxDischargeRateVA: ApparentPower.optional(),
  setMaxDischargeRateW: ActivePower.optional(),
  setMaxV: VoltageRMS.optional(),
  setMaxVA: ApparentPower.optional(),
  setMaxVar: ReactivePower.optional(),
  setMaxVarNeg: ReactivePower.optional(),
  setMaxW: ActivePower,
  setMaxWh: WattHour.optional(),
  setMinPFOverExcited: PowerFactor.optional(),
  setMinPFUnderExcited: PowerFactor.optional(),
  setMinV: VoltageRMS.optional(),
  setSoftGradW: UInt16.optional(),
  setVNom: VoltageRMS.optional(),
  setVRef: VoltageRMS.optional(),
  setVRefOfs: VoltageRMS.optional(),
  updatedTime: TimeType,
  /** CSIP-AUS extension (csipaus:): DOE modes enabled, same bits as DERCapability's doeModesSupported. */
  doeModesEnabled: HexBinary8.optional(),
});
export type DERSettings = z.output<typeof DERSettingsSchema>;
export const DERSettingsResource = resource('DERSettings', DERSettingsSchema);
export const parseDERSettings = DERSettingsResource.parse;
export const serializeDERSettings = DERSettingsResource.serialize;
