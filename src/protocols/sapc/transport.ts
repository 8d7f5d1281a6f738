/**
 * Line transports for SSP-1: a serial port on `serialport` (RS-485 adapters, USB serial, socat ptys alike) or a
 * TCP connection to a serial device server (`tcp://host:port`: an Ethernet–RS-485 converter in raw TCP mode,
 * ser2net, `socat tcp-listen:…`), carrying the same bytes. Both reopen after errors with a capped back-off through
 * the injected Clock; writes while closed are dropped and counted (the session's retries cover them), never queued
 * without bound.
 */
import { EventEmitter } from 'node:events';
import { connect } from 'node:net';
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
  /** A serial device path, or `tcp://host:port` for a serial device server. */
  path: string;
  clock?: Clock;
  /** First reconnect delay (ms), doubled up to maxReconnectMs. */
  reconnectMs?: number;
  maxReconnectMs?: number;
  /** Reopen automatically after a failure/close (default true). */
  reconnect?: boolean;
}

/** An open byte pipe: what a transport needs from a serial port or a socket. */
interface OpenPort {
  write(b: Buffer): void;
  close(): Promise<void>;
}
interface PortEvents {
  data(b: Buffer): void;
  fail(reason: string): void;
}

/** `tcp://host:port` → { host, port }; undefined for a serial path. Throws on a malformed tcp address. */
export function parseTcpDevice(path: string): { host: string; port: number } | undefined {
  if (!path.startsWith('tcp://')) return undefined;
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(path);
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535) throw new Error(`bad TCP serial address "${path}" (expected tcp://host:port)`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

function openSerial(o: SerialTransportOptions, ev: PortEvents): Promise<OpenPort> {
  const port = new SerialPort({
    path: o.path,
    baudRate: o.baudRate ?? 9600,
    dataBits: o.dataBits ?? 8,
    parity: o.parity ?? 'none',
    stopBits: o.stopBits ?? 1,
    autoOpen: false,
    lock: false,
  });
  port.on('data', (b: Buffer) => ev.data(b));
  port.on('error', (e: Error) => ev.fail(e.message));
  port.on('close', () => ev.fail('port closed'));
  const close = (): Promise<void> =>
    new Promise<void>((r) => {
      port.removeAllListeners();
      port.on('error', () => {});
      if (port.isOpen) port.close(() => r());
      else r();
    });
  return new Promise((resolve, reject) =>
    port.open((err) => {
      if (err) {
        void close();
        reject(err);
      } else resolve({ write: (b) => port.write(b), close });
    }),
  );
}

function openTcp(addr: { host: string; port: number }, ev: PortEvents): Promise<OpenPort> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: addr.host, port: addr.port });
    sock.setNoDelay(true);
    let open = false;
    sock.on('data', (b: Buffer) => ev.data(b));
    sock.on('error', (e: Error) => (open ? ev.fail(e.message) : reject(e)));
    sock.on('close', () => open && ev.fail('connection closed'));
    sock.on('connect', () => {
      open = true;
      resolve({
        write: (b) => void sock.write(b),
        close: () =>
          new Promise<void>((r) => {
            sock.removeAllListeners();
            sock.on('error', () => {});
            sock.end(() => r());
            sock.destroySoon();
          }),
      });
    });
  });
}

/** One SSP-1 line end on a serial port or a TCP serial server (see the file comment). */
export class SerialTransport extends EventEmitter<SerialTransportEvents> {
  state: TransportState = 'down';
  reason: string | undefined;
  droppedWrites = 0;
  /** Human-readable description of the line (for logs and reports). */
  readonly description: string;
  private port: OpenPort | undefined;
  private readonly tcp: { host: string; port: number } | undefined;
  private readonly clock: Clock;
  private timer: TimerHandle | undefined;
  private delay: number;
  private closing = false;
  private generation = 0;

  constructor(private readonly o: SerialTransportOptions) {
    super();
    this.clock = o.clock ?? systemClock;
    this.delay = o.reconnectMs ?? 1000;
    this.tcp = parseTcpDevice(o.path);
    this.description = this.tcp
      ? `TCP serial ${this.tcp.host}:${this.tcp.port}`
      : `${o.path} ${o.baudRate ?? 9600} baud ${o.dataBits ?? 8}${(o.parity ?? 'none')[0]!.toUpperCase()}${o.stopBits ?? 1}`;
  }

  /** Open the line; resolves when open, rejects on the first failure (reconnects continue in the background). */
  async open(): Promise<void> {
    this.closing = false;
    const gen = ++this.generation;
    this.setState('connecting', undefined);
    const events: PortEvents = {
      data: (b) => gen === this.generation && this.emit('data', b),
      fail: (reason) => gen === this.generation && this.fail(reason),
    };
    try {
      const port = await (this.tcp ? openTcp(this.tcp, events) : openSerial(this.o, events));
      if (this.closing || gen !== this.generation) {
        await port.close();
        return;
      }
      this.port = port;
    } catch (e) {
      this.fail(errorMessage(e));
      throw e;
    }
    this.delay = this.o.reconnectMs ?? 1000;
    this.setState('up', undefined);
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
    this.generation++;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.port;
    this.port = undefined;
    await p?.close();
    this.setState('down', 'closed');
  }

  private fail(reason: string): void {
    if (this.closing) return;
    const p = this.port;
    this.port = undefined;
    this.generation++;
    void p?.close();
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
