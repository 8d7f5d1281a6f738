/**
 * Serial transport for SSP-1 on `serialport` (RS-485 adapters, USB serial, and socat ptys alike). Reopens after
 * errors with a capped back-off through the injected Clock; writes while closed are dropped and counted (the
 * session's retries cover them), never queued without bound.
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { SapcPortConfig } from './mapping.js';

export type TransportState = 'connecting' | 'up' | 'down';

export interface SerialTransportEvents {
  data: [Buffer];
  state: [TransportState, string | undefined];
}

export interface SerialTransportOptions extends Partial<Omit<SapcPortConfig, 'path'>> {
  path: string;
  clock?: Clock;
  /** First reconnect delay (ms), doubled up to maxReconnectMs. */
  reconnectMs?: number;
  maxReconnectMs?: number;
  /** Reopen automatically after a failure/close (default true). */
  reconnect?: boolean;
}

export class SerialTransport extends EventEmitter<SerialTransportEvents> {
  state: TransportState = 'down';
  reason: string | undefined;
  droppedWrites = 0;
  private port: SerialPort | undefined;
  private readonly clock: Clock;
  private timer: TimerHandle | undefined;
  private delay: number;
  private closing = false;

  constructor(private readonly o: SerialTransportOptions) {
    super();
    this.clock = o.clock ?? systemClock;
    this.delay = o.reconnectMs ?? 1000;
  }

  /** Open the port; resolves when open, rejects on the first failure (reconnects continue in the background). */
  open(): Promise<void> {
    this.closing = false;
    return new Promise((resolve, reject) => {
      this.setState('connecting', undefined);
      const port = new SerialPort({
        path: this.o.path,
        baudRate: this.o.baudRate ?? 9600,
        dataBits: this.o.dataBits ?? 8,
        parity: this.o.parity ?? 'none',
        stopBits: this.o.stopBits ?? 1,
        autoOpen: false,
        lock: false,
      });
      this.port = port;
      port.on('data', (b: Buffer) => this.emit('data', b));
      port.on('error', (e: Error) => this.fail(e.message));
      port.on('close', () => this.fail('port closed'));
      port.open((err) => {
        if (err) {
          this.fail(err.message);
          reject(err);
          return;
        }
        this.delay = this.o.reconnectMs ?? 1000;
        this.setState('up', undefined);
        resolve();
      });
    });
  }

  write(text: string): void {
    if (this.state !== 'up' || !this.port) {
      this.droppedWrites++;
      return;
    }
    this.port.write(Buffer.from(text, 'latin1'));
  }

  async close(): Promise<void> {
    this.closing = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.port;
    this.port = undefined;
    if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
    p?.removeAllListeners();
    this.setState('down', 'closed');
  }

  private fail(reason: string): void {
    if (this.closing) return;
    const p = this.port;
    this.port = undefined;
    if (p) {
      p.removeAllListeners();
      p.on('error', () => {});
      if (p.isOpen) p.close(() => {});
    }
    this.setState('down', reason);
    if (this.o.reconnect === false || this.timer) return;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.o.maxReconnectMs ?? 30_000);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.closing) this.open().catch((e: unknown) => this.setState('down', errorMessage(e)));
    }, wait);
  }

  private setState(s: TransportState, reason: string | undefined): void {
    if (s === this.state && reason === this.reason) return;
    this.state = s;
    this.reason = reason;
    this.emit('state', s, reason);
  }
}
