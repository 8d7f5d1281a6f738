/**
 * Modbus TCP transport on node:net with the stack's own MBAP codec (codec.ts). Same contract as the modbus-serial
 * transport (transport.ts), which stays in use for serial lines. Why a second one: modbus-serial's TCP path re-frames
 * every answer as RTU (allocating it and computing a CRC-16 twice), concatenates its receive buffer for every chunk and
 * arms a timer per request; on loopback that was most of the client's cost per request.
 *
 * Timing stays with the scheduler (its per-request timeout settles the job). So that a request never stays pending
 * when nothing answers, one sweep timer (not one per request) rejects requests older than their timeout with
 * ModbusTimeoutError; a late answer to such a request is ignored (its transaction id is no longer pending).
 */
import { Socket } from 'node:net';
import { asProtocolError, decodeResponsePdu, encodeMbap, encodeRequestPdu, takeMbapFrame } from './codec.js';
import { describeEndpoint, type ModbusSerialTransportOptions, type ModbusTransport, type TcpEndpoint } from './transport.js';
import { ModbusConnectionError, ModbusProtocolError, ModbusTimeoutError, requestProblem, type ModbusRequest, type ModbusResponse } from './types.js';

interface Pending {
  req: ModbusRequest;
  deadline: number;
  timeoutMs: number;
  resolve: (r: ModbusResponse) => void;
  reject: (e: Error) => void;
}

export class ModbusTcpTransport implements ModbusTransport {
  readonly serial = false;
  readonly description: string;
  private sock: Socket | undefined;
  /** The socket of a connection attempt in progress (close() aborts it). */
  private connecting: Socket | undefined;
  private rx: Buffer | undefined;
  private tid = 0;
  private readonly pending = new Map<number, Pending>();
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly lostListeners: Array<(reason: string) => void> = [];
  private readonly turnaroundMs: number;

  constructor(
    private readonly endpoint: TcpEndpoint,
    opts: ModbusSerialTransportOptions = {},
  ) {
    this.description = describeEndpoint({ tcp: endpoint });
    this.turnaroundMs = opts.broadcastTurnaroundMs ?? 100;
  }

  get isOpen(): boolean {
    return this.sock !== undefined;
  }

  onLost(listener: (reason: string) => void): void {
    this.lostListeners.push(listener);
  }

  async open(): Promise<void> {
    await this.close();
    const s = new Socket();
    this.connecting = s;
    await new Promise<void>((resolve, reject) => {
      const failed = (e?: Error) => {
        s.off('error', failed);
        s.off('close', aborted);
        s.destroy();
        reject(new ModbusConnectionError(`${this.description}: ${e?.message ?? 'connection attempt aborted'}`));
      };
      const aborted = () => failed();
      s.once('error', failed);
      s.once('close', aborted);
      s.connect({ host: this.endpoint.host, port: this.endpoint.port ?? 502 }, () => {
        s.off('error', failed);
        s.off('close', aborted);
        resolve();
      });
    }).finally(() => {
      if (this.connecting === s) this.connecting = undefined;
    });
    s.setNoDelay(true);
    this.sock = s;
    this.rx = undefined;
    let reason: string | undefined;
    s.on('data', (chunk: Buffer) => this.onData(s, chunk));
    s.on('error', (e: Error) => (reason ??= `transport error: ${e.message}`));
    s.on('close', () => this.lost(s, reason ?? 'connection closed'));
  }

  async close(): Promise<void> {
    this.connecting?.destroy();
    this.connecting = undefined;
    const s = this.sock;
    if (!s) return;
    this.sock = undefined;
    this.failAll(new ModbusConnectionError('port closed'));
    await new Promise<void>((resolve) => {
      if (s.destroyed) return resolve();
      s.once('close', () => resolve());
      s.destroy();
    });
  }

  request(req: ModbusRequest, timeoutMs: number): Promise<ModbusResponse> {
    const s = this.sock;
    if (!s) return Promise.reject(new ModbusConnectionError('port not open'));
    const problem = requestProblem(req);
    if (problem) return Promise.reject(new ModbusProtocolError(`invalid request: ${problem}`));
    this.tid = (this.tid + 1) & 0xffff;
    const frame = encodeMbap(this.tid, req.unitId, encodeRequestPdu(req));
    if (req.unitId === 0) {
      // A broadcast has no answer: the turnaround is its success.
      s.write(frame);
      return new Promise((resolve) => setTimeout(() => resolve({}), this.turnaroundMs).unref());
    }
    return new Promise<ModbusResponse>((resolve, reject) => {
      this.pending.set(this.tid, { req, deadline: performance.now() + timeoutMs, timeoutMs, resolve, reject });
      this.armSweep(timeoutMs);
      s.write(frame);
    });
  }

  // ------------------------------------------------------------ internals

  private onData(s: Socket, chunk: Buffer): void {
    if (s !== this.sock) return;
    let buf = this.rx ? Buffer.concat([this.rx, chunk]) : chunk;
    try {
      for (;;) {
        const f = takeMbapFrame(buf);
        if (!f) break;
        buf = buf.subarray(f.length);
        const p = this.pending.get(f.transactionId);
        if (!p) continue; // late answer to a request that already timed out
        this.pending.delete(f.transactionId);
        if (f.unitId !== p.req.unitId) {
          p.reject(new ModbusProtocolError(`answer from unit id ${f.unitId} to a request for unit id ${p.req.unitId}`));
          continue;
        }
        let res: ModbusResponse;
        try {
          res = decodeResponsePdu(p.req, f.pdu);
        } catch (e) {
          p.reject(asProtocolError(e));
          continue;
        }
        p.resolve(res);
      }
    } catch (e) {
      // A broken MBAP header: the byte stream cannot be resynchronised, start a new connection.
      this.rx = undefined;
      s.destroy();
      this.lost(s, `protocol error: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.rx = buf.length ? buf : undefined;
  }

  private lost(s: Socket, reason: string): void {
    if (s !== this.sock) return;
    this.sock = undefined;
    s.destroy();
    this.failAll(new ModbusConnectionError(reason));
    for (const l of this.lostListeners) l(reason);
  }

  private failAll(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }

  /** One timer for all pending requests; it stays armed across fast answers instead of being re-created for each. */
  private armSweep(ms: number): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setTimeout(() => this.sweep(), ms);
    this.sweepTimer.unref();
  }

  private sweep(): void {
    this.sweepTimer = undefined;
    const now = performance.now();
    let next = Infinity;
    for (const [tid, p] of this.pending) {
      if (p.deadline <= now) {
        this.pending.delete(tid);
        p.reject(new ModbusTimeoutError(p.timeoutMs, p.req));
      } else next = Math.min(next, p.deadline);
    }
    if (next !== Infinity) this.armSweep(Math.max(1, next - now));
  }
}
