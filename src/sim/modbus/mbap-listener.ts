/**
 * A Modbus TCP listener for the simulators: accepts connections, cuts MBAP frames out of each stream
 * (MODBUS Messaging on TCP/IP Implementation Guide V1.0b, 3.1.3) and hands each to `onFrame` with a `reply` that
 * sends one response PDU on the same connection with the request's transaction and unit id (ignored once the
 * connection is gone). A stream that is not MBAP (bad protocol id, bad length) is reported and the connection closed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { encodeMbap, takeMbapFrame, type MbapFrame } from '../../protocols/modbus/codec.js';

export interface MbapListener {
  host: string;
  port: number;
  close(): Promise<void>;
}

export function listenMbap(port: number, host: string, onFrame: (f: MbapFrame, reply: (pdu: Buffer, delayMs?: number) => void) => void, onError: (e: Error) => void): Promise<MbapListener> {
  const sockets = new Set<Socket>();
  const onSocket = (sock: Socket) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      try {
        for (;;) {
          const f = takeMbapFrame(buf);
          if (!f) break;
          buf = buf.subarray(f.length);
          onFrame(f, (pdu, delayMs = 0) => {
            const out = encodeMbap(f.transactionId, f.unitId, pdu);
            if (delayMs > 0) setTimeout(() => sock.writable && sock.write(out), delayMs);
            else if (sock.writable) sock.write(out);
          });
        }
      } catch (e) {
        onError(e as Error);
        sock.destroy();
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => sockets.delete(sock));
  };
  return new Promise((resolve, reject) => {
    const srv: Server = createServer(onSocket);
    srv.once('error', reject);
    srv.listen(port, host, () => {
      srv.off('error', reject);
      srv.on('error', onError);
      const addr = srv.address();
      resolve({
        host,
        port: typeof addr === 'object' && addr ? addr.port : port,
        close: () => {
          for (const s of sockets) s.destroy();
          sockets.clear();
          return new Promise<void>((r) => srv.close(() => r()));
        },
      });
    });
  });
}
