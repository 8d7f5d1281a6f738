/**
 * Transports: the small interface the scheduler drives, and its implementation on modbus-serial
 * (`ModbusRTU`: connectTCP / connectRTUBuffered). The scheduler owns timing (timeouts, retries, reconnect backoff)
 * through the injected Clock; a transport only opens, closes, and carries one request to one answer.
 */
import type ModbusRTU from 'modbus-serial';
import {
  ModbusConnectionError,
  ModbusExceptionError,
  ModbusProtocolError,
  ModbusTimeoutError,
  isModbusError,
  requestProblem,
  type ModbusRequest,
  type ModbusResponse,
} from './types.js';

export interface TcpEndpoint {
  host: string;
  port?: number;
}

export interface RtuEndpoint {
  path: string;
  baudRate?: number;
  parity?: 'none' | 'even' | 'odd';
  dataBits?: 7 | 8;
  stopBits?: 1 | 2;
}

export type Endpoint = { tcp: TcpEndpoint } | { rtu: RtuEndpoint };

export function describeEndpoint(e: Endpoint): string {
  if ('tcp' in e) return `tcp://${e.tcp.host}:${e.tcp.port ?? 502}`;
  const r = e.rtu;
  return `rtu:${r.path}@${r.baudRate ?? 9600}/${r.dataBits ?? 8}${(r.parity ?? 'none')[0]!.toUpperCase()}${r.stopBits ?? 1}`;
}

export interface ModbusTransport {
  /** True for a serial line: exactly one transaction at a time across all unit ids. */
  readonly serial: boolean;
  readonly description: string;
  readonly isOpen: boolean;
  /** Rejects with ModbusConnectionError (device missing, connection refused …). */
  open(): Promise<void>;
  close(): Promise<void>;
  /**
   * Carry one request. Rejects with ModbusExceptionError / ModbusTimeoutError / ModbusProtocolError /
   * ModbusConnectionError. Unit id 0 (broadcast writes) resolves `{}` after `turnaroundMs` without an answer.
   */
  request(req: ModbusRequest, timeoutMs: number): Promise<ModbusResponse>;
  /** Called once when an open transport is lost (cable pulled, peer closed). */
  onLost(listener: (reason: string) => void): void;
}

export interface ModbusSerialTransportOptions {
  /** Delay after a broadcast write before the next transaction (Modbus serial line spec 2.4.1: 100..200 ms). */
  broadcastTurnaroundMs?: number;
}

interface MsError {
  message?: string;
  modbusCode?: number;
  errno?: string;
  name?: string;
}

/** Map a modbus-serial error to a typed ModbusError. */
export function mapModbusSerialError(e: unknown, req: ModbusRequest, timeoutMs: number): Error {
  if (isModbusError(e)) return e;
  const err = (e ?? {}) as MsError;
  if (typeof err.modbusCode === 'number') return new ModbusExceptionError(err.modbusCode, req);
  const msg = err.message ?? String(e);
  if (err.name === 'TransactionTimedOutError' || err.errno === 'ETIMEDOUT' || /timed out/i.test(msg)) return new ModbusTimeoutError(timeoutMs, req);
  if (err.name === 'PortNotOpenError' || /not open/i.test(msg)) return new ModbusConnectionError('port not open');
  return new ModbusProtocolError(msg);
}

export class ModbusSerialTransport implements ModbusTransport {
  readonly serial: boolean;
  readonly description: string;
  private client: ModbusRTU | undefined;
  private lostListeners: Array<(reason: string) => void> = [];
  private closing = false;
  private readonly turnaroundMs: number;

  constructor(
    private readonly endpoint: Endpoint,
    opts: ModbusSerialTransportOptions = {},
  ) {
    this.serial = 'rtu' in endpoint;
    this.description = describeEndpoint(endpoint);
    this.turnaroundMs = opts.broadcastTurnaroundMs ?? 100;
  }

  get isOpen(): boolean {
    return this.client?.isOpen === true;
  }

  onLost(listener: (reason: string) => void): void {
    this.lostListeners.push(listener);
  }

  async open(): Promise<void> {
    await this.close();
    this.closing = false;
    // Loaded here, not at module load: Modbus TCP ports use tcp-transport.ts and never need modbus-serial/serialport.
    const ModbusClient = require('modbus-serial') as typeof ModbusRTU;
    const client = new ModbusClient();
    // Without an 'error' listener an EventEmitter error would throw and crash the process.
    client.on('error', (e: unknown) => this.lost(`transport error: ${(e as MsError)?.message ?? String(e)}`, client));
    client.on('close', () => this.lost('connection closed', client));
    this.client = client;
    try {
      if ('tcp' in this.endpoint) {
        await client.connectTCP(this.endpoint.tcp.host, { port: this.endpoint.tcp.port ?? 502 });
      } else {
        const r = this.endpoint.rtu;
        await client.connectRTUBuffered(r.path, {
          baudRate: r.baudRate ?? 9600,
          parity: r.parity ?? 'none',
          dataBits: r.dataBits ?? 8,
          stopBits: r.stopBits ?? 1,
        });
      }
    } catch (e) {
      this.client = undefined;
      safeClose(client);
      const m = e as MsError;
      throw new ModbusConnectionError(`${this.description}: ${m?.message ?? String(e)}`);
    }
    if (!client.isOpen) {
      this.client = undefined;
      throw new ModbusConnectionError(`${this.description}: not open after connect`);
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    this.closing = true;
    await new Promise<void>((resolve) => {
      try {
        if (c.isOpen) c.close(() => resolve());
        else resolve();
      } catch {
        resolve();
      }
    });
  }

  private lost(reason: string, client: ModbusRTU): void {
    if (client !== this.client || this.closing) return;
    this.client = undefined;
    safeClose(client);
    for (const l of this.lostListeners) l(reason);
  }

  async request(req: ModbusRequest, timeoutMs: number): Promise<ModbusResponse> {
    const c = this.client;
    if (!c || !c.isOpen) throw new ModbusConnectionError('port not open');
    const problem = requestProblem(req);
    if (problem) throw new ModbusProtocolError(`invalid request: ${problem}`);
    const broadcast = req.unitId === 0;
    c.setID(req.unitId);
    c.setTimeout(broadcast ? this.turnaroundMs : timeoutMs);
    try {
      switch (req.fc) {
        case 1:
          return { bits: (await c.readCoils(req.address, req.count)).data.slice(0, req.count) };
        case 2:
          return { bits: (await c.readDiscreteInputs(req.address, req.count)).data.slice(0, req.count) };
        case 3:
          return { registers: (await c.readHoldingRegisters(req.address, req.count)).data };
        case 4:
          return { registers: (await c.readInputRegisters(req.address, req.count)).data };
        case 5:
          await c.writeCoil(req.address, req.value);
          return {};
        case 6:
          await c.writeRegister(req.address, req.value);
          return {};
        case 15:
          await c.writeCoils(req.address, req.values);
          return {};
        case 16:
          await c.writeRegisters(req.address, req.values);
          return {};
      }
    } catch (e) {
      const mapped = mapModbusSerialError(e, req, timeoutMs);
      // A broadcast has no answer: the turnaround timeout is its success.
      if (broadcast && mapped instanceof ModbusTimeoutError) return {};
      throw mapped;
    }
  }
}

function safeClose(c: ModbusRTU): void {
  try {
    if (c.isOpen) c.close(() => undefined);
  } catch {
    /* already gone */
  }
}
