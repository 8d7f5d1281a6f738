/**
 * Modbus device simulator: serves one or more unit ids (each a RegisterImage from a profile) over Modbus TCP (own
 * net server, MBAP) or Modbus RTU on a serial device path (e.g. one end of a socat pty pair), with fault injection
 * (exception codes per address range, silence, slow replies) and optional RS485 byte-time emulation at a given baud
 * (the reply is delayed by the time request and reply would take on the wire, plus 3.5-character gaps).
 */
import { SerialPort } from 'serialport';
import type { Profile } from '../../core/profile/types.js';
import { TypedEmitter } from '../../protocols/modbus/emitter.js';
import {
  decodeRequestPdu,
  decodeRtu,
  encodeExceptionPdu,
  encodeResponsePdu,
  encodeRtu,
  rtuRequestLength,
} from '../../protocols/modbus/codec.js';
import { FUNCTION_NAMES, type ModbusRequest, type ModbusResponse } from '../../protocols/modbus/types.js';
import { RegisterImage, SimException, type SunSpecChain } from './image.js';
import { faultFor, type Fault } from './faults.js';
import { listenMbap, type MbapListener } from './mbap-listener.js';

export interface SimUnit {
  unitId: number;
  profile: Profile;
  sunspec?: SunSpecChain;
}

export interface SimOptions {
  units: SimUnit[];
  faults?: Fault[];
  /** Emulate RS485 byte times at this baud (10 bits per character, 8N1). */
  emulateBaud?: number;
  /** Seconds of simulated time per real second (default 1). */
  timeScale?: number;
}

export interface SimRequestEvent {
  unitId: number;
  fc: number;
  function: string;
  address: number;
  count: number;
  exception?: number;
  reason?: string;
  silent?: boolean;
}

export interface SimEvents {
  listening: (info: { tcp?: { host: string; port: number }; rtu?: { path: string; baudRate: number } }) => void;
  request: (e: SimRequestEvent) => void;
  write: (e: { unitId: number; changes: Array<{ name: string; value: number | boolean | string }> }) => void;
  error: (e: Error) => void;
}

export class ModbusSimulator extends TypedEmitter<SimEvents> {
  readonly images = new Map<number, RegisterImage>();
  faults: Fault[];
  private tcp: MbapListener | undefined;
  private serial: SerialPort | undefined;
  private readonly t0 = performance.now();
  requests = 0;

  constructor(private readonly opts: SimOptions) {
    super();
    for (const u of opts.units) this.images.set(u.unitId, new RegisterImage(u.profile, { ...(u.sunspec ? { sunspec: u.sunspec } : {}), seed: `${u.profile.id}#${u.unitId}` }));
    this.faults = opts.faults ?? [];
  }

  /** Byte time in ms at the emulated baud (0 without emulation). */
  get charMs(): number {
    return this.opts.emulateBaud ? (10 * 1000) / this.opts.emulateBaud : 0; // 8N1: start + 8 data + stop bits
  }

  private simTime(): number {
    return ((performance.now() - this.t0) / 1000) * (this.opts.timeScale ?? 1);
  }

  /** Answer one request PDU: a response PDU, or undefined for silence. Never throws. */
  handle(unitId: number, pdu: Buffer): { pdu: Buffer | undefined; delayMs: number } {
    this.requests++;
    let decoded;
    try {
      decoded = decodeRequestPdu(unitId, pdu);
    } catch (e) {
      this.emit('request', { unitId, fc: pdu[0] ?? 0, function: 'malformed', address: 0, count: 0, silent: true, reason: (e as Error).message });
      return { pdu: undefined, delayMs: 0 };
    }
    if (!decoded.ok) {
      if (this.listenerCount('request')) this.emit('request', { unitId, fc: decoded.fc, function: 'unsupported', address: 0, count: 0, exception: decoded.exception, reason: decoded.reason });
      return { pdu: unitId === 0 ? undefined : encodeExceptionPdu(decoded.fc, decoded.exception), delayMs: 0 };
    }
    const req = decoded.request;
    const count = 'count' in req ? req.count : 'values' in req ? req.values.length : 1;
    const ev: SimRequestEvent = { unitId, fc: req.fc, function: FUNCTION_NAMES[req.fc], address: req.address, count };
    const fault = faultFor(this.faults, req);
    const delayMs = fault?.slowMs ?? 0;
    const targets = unitId === 0 ? [...this.images.values()] : [this.images.get(unitId)].filter((x): x is RegisterImage => !!x);
    if (targets.length === 0 || fault?.silent) {
      ev.silent = true;
      if (this.listenerCount('request')) this.emit('request', ev);
      return { pdu: undefined, delayMs };
    }
    if (fault?.exception !== undefined) {
      ev.exception = fault.exception;
      ev.reason = 'injected fault';
      if (this.listenerCount('request')) this.emit('request', ev);
      return { pdu: unitId === 0 ? undefined : encodeExceptionPdu(req.fc, fault.exception), delayMs };
    }
    try {
      let resp: ModbusResponse = {};
      for (const img of targets) resp = this.apply(img, unitId, req);
      if (this.listenerCount('request')) this.emit('request', ev);
      return { pdu: unitId === 0 ? undefined : encodeResponsePdu(req, resp), delayMs };
    } catch (e) {
      const code = e instanceof SimException ? e.code : 4;
      ev.exception = code;
      ev.reason = e instanceof Error ? e.message : String(e);
      if (this.listenerCount('request')) this.emit('request', ev);
      return { pdu: unitId === 0 ? undefined : encodeExceptionPdu(req.fc, code), delayMs };
    }
  }

  private apply(img: RegisterImage, unitId: number, req: ModbusRequest): ModbusResponse {
    img.refresh(this.simTime());
    switch (req.fc) {
      case 1:
        return { bits: img.readBits('coil', req.address, req.count) };
      case 2:
        return { bits: img.readBits('discrete', req.address, req.count) };
      case 3:
        return { registers: img.readRegisters('holding', req.address, req.count) };
      case 4:
        return { registers: img.readRegisters('input', req.address, req.count) };
      case 5:
        return this.written(unitId, img.write('coil', req.address, [req.value ? 1 : 0]));
      case 6:
        return this.written(unitId, img.write('holding', req.address, [req.value]));
      case 15:
        return this.written(unitId, img.write('coil', req.address, req.values.map((b) => (b ? 1 : 0))));
      case 16:
        return this.written(unitId, img.write('holding', req.address, req.values));
    }
  }

  private written(unitId: number, changes: Array<{ name: string; value: number | boolean | string }>): ModbusResponse {
    this.emit('write', { unitId, changes });
    return {};
  }

  /** Wire time of a transaction at the emulated baud: request + reply characters + two 3.5-character gaps. */
  private busDelay(reqBytes: number, respBytes: number): number {
    return this.charMs * (reqBytes + respBytes + 7);
  }

  // ------------------------------------------------------------ TCP

  async listenTcp(port: number, host = '127.0.0.1'): Promise<{ host: string; port: number }> {
    this.tcp = await listenMbap(
      port,
      host,
      (f, reply) => {
        const { pdu, delayMs } = this.handle(f.unitId, f.pdu);
        if (pdu) reply(pdu, delayMs + this.busDelay(f.pdu.length + 3, pdu.length + 3));
      },
      (e) => this.emit('error', e),
    );
    const info = { host, port: this.tcp.port };
    this.emit('listening', { tcp: info });
    return info;
  }

  // ------------------------------------------------------------ RTU

  openRtu(path: string, baudRate = 9600): Promise<void> {
    return new Promise((resolve, reject) => {
      const sp = new SerialPort({ path, baudRate, autoOpen: false });
      sp.open((err) => {
        if (err) return reject(err);
        this.serial = sp;
        this.emit('listening', { rtu: { path, baudRate } });
        resolve();
      });
      let buf = Buffer.alloc(0);
      let gapTimer: ReturnType<typeof setTimeout> | undefined;
      sp.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        clearTimeout(gapTimer);
        for (;;) {
          const need = rtuRequestLength(buf);
          if (need === undefined || (need > 0 && buf.length < need)) break;
          if (need < 0) {
            buf = Buffer.alloc(0);
            break;
          }
          const frame = buf.subarray(0, need);
          buf = buf.subarray(need);
          let unitId: number;
          let pdu: Buffer;
          try {
            ({ unitId, pdu } = decodeRtu(frame));
          } catch {
            buf = Buffer.alloc(0); // CRC error: drop and resynchronise on the next silence
            break;
          }
          const r = this.handle(unitId, pdu);
          if (!r.pdu) continue;
          const out = encodeRtu(unitId, r.pdu);
          const wait = r.delayMs + this.busDelay(frame.length, out.length);
          if (wait > 0) setTimeout(() => sp.isOpen && sp.write(out), wait);
          else sp.write(out);
        }
        // A partial frame left for long is garbage: drop it.
        if (buf.length) gapTimer = setTimeout(() => (buf = Buffer.alloc(0)), 50);
      });
      sp.on('error', (e) => this.emit('error', e));
    });
  }

  async close(): Promise<void> {
    const tcp = this.tcp;
    this.tcp = undefined;
    await tcp?.close();
    const sp = this.serial;
    this.serial = undefined;
    if (sp?.isOpen) await new Promise<void>((r) => sp.close(() => r()));
  }
}
