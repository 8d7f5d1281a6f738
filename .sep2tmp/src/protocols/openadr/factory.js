"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.OpenadrVen = void 0;
/**
 * Build a 2.0b or 3.x VEN from an `openadr` mapping block behind one interface (used by the CLI and the Node-RED
 * nodes): the same control and report events whatever the OpenADR version.
 */
const node_fs_1 = require("node:fs");
const emitter_js_1 = require("./emitter.js");
const mapping_js_1 = require("./mapping.js");
const reports_js_1 = require("./reports.js");
const ven20b_js_1 = require("./ven20b.js");
const ven3_js_1 = require("./ven3.js");
class OpenadrVen extends emitter_js_1.Emitter {
    mapping;
    points = new reports_js_1.LatestPoints();
    inner;
    constructor(mapping, clock, secrets = {}) {
        super();
        this.mapping = mapping;
        const reports = (0, reports_js_1.toReportBindings)(mapping.reports);
        const read = (f) => (f ? (0, node_fs_1.readFileSync)(f, 'utf8') : undefined);
        const tlsCert = secrets.tls?.cert ?? read(mapping.tls?.cert);
        const tlsKey = secrets.tls?.key ?? read(mapping.tls?.key);
        const tlsCa = secrets.tls?.ca ?? read(mapping.tls?.ca);
        const tls = tlsCert || tlsCa ? { ...(tlsCert ? { cert: tlsCert } : {}), ...(tlsKey ? { key: tlsKey } : {}), ...(tlsCa ? { ca: tlsCa } : {}) } : undefined;
        if (mapping.version === '2.0b') {
            const v = new ven20b_js_1.Ven20b({
                vtnUrl: mapping.vtnUrl.replace(/\/$/, ''),
                venName: mapping.venName,
                ...(mapping.venId ? { venID: mapping.venId } : {}),
                transport: mapping.transport,
                ...(mapping.pushUrl ? { pushUrl: mapping.pushUrl, pushPort: Number(new URL(mapping.pushUrl).port || 0) } : {}),
                reportOnly: mapping.reportOnly,
                ...(tls ? { tls } : {}),
                pollFallbackSec: mapping.pollIntervalSec,
                ...(mapping.marketContext ? { marketContext: mapping.marketContext } : {}),
                policy: mapping.policy,
                reports,
                signals: mapping.signals,
                points: this.points,
                clock,
            });
            v.on('state', (s) => this.emit('state', s));
            v.on('control', (c) => this.emit('control', c));
            v.on('cancel', (c) => this.emit('cancel', c));
            v.on('event', (e) => this.emit('event', { ...e }));
            v.on('report', (r) => this.emit('report', { ...r }));
            v.on('error', (e) => this.emit('error', e));
            this.inner = v;
        }
        else {
            const secret = secrets.clientSecret ?? process.env[mapping.oauth?.clientSecretEnv ?? 'OPENADR_CLIENT_SECRET'];
            if (!mapping.oauth || !secret)
                throw new Error('openadr 3: oauth.clientId and a client secret are required');
            const v = new ven3_js_1.Ven3({
                baseUrl: mapping.vtnUrl.replace(/\/$/, ''),
                version: mapping.version,
                clientId: mapping.oauth.clientId,
                clientSecret: secret,
                ...(mapping.oauth.tokenUrl ? { tokenUrl: mapping.oauth.tokenUrl } : {}),
                venName: mapping.venName,
                notification: mapping.notification,
                pollIntervalSec: mapping.pollIntervalSec,
                ...(mapping.callbackUrl ? { callbackUrl: mapping.callbackUrl, callbackPort: Number(new URL(mapping.callbackUrl).port || 0) } : {}),
                policy: mapping.policy,
                reports,
                signals: mapping.signals,
                points: this.points,
                clock,
                ...(tls ? { tls } : {}),
            });
            v.on('state', (s) => this.emit('state', s));
            v.on('control', (c) => this.emit('control', c));
            v.on('cancel', (c) => this.emit('cancel', c));
            v.on('event', (e) => this.emit('event', { ...e }));
            v.on('report', (r) => this.emit('report', { ...r }));
            v.on('deviation', (d) => this.emit('deviation', d));
            v.on('error', (e) => this.emit('error', e));
            this.inner = v;
        }
    }
    /** Parse a mapping block (throws a zod error naming the field). Accepts `{ openadr: {...} }` or the block itself. */
    static parseMapping(raw) {
        const block = raw && typeof raw === 'object' && 'openadr' in raw ? raw.openadr : raw;
        return mapping_js_1.openadrMappingSchema.parse(block);
    }
    get state() {
        return this.inner.state;
    }
    update(p) {
        this.points.update(p);
    }
    start() {
        return this.inner.start();
    }
    stop() {
        return this.inner.stop();
    }
    activeControls() {
        return this.inner.activeControls();
    }
    /** 2.0b only: cancel the registration (deregistration). */
    async deregister() {
        if (this.inner instanceof ven20b_js_1.Ven20b)
            await this.inner.cancelRegistration();
    }
}
exports.OpenadrVen = OpenadrVen;
//# sourceMappingURL=factory.js.map