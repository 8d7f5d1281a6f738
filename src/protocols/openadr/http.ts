/**
 * Small HTTP(S) helpers shared by the VENs and the simulators: a POST/GET client with optional mutual TLS, and a
 * server that hands each request (with the peer certificate, if any) to a handler. TLS verification stays on.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { timeHttpCall } from '../../core/http-observe.js';

export interface TlsOptions {
  cert?: string;
  key?: string;
  /** Trusted CA(s) for the peer; omit to use the system store. */
  ca?: string;
}

export class TransportError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly status?: number,
  ) {
    super(`${url}: ${reason}`);
    this.name = 'TransportError';
  }
}

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export const MAX_BODY = 4 * 1024 * 1024;
const DRAIN_LIMIT = 4 * MAX_BODY;

export function request(
  method: string,
  url: string,
  opts: { body?: string; headers?: Record<string, string>; tls?: TlsOptions; timeoutMs?: number } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new TransportError(url, 'invalid URL'));
      return;
    }
    const observed = timeHttpCall('openadr', method, url);
    const isHttps = u.protocol === 'https:';
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const reqOpts: https.RequestOptions = { method, headers, ...(isHttps && opts.tls ? { cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca } : {}) };
    const req = (isHttps ? https : http).request(u, reqOpts, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          req.destroy(new TransportError(url, `response larger than ${MAX_BODY} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        observed(res.statusCode ?? 0);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (e) => {
        observed(undefined, 'network');
        reject(new TransportError(url, e.message));
      });
    });
    req.setTimeout(opts.timeoutMs ?? 15000, () => req.destroy(new TransportError(url, 'timeout')));
    req.on('error', (e) => {
      const err = e instanceof TransportError ? e : new TransportError(url, (e as NodeJS.ErrnoException).code ?? e.message);
      observed(undefined, err.reason === 'timeout' ? 'timeout' : 'network');
      reject(err);
    });
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export interface IncomingRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** DER of the verified client certificate (mutual TLS), if any. */
  peerCertDer?: Buffer;
}

export interface OutgoingReply {
  status: number;
  body?: string;
  contentType?: string;
}

export type Handler = (req: IncomingRequest) => Promise<OutgoingReply>;

export interface ServerHandle {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1 (or `host`), HTTPS with client-certificate verification when `tls` has cert+key+ca. */
export function serve(handler: Handler, opts: { port?: number; host?: string; tls?: TlsOptions } = {}): Promise<ServerHandle> {
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => {
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' });
      res.end(`request body larger than ${MAX_BODY} bytes`);
    };
    // An oversize body is drained, then refused, so the client reads the 413 instead of a reset; a body declared
    // (or found) larger than DRAIN_LIMIT is refused at once and the connection cut.
    if (Number(req.headers['content-length']) > DRAIN_LIMIT) {
      res.on('finish', () => req.destroy());
      tooLarge();
      return;
    }
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > DRAIN_LIMIT) req.destroy();
      else if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) {
        tooLarge();
        return;
      }
      const u = new URL(req.url ?? '/', 'http://x');
      const sock = req.socket as TLSSocket;
      const peer = typeof sock.getPeerCertificate === 'function' ? sock.getPeerCertificate() : undefined;
      const inc: IncomingRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      if (peer && peer.raw) inc.peerCertDer = peer.raw;
      handler(inc).then(
        (r) => {
          res.writeHead(r.status, r.body !== undefined ? { 'content-type': r.contentType ?? 'application/xml' } : {});
          res.end(r.body ?? '');
        },
        (e: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(e instanceof Error ? e.message : String(e));
        },
      );
    });
  };
  const tls = opts.tls;
  const server =
    tls?.cert && tls.key
      ? https.createServer({ cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}) }, onRequest)
      : http.createServer(onRequest);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        url: `${tls?.cert ? 'https' : 'http'}://${opts.host ?? '127.0.0.1'}:${port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}
