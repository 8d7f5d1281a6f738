/**
 * What the client reports about itself: DERCapability and DERSettings (with the CSIP-AUS elements when the server is
 * CSIP-AUS), DERAvailability from the state of charge, and the EndDevice it POSTs for in-band registration.
 */
import type { DeviceIdentity } from './identity.js';
import type { Sep2Http } from './http.js';
import { DERCapabilityResource, doeModesHex, modesHex } from './derCapability.js';
import { DERSettingsResource } from './derSettings.js';
import type { DERAvailability } from './derAvailability.js';
import { EndDeviceResource, type EndDevice } from './endDevice.js';
import { toScaled } from './primitives.js';

export interface DerRatings {
  maxW: number;
  maxChargeRateW: number;
  maxDischargeRateW: number;
  maxWh: number;
  type?: number;
}

/** 2030.5 DERControlType modes the client maps to intents (controls.ts). */
export const MODES_SUPPORTED = modesHex(['charge', 'discharge', 'opModConnect', 'opModEnergize', 'opModFixedW', 'opModMaxLimW', 'opModTargetW']);
/** CSIP-AUS DOE modes the client maps to intents: export, import, generation and load limits. */
export const DOE_MODES_SUPPORTED = doeModesHex(['opModExpLimW', 'opModImpLimW', 'opModGenLimW', 'opModLoadLimW']);

export function derCapabilityXml(r: DerRatings, csipAus: boolean): string {
  return DERCapabilityResource.serialize({
    modesSupported: MODES_SUPPORTED,
    rtgMaxChargeRateW: toScaled(r.maxChargeRateW),
    rtgMaxDischargeRateW: toScaled(r.maxDischargeRateW),
    rtgMaxW: toScaled(r.maxW),
    rtgMaxWh: toScaled(r.maxWh, true),
    type: r.type ?? 80,
    ...(csipAus ? { doeModesSupported: DOE_MODES_SUPPORTED } : {}),
  });
}

export function derSettingsXml(r: DerRatings, csipAus: boolean, nowS: number): string {
  return DERSettingsResource.serialize({
    modesEnabled: MODES_SUPPORTED,
    setGradW: 0,
    setMaxChargeRateW: toScaled(r.maxChargeRateW),
    setMaxDischargeRateW: toScaled(r.maxDischargeRateW),
    setMaxW: toScaled(r.maxW),
    setMaxWh: toScaled(r.maxWh, true),
    updatedTime: nowS,
    ...(csipAus ? { doeModesEnabled: DOE_MODES_SUPPORTED } : {}),
  });
}

/**
 * DERAvailability from the ratings and the state of charge (%): seconds of discharge at the maximum rate
 * (availabilityDuration), seconds of charge to full (maxChargeDuration), and the active power still available.
 */
export function derAvailabilityFor(r: DerRatings, socPct: number | undefined, nowS: number): DERAvailability {
  const a: DERAvailability = { readingTime: nowS };
  if (socPct === undefined || !Number.isFinite(socPct)) return a;
  const soc = Math.max(0, Math.min(100, socPct)) / 100;
  const clamp = (s: number) => Math.max(0, Math.min(0xffffffff, Math.round(s)));
  a.availabilityDuration = clamp(((soc * r.maxWh) / r.maxDischargeRateW) * 3600);
  a.maxChargeDuration = clamp((((1 - soc) * r.maxWh) / r.maxChargeRateW) * 3600);
  a.statWAvail = toScaled(soc > 0 ? r.maxDischargeRateW : 0);
  return a;
}

/**
 * In-band registration (2030.5 §6.11 / CSIP §5.2.1): POST our EndDevice (SFDI, LFDI) to the EndDeviceList, then read it
 * back from its Location. Whether it already has a RegistrationLink is for the caller to check (and to poll for).
 */
export async function registerInBand(http: Sep2Http, listUrl: string, id: DeviceIdentity, nowS: number, log: (e: Record<string, unknown>) => void): Promise<EndDevice> {
  const body = EndDeviceResource.serialize({ lFDI: id.lfdi, sFDI: id.sfdi, changedTime: nowS });
  const res = await http.request('POST', listUrl, body);
  if (!res.location) throw new Error(`in-band registration: POST ${listUrl} answered ${res.status} without a Location`);
  log({ step: 'register', href: res.location, status: res.status });
  const back = await http.request('GET', res.location);
  return EndDeviceResource.parse(back.body);
}
