/**
 * A controlling station over node:tls that reads the way lib60870's client does over mbedtls: on every readable event
 * it takes exactly one APDU out of the decrypted data; whatever else the TLS record held stays buffered (inside
 * mbedtls, invisible to select()) until the next record arrives. It acknowledges each I frame when it has read it,
 * not before. Node delivers one 'data' event per SSL_read, i.e. per TLS record, so a 'data' event is the readable
 * event here. Against a station that packs several APDUs into one record it falls behind exactly as the field
 * report describes (replies arrive only after the next send, confirmations never).
 */
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { encodeSFrame, encodeUFrame } from '../../src/protocols/iec104/apci.js';
import type { Asdu } from '../../src/protocols/iec104/asdu.js';
import { decodeFrame, encodeIAsdu } from '../../src/protocols/iec104/codec.js';

export class OneApduPerReadClient {
  /** APDUs found in each TLS record as it arrived (the station under test should send 1 per record). */
  readonly apdusPerRecord: number[] = [];
  readonly received: Asdu[] = [];
  private socket: TLSSocket | undefined;
  private unread = Buffer.alloc(0);
  private vs = 0;
  private vr = 0;
  private started = false;
  private waiters: Array<() => void> = [];

  async connect(port: number, tls: ConnectionOptions): Promise<void> {
    const s = connect({ host: '127.0.0.1', port, ...tls });
    this.socket = s;
    await new Promise<void>((resolve, reject) => {
      s.once('secureConnect', resolve);
      s.once('error', reject);
    });
    s.on('data', (record: Buffer) => this.onReadable(record));
    s.write(encodeUFrame('STARTDT_ACT'));
    await this.until(() => this.started, 'STARTDT con');
  }

  send(a: Asdu): void {
    this.socket!.write(encodeIAsdu(this.vs, this.vr, a));
    this.vs = (this.vs + 1) % 32768;
  }

  /** Wait until `cond` holds (checked after every APDU read), at most `ms`. */
  until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${what} not received within ${ms} ms (${this.unread.length} octets left unread)`)), ms);
      const check = () => {
        if (!cond()) return this.waiters.push(check);
        clearTimeout(t);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private onReadable(record: Buffer): void {
    this.apdusPerRecord.push(countApdus(record));
    this.unread = Buffer.concat([this.unread, record]);
    if (this.unread.length < 2 || this.unread.length < this.unread[1]! + 2) return;
    const len = this.unread[1]! + 2;
    const frame = this.unread.subarray(0, len);
    this.unread = Buffer.from(this.unread.subarray(len));
    const f = decodeFrame(frame);
    if (f.apci.format === 'U' && f.apci.fn === 'STARTDT_CON') this.started = true;
    if (f.apci.format === 'U' && f.apci.fn === 'TESTFR_ACT') this.socket!.write(encodeUFrame('TESTFR_CON'));
    if (f.apci.format === 'I') {
      this.vr = (this.vr + 1) % 32768;
      this.received.push(f.asdu!);
      this.socket!.write(encodeSFrame(this.vr));
    }
    for (const w of this.waiters.splice(0)) w();
  }
}

function countApdus(b: Buffer): number {
  let n = 0;
  for (let o = 0; o + 1 < b.length; o += b[o + 1]! + 2) n++;
  return n;
}
