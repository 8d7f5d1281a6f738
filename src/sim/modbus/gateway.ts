/**
 * Modbus TCP → RTU gateway simulator: one TCP listener in front of one RS485 line with several units, each serving
 * its profile (a ModbusSimulator answers the PDUs). It behaves as a serial gateway does (MODBUS Messaging on TCP/IP
 * Implementation Guide V1.0b, 4.4.1 unit identifier; MODBUS Application Protocol V1.1b3, 7 exception codes 0x0A/0x0B):
 *   - the unit identifier of the MBAP header selects the RS485 slave;
 *   - the line carries one transaction at a time, whatever the number of TCP clients: requests queue in arrival order,
 *     each holding the line for its wire time at the line's baud rate (request + reply + 2 × 3.5 character gaps);
 *   - a slave that does not answer (a unit not on the line, or a silent fault) holds the line for the gateway's
 *     response timeout, then the gateway answers exception 0x0B "gateway target device failed to respond";
 *   - with a routing table (`unknownUnit: 0x0A`) a unit id not in the table is refused at once with 0x0A "gateway
 *     path unavailable", without touching the line; `unknownUnit: 'silent'` drops it (a gateway that never answers).
 *   - unit id 0 is a broadcast: every slave applies a write, nobody answers.
 */
import { TypedEmitter } from '../../protocols/modbus/emitter.js';
import { encodeExceptionPdu } from '../../protocols/modbus/codec.js';
import { listenMbap, type MbapListener } from './mbap-listener.js';
import { ModbusSimulator, type SimEvents, type SimUnit } from './server.js';
import type { Fault } from './faults.js';

export const GATEWAY_PATH_UNAVAILABLE = 0x0a;
export const GATEWAY_TARGET_FAILED = 0x0b;

export interface GatewayOptions {
  units: SimUnit[];
  faults?: Fault[];
  /** RS485 line speed for the wire time of each transaction (8N1: 10 bits per character); 0 = no wire time. */
  baud?: number;
  /** How long the gateway waits for a slave before answering 0x0B (ms, default 1000). */
  responseTimeoutMs?: number;
  /** A unit id not on the line: 0x0B after the response timeout (default), 0x0A at once, or no answer. */
  unknownUnit?: typeof GATEWAY_PATH_UNAVAILABLE | typeof GATEWAY_TARGET_FAILED | 'silent';
}

export interface GatewayEvents extends SimEvents {
  /** One transaction on the RS485 line, as the gateway saw it. */
  transaction: (e: { unitId: number; fc: number; outcome: 'answered' | 'exception' | 'no_answer' | 'path_unavailable' | 'dropped' | 'broadcast'; exception?: number; lineMs: number; queued: number }) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => (ms > 0 ? setTimeout(r, ms) : r()));

export class ModbusGatewaySim extends TypedEmitter<GatewayEvents> {
  readonly sim: ModbusSimulator;
  private tcp: MbapListener | undefined;
  private line: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;

  constructor(private readonly opts: GatewayOptions) {
    super();
    this.sim = new ModbusSimulator({ units: opts.units, faults: opts.faults ?? [] });
    this.sim.on('request', (e) => this.emit('request', e));
    this.sim.on('write', (e) => this.emit('write', e));
    this.sim.on('error', (e) => this.emit('error', e));
  }

  get units(): number[] {
    return [...this.sim.images.keys()];
  }

  /** ms one transaction holds the line: characters of request and reply plus two 3.5-character gaps. */
  private wireMs(reqPduBytes: number, respPduBytes: number): number {
    const baud = this.opts.baud ?? 0;
    return baud > 0 ? ((reqPduBytes + 3 + respPduBytes + 3 + 7) * 10 * 1000) / baud : 0; // + address byte and CRC
  }

  /** Route one request (unit id + PDU) over the line; resolves with the reply PDU, or undefined for no reply. */
  transact(unitId: number, pdu: Buffer): Promise<Buffer | undefined> {
    const fc = pdu[0] ?? 0;
    const known = unitId === 0 || this.sim.images.has(unitId);
    if (!known && this.opts.unknownUnit === GATEWAY_PATH_UNAVAILABLE) {
      this.emit('transaction', { unitId, fc, outcome: 'path_unavailable', exception: GATEWAY_PATH_UNAVAILABLE, lineMs: 0, queued: this.queued });
      return Promise.resolve(encodeExceptionPdu(fc, GATEWAY_PATH_UNAVAILABLE));
    }
    this.queued++;
    const result = this.line.then(async () => {
      this.queued--;
      if (this.closed) return undefined;
      const timeout = this.opts.responseTimeoutMs ?? 1000;
      const r = known ? this.sim.handle(unitId, pdu) : { pdu: undefined, delayMs: 0 };
      if (unitId === 0) {
        const lineMs = this.wireMs(pdu.length, 0);
        await sleep(lineMs);
        this.emit('transaction', { unitId, fc, outcome: 'broadcast', lineMs, queued: this.queued });
        return undefined;
      }
      if (!r.pdu) {
        // Nobody answered on the line: the gateway waits out its timeout, then says so (or stays silent).
        await sleep(timeout);
        const silent = !known && this.opts.unknownUnit === 'silent';
        this.emit('transaction', { unitId, fc, outcome: silent ? 'dropped' : 'no_answer', ...(silent ? {} : { exception: GATEWAY_TARGET_FAILED }), lineMs: timeout, queued: this.queued });
        return silent ? undefined : encodeExceptionPdu(fc, GATEWAY_TARGET_FAILED);
      }
      const lineMs = this.wireMs(pdu.length, r.pdu.length) + r.delayMs;
      if (lineMs >= timeout) {
        await sleep(timeout);
        this.emit('transaction', { unitId, fc, outcome: 'no_answer', exception: GATEWAY_TARGET_FAILED, lineMs: timeout, queued: this.queued });
        return encodeExceptionPdu(fc, GATEWAY_TARGET_FAILED);
      }
      await sleep(lineMs);
      const exception = (r.pdu[0]! & 0x80) !== 0 ? r.pdu[1] : undefined;
      this.emit('transaction', { unitId, fc, outcome: exception === undefined ? 'answered' : 'exception', ...(exception === undefined ? {} : { exception }), lineMs, queued: this.queued });
      return r.pdu;
    });
    this.line = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  async listenTcp(port: number, host = '127.0.0.1'): Promise<{ host: string; port: number }> {
    this.tcp = await listenMbap(
      port,
      host,
      (f, reply) => void this.transact(f.unitId, Buffer.from(f.pdu)).then((pdu) => pdu && reply(pdu)),
      (e) => this.emit('error', e),
    );
    const info = { host, port: this.tcp.port };
    this.emit('listening', { tcp: info });
    return info;
  }

  async close(): Promise<void> {
    this.closed = true;
    const tcp = this.tcp;
    this.tcp = undefined;
    await tcp?.close();
    await this.sim.close();
  }
}
