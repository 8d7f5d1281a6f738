/** Registration: the out-of-band PIN the client checks before trusting the server's EndDevice. */
import { z } from 'zod';
import { resource } from './xml.js';
import { TimeType, UInt32, resourceAttrs } from './primitives.js';

export const RegistrationSchema = z.object({
  ...resourceAttrs,
  pollRate: UInt32.optional(),
  dateTimeRegistered: TimeType,
  pIN: UInt32,
});
export type Registration = z.output<typeof RegistrationSchema>;
export const RegistrationResource = resource('Registration', RegistrationSchema);
export const parseRegistration = RegistrationResource.parse;
export const serializeRegistration = RegistrationResource.serialize;

/** A PIN's last digit is a check digit (same rule as SFDI): the digit sum is ≡ 0 mod 10. */
export function pinIsValid(pin: number): boolean {
  if (!Number.isInteger(pin) || pin < 0) return false;
  let sum = 0;
  for (const c of String(pin)) sum += c.charCodeAt(0) - 48;
  return sum % 10 === 0;
}
