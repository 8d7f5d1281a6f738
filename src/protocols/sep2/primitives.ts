/**
 * IEEE 2030.5 simple types and shared complex types as zod schemas that accept the strings fast-xml-parser yields
 * (parseTagValue: false) and the typed values code builds, and output typed values. Ranges from sep.xsd (2018).
 */
import { z } from 'zod';

function intRange(min: number, max: number, what: string) {
  return z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .regex(/^[+-]?\d{1,20}$/, `${what}: not an integer`)
        .transform(Number),
    ])
    .pipe(
      z
        .number()
        .int(`${what}: not an integer`)
        .min(min, `${what}: below ${min}`)
        .max(max, `${what}: above ${max}`),
    );
}

export const UInt8 = intRange(0, 0xff, 'UInt8');
export const UInt16 = intRange(0, 0xffff, 'UInt16');
export const UInt32 = intRange(0, 0xffffffff, 'UInt32');
export const UInt40 = intRange(0, 2 ** 40 - 1, 'UInt40');
export const UInt48 = intRange(0, 2 ** 48 - 1, 'UInt48');
export const Int8 = intRange(-128, 127, 'Int8');
export const Int16 = intRange(-32768, 32767, 'Int16');
export const Int32 = intRange(-(2 ** 31), 2 ** 31 - 1, 'Int32');
export const Int48 = intRange(-(2 ** 47), 2 ** 47, 'Int48');
/** Int64 in the schema; limited to the safe-integer range here (seconds since epoch never come close). */
export const Int64 = intRange(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'Int64');
/** TimeType: seconds since 1970-01-01 UTC. */
export const TimeType = Int64;
export const PowerOfTenMultiplier = Int8;
export const PerCent = UInt16;
export const SignedPerCent = Int16;
export const OneHourRange = Int16;
export const PrimacyType = UInt8;
export const VersionType = UInt16;
export const SubscribableType = UInt8;

export const Bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1')])
  .pipe(z.boolean());

function hex(bytes: number) {
  return z
    .string()
    .trim()
    .regex(/^[0-9A-Fa-f]*$/, 'not hexBinary')
    .max(bytes * 2, `hexBinary longer than ${bytes} bytes`);
}
export const HexBinary8 = hex(1);
export const HexBinary16 = hex(2);
export const HexBinary32 = hex(4);
export const HexBinary128 = hex(16);
export const HexBinary160 = hex(20);
export const MRID = HexBinary128;

export function str(max: number) {
  return z.union([z.string(), z.number().transform(String)]).pipe(z.string().max(max, `string longer than ${max}`));
}
export const String32 = str(32);
export const String192 = str(192);
export const AnyURI = z.string().max(2048);

/** maxOccurs > 1: a single element parses as an object, several as an array; both become an array. */
export function list<T extends z.ZodType>(item: T, max = 100000) {
  return z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(item).max(max, `more than ${max} elements`));
}
/** An element whose type is complex but came out empty (`<X/>` gives ''). */
export function obj<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((v) => (v === '' ? {} : v), z.object(shape));
}

export const Link = obj({ href: AnyURI });
export type Link = z.output<typeof Link>;
export const ListLink = obj({ href: AnyURI, all: UInt16.optional() });
export type ListLink = z.output<typeof ListLink>;

/** Base fields in XSD order. Spread them first into a resource shape. */
export const resourceAttrs = { href: AnyURI.optional() };
export const subscribableAttrs = { href: AnyURI.optional(), subscribable: SubscribableType.optional() };
export const listAttrs = { href: AnyURI.optional(), all: UInt16, results: UInt8 };
export const subscribableListAttrs = { ...listAttrs, subscribable: SubscribableType.optional() };
export const identified = { mRID: MRID, description: String32.optional(), version: VersionType.optional() };
export const respondableAttrs = { replyTo: AnyURI.optional(), responseRequired: HexBinary8.optional() };

export const DateTimeInterval = obj({ duration: UInt32, start: TimeType });
export type DateTimeInterval = z.output<typeof DateTimeInterval>;

/** value × 10^multiplier watts. */
export const ActivePower = obj({ multiplier: PowerOfTenMultiplier, value: Int16 });
export type ActivePower = z.output<typeof ActivePower>;
export const ReactivePower = ActivePower;
export const ApparentPower = obj({ multiplier: PowerOfTenMultiplier, value: UInt16 });
export const WattHour = ApparentPower;
export const AmpereHour = ApparentPower;
export const VoltageRMS = ApparentPower;
export const CurrentRMS = ApparentPower;
export const PowerFactor = obj({ displacement: Int16, multiplier: PowerOfTenMultiplier });
export const PowerFactorWithExcitation = obj({ displacement: UInt16, excitation: Bool, multiplier: PowerOfTenMultiplier });
export const ReactiveSusceptance = ApparentPower;
export const FixedVar = obj({ refType: UInt8, value: SignedPerCent });
export const FreqDroop = obj({ dBOF: UInt32, dBUF: UInt32, kOF: UInt16, kUF: UInt16, openLoopTms: UInt16 });

/** Scaled value of an ActivePower-like pair. */
export function scaled(p: { multiplier: number; value: number }): number {
  return p.value * 10 ** p.multiplier;
}

/** The smallest multiplier that fits `watts` in an Int16 (or UInt16) value, rounding to the representable step. */
export function toScaled(watts: number, unsigned = false): { multiplier: number; value: number } {
  const max = unsigned ? 65535 : 32767;
  let m = 0;
  let v = Math.round(watts);
  while (Math.abs(v) > max && m < 127) {
    m++;
    v = Math.round(watts / 10 ** m);
  }
  if (unsigned && v < 0) v = 0;
  return { multiplier: m, value: v };
}
