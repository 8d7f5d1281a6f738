"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * OpenADR 2.0b codec rates: parse and serialize oadrDistributeEvent (1 event, 2 signals) and oadrUpdateReport
 * (60 intervals × 3 payloads). Bounded in count and time; no network.
 */
const build_js_1 = require("../src/protocols/openadr/oadr20b/build.js");
const parse_js_1 = require("../src/protocols/openadr/oadr20b/parse.js");
const lib_js_1 = require("./lib.js");
const T0 = Date.UTC(2026, 0, 1, 12);
const distribute = {
    type: 'oadrDistributeEvent',
    requestID: 'r1',
    vtnID: 'vtn',
    events: [
        {
            eventID: 'e1',
            modificationNumber: 0,
            marketContext: 'http://m',
            createdDateTime: T0,
            eventStatus: 'far',
            dtstart: T0 + 600_000,
            durationSec: 3600,
            signals: [
                { signalName: 'SIMPLE', signalType: 'level', signalID: 's1', intervals: [{ durationSec: 1800, uid: '0', value: 1 }, { durationSec: 1800, uid: '1', value: 2 }] },
                { signalName: 'LOAD_DISPATCH', signalType: 'setpoint', signalID: 's2', intervals: [{ durationSec: 3600, uid: '0', value: 2500 }] },
            ],
            target: { venID: ['ven-1'] },
            responseRequired: 'always',
        },
    ],
};
const update = {
    type: 'oadrUpdateReport',
    requestID: 'r2',
    venID: 'ven-1',
    reports: [
        {
            dtstart: T0,
            durationSec: 600,
            intervals: Array.from({ length: 60 }, (_, i) => ({
                dtstart: T0 + i * 10_000,
                durationSec: 10,
                uid: String(i),
                payloads: ['m/W', 'm/WH', 'm/Hz'].map((rID, k) => ({ rID, value: 1000 + i + k, dataQuality: 'Quality Good - Non Specific' })),
            })),
            descriptions: [],
            reportRequestID: 'rr',
            reportSpecifierID: 'TELEMETRY_USAGE',
            reportName: 'TELEMETRY_USAGE',
            createdDateTime: T0 + 600_000,
        },
    ],
};
function rate(fn, maxIter = 20000, maxMs = 2000) {
    for (let i = 0; i < 50; i++)
        fn();
    const start = performance.now();
    let n = 0;
    while (n < maxIter && performance.now() - start < maxMs) {
        fn();
        n++;
    }
    return { opsPerSec: Math.round((n / (performance.now() - start)) * 1000), iterations: n };
}
const results = {};
for (const [name, msg] of [
    ['oadrDistributeEvent', distribute],
    ['oadrUpdateReport', update],
]) {
    const xml = (0, build_js_1.serialize)(msg);
    results[name] = { bytes: Buffer.byteLength(xml), serialize: rate(() => (0, build_js_1.serialize)(msg)), parse: rate(() => (0, parse_js_1.parse)(xml)) };
}
(0, lib_js_1.writeResult)('openadr', results);
//# sourceMappingURL=openadr.js.map