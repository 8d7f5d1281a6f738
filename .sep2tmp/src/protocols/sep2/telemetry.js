"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TelemetryBuffer = void 0;
exports.mridFor = mridFor;
exports.mirrorUsagePointFor = mirrorUsagePointFor;
/**
 * Telemetry for seed 002: one MirrorUsagePoint per data point (real power W, frequency Hz …), instantaneous
 * readings on a fixed interval (30 s), buffered per point and posted as MirrorMeterReadings at the server's postRate.
 * Readings leave the buffer only when the server acknowledged them (2xx): nothing is lost across an outage, and a
 * batch is never in flight twice. The buffer is bounded; when full, the oldest readings are dropped and counted.
 */
const node_crypto_1 = require("node:crypto");
const mirrorMeterReading_js_1 = require("./mirrorMeterReading.js");
const mirrorUsagePoint_js_1 = require("./mirrorUsagePoint.js");
const QUANTITY = {
    realPower: { uom: mirrorMeterReading_js_1.READING.uom.W, multiplier: 0, kind: mirrorMeterReading_js_1.READING.kind.power, label: 'Real power (W)' },
    frequency: { uom: mirrorMeterReading_js_1.READING.uom.Hz, multiplier: -2, kind: 0, label: 'Frequency (Hz)' },
    reactivePower: { uom: mirrorMeterReading_js_1.READING.uom.var, multiplier: 0, kind: mirrorMeterReading_js_1.READING.kind.power, label: 'Reactive power (var)' },
    voltage: { uom: mirrorMeterReading_js_1.READING.uom.V, multiplier: -1, kind: 0, label: 'Voltage (V)' },
    current: { uom: mirrorMeterReading_js_1.READING.uom.A, multiplier: -2, kind: 0, label: 'Current (A)' },
    stateOfCharge: { uom: 0, multiplier: -2, kind: 0, label: 'State of charge (%)' },
};
/** Deterministic mRIDs so a re-sent batch is recognisable by the server (128 bits, hex). */
function mridFor(...parts) {
    return (0, node_crypto_1.createHash)('sha256').update(parts.join('|')).digest('hex').slice(0, 32).toUpperCase();
}
function mirrorUsagePointFor(p, lfdi, intervalS) {
    const q = QUANTITY[p.quantity];
    return {
        mRID: mridFor('mup', lfdi, p.key),
        description: (p.description ?? p.key).slice(0, 32),
        roleFlags: (mirrorUsagePoint_js_1.ROLE_FLAGS.isMirror | mirrorUsagePoint_js_1.ROLE_FLAGS.isDER | mirrorUsagePoint_js_1.ROLE_FLAGS.isSubmeter).toString(16).padStart(2, '0').toUpperCase(),
        serviceCategoryKind: 0,
        status: 1,
        deviceLFDI: lfdi,
        MirrorMeterReading: [
            {
                mRID: mridFor('mmr', lfdi, p.key),
                description: q.label,
                ReadingType: {
                    accumulationBehaviour: mirrorMeterReading_js_1.READING.accumulationBehaviour.instantaneous,
                    commodity: mirrorMeterReading_js_1.READING.commodity.electricitySecondaryMetered,
                    dataQualifier: mirrorMeterReading_js_1.READING.dataQualifier.notApplicable,
                    flowDirection: mirrorMeterReading_js_1.READING.flowDirection.forward,
                    intervalLength: intervalS,
                    kind: q.kind,
                    phase: 0,
                    powerOfTenMultiplier: q.multiplier,
                    uom: q.uom,
                },
            },
        ],
    };
}
class TelemetryBuffer {
    lfdi;
    intervalS;
    capacity;
    series = new Map();
    dropped = 0;
    posted = 0;
    constructor(points, lfdi, intervalS = 30, capacity = 2880) {
        this.lfdi = lfdi;
        this.intervalS = intervalS;
        this.capacity = capacity;
        for (const p of points)
            this.series.set(p.key, { point: p, pending: [], inFlight: 0 });
    }
    keys() {
        return [...this.series.keys()];
    }
    point(key) {
        return this.series.get(key)?.point;
    }
    /** A sample of `key` at local epoch ms `at` (server offset applied by the caller). */
    record(key, value, at) {
        const s = this.series.get(key);
        if (!s || !Number.isFinite(value))
            return false;
        const start = Math.floor(at / 1000 / this.intervalS) * this.intervalS;
        if (s.intervalStart !== undefined && start > s.intervalStart)
            this.close(s);
        if (s.intervalStart === undefined || start >= s.intervalStart) {
            s.intervalStart = start;
            s.sample = { value, at };
        }
        return true;
    }
    /** Close intervals that ended before `at` (call before posting). */
    flush(at) {
        const start = Math.floor(at / 1000 / this.intervalS) * this.intervalS;
        for (const s of this.series.values())
            if (s.intervalStart !== undefined && s.intervalStart < start)
                this.close(s);
    }
    close(s) {
        if (!s.sample || s.intervalStart === undefined)
            return;
        const q = QUANTITY[s.point.quantity];
        const value = Math.round(s.sample.value / 10 ** q.multiplier);
        s.pending.push({ timePeriod: { duration: this.intervalS, start: s.intervalStart }, value });
        s.sample = undefined;
        s.intervalStart = undefined;
        while (s.pending.length > this.capacity) {
            // Drop the oldest not in flight; an in-flight batch is the head of the queue.
            s.pending.splice(s.inFlight, 1);
            this.dropped++;
        }
    }
    /** Take the next batch of `key` (at most `max` readings) for posting; null if empty or already in flight. */
    take(key, max = 120) {
        const s = this.series.get(key);
        if (!s || s.inFlight > 0 || s.pending.length === 0)
            return null;
        const batch = s.pending.slice(0, max);
        s.inFlight = batch.length;
        const first = batch[0].timePeriod.start;
        const last = batch[batch.length - 1].timePeriod;
        const reading = {
            mRID: mridFor('mmr', this.lfdi, key),
            lastUpdateTime: last.start + last.duration,
            MirrorReadingSet: [{ mRID: mridFor('mrs', this.lfdi, key, first), timePeriod: { start: first, duration: last.start + last.duration - first }, Reading: batch }],
        };
        return { reading, count: batch.length };
    }
    /** The server accepted the batch taken from `key`. */
    ack(key) {
        const s = this.series.get(key);
        if (!s)
            return;
        s.pending.splice(0, s.inFlight);
        this.posted += s.inFlight;
        s.inFlight = 0;
    }
    /** Posting failed: the batch stays at the head for the next attempt. */
    nack(key) {
        const s = this.series.get(key);
        if (s)
            s.inFlight = 0;
    }
    stats() {
        let buffered = 0;
        for (const s of this.series.values())
            buffered += s.pending.length;
        return { buffered, dropped: this.dropped, posted: this.posted };
    }
}
exports.TelemetryBuffer = TelemetryBuffer;
//# sourceMappingURL=telemetry.js.map