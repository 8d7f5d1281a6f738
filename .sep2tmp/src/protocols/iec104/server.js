"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Iec104Server = void 0;
/**
 * Controlled station (IEC 60870-5-104 server): many connections, redundancy groups with one started connection each,
 * GI/counter interrogation/read from the point store, bounded spontaneous buffers per group while no connection is
 * started, cyclic data, clock sync, and commands through a callback that may refuse.
 */
const node_events_1 = require("node:events");
const node_net_1 = require("node:net");
const node_tls_1 = require("node:tls");
const clock_js_1 = require("../../core/clock.js");
const errors_js_1 = require("../../core/errors.js");
const constants_js_1 = require("./constants.js");
const cp56time_js_1 = require("./cp56time.js");
const link_js_1 = require("./link.js");
const store_js_1 = require("./store.js");
const tls_js_1 = require("./tls.js");
const EVENT = Symbol('event');
const P_N = { negative: true };
class Iec104Server extends node_events_1.EventEmitter {
    store = new store_js_1.PointStore();
    clock;
    opts;
    net;
    conns = new Set();
    groups;
    commands = new Map();
    selections = new Map();
    nextId = 1;
    cyclicTimer;
    cas;
    constructor(opts = {}) {
        super();
        this.opts = opts;
        this.clock = opts.clock ?? clock_js_1.systemClock;
        const defs = opts.redundancyGroups?.length ? opts.redundancyGroups : [{ name: 'default' }];
        this.groups = defs.map((def) => ({ def, buffer: [], dropped: 0, initSent: false }));
        this.cas = new Set(opts.commonAddresses ?? []);
    }
    // --- configuration ---------------------------------------------------------------------------------------------
    definePoint(d) {
        if (!this.opts.commonAddresses)
            this.cas.add(d.ca);
        return this.store.define(d);
    }
    defineCommand(c) {
        if (!this.opts.commonAddresses)
            this.cas.add(c.ca);
        this.commands.set(c.ca * 0x1000000 + c.ioa, { available: true, ...c });
    }
    setCommandAvailable(ca, ioa, available) {
        const c = this.commands.get(ca * 0x1000000 + ioa);
        if (c)
            c.available = available;
    }
    /**
     * Update a point's value/quality/time. Sends it spontaneously (COT 3) unless `spontaneous` is false; the time tag
     * defaults to now for time-tagged types.
     */
    update(ca, ioa, change, opts = {}) {
        const p = this.store.get(ca, ioa);
        if (!p)
            return false;
        const obj = { ...p.obj, ...change, ioa };
        if ((0, constants_js_1.withoutTime)(p.typeId) !== p.typeId && change.time === undefined)
            obj.time = (0, cp56time_js_1.cp56FromEpoch)(this.clock.now(), this.timeOpts());
        this.store.set(p, obj);
        if (opts.spontaneous !== false)
            this.broadcastEvent({ typeId: p.typeId, cot: opts.cot ?? constants_js_1.Cot.SPONTANEOUS, ca, objects: [obj] });
        return true;
    }
    /** Queue a monitor-direction ASDU to the started connection of every group (buffered where none is started). */
    broadcastEvent(a) {
        for (const g of this.groups) {
            if (g.active?.link.started && g.buffer.length === 0) {
                if (g.active.link.sendAsdu(a, EVENT))
                    continue;
                this.emit('warn', `group ${g.def.name}: send queue of ${g.active.remote} full, event kept in the group buffer`);
            }
            this.bufferEvent(g, a);
        }
    }
    /** Move buffered events of a group to its started connection, as far as its send queue takes them. */
    drainGroup(g) {
        const c = g.active;
        if (!c?.link.started)
            return;
        const room = Math.max(0, c.link.params.maxQueue - c.link.queued);
        const batch = g.buffer.splice(0, room);
        for (const a of batch)
            c.link.sendAsdu(a, EVENT);
    }
    /** Largest number of ASDUs waiting for the k window on a started connection (for producers that pace). */
    backlog() {
        let n = 0;
        for (const g of this.groups)
            n = Math.max(n, (g.active?.link.queued ?? 0) + g.buffer.length);
        return n;
    }
    bufferEvent(g, a) {
        const max = this.opts.eventBuffer ?? 10_000;
        if (max <= 0)
            return;
        g.buffer.push(a);
        if (g.buffer.length > max) {
            g.buffer.splice(0, g.buffer.length - max);
            g.dropped++;
            this.emit('warn', `group ${g.def.name}: spontaneous buffer full (${max}), oldest events dropped`);
        }
    }
    connections() {
        return [...this.conns].map((c) => ({ id: c.id, remote: c.remote, group: c.group.def.name, started: c.link.started }));
    }
    bufferedEvents(group = 'default') {
        return this.groups.find((g) => g.def.name === group)?.buffer.length ?? 0;
    }
    // --- lifecycle -------------------------------------------------------------------------------------------------
    listen() {
        const onSocket = (s) => this.accept(s);
        if (this.opts.tls) {
            const tlsOpts = (0, tls_js_1.serverTlsOptions)(this.opts.tls);
            const srv = (0, node_tls_1.createServer)(tlsOpts, (s) => {
                const why = (0, tls_js_1.checkPeer)(s, this.opts.tls?.allowedPeers);
                if (why) {
                    this.emit('warn', `TLS client ${s.remoteAddress ?? '?'} refused: ${why}`);
                    s.destroy();
                    return;
                }
                onSocket(s);
            });
            srv.on('tlsClientError', (e, s) => {
                this.emit('warn', `TLS handshake with ${s.remoteAddress ?? '?'} failed: ${(0, errors_js_1.errorMessage)(e)}`);
            });
            this.net = srv;
        }
        else
            this.net = (0, node_net_1.createServer)(onSocket);
        if (this.opts.cyclicPeriodMs)
            this.armCyclic();
        const net = this.net;
        return new Promise((resolve, reject) => {
            net.once('error', reject);
            net.listen(this.opts.port ?? 2404, this.opts.host ?? '0.0.0.0', () => {
                net.off('error', reject);
                net.on('error', (e) => this.emit('warn', `server error: ${(0, errors_js_1.errorMessage)(e)}`));
                const a = net.address();
                resolve(typeof a === 'object' && a ? { port: a.port, host: a.address } : { port: this.opts.port ?? 2404, host: String(a) });
            });
        });
    }
    async close() {
        this.clock.clearTimeout(this.cyclicTimer);
        this.cyclicTimer = undefined;
        for (const c of [...this.conns])
            c.link.close('server closing');
        const net = this.net;
        this.net = undefined;
        if (net)
            await new Promise((r) => net.close(() => r()));
    }
    accept(socket) {
        const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
        const ip = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
        const group = this.groups.find((g) => g.def.clients?.includes(ip)) ?? this.groups.find((g) => !g.def.clients?.length);
        if (!group) {
            this.emit('warn', `connection from ${remote} refused: not in any redundancy group`);
            socket.destroy();
            return;
        }
        if (this.opts.maxConnections && this.conns.size >= this.opts.maxConnections) {
            this.emit('warn', `connection from ${remote} refused: ${this.opts.maxConnections} connections open`);
            socket.destroy();
            return;
        }
        socket.setNoDelay(true);
        const conn = { id: this.nextId++, socket, group, remote };
        conn.link = new link_js_1.LinkLayer('controlled', {
            write: (f) => socket.write(f),
            cork: () => socket.cork(),
            uncork: () => socket.uncork(),
            asdu: (a) => this.onAsdu(conn, a),
            closed: (reason) => this.onClosed(conn, reason),
            state: (started) => this.onState(conn, started),
            acked: () => {
                if (conn.group.active === conn && conn.group.buffer.length)
                    this.drainGroup(conn.group);
            },
            warn: (m) => this.emit('warn', `${remote}: ${m}`),
        }, this.clock, this.opts.link);
        this.conns.add(conn);
        socket.on('data', (d) => conn.link.receive(d));
        socket.on('error', (e) => conn.link.close(`socket error: ${(0, errors_js_1.errorMessage)(e)}`));
        socket.on('close', () => conn.link.close('peer closed the connection'));
        this.emit('connection', { id: conn.id, remote, group: group.def.name });
    }
    onClosed(conn, reason) {
        if (!this.conns.delete(conn))
            return;
        conn.socket.destroy();
        const g = conn.group;
        if (g.active === conn) {
            g.active = undefined;
            // Events sent but never acknowledged go back to the group buffer, ahead of newer ones.
            const back = conn.link.pending().filter((p) => p.tag === EVENT).map((p) => p.asdu);
            g.buffer.unshift(...back);
        }
        for (const [k, s] of this.selections)
            if (s.conn === conn)
                this.selections.delete(k);
        this.emit('disconnect', { id: conn.id, remote: conn.remote, reason });
    }
    onState(conn, started) {
        const g = conn.group;
        if (started) {
            if (g.active && g.active !== conn) {
                const old = g.active;
                // Redundancy: one started connection per group; the newer one wins and takes over unacknowledged events.
                g.active = conn;
                g.buffer.unshift(...old.link.pending().filter((p) => p.tag === EVENT).map((p) => p.asdu));
                old.link.close(`redundancy group ${g.def.name}: superseded by ${conn.remote}`);
            }
            g.active = conn;
            if (!g.initSent) {
                g.initSent = true;
                for (const ca of this.cas)
                    conn.link.sendAsdu({ typeId: constants_js_1.TypeId.M_EI_NA_1, cot: constants_js_1.Cot.INITIALIZED, ca, objects: [{ ioa: 0, value: 0 }] });
            }
            this.drainGroup(g);
        }
        else if (g.active === conn) {
            g.active = undefined;
            const back = conn.link.pending().filter((p) => p.tag === EVENT).map((p) => p.asdu);
            g.buffer.unshift(...back);
        }
        this.emit('state', { id: conn.id, remote: conn.remote, group: g.def.name, started });
    }
    // --- application layer -----------------------------------------------------------------------------------------
    reply(conn, a, cot, extra = {}) {
        conn.link.sendAsdu({ ...a, cot, negative: false, ...extra });
    }
    onAsdu(conn, a) {
        this.emit('asdu', a, conn.remote);
        if (a.raw !== undefined)
            return this.reply(conn, a, constants_js_1.Cot.UNKNOWN_TYPE_ID, P_N);
        const broadcastOk = a.typeId === constants_js_1.TypeId.C_IC_NA_1 || a.typeId === constants_js_1.TypeId.C_CI_NA_1 || a.typeId === constants_js_1.TypeId.C_CS_NA_1 || a.typeId === constants_js_1.TypeId.C_RP_NA_1;
        const cas = a.ca === 0xffff && broadcastOk ? [...this.cas] : this.cas.has(a.ca) ? [a.ca] : [];
        if (cas.length === 0)
            return this.reply(conn, a, constants_js_1.Cot.UNKNOWN_CA, P_N);
        if ((0, constants_js_1.isCommandType)(a.typeId))
            return void this.onCommand(conn, a);
        switch (a.typeId) {
            case constants_js_1.TypeId.C_IC_NA_1:
                return this.onInterrogation(conn, a, cas);
            case constants_js_1.TypeId.C_CI_NA_1:
                return this.onCounterInterrogation(conn, a, cas);
            case constants_js_1.TypeId.C_RD_NA_1:
                return this.onRead(conn, a);
            case constants_js_1.TypeId.C_CS_NA_1:
                return this.onClockSync(conn, a);
            case constants_js_1.TypeId.C_TS_TA_1:
            case constants_js_1.TypeId.C_RP_NA_1:
                if (a.cot !== constants_js_1.Cot.ACTIVATION)
                    return this.reply(conn, a, constants_js_1.Cot.UNKNOWN_COT, P_N);
                return this.reply(conn, a, constants_js_1.Cot.ACTIVATION_CON);
            default:
                return this.reply(conn, a, constants_js_1.Cot.UNKNOWN_TYPE_ID, P_N);
        }
    }
    onInterrogation(conn, a, cas) {
        if (a.cot !== constants_js_1.Cot.ACTIVATION && a.cot !== constants_js_1.Cot.DEACTIVATION)
            return this.reply(conn, a, constants_js_1.Cot.UNKNOWN_COT, P_N);
        const qoi = a.objects[0]?.qualifier ?? 0;
        if (a.cot === constants_js_1.Cot.DEACTIVATION)
            return this.reply(conn, a, constants_js_1.Cot.DEACTIVATION_CON);
        if (qoi < constants_js_1.QOI_STATION || qoi > constants_js_1.QOI_STATION + 16)
            return this.reply(conn, a, constants_js_1.Cot.ACTIVATION_CON, P_N);
        const group = qoi - constants_js_1.QOI_STATION;
        for (const ca of cas) {
            this.reply(conn, { ...a, ca }, constants_js_1.Cot.ACTIVATION_CON);
            const sel = group === 0 ? { kind: 'station' } : { kind: 'group', group };
            for (const buf of this.store.encodeSelection(ca, sel, qoi, { packed: this.opts.packed !== false }))
                conn.link.sendAsdu(buf);
            this.reply(conn, { ...a, ca }, constants_js_1.Cot.ACTIVATION_TERMINATION);
        }
    }
    onCounterInterrogation(conn, a, cas) {
        if (a.cot !== constants_js_1.Cot.ACTIVATION)
            return this.reply(conn, a, constants_js_1.Cot.UNKNOWN_COT, P_N);
        const rqt = a.objects[0]?.qualifier ?? 0;
        if (rqt < 1 || rqt > 5)
            return this.reply(conn, a, constants_js_1.Cot.ACTIVATION_CON, P_N);
        const cot = rqt === 5 ? constants_js_1.Cot.REQUESTED_BY_GENERAL_COUNTER : constants_js_1.Cot.REQUESTED_BY_GENERAL_COUNTER + rqt;
        for (const ca of cas) {
            this.reply(conn, { ...a, ca }, constants_js_1.Cot.ACTIVATION_CON);
            const sel = rqt === 5 ? { kind: 'counters' } : { kind: 'counters', group: rqt };
            for (const buf of this.store.encodeSelection(ca, sel, cot, { packed: this.opts.packed !== false }))
                conn.link.sendAsdu(buf);
            this.reply(conn, { ...a, ca }, constants_js_1.Cot.ACTIVATION_TERMINATION);
        }
    }
    onRead(conn, a) {
        if (a.cot !== constants_js_1.Cot.REQUEST)
            return this.reply(conn, a, constants_js_1.Cot.UNKNOWN_COT, P_N);
        const ioa = a.objects[0]?.ioa ?? -1;
        const p = this.store.get(a.ca, ioa);
        if (!p)
            return this.reply(conn, a, constants_js_1.Cot.UNKNOWN_IOA, P_N);
        conn.link.sendAsdu({ typeId: p.typeId, cot: constants_js_1.Cot.REQUEST, ca: a.ca, objects: [p.obj] });
    }
    onClockSync(conn, a) {
        if (a.cot !== constants_js_1.Cot.ACTIVATION)
            return this.reply(conn, a, constants_js_1.Cot.UNKNOWN_COT, P_N);
        const t = a.objects[0]?.time;
        const epoch = t && !t.invalid ? (0, cp56time_js_1.cp56ToEpoch)(t, this.opts.utcOffsetMinutes ?? 0) : undefined;
        const ok = this.opts.onClockSync ? this.opts.onClockSync(epoch, conn.remote) : epoch !== undefined;
        this.reply(conn, a, constants_js_1.Cot.ACTIVATION_CON, ok ? {} : P_N);
    }
    async onCommand(conn, a) {
        if (a.cot !== constants_js_1.Cot.ACTIVATION && a.cot !== constants_js_1.Cot.DEACTIVATION)
            return this.reply(conn, a, constants_js_1.Cot.UNKNOWN_COT, P_N);
        const o = a.objects[0];
        if (!o || a.objects.length !== 1)
            return this.reply(conn, a, constants_js_1.Cot.ACTIVATION_CON, P_N);
        const key = a.ca * 0x1000000 + o.ioa;
        const cp = this.commands.get(key);
        if (!cp)
            return this.reply(conn, a, constants_js_1.Cot.UNKNOWN_IOA, P_N);
        if (a.cot === constants_js_1.Cot.DEACTIVATION) {
            this.selections.delete(key);
            return this.reply(conn, a, constants_js_1.Cot.DEACTIVATION_CON);
        }
        const refuse = (reason) => {
            this.emit('command', { ca: a.ca, ioa: o.ioa, typeId: a.typeId, outcome: 'refused', reason, remote: conn.remote });
            this.reply(conn, a, constants_js_1.Cot.ACTIVATION_CON, P_N);
        };
        if (!cp.typeIds.includes(a.typeId))
            return refuse(`type ${a.typeId} not accepted for IOA ${o.ioa}`);
        if (cp.available === false)
            return refuse('field link down');
        let time;
        if (o.time) {
            time = o.time.invalid ? undefined : (0, cp56time_js_1.cp56ToEpoch)(o.time, this.opts.utcOffsetMinutes ?? 0);
            const maxAge = this.opts.maxCommandAgeMs ?? 10_000;
            if (time === undefined || Math.abs(this.clock.now() - time) > maxAge)
                return refuse('command time tag invalid or too old');
        }
        const select = o.select === true;
        const now = this.clock.monotonic();
        if (!select && cp.sbo) {
            const s = this.selections.get(key);
            this.selections.delete(key);
            if (!s || s.conn !== conn || s.typeId !== a.typeId || now - s.at > (this.opts.selectTimeoutMs ?? 10_000))
                return refuse('execute without a valid select');
        }
        const req = { ca: a.ca, ioa: o.ioa, typeId: a.typeId, value: o.value ?? 0, select, qualifier: o.qualifier ?? 0, remote: conn.remote };
        if (time !== undefined)
            req.time = time;
        let d;
        try {
            d = this.opts.onCommand ? await this.opts.onCommand(req) : { accept: false, reason: 'no command handler' };
        }
        catch (e) {
            d = { accept: false, reason: (0, errors_js_1.errorMessage)(e) };
        }
        if (conn.link.closed)
            return;
        const accepted = d === true || (typeof d === 'object' && d.accept);
        if (!accepted)
            return refuse(typeof d === 'object' && !d.accept && d.reason ? d.reason : 'refused by handler');
        if (select) {
            this.selections.set(key, { conn, typeId: a.typeId, at: now });
            this.emit('command', { ...req, outcome: 'selected' });
            return this.reply(conn, a, constants_js_1.Cot.ACTIVATION_CON);
        }
        this.emit('command', { ...req, outcome: 'accepted' });
        this.reply(conn, a, constants_js_1.Cot.ACTIVATION_CON);
        const done = typeof d === 'object' && d.accept ? d.done : undefined;
        if (done) {
            try {
                await done;
            }
            catch (e) {
                this.emit('warn', `command ${a.typeId} IOA ${o.ioa} failed after confirmation: ${(0, errors_js_1.errorMessage)(e)}`);
            }
        }
        if (!conn.link.closed)
            this.reply(conn, a, constants_js_1.Cot.ACTIVATION_TERMINATION);
    }
    // --- cyclic data ---------------------------------------------------------------------------------------------
    armCyclic() {
        const period = this.opts.cyclicPeriodMs ?? 0;
        if (period <= 0)
            return;
        this.cyclicTimer = this.clock.setTimeout(() => {
            this.sendCyclic();
            this.armCyclic();
        }, period);
    }
    sendCyclic() {
        for (const ca of this.cas) {
            for (const buf of this.store.encodeSelection(ca, { kind: 'cyclic' }, constants_js_1.Cot.PERIODIC, { packed: this.opts.packed !== false })) {
                for (const g of this.groups)
                    if (g.active?.link.started)
                        g.active.link.sendAsdu(buf);
            }
        }
    }
    timeOpts() {
        return { utcOffsetMinutes: this.opts.utcOffsetMinutes ?? 0 };
    }
}
exports.Iec104Server = Iec104Server;
//# sourceMappingURL=server.js.map