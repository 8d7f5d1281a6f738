"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.VtnSim20b = void 0;
/**
 * OpenADR 2.0b VTN simulator (simple HTTP, PULL and PUSH, optional mutual TLS and XML signatures). Registers VENs,
 * queues scripted events and report requests, answers every VEN message with the right OpenADR status code, and
 * logs every report received.
 */
const node_crypto_1 = require("node:crypto");
const fingerprint_js_1 = require("../../protocols/openadr/fingerprint.js");
const http_js_1 = require("../../protocols/openadr/http.js");
const build_js_1 = require("../../protocols/openadr/oadr20b/build.js");
const parse_js_1 = require("../../protocols/openadr/oadr20b/parse.js");
const types_js_1 = require("../../protocols/openadr/oadr20b/types.js");
const signature_js_1 = require("../../protocols/openadr/signature.js");
const BASE = '/OpenADR2/Simple/2.0b/';
const ok = (requestID, description = 'OK') => ({ responseCode: 200, responseDescription: description, requestID });
const err = (code, description, requestID) => ({ responseCode: code, responseDescription: description.slice(0, 200), requestID });
class VtnSim20b {
    opts;
    vtnID;
    pollFreqSec;
    vens = new Map();
    server;
    inflight = new Set();
    constructor(opts) {
        this.opts = opts;
        this.vtnID = opts.script?.vtnId ?? 'GRIDBRIDGE-VTN-SIM';
        this.pollFreqSec = opts.script?.pollFreqSec ?? 10;
    }
    get url() {
        if (!this.server)
            throw new Error('VTN not started');
        return this.server.url;
    }
    async start() {
        this.server = await (0, http_js_1.serve)(async (req) => {
            if (req.method !== 'POST' || !req.path.startsWith(BASE))
                return { status: 404, body: 'not an OpenADR 2.0b endpoint', contentType: 'text/plain' };
            const service = req.path.slice(BASE.length);
            const fp = req.peerCertDer ? (0, fingerprint_js_1.fingerprintFromDer)(req.peerCertDer) : undefined;
            const reply = await this.receive(service, req.body, fp);
            return { status: 200, body: this.encode(reply) };
        }, { ...(this.opts.port !== undefined ? { port: this.opts.port } : {}), ...(this.opts.host ? { host: this.opts.host } : {}), ...(this.opts.tls ? { tls: this.opts.tls } : {}) });
        this.log({ event: 'vtn_listening', url: this.server.url, vtnID: this.vtnID });
    }
    async stop() {
        for (const v of this.vens.values())
            for (const t of v.timers)
                this.opts.clock.clearTimeout(t);
        while (this.inflight.size)
            await Promise.allSettled([...this.inflight]);
        await this.server?.close();
        this.server = undefined;
    }
    async idle() {
        while (this.inflight.size)
            await Promise.allSettled([...this.inflight]);
    }
    log(e) {
        this.opts.log?.(e);
    }
    encode(m) {
        const xml = (0, build_js_1.serialize)(m);
        return this.opts.signature ? (0, signature_js_1.signPayload)(xml, this.opts.signature) : xml;
    }
    answer(m, venID) {
        return m.type === 'oadrResponse' && venID ? { ...m, venID } : m;
    }
    /** Handle one VEN message (any service); `fingerprint` comes from the client certificate, if any. */
    async receive(service, body, fingerprint) {
        let msg;
        try {
            if (this.opts.signature)
                (0, signature_js_1.verifyPayload)(body, this.opts.signature.venCertificate);
            msg = (0, parse_js_1.parse)(body);
        }
        catch (e) {
            const code = e instanceof parse_js_1.OadrParseError ? e.status : types_js_1.OadrStatus.COMPLIANCE_ERROR;
            const text = e instanceof Error ? e.message : String(e);
            this.log({ event: 'bad_payload', service, status: code, error: text });
            return { type: 'oadrResponse', response: err(code, text, (0, parse_js_1.peekRequestID)(body)) };
        }
        if ((0, types_js_1.serviceFor)(msg.type) !== service && !(msg.type === 'oadrResponse' || msg.type.startsWith('oadrCreated') || msg.type.startsWith('oadrCanceled'))) {
            return { type: 'oadrResponse', response: err(types_js_1.OadrStatus.NOT_ALLOWED, `${msg.type} not allowed on ${service}`, (0, parse_js_1.peekRequestID)(body)) };
        }
        const claimed = 'venID' in msg ? msg.venID : undefined;
        if (fingerprint && claimed && claimed !== fingerprint) {
            this.log({ event: 'wrong_ven_id', claimed, fingerprint });
            return { type: 'oadrResponse', response: err(types_js_1.OadrStatus.INVALID_ID, `venID ${claimed} does not match certificate fingerprint`, (0, parse_js_1.peekRequestID)(body)) };
        }
        this.log({ event: 'received', type: msg.type, service, ...(claimed ? { venID: claimed } : {}) });
        return this.dispatch(msg, fingerprint);
    }
    dispatch(msg, fingerprint) {
        const profiles = [{ profileName: '2.0b', transports: ['simpleHttp'] }];
        if (msg.type === 'oadrQueryRegistration') {
            return { type: 'oadrCreatedPartyRegistration', response: ok(msg.requestID), vtnID: this.vtnID, profiles, pollFreqSec: this.pollFreqSec };
        }
        if (msg.type === 'oadrCreatePartyRegistration') {
            const existing = msg.registrationID ? [...this.vens.values()].find((v) => v.registrationID === msg.registrationID) : undefined;
            if (msg.registrationID && !existing) {
                return { type: 'oadrCreatedPartyRegistration', response: err(types_js_1.OadrStatus.INVALID_ID, 'unknown registrationID', msg.requestID), vtnID: this.vtnID, profiles };
            }
            const venID = fingerprint ?? msg.venID ?? existing?.venID ?? `ven-${(0, node_crypto_1.randomUUID)().slice(0, 8)}`;
            const old = this.vens.get(venID);
            if (old)
                for (const t of old.timers)
                    this.opts.clock.clearTimeout(t);
            const v = {
                venID,
                registrationID: existing?.registrationID ?? `reg-${(0, node_crypto_1.randomUUID)().slice(0, 8)}`,
                reportOnly: msg.reportOnly,
                pull: msg.httpPullModel !== false,
                metadata: [],
                queue: [],
                events: new Map(),
                reportRequests: new Map(),
                reports: [],
                optResponses: [],
                timers: [],
                ...(msg.venName ? { venName: msg.venName } : {}),
                ...(msg.transportAddress ? { transportAddress: msg.transportAddress } : {}),
            };
            this.vens.set(venID, v);
            this.log({ event: 'registered', venID, registrationID: v.registrationID, venName: msg.venName, reportOnly: msg.reportOnly, pull: v.pull });
            this.scheduleScript(v);
            return { type: 'oadrCreatedPartyRegistration', response: ok(msg.requestID), registrationID: v.registrationID, venID, vtnID: this.vtnID, profiles, pollFreqSec: this.pollFreqSec };
        }
        const venID = 'venID' in msg ? msg.venID : undefined;
        const reqId = 'requestID' in msg && typeof msg.requestID === 'string' ? msg.requestID : 'response' in msg && msg.response ? msg.response.requestID : '0';
        const v = venID ? this.vens.get(venID) : undefined;
        if (!v)
            return { type: 'oadrResponse', response: err(types_js_1.OadrStatus.NOT_REGISTERED_OR_AUTHORIZED, `VEN ${venID ?? '(no venID)'} not registered`, reqId) };
        switch (msg.type) {
            case 'oadrPoll':
                return v.queue.shift() ?? { type: 'oadrResponse', response: ok('0'), venID: v.venID };
            case 'oadrRegisterReport':
                v.metadata = msg.reports;
                this.log({ event: 'reports_registered', venID: v.venID, reports: msg.reports.map((r) => ({ specifier: r.reportSpecifierID, name: r.reportName, rIDs: r.descriptions.map((d) => d.rID) })) });
                return { type: 'oadrRegisteredReport', response: ok(msg.requestID), reportRequests: [], venID: v.venID };
            case 'oadrUpdateReport': {
                for (const r of msg.reports) {
                    if (!v.reportRequests.has(r.reportRequestID)) {
                        return { type: 'oadrUpdatedReport', response: err(types_js_1.OadrStatus.INVALID_ID, `unknown reportRequestID ${r.reportRequestID}`, msg.requestID), venID: v.venID };
                    }
                    v.reports.push(r);
                    for (const i of r.intervals ?? []) {
                        for (const p of i.payloads) {
                            this.log({ event: 'report', venID: v.venID, reportRequestID: r.reportRequestID, reportSpecifierID: r.reportSpecifierID, rID: p.rID, time: new Date(i.dtstart).toISOString(), value: p.value, quality: p.dataQuality });
                        }
                    }
                }
                return { type: 'oadrUpdatedReport', response: ok(msg.requestID), venID: v.venID };
            }
            case 'oadrCreatedEvent':
                this.onCreatedEvent(v, msg);
                return { type: 'oadrResponse', response: ok(msg.response.requestID), venID: v.venID };
            case 'oadrCreatedReport':
            case 'oadrCanceledReport':
                this.log({ event: msg.type, venID: v.venID, responseCode: msg.response.responseCode, description: msg.response.responseDescription, pending: msg.pendingReports });
                if (msg.response.responseCode !== 200)
                    for (const id of [...v.reportRequests.keys()])
                        if (!msg.pendingReports.includes(id))
                            v.reportRequests.delete(id);
                return { type: 'oadrResponse', response: ok(msg.response.requestID), venID: v.venID };
            case 'oadrCanceledPartyRegistration':
                this.drop(v, 'VEN confirmed cancellation');
                return { type: 'oadrResponse', response: ok(msg.response.requestID), venID };
            case 'oadrResponse':
                this.log({ event: 'ven_response', venID: v.venID, responseCode: msg.response.responseCode });
                return { type: 'oadrResponse', response: ok(msg.response.requestID), venID: v.venID };
            case 'oadrCreateOpt':
                this.log({ event: 'opt', venID: v.venID, optType: msg.optType, reason: msg.optReason, eventID: msg.qualifiedEventID?.eventID });
                return { type: 'oadrCreatedOpt', response: ok(msg.requestID), optID: msg.optID };
            case 'oadrCancelPartyRegistration':
                if (msg.registrationID !== v.registrationID) {
                    return { type: 'oadrCanceledPartyRegistration', response: err(types_js_1.OadrStatus.INVALID_ID, 'unknown registrationID', msg.requestID), venID: v.venID };
                }
                this.drop(v, 'VEN cancelled its registration');
                return { type: 'oadrCanceledPartyRegistration', response: ok(msg.requestID), registrationID: msg.registrationID, venID: v.venID };
            default:
                return { type: 'oadrResponse', response: err(types_js_1.OadrStatus.OUT_OF_SEQUENCE, `${msg.type} not expected from a VEN`, reqId), venID: v.venID };
        }
    }
    onCreatedEvent(v, msg) {
        for (const r of msg.eventResponses) {
            v.optResponses.push({ eventID: r.eventID, optType: r.optType, responseCode: r.responseCode });
            this.log({ event: 'event_response', venID: v.venID, eventID: r.eventID, modificationNumber: r.modificationNumber, optType: r.optType, responseCode: r.responseCode, description: r.responseDescription });
        }
    }
    drop(v, reason) {
        for (const t of v.timers)
            this.opts.clock.clearTimeout(t);
        this.vens.delete(v.venID);
        this.log({ event: 'deregistered', venID: v.venID, reason });
    }
    // ---- VTN-originated messages ---------------------------------------------------------------------------------
    /** Queue (PULL) or push (PUSH) a message to a VEN. */
    sendToVen(v, m) {
        if (v.pull || !v.transportAddress) {
            v.queue.push(m);
            return;
        }
        const p = (async () => {
            try {
                const res = await (0, http_js_1.request)('POST', `${v.transportAddress}${BASE}${(0, types_js_1.serviceFor)(m.type)}`, {
                    body: this.encode(m),
                    headers: { 'content-type': 'application/xml' },
                    ...(this.opts.tls ? { tls: this.opts.tls } : {}),
                });
                const reply = res.status === 200 ? await this.receive((0, types_js_1.serviceFor)(m.type), res.body) : undefined;
                if (!reply)
                    this.log({ event: 'push_failed', venID: v.venID, status: res.status });
            }
            catch (e) {
                this.log({ event: 'push_failed', venID: v.venID, error: e instanceof Error ? e.message : String(e) });
            }
        })();
        this.inflight.add(p);
        void p.finally(() => this.inflight.delete(p));
    }
    distribute(v) {
        // 2.0b: every oadrDistributeEvent carries all the VEN's current events; replace a still-queued one.
        v.queue = v.queue.filter((m) => m.type !== 'oadrDistributeEvent');
        const requestID = (0, node_crypto_1.randomUUID)();
        this.sendToVen(v, { type: 'oadrDistributeEvent', response: ok(requestID), requestID, vtnID: this.vtnID, events: [...v.events.values()] });
    }
    addEvent(venID, spec) {
        const v = this.ven(venID);
        const now = this.opts.clock.now();
        const prev = v.events.get(spec.id);
        const e = {
            eventID: spec.id,
            modificationNumber: prev ? prev.modificationNumber + 1 : 0,
            ...(spec.priority !== undefined ? { priority: spec.priority } : {}),
            marketContext: spec.marketContext,
            createdDateTime: now,
            eventStatus: spec.startIn > 0 ? 'far' : 'active',
            testEvent: String(spec.testEvent),
            dtstart: now + spec.startIn * 1000,
            durationSec: spec.intervals.reduce((s, i) => s + i.duration, 0),
            signals: [{ signalName: spec.signal, signalType: spec.type, signalID: `${spec.id}-sig`, intervals: spec.intervals.map((i, n) => ({ durationSec: i.duration, uid: String(n), value: i.value })) }],
            target: { venID: [v.venID] },
            responseRequired: spec.responseRequired,
        };
        v.events.set(e.eventID, e);
        this.log({ event: 'event_sent', venID, eventID: e.eventID, modificationNumber: e.modificationNumber, signal: spec.signal, start: new Date(e.dtstart).toISOString(), durationSec: e.durationSec });
        this.distribute(v);
        return e;
    }
    /** Put a raw event (e.g. one with impossible times) to a VEN. */
    addRawEvent(venID, e) {
        const v = this.ven(venID);
        v.events.set(e.eventID, e);
        this.distribute(v);
    }
    cancelEvent(venID, eventID) {
        const v = this.ven(venID);
        const e = v.events.get(eventID);
        if (!e)
            throw new Error(`unknown event ${eventID}`);
        v.events.set(eventID, { ...e, eventStatus: 'cancelled', modificationNumber: e.modificationNumber + 1 });
        this.log({ event: 'event_cancelled', venID, eventID });
        this.distribute(v);
    }
    requestReport(venID, spec) {
        const v = this.ven(venID);
        const reportRequestID = spec.id ?? `rr-${(0, node_crypto_1.randomUUID)().slice(0, 8)}`;
        let specifierID = spec.report;
        let rIDs = spec.rIDs ?? [];
        if (spec.report !== 'METADATA') {
            const meta = v.metadata.find((m) => m.reportName === `METADATA_${spec.report}` || m.reportSpecifierID.endsWith(spec.report));
            specifierID = meta?.reportSpecifierID ?? spec.report;
            if (rIDs.length === 0)
                rIDs = meta?.descriptions.map((d) => d.rID) ?? ['unknown'];
        }
        else
            rIDs = rIDs.length ? rIDs : ['0'];
        const rr = {
            reportRequestID,
            specifier: {
                reportSpecifierID: specifierID,
                granularitySec: spec.granularity,
                reportBackDurationSec: spec.reportBack,
                ...(spec.duration > 0 ? { reportInterval: { dtstart: this.opts.clock.now(), durationSec: spec.duration } } : {}),
                payloads: rIDs.map((rID) => ({ rID, readingType: 'x-notApplicable' })),
            },
        };
        v.reportRequests.set(reportRequestID, rr);
        this.log({ event: 'report_requested', venID, reportRequestID, reportSpecifierID: specifierID, granularity: spec.granularity, reportBack: spec.reportBack });
        this.sendToVen(v, { type: 'oadrCreateReport', requestID: (0, node_crypto_1.randomUUID)(), reportRequests: [rr], venID });
        return reportRequestID;
    }
    cancelReport(venID, reportRequestID, reportToFollow = false) {
        const v = this.ven(venID);
        this.sendToVen(v, { type: 'oadrCancelReport', requestID: (0, node_crypto_1.randomUUID)(), reportRequestIDs: [reportRequestID], reportToFollow, venID });
        if (!reportToFollow)
            v.reportRequests.delete(reportRequestID);
    }
    requestReregistration(venID) {
        this.sendToVen(this.ven(venID), { type: 'oadrRequestReregistration', venID });
    }
    cancelRegistration(venID) {
        const v = this.ven(venID);
        this.sendToVen(v, { type: 'oadrCancelPartyRegistration', requestID: (0, node_crypto_1.randomUUID)(), registrationID: v.registrationID, venID });
    }
    ven(venID) {
        const v = this.vens.get(venID);
        if (!v)
            throw new Error(`VEN ${venID} not registered`);
        return v;
    }
    scheduleScript(v) {
        for (const step of this.opts.script?.steps ?? []) {
            v.timers.push(this.opts.clock.setTimeout(() => this.runStep(v.venID, step), step.at * 1000));
        }
    }
    runStep(venID, s) {
        try {
            if (s.event)
                this.addEvent(venID, s.event);
            if (s.cancelEvent)
                this.cancelEvent(venID, s.cancelEvent);
            if (s.reportRequest)
                this.requestReport(venID, s.reportRequest);
            if (s.cancelReport)
                this.cancelReport(venID, s.cancelReport.id, s.cancelReport.reportToFollow);
            if (s.reregister)
                this.requestReregistration(venID);
            if (s.cancelRegistration)
                this.cancelRegistration(venID);
        }
        catch (e) {
            this.log({ event: 'script_error', venID, error: e instanceof Error ? e.message : String(e) });
        }
    }
}
exports.VtnSim20b = VtnSim20b;
//# sourceMappingURL=vtn20b.js.map