"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.Sep2Http = exports.Sep2HttpError = exports.SEP2_CIPHERS = exports.CCM8_CIPHER = void 0;
/**
 * HTTPS with mutual TLS for 2030.5: device certificate + key + CA chain, chain validated (rejectUnauthorized), no
 * hostname check (2030.5 servers are identified by their chain, not their DNS name), ECDHE-ECDSA-AES128-CCM8 offered
 * first, keep-alive. `application/sep+xml` only; redirects bounded; retries with backoff on 5xx / timeouts / network
 * errors through the injected Clock.
 */
const node_https_1 = __importDefault(require("node:https"));
const node_tls_1 = __importDefault(require("node:tls"));
const xml_js_1 = require("./xml.js");
exports.CCM8_CIPHER = 'ECDHE-ECDSA-AES128-CCM8';
/** CCM8 first (what CSIP devices offer), then Node's defaults. */
exports.SEP2_CIPHERS = `${exports.CCM8_CIPHER}:${node_tls_1.default.DEFAULT_CIPHERS}`;
class Sep2HttpError extends Error {
    kind;
    url;
    status;
    constructor(kind, message, url, status) {
        super(`${url}: ${message}`);
        this.kind = kind;
        this.url = url;
        this.status = status;
        this.name = 'Sep2HttpError';
    }
    get retryable() {
        return this.kind === 'timeout' || this.kind === 'network' || (this.kind === 'status' && (this.status ?? 0) >= 500);
    }
}
exports.Sep2HttpError = Sep2HttpError;
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO|SSL|TLS|ALERT|HANDSHAKE|SIGNATURE/i;
class Sep2Http {
    agent;
    clock;
    timeoutMs;
    maxRedirects;
    attempts;
    backoffMs;
    constructor(opts) {
        this.clock = opts.clock;
        this.timeoutMs = opts.timeoutMs ?? 15_000;
        this.maxRedirects = opts.maxRedirects ?? 5;
        this.attempts = opts.attempts ?? 3;
        this.backoffMs = opts.backoffMs ?? 1000;
        this.agent = new node_https_1.default.Agent({
            cert: opts.cert,
            key: opts.key,
            ca: opts.ca,
            keepAlive: true,
            keepAliveMsecs: 30_000,
            maxSockets: 2,
            minVersion: 'TLSv1.2',
            ciphers: exports.SEP2_CIPHERS,
            rejectUnauthorized: true,
            // Chain validated by OpenSSL; the server's name is not part of 2030.5 identity.
            checkServerIdentity: () => undefined,
        });
    }
    close() {
        this.agent.destroy();
    }
    /** One request with redirects, without retries. */
    async once(method, url, body) {
        const seen = new Set();
        let current = url;
        for (let hop = 0;; hop++) {
            const r = await this.raw(method, current, body);
            if ([301, 302, 303, 307, 308].includes(r.status) && r.headers.location) {
                seen.add(current);
                const next = new URL(r.headers.location, current).toString();
                if (seen.has(next))
                    throw new Sep2HttpError('redirect', `redirect loop via ${next}`, url, r.status);
                if (hop + 1 >= this.maxRedirects)
                    throw new Sep2HttpError('redirect', `more than ${this.maxRedirects} redirects`, url, r.status);
                current = next;
                if (r.status === 303)
                    method = 'GET';
                continue;
            }
            if (r.status >= 400)
                throw new Sep2HttpError('status', `HTTP ${r.status}`, current, r.status);
            if (r.body.length > 0) {
                const ct = String(r.headers['content-type'] ?? '');
                if (!ct.toLowerCase().startsWith(xml_js_1.SEP2_CONTENT_TYPE))
                    throw new Sep2HttpError('content-type', `content type "${ct}" is not ${xml_js_1.SEP2_CONTENT_TYPE}`, current, r.status);
            }
            if (r.headers.location)
                r.location = new URL(r.headers.location, current).toString();
            return r;
        }
    }
    /** A request with retries (backoff doubling) on 5xx, timeouts and network errors. */
    async request(method, url, body) {
        let wait = this.backoffMs;
        for (let attempt = 1;; attempt++) {
            try {
                return await this.once(method, url, body);
            }
            catch (e) {
                if (!(e instanceof Sep2HttpError) || !e.retryable || attempt >= this.attempts)
                    throw e;
                await new Promise((res) => this.clock.setTimeout(res, wait));
                wait *= 2;
            }
        }
    }
    raw(method, url, body) {
        return new Promise((resolve, reject) => {
            const u = new URL(url);
            if (u.protocol !== 'https:')
                return reject(new Sep2HttpError('network', 'only https: URLs are allowed', url));
            const headers = { accept: xml_js_1.SEP2_CONTENT_TYPE };
            const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
            if (payload) {
                headers['content-type'] = xml_js_1.SEP2_CONTENT_TYPE;
                headers['content-length'] = payload.length;
            }
            let done = false;
            const req = node_https_1.default.request({ method, hostname: u.hostname, port: u.port || 443, path: u.pathname + u.search, headers, agent: this.agent }, (res) => {
                const chunks = [];
                let size = 0;
                res.on('data', (c) => {
                    size += c.length;
                    if (size > 8 * 1024 * 1024)
                        req.destroy(new Error('response body over 8 MB'));
                    else
                        chunks.push(c);
                });
                res.on('end', () => {
                    if (done)
                        return;
                    done = true;
                    this.clock.clearTimeout(timer);
                    resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), url });
                });
                res.on('error', (e) => fail(e));
            });
            const fail = (e) => {
                if (done)
                    return;
                done = true;
                this.clock.clearTimeout(timer);
                const code = e.code ?? '';
                reject(new Sep2HttpError(TLS_CODES.test(code) || TLS_CODES.test(e.message) ? 'tls' : 'network', `${code ? code + ': ' : ''}${e.message}`, url));
            };
            const timer = this.clock.setTimeout(() => {
                if (done)
                    return;
                done = true;
                req.destroy();
                reject(new Sep2HttpError('timeout', `no answer in ${this.timeoutMs} ms`, url));
            }, this.timeoutMs);
            req.on('error', fail);
            req.end(payload);
        });
    }
}
exports.Sep2Http = Sep2Http;
//# sourceMappingURL=http.js.map