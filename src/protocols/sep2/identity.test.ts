import { describe, expect, it } from 'vitest';
import { checkDigit, lfdiFromDer, sfdiFromLfdi } from './identity.js';
import { pinIsValid } from './registration.js';
import { createHash } from 'node:crypto';

describe('LFDI / SFDI', () => {
  it('derives the SFDI of the notes example (IEEE 2030.5 §6.3.4 example)', () => {
    expect(sfdiFromLfdi('3E4F45AB31EDFE5B67E343E5E4562E31984E23E5')).toBe(167261211391);
  });
  it('check digit makes the digit sum a multiple of ten', () => {
    expect(checkDigit(16726121139)).toBe(1);
    expect(checkDigit(0)).toBe(0);
    const s = String(sfdiFromLfdi('FFFFFFFFF0'));
    expect([...s].reduce((a, c) => a + Number(c), 0) % 10).toBe(0);
  });
  it('LFDI is the first 20 bytes of SHA-256 of the DER, upper-case hex', () => {
    const der = Buffer.from('30820101', 'hex');
    expect(lfdiFromDer(der)).toBe(createHash('sha256').update(der).digest('hex').slice(0, 40).toUpperCase());
    expect(lfdiFromDer(der)).toHaveLength(40);
  });
  it('rejects a non-hex LFDI', () => {
    expect(() => sfdiFromLfdi('XYZ')).toThrow(TypeError);
  });
  it('PIN check digit (111115 is valid, 111111 is not)', () => {
    expect(pinIsValid(111115)).toBe(true);
    expect(pinIsValid(111111)).toBe(false);
  });
});
