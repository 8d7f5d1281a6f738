/**
 * HTTPS with mutual TLS for 2030.5: device certificate + key + CA chain, chain validated (rejectUnauthorized), no
 * hostname check (2030.5 servers are identified by their chain, not their DNS name), ECDHE-ECDSA-AES128-CCM8 offered
 * first, keep-alive. `application/sep+xml` only; redirects bounded; retries with backoff on 5xx / timeouts / network
 * errors through the injected Clock.
 */
import https from 'node:https';
import tls from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '../../core/clock.js';
import { SEP2_CONTENT_TYPE } from './xml.js';
import { timeHttpCall } from '../../core/http-observe.js';

export const CCM8_CIPHER = 'ECDHE-ECDSA-AES128-CCM8';
/** CCM8 first (what CSIP devices offer), then Node's defaults. */
export const SEP2_CIPHERS = `${CCM8_CIPHER}:${tls.DEFAULT_CIPHERS}`;

export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
  /** CA chain that must sign the server's certificate. */
  ca: string | Buffer | Array<string | Buffer>;
}

export interface HttpOptions extends TlsMaterial {
  clock: Clock;
  timeoutMs?: number;
  maxRedirects?: number;
  /** Attempts per request on 5xx/timeouts (first try included). */
  attempts?: number;
  backoffMs?: number;
}

export type HttpErrorKind = 'status' | 'content-type' | 'redirect' | 'timeout' | 'network' | 'tls';

export class Sep2HttpError extends Error {
  constructor(
    readonly kind: HttpErrorKind,
    message: string,
    readonly url: string,
    readonly status?: number,
  ) {
    super(`${url}: ${message}`);
    this.name = 'Sep2HttpError';
  }
  get retryable(): boolean {
    return this.kind === 'timeout' || this.kind === 'network' || (this.kind === 'status' && (this.status ?? 0) >= 500);
  }
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Absolute URL finally answered (after redirects). */
  url: string;
  location?: string;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO|SSL|TLS|ALERT|HANDSHAKE|SIGNATURE/i;

export class Sep2Http {
  private readonly agent: https.Agent;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly maxRedirects: number;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(opts: HttpOptions) {
    this.clock = opts.clock;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.maxRedirects = opts.maxRedirects ?? 5;
    this.attempts = opts.attempts ?? 3;
    this.backoffMs = opts.backoffMs ?? 1000;
    this.agent = new https.Agent({
      cert: opts.cert,
      key: opts.key,
      ca: opts.ca,
      keepAlive: true,
      keepAliveMsecs: 30_000,
      maxSockets: 2,
      minVersion: 'TLSv1.2',
      ciphers: SEP2_CIPHERS,
      rejectUnauthorized: true,
      // Chain validated by OpenSSL; the server's name is not part of 2030.5 identity.
      checkServerIdentity: () => undefined,
    });
  }

  close(): void {
    this.agent.destroy();
  }

  /** One request with redirects, without retries. */
  async once(method: string, url: string, body?: string): Promise<HttpResult> {
    const seen = new Set<string>();
    let current = url;
    for (let hop = 0; ; hop++) {
      const r = await this.raw(method, current, body);
      if ([301, 302, 303, 307, 308].includes(r.status) && r.headers.location) {
        seen.add(current);
        const next = new URL(r.headers.location, current).toString();
        if (seen.has(next)) throw new Sep2HttpError('redirect', `redirect loop via ${next}`, url, r.status);
        if (hop + 1 >= this.maxRedirects) throw new Sep2HttpError('redirect', `more than ${this.maxRedirects} redirects`, url, r.status);
        current = next;
        if (r.status === 303) method = 'GET';
        continue;
      }
      if (r.status >= 400) throw new Sep2HttpError('status', `HTTP ${r.status}`, current, r.status);
      if (r.body.length > 0) {
        const ct = String(r.headers['content-type'] ?? '');
        if (!ct.toLowerCase().startsWith(SEP2_CONTENT_TYPE)) throw new Sep2HttpError('content-type', `content type "${ct}" is not ${SEP2_CONTENT_TYPE}`, current, r.status);
      }
      if (r.headers.location) r.location = new URL(r.headers.location, current).toString();
      return r;
    }
  }

  /** A request with retries (backoff doubling) on 5xx, timeouts and network errors. */
  async request(method: string, url: string, body?: string): Promise<HttpResult> {
    let wait = this.backoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(method, url, body);
      } catch (e) {
        if (!(e instanceof Sep2HttpError) || !e.retryable || attempt >= this.attempts) throw e;
        await new Promise<void>((res) => this.clock.setTimeout(res, wait));
        wait *= 2;
      }
    }
  }

  private raw(method: string, url: string, body?: string): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      if (u.protocol !== 'https:') return reject(new Sep2HttpError('network', 'only https: URLs are allowed', url));
      const headers: Record<string, string | number> = { accept: SEP2_CONTENT_TYPE };
      const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
      if (payload) {
        headers['content-type'] = SEP2_CONTENT_TYPE;
        headers['content-length'] = payload.length;
      }
      let done = false;
      const observed = timeHttpCall('sep2', method, url);
      const req = https.request({ method, hostname: u.hostname, port: u.port || 443, path: u.pathname + u.search, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 8 * 1024 * 1024) req.destroy(new Error('response body over 8 MB'));
          else chunks.push(c);
        });
        res.on('end', () => {
          if (done) return;
          done = true;
          this.clock.clearTimeout(timer);
          observed(res.statusCode ?? 0);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), url });
        });
        res.on('error', (e) => fail(e));
      });
      const fail = (e: Error & { code?: string }) => {
        if (done) return;
        done = true;
        this.clock.clearTimeout(timer);
        const code = e.code ?? '';
        const kind = TLS_CODES.test(code) || TLS_CODES.test(e.message) ? 'tls' : 'network';
        observed(undefined, kind);
        reject(new Sep2HttpError(kind, `${code ? code + ': ' : ''}${e.message}`, url));
      };
      const timer = this.clock.setTimeout(() => {
        if (done) return;
        done = true;
        req.destroy();
        observed(undefined, 'timeout');
        reject(new Sep2HttpError('timeout', `no answer in ${this.timeoutMs} ms`, url));
      }, this.timeoutMs);
      req.on('error', fail);
      req.end(payload);
    });
  }
}
