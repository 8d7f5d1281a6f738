/**
 * Modbus wire-level types shared by the transports, the scheduler, the simulator and the CLI.
 * Addresses are 0-based protocol addresses (what goes on the wire), unit ids 0..247 (0 = broadcast).
 */

export type ReadFunctionCode = 1 | 2 | 3 | 4;
export type WriteFunctionCode = 5 | 6 | 15 | 16;
export type FunctionCode = ReadFunctionCode | WriteFunctionCode;

export type ReadRequest = { fc: ReadFunctionCode; unitId: number; address: number; count: number };
export type WriteRequest =
  | { fc: 5; unitId: number; address: number; value: boolean }
  | { fc: 6; unitId: number; address: number; value: number }
  | { fc: 15; unitId: number; address: number; values: boolean[] }
  | { fc: 16; unitId: number; address: number; values: number[] };
export type ModbusRequest = ReadRequest | WriteRequest;

/** Register reads fill `registers`, bit reads fill `bits`; writes return an empty response. */
export interface ModbusResponse {
  registers?: number[];
  bits?: boolean[];
}

export const FUNCTION_NAMES: Record<FunctionCode, string> = {
  1: 'read coils',
  2: 'read discrete inputs',
  3: 'read holding registers',
  4: 'read input registers',
  5: 'write single coil',
  6: 'write single register',
  15: 'write multiple coils',
  16: 'write multiple registers',
};

/** Modbus Application Protocol v1.1b3, clause 7 (exception codes). */
export const EXCEPTION_NAMES: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

export function exceptionName(code: number): string {
  return EXCEPTION_NAMES[code] ?? 'unknown exception';
}

export function isRead(r: ModbusRequest): r is ReadRequest {
  return r.fc <= 4;
}

export function describeRequest(r: ModbusRequest): string {
  const n = isRead(r) ? r.count : r.fc === 15 || r.fc === 16 ? r.values.length : 1;
  return `unit ${r.unitId} fc${r.fc} @${r.address}×${n}`;
}

/** The device answered with an exception response (function code | 0x80). */
export class ModbusExceptionError extends Error {
  readonly kind = 'exception' as const;
  readonly exceptionName: string;
  constructor(
    readonly code: number,
    readonly request?: ModbusRequest,
  ) {
    super(`modbus exception ${code} (${exceptionName(code)})${request ? ` for ${describeRequest(request)}` : ''}`);
    this.name = 'ModbusExceptionError';
    this.exceptionName = exceptionName(code);
  }
}

/** No (valid) answer within the request timeout. */
export class ModbusTimeoutError extends Error {
  readonly kind = 'timeout' as const;
  constructor(
    readonly timeoutMs: number,
    readonly request?: ModbusRequest,
  ) {
    super(`no answer within ${timeoutMs} ms${request ? ` for ${describeRequest(request)}` : ''}`);
    this.name = 'ModbusTimeoutError';
  }
}

/** The transport is not open / was lost (serial device unplugged, TCP connection refused or reset). */
export class ModbusConnectionError extends Error {
  readonly kind = 'connection' as const;
  constructor(reason: string) {
    super(reason);
    this.name = 'ModbusConnectionError';
  }
}

/** A malformed answer (CRC error, wrong length, wrong unit id or function code). */
export class ModbusProtocolError extends Error {
  readonly kind = 'protocol' as const;
  constructor(reason: string) {
    super(reason);
    this.name = 'ModbusProtocolError';
  }
}

export type ModbusError = ModbusExceptionError | ModbusTimeoutError | ModbusConnectionError | ModbusProtocolError;

export function isModbusError(e: unknown): e is ModbusError {
  return (
    e instanceof ModbusExceptionError ||
    e instanceof ModbusTimeoutError ||
    e instanceof ModbusConnectionError ||
    e instanceof ModbusProtocolError
  );
}

/** Validate a request's ranges (Modbus Application Protocol clause 6). Returns a reason, or undefined when valid. */
export function requestProblem(r: ModbusRequest): string | undefined {
  if (!Number.isInteger(r.unitId) || r.unitId < 0 || r.unitId > 255) return `unit id ${r.unitId} out of range 0..255`;
  if (!Number.isInteger(r.address) || r.address < 0 || r.address > 0xffff) return `address ${r.address} out of range`;
  let n = 1;
  let max = 1;
  if (isRead(r)) {
    if (r.unitId === 0) return 'unit id 0 (broadcast) accepts writes only';
    n = r.count;
    max = r.fc <= 2 ? 2000 : 125;
  } else if (r.fc === 15) {
    n = r.values.length;
    max = 1968;
  } else if (r.fc === 16) {
    n = r.values.length;
    max = 123;
    if (r.values.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffff)) return 'register value outside 0..65535';
  } else if (r.fc === 6) {
    if (!Number.isInteger(r.value) || r.value < 0 || r.value > 0xffff) return `register value ${r.value} outside 0..65535`;
  }
  if (!Number.isInteger(n) || n < 1 || n > max) return `quantity ${n} outside 1..${max}`;
  if (r.address + n > 0x10000) return `address ${r.address} + quantity ${n} beyond 65535`;
  return undefined;
}
