"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Iec104Client = void 0;
/**
 * Controlling station (IEC 60870-5-104 client): connects with failover across hosts, starts data transfer, runs
 * interrogations, clock sync, read and commands (with select-before-operate), tracks ACT_CON/ACT_TERM with timeouts,
 * and turns incoming monitor data into GridBridge Points.
 */
const node_events_1 = require("node:events");
const node_net_1 = require("node:net");
const node_tls_1 = require("node:tls");
const clock_js_1 = require("../../core/clock.js");
const errors_js_1 = require("../../core/errors.js");
const constants_js_1 = require("./constants.js");
const cp56time_js_1 = require("./cp56time.js");
const link_js_1 = require("./link.js");
const points_js_1 = require("./points.js");
const tls_js_1 = require("./tls.js");
class Iec104Client extends node_events_1.EventEmitter {
    opts;
    clock;
    socket;
    link;
    hostIndex = 0;
    failures = 0;
    stopped = true;
    retryTimer;
    pending = new Map();
    stateValue = 'idle';
    current;
    constructor(opts) {
        super();
        this.opts = opts;
        if (!opts.hosts.length)
            throw new RangeError('at least one host is needed');
        this.clock = opts.clock ?? clock_js_1.systemClock;
    }
    get state() {
        return this.stateValue;
    }
    get connectedTo() {
        return this.current;
    }
    get started() {
        return this.link?.started ?? false;
    }
    /** Start connecting (with failover and reconnect). Resolves at the first STARTDT con, rejects on stop. */
    connect() {
        this.stopped = false;
        const up = new Promise((resolve, reject) => {
            const onState = (s) => {
                if (s === 'up')
                    done(resolve);
            };
            const onStop = () => done(() => reject(new Error('client closed before the link came up')));
            const done = (f) => {
                this.off('state', onState);
                this.off('stopped', onStop);
                f();
            };
            this.on('state', onState);
            this.on('stopped', onStop);
        });
        this.dial();
        return up;
    }
    close() {
        this.stopped = true;
        this.clock.clearTimeout(this.retryTimer);
        const link = this.link;
        this.link = undefined;
        link?.close('closed by user');
        this.socket?.destroy();
        this.socket = undefined;
        this.current = undefined;
        for (const p of [...this.pending.values()])
            this.finish(p, false, 'client closed');
        this.setState('idle', 'closed');
        this.emit('stopped');
    }
    setState(s, reason) {
        if (s === this.stateValue)
            return;
        this.stateValue = s;
        this.emit('state', s, reason);
    }
    dial() {
        if (this.stopped)
            return;
        const h = this.opts.hosts[this.hostIndex % this.opts.hosts.length];
        const port = h.port ?? (this.opts.tls ? 19998 : 2404);
        this.setState('connecting', `${h.host}:${port}`);
        let settled = false;
        const t0 = this.opts.link?.t0 ?? 30_000;
        const fail = (why) => {
            if (settled)
                return;
            settled = true;
            this.clock.clearTimeout(timer);
            sock.destroy();
            this.emit('warn', `connect ${h.host}:${port} failed: ${why}`);
            this.scheduleRetry();
        };
        const sock = this.opts.tls ? (0, node_tls_1.connect)({ host: h.host, port, ...(0, tls_js_1.clientTlsOptions)(this.opts.tls, h.host) }) : (0, node_net_1.connect)({ host: h.host, port });
        const timer = this.clock.setTimeout(() => fail(`t0 (${t0} ms) expired`), t0);
        sock.once('error', (e) => fail((0, errors_js_1.errorMessage)(e)));
        sock.once(this.opts.tls ? 'secureConnect' : 'connect', () => {
            if (settled)
                return;
            if (this.opts.tls) {
                const why = (0, tls_js_1.checkPeer)(sock, this.opts.tls.allowedPeers);
                if (why)
                    return fail(why);
            }
            settled = true;
            this.clock.clearTimeout(timer);
            this.attach(sock, h);
        });
    }
    scheduleRetry() {
        if (this.stopped)
            return;
        this.hostIndex++;
        if (this.opts.reconnect === false && this.hostIndex >= this.opts.hosts.length) {
            this.setState('down', 'all hosts failed');
            this.stopped = true;
            this.emit('stopped');
            return;
        }
        // Try the next host at once; wait (with backoff) only after a full cycle over all hosts.
        const cycle = this.hostIndex % this.opts.hosts.length === 0;
        if (cycle)
            this.failures++;
        const min = this.opts.reconnectMinMs ?? 1000;
        const delay = cycle ? Math.min(this.opts.reconnectMaxMs ?? 30_000, min * 2 ** Math.min(10, this.failures - 1)) : 0;
        this.setState('down', 'reconnecting');
        this.retryTimer = this.clock.setTimeout(() => this.dial(), delay);
    }
    attach(sock, h) {
        this.socket = sock;
        this.current = h;
        sock.setNoDelay(true);
        const link = new link_js_1.LinkLayer('controlling', {
            write: (f) => sock.write(f),
            cork: () => sock.cork(),
            uncork: () => sock.uncork(),
            asdu: (a) => this.onAsdu(a),
            closed: (reason) => {
                sock.destroy();
                if (this.link === link)
                    this.onLinkClosed(reason);
            },
            state: (started) => {
                if (started) {
                    this.failures = 0;
                    this.setState('up', `${h.host}:${h.port ?? ''}`);
                    if (this.opts.interrogateOnStart)
                        void this.interrogate();
                }
                else if (!link.closed)
                    this.setState('down', 'data transfer stopped');
            },
            warn: (m) => this.emit('warn', m),
        }, this.clock, this.opts.link);
        this.link = link;
        sock.on('data', (d) => link.receive(d));
        sock.on('error', (e) => link.close(`socket error: ${(0, errors_js_1.errorMessage)(e)}`));
        sock.on('close', () => link.close('connection closed by peer'));
        if (this.opts.autoStart !== false)
            link.start();
    }
    onLinkClosed(reason) {
        this.link = undefined;
        this.socket = undefined;
        this.current = undefined;
        for (const p of [...this.pending.values()])
            this.finish(p, false, `connection lost: ${reason}`);
        this.emit('warn', `link closed: ${reason}`);
        if (this.stopped)
            return;
        this.setState('down', reason);
        this.scheduleRetry();
    }
    /** Send STARTDT act (when autoStart is off) or STOPDT act. */
    startDataTransfer() {
        this.link?.start();
    }
    stopDataTransfer() {
        this.link?.stop();
    }
    /** Send any ASDU (raw access). */
    send(a) {
        return this.link?.started ? this.link.sendAsdu({ originator: this.opts.originator ?? 0, ...a }) : false;
    }
    // --- requests ----------------------------------------------------------------------------------------------
    /** General (qoi 20) or group (21..36) interrogation; resolves at ACT_TERM with the objects received. */
    interrogate(ca = this.opts.ca ?? 1, qoi = constants_js_1.QOI_STATION) {
        return this.request({ typeId: constants_js_1.TypeId.C_IC_NA_1, cot: constants_js_1.Cot.ACTIVATION, ca, objects: [{ ioa: 0, qualifier: qoi }] }, 0, true, qoi);
    }
    /** Counter interrogation: rqt 5 = general, 1..4 = group; frz 0 read, 1 freeze, 2 freeze+reset, 3 reset. */
    counterInterrogate(ca = this.opts.ca ?? 1, rqt = 5, freeze = 0) {
        const cot = rqt === 5 ? constants_js_1.Cot.REQUESTED_BY_GENERAL_COUNTER : constants_js_1.Cot.REQUESTED_BY_GENERAL_COUNTER + rqt;
        return this.request({ typeId: constants_js_1.TypeId.C_CI_NA_1, cot: constants_js_1.Cot.ACTIVATION, ca, objects: [{ ioa: 0, qualifier: rqt, freeze }] }, 0, true, cot);
    }
    /** Clock synchronisation with the given epoch ms (default now). */
    clockSync(ca = this.opts.ca ?? 1, epochMs = this.clock.now()) {
        const time = (0, cp56time_js_1.cp56FromEpoch)(epochMs, { utcOffsetMinutes: this.opts.utcOffsetMinutes ?? 0 });
        return this.request({ typeId: constants_js_1.TypeId.C_CS_NA_1, cot: constants_js_1.Cot.ACTIVATION, ca, objects: [{ ioa: 0, time }] }, 0, false);
    }
    /** Read one object (C_RD_NA_1); resolves with the object answered with COT 5. */
    read(ioa, ca = this.opts.ca ?? 1) {
        return this.request({ typeId: constants_js_1.TypeId.C_RD_NA_1, cot: constants_js_1.Cot.REQUEST, ca, objects: [{ ioa }] }, ioa, false, constants_js_1.Cot.REQUEST);
    }
    /** Test command with time tag (C_TS_TA_1). */
    testCommand(ca = this.opts.ca ?? 1, counter = 0) {
        const time = (0, cp56time_js_1.cp56FromEpoch)(this.clock.now(), { utcOffsetMinutes: this.opts.utcOffsetMinutes ?? 0 });
        return this.request({ typeId: constants_js_1.TypeId.C_TS_TA_1, cot: constants_js_1.Cot.ACTIVATION, ca, objects: [{ ioa: 0, value: counter, time }] }, 0, false);
    }
    /** A process command, with select-before-operate when `sbo`. */
    async command(c) {
        if (!(0, constants_js_1.isCommandType)(c.typeId))
            return { ok: false, stage: 'send', reason: `type ${c.typeId} is not a command type` };
        const typeId = c.withTime ? (0, constants_js_1.withTime)(c.typeId) : c.typeId;
        const ca = c.ca ?? this.opts.ca ?? 1;
        const obj = (select) => {
            const o = { ioa: c.ioa, value: c.value, select, qualifier: c.qualifier ?? 0 };
            if (typeId >= constants_js_1.TypeId.C_SC_TA_1 && typeId <= constants_js_1.TypeId.C_BO_TA_1)
                o.time = (0, cp56time_js_1.cp56FromEpoch)(this.clock.now(), { utcOffsetMinutes: this.opts.utcOffsetMinutes ?? 0 });
            return o;
        };
        const mk = (select) => ({ typeId, cot: constants_js_1.Cot.ACTIVATION, ca, objects: [obj(select)] });
        if (c.sbo) {
            const sel = await this.request(mk(true), c.ioa, false);
            if (!sel.ok)
                return { ...sel, reason: `select: ${sel.reason ?? 'failed'}` };
        }
        return this.request(mk(false), c.ioa, c.awaitTermination !== false);
    }
    request(a, ioa, needTerm, collectCot) {
        const key = `${a.typeId}:${a.ca}:${ioa}`;
        if (!this.link?.started)
            return Promise.resolve({ ok: false, stage: 'send', reason: 'not connected (data transfer not started)' });
        if (this.pending.has(key))
            return Promise.resolve({ ok: false, stage: 'send', reason: `a ${(0, constants_js_1.typeName)(a.typeId)} for CA ${a.ca} IOA ${ioa} is already pending` });
        return new Promise((resolve) => {
            const p = { key, typeId: a.typeId, ca: a.ca, needTerm, stage: 'send', timer: undefined, objects: [], resolve };
            if (collectCot !== undefined)
                p.collectCot = collectCot;
            this.pending.set(key, p);
            this.arm(p, this.opts.confirmTimeoutMs ?? 10_000, 'no ACT_CON');
            if (!this.link.sendAsdu({ originator: this.opts.originator ?? 0, ...a }))
                this.finish(p, false, 'send queue full');
        });
    }
    arm(p, ms, what) {
        this.clock.clearTimeout(p.timer);
        p.timer = this.clock.setTimeout(() => this.finish(p, false, `timeout: ${what} within ${ms} ms`), ms);
    }
    finish(p, ok, reason) {
        if (this.pending.get(p.key) !== p)
            return;
        this.pending.delete(p.key);
        this.clock.clearTimeout(p.timer);
        const r = { ok, stage: p.stage };
        if (reason)
            r.reason = reason;
        if (p.objects.length || p.collectCot !== undefined)
            r.objects = p.objects;
        p.resolve(r);
    }
    findPending(a) {
        const ioa = a.objects[0]?.ioa ?? 0;
        const exact = this.pending.get(`${a.typeId}:${a.ca}:${ioa}`);
        if (exact)
            return exact;
        // Peer quirk: GI ACT_TERM with TypeID 0 and no objects.
        if (a.typeId === 0 && a.cot === constants_js_1.Cot.ACTIVATION_TERMINATION) {
            for (const p of this.pending.values())
                if (p.typeId === constants_js_1.TypeId.C_IC_NA_1 && p.stage === 'con' && (p.ca === a.ca || a.ca === 0))
                    return p;
        }
        return undefined;
    }
    onAsdu(a) {
        this.emit('asdu', a);
        if ((0, constants_js_1.isMonitorType)(a.typeId) && a.typeId !== constants_js_1.TypeId.M_EI_NA_1) {
            const now = this.clock.now();
            const wantObjects = this.listenerCount('object') > 0;
            const wantPoints = this.listenerCount('point') > 0;
            if (wantObjects || wantPoints) {
                const popts = { utcOffsetMinutes: this.opts.utcOffsetMinutes ?? 0 };
                if (this.opts.site)
                    popts.site = this.opts.site;
                for (const o of a.objects) {
                    const u = { ca: a.ca, typeId: a.typeId, cot: a.cot, test: a.test ?? false, object: o };
                    if (wantObjects)
                        this.emit('object', u);
                    if (wantPoints) {
                        const naming = this.opts.naming?.(a.ca, o.ioa, a.typeId) ?? (0, points_js_1.defaultNaming)(a.ca, o.ioa);
                        this.emit('point', (0, points_js_1.objectToPoint)(u, naming, now, popts), u);
                    }
                }
            }
            for (const p of this.pending.values()) {
                if (p.collectCot === a.cot && p.ca === a.ca && p.stage !== 'send')
                    for (const o of a.objects)
                        p.objects.push(o);
            }
            if (a.cot === constants_js_1.Cot.REQUEST) {
                const p = this.pending.get(`${constants_js_1.TypeId.C_RD_NA_1}:${a.ca}:${a.objects[0]?.ioa ?? -1}`);
                if (p) {
                    p.stage = 'con';
                    p.objects = [...a.objects];
                    this.finish(p, true);
                }
            }
            return;
        }
        if (a.typeId === constants_js_1.TypeId.M_EI_NA_1) {
            this.emit('endOfInit', a.ca, a.objects[0]?.value);
            return;
        }
        const p = this.findPending(a);
        if (!p) {
            if (a.cot >= constants_js_1.Cot.UNKNOWN_TYPE_ID)
                this.emit('warn', `peer answered COT ${a.cot} to ${(0, constants_js_1.typeName)(a.typeId) ?? a.typeId} IOA ${a.objects[0]?.ioa ?? '?'} with nothing pending`);
            return;
        }
        switch (a.cot) {
            case constants_js_1.Cot.ACTIVATION_CON:
            case constants_js_1.Cot.DEACTIVATION_CON:
                p.stage = 'con';
                if (a.negative)
                    return this.finish(p, false, 'negative confirmation (P/N)');
                if (!p.needTerm)
                    return this.finish(p, true);
                return this.arm(p, this.opts.terminationTimeoutMs ?? 30_000, 'no ACT_TERM');
            case constants_js_1.Cot.ACTIVATION_TERMINATION:
                p.stage = 'term';
                return this.finish(p, !a.negative, a.negative ? 'negative termination' : undefined);
            case constants_js_1.Cot.UNKNOWN_TYPE_ID:
            case constants_js_1.Cot.UNKNOWN_COT:
            case constants_js_1.Cot.UNKNOWN_CA:
            case constants_js_1.Cot.UNKNOWN_IOA: {
                // Accept these with or without the P/N bit (peer quirk: COT 47 without it).
                const what = { 44: 'unknown type', 45: 'unknown cause of transmission', 46: 'unknown common address', 47: 'unknown information object address' }[a.cot];
                p.stage = 'con';
                return this.finish(p, false, `${what} (COT ${a.cot})`);
            }
            default:
                this.emit('warn', `unexpected COT ${a.cot} for ${(0, constants_js_1.typeName)(a.typeId) ?? a.typeId}`);
        }
    }
}
exports.Iec104Client = Iec104Client;
//# sourceMappingURL=client.js.map