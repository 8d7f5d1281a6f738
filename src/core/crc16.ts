/**
 * Reflected CRC-16 with polynomial 0x8005 (0xA001 reflected), table-driven. Modbus RTU uses init 0xFFFF
 * (CRC-16/MODBUS, check "123456789" = 0x4B37); SAPC SSP-1 uses init 0x0000 (CRC-16/ARC, check 0xBB3D).
 * Source of the parameters and check values: the reveng CRC catalogue.
 */
const TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function crc16Reflected(bytes: Uint8Array, init: number, start = 0, end = bytes.length): number {
  let crc = init;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc & 0xffff;
}
