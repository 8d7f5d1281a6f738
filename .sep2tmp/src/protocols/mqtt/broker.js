"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.startEmbeddedBroker = startEmbeddedBroker;
/**
 * Embedded MQTT broker (aedes 1.x, in-memory) for the main job and tests, bound to loopback only.
 * Optional username/password and TLS so the same paths as a production broker can be exercised.
 */
const node_net_1 = require("node:net");
const node_tls_1 = require("node:tls");
const node_crypto_1 = require("node:crypto");
const aedes_1 = require("aedes");
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
async function startEmbeddedBroker(opts = {}) {
    const host = opts.host ?? '127.0.0.1';
    if (!LOOPBACK.has(host))
        throw new Error(`embedded MQTT broker binds to loopback only, not "${host}"`);
    const port = opts.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new RangeError(`invalid port ${port}`);
    const aedes = await aedes_1.Aedes.createBroker({ id: 'gridbridge-embedded' });
    const creds = opts.credentials;
    if (creds) {
        aedes.authenticate = (_client, username, password, done) => {
            const ok = username === creds.username && password !== undefined && safeEqual(password, Buffer.from(creds.password));
            if (ok)
                return done(null, true);
            const e = new Error('bad username or password');
            e.returnCode = 4;
            done(e, null);
        };
    }
    const sockets = new Set();
    const track = (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
    };
    let server;
    if (opts.tls) {
        const t = opts.tls;
        server = (0, node_tls_1.createServer)({ key: t.key, cert: t.cert, ca: t.ca, requestCert: t.requestClientCert ?? false, rejectUnauthorized: t.requestClientCert ?? false }, (s) => {
            track(s);
            aedes.handle(s);
        });
    }
    else {
        server = (0, node_net_1.createServer)((s) => {
            track(s);
            aedes.handle(s);
        });
    }
    await new Promise((res, rej) => {
        server.once('error', rej);
        server.listen(port, host, () => {
            server.off('error', rej);
            res();
        });
    });
    const addr = server.address();
    const boundPort = typeof addr === 'object' && addr ? addr.port : port;
    const scheme = opts.tls ? 'mqtts' : 'mqtt';
    const urlHost = host.includes(':') ? `[${host}]` : host;
    let closed = false;
    return {
        host,
        port: boundPort,
        url: `${scheme}://${urlHost}:${boundPort}`,
        aedes,
        dropClients() {
            for (const s of sockets)
                s.destroy();
        },
        async close() {
            if (closed)
                return;
            closed = true;
            const serverClosed = new Promise((res) => server.close(() => res()));
            for (const s of sockets)
                s.destroy();
            await new Promise((res) => aedes.close(() => res()));
            await serverClosed;
        },
    };
}
function safeEqual(a, b) {
    return a.length === b.length && (0, node_crypto_1.timingSafeEqual)(a, b);
}
//# sourceMappingURL=broker.js.map