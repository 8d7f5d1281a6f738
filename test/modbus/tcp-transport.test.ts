/** ModbusTcpTransport against a scripted loopback peer: answers, exceptions, silence, stray answers, lost links. */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ModbusTcpTransport } from '../../src/protocols/modbus/tcp-transport.js';
import { ModbusConnectionError, ModbusExceptionError, ModbusProtocolError, ModbusTimeoutError } from '../../src/protocols/modbus/types.js';

type Reply = (tid: number, unitId: number, pdu: Buffer, sock: Socket) => void;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function mbap(tid: number, unitId: number, pdu: number[]): Buffer {
  return Buffer.from([tid >> 8, tid & 0xff, 0, 0, 0, pdu.length + 1, unitId, ...pdu]);
}

async function peer(reply: Reply): Promise<{ port: number; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((sock) => {
    sockets.push(sock);
    sock.on('data', (b: Buffer) => {
      for (let off = 0; off + 7 <= b.length; ) {
        const len = b.readUInt16BE(off + 4);
        reply(b.readUInt16BE(off), b[off + 6]!, b.subarray(off + 7, off + 6 + len), sock);
        off += 6 + len;
      }
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as { port: number }).port, server, sockets };
}

async function open(port: number): Promise<ModbusTcpTransport> {
  const t = new ModbusTcpTransport({ host: '127.0.0.1', port });
  await t.open();
  cleanups.push(() => t.close());
  return t;
}

const read = (unitId: number, address = 0, count = 2) => ({ fc: 3 as const, unitId, address, count });

describe('ModbusTcpTransport', () => {
  it('reads registers and maps exception answers', async () => {
    const { port } = await peer((tid, unit, pdu, sock) => {
      const addr = pdu.readUInt16BE(1);
      if (addr === 9) sock.write(mbap(tid, unit, [0x83, 2]));
      else sock.write(mbap(tid, unit, [3, 4, 0x12, 0x34, 0xff, 0xff]));
    });
    const t = await open(port);
    expect(t.isOpen).toBe(true);
    await expect(t.request(read(1), 500)).resolves.toEqual({ registers: [0x1234, 0xffff] });
    const e = await t.request(read(1, 9), 500).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModbusExceptionError);
    expect((e as ModbusExceptionError).code).toBe(2);
  });

  it('rejects a silent request with a timeout and ignores its late answer', async () => {
    const held: Array<() => void> = [];
    const { port } = await peer((tid, unit, pdu, sock) => {
      const answer = () => sock.write(mbap(tid, unit, [3, 4, 0, pdu[2]!, 0, 1]));
      if (pdu.readUInt16BE(1) === 7) held.push(answer);
      else answer();
    });
    const t = await open(port);
    await expect(t.request(read(1, 7), 60)).rejects.toBeInstanceOf(ModbusTimeoutError);
    held[0]!(); // the late answer must not resolve the next request
    await expect(t.request(read(1, 1), 500)).resolves.toEqual({ registers: [1, 1] });
  });

  it('refuses answers from another unit id, wrong byte counts and invalid requests as protocol errors', async () => {
    const { port } = await peer((tid, unit, pdu, sock) => {
      if (pdu.readUInt16BE(1) === 5) sock.write(mbap(tid, unit + 1, [3, 4, 0, 0, 0, 0]));
      else sock.write(mbap(tid, unit, [3, 2, 0, 0]));
    });
    const t = await open(port);
    await expect(t.request(read(1, 5), 500)).rejects.toThrow(/unit id 2 to a request for unit id 1/);
    await expect(t.request(read(1, 0), 500)).rejects.toBeInstanceOf(ModbusProtocolError);
    await expect(t.request(read(1, 0, 200), 500)).rejects.toThrow(/invalid request/);
  });

  it('fails pending requests and reports the link lost when the peer closes', async () => {
    const { port, sockets } = await peer(() => undefined);
    const t = await open(port);
    const lost: string[] = [];
    t.onLost((r) => lost.push(r));
    const p = t.request(read(1), 5000);
    await new Promise((r) => setTimeout(r, 50));
    sockets[0]!.destroy();
    await expect(p).rejects.toBeInstanceOf(ModbusConnectionError);
    expect(lost).toEqual(['connection closed']);
    expect(t.isOpen).toBe(false);
    await expect(t.request(read(1), 100)).rejects.toThrow(/port not open/);
  });

  it('names the endpoint when the connection is refused', async () => {
    const { port, server } = await peer(() => undefined);
    await new Promise<void>((r) => server.close(() => r()));
    const t = new ModbusTcpTransport({ host: '127.0.0.1', port });
    await expect(t.open()).rejects.toThrow(new RegExp(`tcp://127.0.0.1:${port}: .*ECONNREFUSED`));
  });
});
