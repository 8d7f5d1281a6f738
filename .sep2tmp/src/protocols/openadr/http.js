"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.MAX_BODY = exports.TransportError = void 0;
exports.request = request;
exports.serve = serve;
/**
 * Small HTTP(S) helpers shared by the VENs and the simulators: a POST/GET client with optional mutual TLS, and a
 * server that hands each request (with the peer certificate, if any) to a handler. TLS verification stays on.
 */
const node_http_1 = __importDefault(require("node:http"));
const node_https_1 = __importDefault(require("node:https"));
class TransportError extends Error {
    url;
    reason;
    status;
    constructor(url, reason, status) {
        super(`${url}: ${reason}`);
        this.url = url;
        this.reason = reason;
        this.status = status;
        this.name = 'TransportError';
    }
}
exports.TransportError = TransportError;
exports.MAX_BODY = 4 * 1024 * 1024;
function request(method, url, opts = {}) {
    return new Promise((resolve, reject) => {
        let u;
        try {
            u = new URL(url);
        }
        catch {
            reject(new TransportError(url, 'invalid URL'));
            return;
        }
        const isHttps = u.protocol === 'https:';
        const headers = { ...(opts.headers ?? {}) };
        if (opts.body !== undefined)
            headers['content-length'] = String(Buffer.byteLength(opts.body));
        const reqOpts = { method, headers, ...(isHttps && opts.tls ? { cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca } : {}) };
        const req = (isHttps ? node_https_1.default : node_http_1.default).request(u, reqOpts, (res) => {
            const chunks = [];
            let size = 0;
            res.on('data', (c) => {
                size += c.length;
                if (size > exports.MAX_BODY) {
                    req.destroy(new TransportError(url, `response larger than ${exports.MAX_BODY} bytes`));
                    return;
                }
                chunks.push(c);
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', (e) => reject(new TransportError(url, e.message)));
        });
        req.setTimeout(opts.timeoutMs ?? 15000, () => req.destroy(new TransportError(url, 'timeout')));
        req.on('error', (e) => reject(e instanceof TransportError ? e : new TransportError(url, e.code ?? e.message)));
        if (opts.body !== undefined)
            req.write(opts.body);
        req.end();
    });
}
/** Listen on 127.0.0.1 (or `host`), HTTPS with client-certificate verification when `tls` has cert+key+ca. */
function serve(handler, opts = {}) {
    const onRequest = (req, res) => {
        const chunks = [];
        let size = 0;
        req.on('data', (c) => {
            size += c.length;
            if (size > exports.MAX_BODY)
                req.destroy();
            else
                chunks.push(c);
        });
        req.on('end', () => {
            const u = new URL(req.url ?? '/', 'http://x');
            const sock = req.socket;
            const peer = typeof sock.getPeerCertificate === 'function' ? sock.getPeerCertificate() : undefined;
            const inc = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
            if (peer && peer.raw)
                inc.peerCertDer = peer.raw;
            handler(inc).then((r) => {
                res.writeHead(r.status, r.body !== undefined ? { 'content-type': r.contentType ?? 'application/xml' } : {});
                res.end(r.body ?? '');
            }, (e) => {
                res.writeHead(500, { 'content-type': 'text/plain' });
                res.end(e instanceof Error ? e.message : String(e));
            });
        });
    };
    const tls = opts.tls;
    const server = tls?.cert && tls.key
        ? node_https_1.default.createServer({ cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}) }, onRequest)
        : node_http_1.default.createServer(onRequest);
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
            const port = server.address().port;
            resolve({
                port,
                url: `${tls?.cert ? 'https' : 'http'}://${opts.host ?? '127.0.0.1'}:${port}`,
                close: () => new Promise((r) => {
                    server.closeAllConnections?.();
                    server.close(() => r());
                }),
            });
        });
    });
}
//# sourceMappingURL=http.js.map