/** A controlling station played by a test over a real socket (plain TCP), acknowledging only when told to. */
import { connect, type Socket } from 'node:net';
import { encodeSFrame, encodeUFrame, FrameReader, type Apci } from '../../src/protocols/iec104/apci.js';
import type { Asdu } from '../../src/protocols/iec104/asdu.js';
import { decodeFrame, encodeIAsdu } from '../../src/protocols/iec104/codec.js';

export class FakeScada {
  readonly frames: Array<{ apci: Apci; asdu?: Asdu }> = [];
  private reader = new FrameReader();
  private vs = 0;
  private waiters: Array<() => void> = [];
  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.reader.push(d, (f) => this.frames.push(decodeFrame(Buffer.from(f))));
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async start(port: number): Promise<FakeScada> {
    const s = connect({ host: '127.0.0.1', port });
    await new Promise<void>((res, rej) => s.once('connect', res).once('error', rej));
    const f = new FakeScada(s);
    s.write(encodeUFrame('STARTDT_ACT'));
    await f.until(() => f.frames.some((x) => x.apci.format === 'U' && x.apci.fn === 'STARTDT_CON'));
    return f;
  }
  /** Spontaneous I frames received: [N(S), IOA]. */
  events(): Array<[number, number]> {
    return this.frames.flatMap((x) => (x.apci.format === 'I' && x.asdu?.cot === 3 ? [[x.apci.ns, x.asdu.objects[0]!.ioa] as [number, number]] : []));
  }
  async until(cond: () => boolean): Promise<void> {
    while (!cond()) await new Promise<void>((r) => this.waiters.push(r));
  }
  ackS(nr: number): void {
    this.socket.write(encodeSFrame(nr));
  }
  /** An interrogation command whose N(R) acknowledges. */
  ackI(nr: number): void {
    this.socket.write(encodeIAsdu(this.vs++, nr, { typeId: 100, cot: 6, ca: 1, objects: [{ ioa: 0, qualifier: 20 }] }));
  }
  drop(): void {
    this.socket.destroy();
  }
}

