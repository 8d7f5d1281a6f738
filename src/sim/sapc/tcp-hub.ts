/**
 * A stand-in for a TCP-serial bridge between two SSP-1 ends that both connect as TCP clients (`tcp://host:port`):
 * every byte one connection sends goes to every other connection, as on a two-wire RS-485 line. Used by tests and
 * benches to join `gridbridge sim sapc-appliance --device tcp://…` and a `type: sapc` field connection in separate
 * processes; on site the bridge is an Ethernet–RS-485 converter or ser2net in front of the real appliance.
 */
import { createServer, type Socket } from 'node:net';

export interface TcpHub {
  port: number;
  /** Connections currently joined. */
  readonly clients: number;
  close(): Promise<void>;
}

export function startTcpHub(port = 0, host = '127.0.0.1'): Promise<TcpHub> {
  const socks = new Set<Socket>();
  const server = createServer((s) => {
    s.setNoDelay(true);
    socks.add(s);
    s.on('data', (b) => {
      for (const o of socks) if (o !== s) o.write(b);
    });
    const drop = () => socks.delete(s);
    s.on('close', drop);
    s.on('error', drop);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : port,
        get clients() {
          return socks.size;
        },
        close: () =>
          new Promise<void>((r) => {
            for (const s of socks) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
