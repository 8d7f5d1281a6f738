import { crc16Reflected } from '../../core/crc16.js';

/**
 * CRC-16/ARC (a.k.a. CRC-16, CRC-IBM): poly 0x8005 reflected (0xA001), init 0x0000, refin/refout, xorout 0x0000.
 * Check value for ASCII "123456789" is 0xBB3D (reveng catalogue, "CRC-16/ARC").
 */
export function crc16arc(data: Uint8Array | string, start = 0, end?: number): number {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  return crc16Reflected(bytes, 0, start, end ?? bytes.length);
}

/** Four uppercase hex digits, as SSP-1 carries the CRC. */
export function crcHex(crc: number): string {
  return crc.toString(16).toUpperCase().padStart(4, '0');
}
