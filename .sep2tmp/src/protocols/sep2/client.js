"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Sep2Client = void 0;
/**
 * CSIP client: discovery (dcap → Time → EndDeviceList → own EndDevice by LFDI → Registration PIN → FSA → DERPrograms
 * → DERControls/DefaultDERControl), each list re-polled at its own pollRate, controls scheduled and turned into
 * ControlIntents, Responses posted as asked, telemetry posted as seed 002 asks. On any error the last good state is
 * kept (the scheduler keeps running the controls it knows, and they expire on their own).
 */
const node_events_1 = require("node:events");
const errors_js_1 = require("../../core/errors.js");
const http_js_1 = require("./http.js");
const identity_js_1 = require("./identity.js");
const deviceCapability_js_1 = require("./deviceCapability.js");
const time_js_1 = require("./time.js");
const endDevice_js_1 = require("./endDevice.js");
const registration_js_1 = require("./registration.js");
const functionSetAssignments_js_1 = require("./functionSetAssignments.js");
const derProgram_js_1 = require("./derProgram.js");
const derControl_js_1 = require("./derControl.js");
const der_js_1 = require("./der.js");
const derCapability_js_1 = require("./derCapability.js");
const derSettings_js_1 = require("./derSettings.js");
const derStatus_js_1 = require("./derStatus.js");
const mirrorUsagePoint_js_1 = require("./mirrorUsagePoint.js");
const mirrorMeterReading_js_1 = require("./mirrorMeterReading.js");
const response_js_1 = require("./response.js");
const scheduler_js_1 = require("./scheduler.js");
const controls_js_1 = require("./controls.js");
const telemetry_js_1 = require("./telemetry.js");
const primitives_js_1 = require("./primitives.js");
const DEFAULT_POLL = 900;
class Sep2Client extends node_events_1.EventEmitter {
    opts;
    identity;
    scheduler;
    telemetry;
    http;
    clock;
    timers = new Map();
    stopped = false;
    state = 'connecting';
    dcap;
    endDevice;
    der;
    programs = new Map();
    /** Locations of resources we created (MirrorUsagePoints by point key). */
    locations = new Map();
    postRates = new Map();
    responses = [];
    sendingResponses = false;
    lastValues = new Map();
    sentSettingsKey = '';
    intents = [];
    trusted = false;
    constructor(opts) {
        super();
        this.opts = opts;
        this.clock = opts.clock;
        this.identity = (0, identity_js_1.identityFromCertificate)(typeof opts.cert === 'string' ? opts.cert : new Uint8Array(opts.cert));
        this.http = new http_js_1.Sep2Http({ ...opts, clock: opts.clock });
        this.telemetry = new telemetry_js_1.TelemetryBuffer(opts.telemetry ?? [], this.identity.lfdi, opts.intervalSeconds ?? 30);
        this.scheduler = new scheduler_js_1.DerControlScheduler({
            clock: opts.clock,
            ...(opts.random ? { random: opts.random } : {}),
            onResponse: (r) => this.queueResponse(r),
            onChange: (s) => this.onSchedule(s),
        });
    }
    get status() {
        return this.state;
    }
    start() {
        this.emit('identity', this.identity);
        void this.discover();
    }
    stop() {
        this.stopped = true;
        for (const t of this.timers.values())
            this.clock.clearTimeout(t);
        this.timers.clear();
        this.scheduler.stop();
        this.http.close();
    }
    /** A telemetry sample (local epoch ms). Keys are `device/name`. */
    record(key, value, at = this.clock.now()) {
        this.lastValues.set(key, value);
        this.telemetry.record(key, value, at + this.scheduler.serverOffsetMs);
    }
    /** New ratings (e.g. from the battery inverter): DERCapability/DERSettings are re-sent when they changed. */
    updateRatings(r) {
        this.opts.ratings = r;
        void this.putSettings();
    }
    setState(s, reason) {
        if (s === this.state && !reason)
            return;
        this.state = s;
        this.emit('state', { state: s, reason });
    }
    url(href) {
        return new URL(href, this.opts.dcapUrl).toString();
    }
    async get(href, res) {
        const r = await this.http.request('GET', this.url(href));
        return res.parse(r.body);
    }
    /** GET every page of a list (`s` start, `l` limit). */
    async getAll(href, res, items) {
        const out = [];
        let first;
        for (let page = 0; page < 100; page++) {
            const sep = href.includes('?') ? '&' : '?';
            const l = await this.get(`${href}${sep}s=${out.length}&l=255`, res);
            first ??= l;
            const got = items(l);
            out.push(...got);
            const all = l.all ?? 0;
            if (got.length === 0 || out.length >= all)
                break;
        }
        return { first: first, items: out };
    }
    poll(key, seconds, fn) {
        if (this.stopped)
            return;
        this.clock.clearTimeout(this.timers.get(key));
        const s = Math.max(this.opts.minPollSeconds ?? 10, seconds);
        this.timers.set(key, this.clock.setTimeout(() => {
            this.timers.delete(key);
            fn().then(() => this.poll(key, seconds, fn), (e) => {
                this.fail(key, e);
                this.poll(key, Math.min(seconds, 60), fn);
            });
        }, s * 1000));
    }
    fail(step, e) {
        const message = (0, errors_js_1.errorMessage)(e);
        this.emit('problem', { step, message, kind: e instanceof http_js_1.Sep2HttpError ? e.kind : e.name });
        this.setState(e instanceof http_js_1.Sep2HttpError && e.kind === 'tls' ? 'down' : 'degraded', `${step}: ${message}`);
    }
    async discover() {
        if (this.stopped)
            return;
        try {
            this.setState('connecting');
            const dcap = await this.get(this.opts.dcapUrl, deviceCapability_js_1.DeviceCapabilityResource);
            this.dcap = dcap;
            this.emit('discovery', { step: 'dcap', href: this.opts.dcapUrl, pollRate: dcap.pollRate ?? DEFAULT_POLL });
            if (dcap.TimeLink) {
                await this.syncTime(dcap.TimeLink.href);
            }
            await this.findEndDevice();
            await this.refreshPrograms();
            await this.setupDer();
            await this.setupMirrors();
            this.setState('up');
            this.poll('dcap', dcap.pollRate ?? DEFAULT_POLL, () => this.rediscover());
            this.poll('status', this.opts.statusSeconds ?? 60, () => this.putStatus());
        }
        catch (e) {
            this.fail('discovery', e);
            if (!this.stopped) {
                const t = this.clock.setTimeout(() => void this.discover(), 30_000);
                this.timers.set('discover', t);
            }
        }
    }
    async rediscover() {
        const dcap = await this.get(this.opts.dcapUrl, deviceCapability_js_1.DeviceCapabilityResource);
        this.dcap = dcap;
        this.setState('up');
    }
    async syncTime(href) {
        const before = this.clock.now();
        const t = await this.get(href, time_js_1.TimeResource);
        const after = this.clock.now();
        const offset = t.currentTime * 1000 - Math.round((before + after) / 2);
        // Whole seconds on the wire: ignore sub-second offsets.
        this.scheduler.setServerOffset(Math.abs(offset) < 1000 ? 0 : offset);
        this.emit('discovery', { step: 'time', href, offsetMs: this.scheduler.serverOffsetMs, pollRate: t.pollRate ?? DEFAULT_POLL });
        this.poll('time', t.pollRate ?? DEFAULT_POLL, () => this.syncTime(href));
    }
    async findEndDevice() {
        const link = this.dcap?.EndDeviceListLink;
        if (!link)
            throw new Error('DeviceCapability has no EndDeviceListLink');
        const { first, items } = await this.getAll(link.href, endDevice_js_1.EndDeviceListResource, (l) => l.EndDevice);
        const mine = items.find((d) => d.lFDI?.toUpperCase() === this.identity.lfdi || d.sFDI === this.identity.sfdi);
        if (!mine)
            throw new Error(`no EndDevice with LFDI ${this.identity.lfdi} (registration is out of band)`);
        if (mine.enabled === false) {
            this.distrust();
            throw new Error('EndDevice is disabled by the server');
        }
        this.endDevice = mine;
        this.emit('discovery', { step: 'enddevice', href: mine.href, lfdi: this.identity.lfdi, sfdi: this.identity.sfdi, pollRate: first.pollRate ?? DEFAULT_POLL });
        if (mine.RegistrationLink) {
            const reg = await this.get(mine.RegistrationLink.href, registration_js_1.RegistrationResource);
            if (this.opts.pin !== undefined && reg.pIN !== this.opts.pin) {
                this.distrust();
                throw new Error(`Registration PIN ${reg.pIN} does not match the configured PIN: server not trusted`);
            }
            this.emit('discovery', { step: 'registration', href: mine.RegistrationLink.href, pinOk: this.opts.pin === undefined ? null : true });
        }
        else if (this.opts.pin !== undefined) {
            this.distrust();
            throw new Error('EndDevice has no RegistrationLink but a PIN is configured');
        }
        this.trusted = true;
        this.poll('edev', first.pollRate ?? DEFAULT_POLL, () => this.findEndDevice());
    }
    async refreshPrograms() {
        const fsaLink = this.endDevice?.FunctionSetAssignmentsListLink;
        const seen = new Set();
        let fsaPoll = DEFAULT_POLL;
        if (fsaLink) {
            const { first, items } = await this.getAll(fsaLink.href, functionSetAssignments_js_1.FunctionSetAssignmentsListResource, (l) => l.FunctionSetAssignments);
            fsaPoll = first.pollRate ?? DEFAULT_POLL;
            this.emit('discovery', { step: 'fsa', href: fsaLink.href, count: items.length, pollRate: fsaPoll });
            for (const fsa of items) {
                if (!fsa.DERProgramListLink)
                    continue;
                const { first: pl, items: progs } = await this.getAll(fsa.DERProgramListLink.href, derProgram_js_1.DERProgramListResource, (l) => l.DERProgram);
                for (const p of progs) {
                    const href = p.href ?? `${fsa.DERProgramListLink.href}#${p.mRID}`;
                    seen.add(href);
                    const pollS = pl.pollRate ?? DEFAULT_POLL;
                    const known = this.programs.get(href);
                    this.programs.set(href, { program: p, controls: known?.controls ?? [], ...(known?.dflt ? { dflt: known.dflt } : {}), pollS });
                    this.emit('discovery', { step: 'derprogram', href, primacy: p.primacy, pollRate: pollS });
                    await this.refreshControls(href);
                    this.poll(`derc:${href}`, pollS, () => this.refreshControls(href));
                }
            }
        }
        for (const href of [...this.programs.keys()]) {
            if (seen.has(href))
                continue;
            this.programs.delete(href);
            this.clock.clearTimeout(this.timers.get(`derc:${href}`));
            this.timers.delete(`derc:${href}`);
        }
        this.pushPrograms();
        this.poll('fsa', fsaPoll, () => this.refreshPrograms());
    }
    async refreshControls(href) {
        const entry = this.programs.get(href);
        if (!entry)
            return;
        const p = entry.program;
        if (p.DERControlListLink)
            entry.controls = (await this.getAll(p.DERControlListLink.href, derControl_js_1.DERControlListResource, (l) => l.DERControl)).items;
        if (p.DefaultDERControlLink)
            entry.dflt = await this.get(p.DefaultDERControlLink.href, derControl_js_1.DefaultDERControlResource);
        this.emit('discovery', { step: 'dercontrols', href, controls: entry.controls.map((c) => ({ mRID: c.mRID, status: c.EventStatus.currentStatus, start: c.interval.start, duration: c.interval.duration })), hasDefault: !!entry.dflt });
        this.pushPrograms();
    }
    /** The server failed the PIN check or disabled us: drop every control it gave (no control from an untrusted server). */
    distrust() {
        this.trusted = false;
        this.scheduler.setPrograms([]);
    }
    pushPrograms() {
        if (!this.trusted)
            return;
        this.scheduler.setPrograms([...this.programs.entries()].map(([href, e]) => ({ href, primacy: e.program.primacy, controls: e.controls, ...(e.dflt ? { defaultControl: e.dflt } : {}) })));
    }
    onSchedule(s) {
        const intents = (0, controls_js_1.controlsToIntents)(s.controls, {
            device: this.opts.device,
            sourceClass: this.opts.sourceClass ?? 'dso',
            ...(this.opts.overrides ? { overrides: this.opts.overrides } : {}),
            ratings: this.opts.ratings,
            serverOffsetMs: this.scheduler.serverOffsetMs,
        });
        this.intents = intents;
        this.emit('controls', { state: s, intents });
    }
    queueResponse(r) {
        this.responses.push(r);
        if (this.responses.length > 1000) {
            this.responses.shift();
            this.emit('problem', { step: 'response', message: 'response queue full: oldest dropped' });
        }
        void this.sendResponses();
    }
    async sendResponses() {
        if (this.sendingResponses || this.stopped)
            return;
        this.sendingResponses = true;
        try {
            while (this.responses.length > 0) {
                const r = this.responses[0];
                const body = response_js_1.DERControlResponseResource.serialize({ createdDateTime: r.createdDateTime, endDeviceLFDI: this.identity.lfdi, status: r.status, subject: r.subject });
                try {
                    const res = await this.http.request('POST', this.url(r.replyTo), body);
                    this.responses.shift();
                    this.emit('post', { resource: 'DERControlResponse', href: r.replyTo, status: res.status, subject: r.subject, responseStatus: r.status });
                }
                catch (e) {
                    this.fail('response', e);
                    if (e instanceof http_js_1.Sep2HttpError && e.kind === 'status' && (e.status ?? 0) < 500)
                        this.responses.shift();
                    else {
                        this.clock.setTimeout(() => void this.sendResponses(), 30_000);
                        return;
                    }
                }
            }
        }
        finally {
            this.sendingResponses = false;
        }
    }
    async setupDer() {
        const link = this.endDevice?.DERListLink;
        if (!link)
            return;
        const { items } = await this.getAll(link.href, der_js_1.DERListResource, (l) => l.DER);
        this.der = items[0];
        this.sentSettingsKey = '';
        await this.putSettings();
        await this.putStatus();
    }
    async put(resource, href, body) {
        if (!href)
            return;
        const r = await this.http.request('PUT', this.url(href), body);
        this.emit('post', { resource, href, status: r.status, method: 'PUT' });
    }
    async putSettings() {
        const r = this.opts.ratings;
        const key = JSON.stringify(r);
        if (!this.der || key === this.sentSettingsKey)
            return;
        const modes = (0, derCapability_js_1.modesHex)(['charge', 'discharge', 'opModConnect', 'opModEnergize', 'opModFixedW', 'opModMaxLimW', 'opModTargetW']);
        const now = Math.floor(this.scheduler.serverNow() / 1000);
        await this.put('DERCapability', this.der.DERCapabilityLink?.href, derCapability_js_1.DERCapabilityResource.serialize({
            modesSupported: modes,
            rtgMaxChargeRateW: (0, primitives_js_1.toScaled)(r.maxChargeRateW),
            rtgMaxDischargeRateW: (0, primitives_js_1.toScaled)(r.maxDischargeRateW),
            rtgMaxW: (0, primitives_js_1.toScaled)(r.maxW),
            rtgMaxWh: (0, primitives_js_1.toScaled)(r.maxWh, true),
            type: r.type ?? 80,
        }));
        await this.put('DERSettings', this.der.DERSettingsLink?.href, derSettings_js_1.DERSettingsResource.serialize({
            modesEnabled: modes,
            setGradW: 0,
            setMaxChargeRateW: (0, primitives_js_1.toScaled)(r.maxChargeRateW),
            setMaxDischargeRateW: (0, primitives_js_1.toScaled)(r.maxDischargeRateW),
            setMaxW: (0, primitives_js_1.toScaled)(r.maxW),
            setMaxWh: (0, primitives_js_1.toScaled)(r.maxWh, true),
            updatedTime: now,
        }));
        this.sentSettingsKey = key;
    }
    async putStatus() {
        if (!this.der?.DERStatusLink)
            return;
        const now = Math.floor(this.scheduler.serverNow() / 1000);
        const st = { readingTime: now };
        const soc = this.opts.stateOfChargeKey ? this.lastValues.get(this.opts.stateOfChargeKey) : undefined;
        if (soc !== undefined)
            st.stateOfChargeStatus = { dateTime: now, value: Math.max(0, Math.min(10000, Math.round(soc * 100))) };
        const connected = !this.intents.some((i) => i.target.name === 'Conn' && i.value === false);
        st.genConnectStatus = { dateTime: now, value: connected ? '07' : '00' };
        await this.put('DERStatus', this.der.DERStatusLink.href, derStatus_js_1.DERStatusResource.serialize(st));
    }
    async setupMirrors() {
        const link = this.dcap?.MirrorUsagePointListLink;
        if (!link)
            return;
        for (const key of this.telemetry.keys())
            await this.createMirror(key, link.href);
    }
    async createMirror(key, listHref) {
        const p = this.telemetry.point(key);
        const mup = (0, telemetry_js_1.mirrorUsagePointFor)(p, this.identity.lfdi, this.opts.intervalSeconds ?? 30);
        const res = await this.http.request('POST', this.url(listHref), mirrorUsagePoint_js_1.MirrorUsagePointResource.serialize(mup));
        const loc = res.location ?? this.locations.get(key);
        if (!loc)
            throw new Error(`server did not return a Location for MirrorUsagePoint ${key}`);
        this.locations.set(key, loc);
        let postRate = 60;
        try {
            const back = await this.get(loc, mirrorUsagePoint_js_1.MirrorUsagePointResource);
            postRate = back.postRate ?? postRate;
        }
        catch {
            // Location may not be readable; keep the default post rate.
        }
        this.postRates.set(key, postRate);
        this.emit('post', { resource: 'MirrorUsagePoint', href: listHref, location: loc, status: res.status, key, postRate });
        this.poll(`mmr:${key}`, postRate, () => this.postReadings(key, listHref));
    }
    async postReadings(key, listHref) {
        this.telemetry.flush(this.scheduler.serverNow());
        for (;;) {
            const batch = this.telemetry.take(key);
            if (!batch)
                return;
            const loc = this.locations.get(key);
            try {
                const res = await this.http.request('POST', loc, mirrorMeterReading_js_1.MirrorMeterReadingResource.serialize(batch.reading));
                this.telemetry.ack(key);
                this.emit('post', { resource: 'MirrorMeterReading', href: loc, status: res.status, key, readings: batch.count });
            }
            catch (e) {
                this.telemetry.nack(key);
                if (e instanceof http_js_1.Sep2HttpError && e.status === 404) {
                    // The server forgot the mirror (restart): create it again, the readings stay buffered.
                    await this.createMirror(key, listHref);
                }
                throw e;
            }
        }
    }
}
exports.Sep2Client = Sep2Client;
//# sourceMappingURL=client.js.map