"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TELEMETRY_REPORTS = exports.LatestPoints = void 0;
exports.itemBaseFor = itemBaseFor;
exports.toReportBindings = toReportBindings;
exports.sampleBindings = sampleBindings;
exports.oadrDataQuality = oadrDataQuality;
exports.metadataReports = metadataReports;
const ITEM_BY_NAME = [
    [/^W(ph[ABC])?$|^DCW$|^WSet$/, { kind: 'powerReal', description: 'RealPower', units: 'W', siScaleCode: 'none' }],
    [/^VAr/, { kind: 'powerReactive', description: 'ReactivePower', units: 'VAR', siScaleCode: 'none' }],
    [/^VA$/, { kind: 'powerApparent', description: 'ApparentPower', units: 'VA', siScaleCode: 'none' }],
    [/^(WH|TotWhImp|TotWhExp)$/, { kind: 'energyReal', description: 'RealEnergy', units: 'Wh', siScaleCode: 'none' }],
    [/^(PhV|PPV|DCV$|V$)/, { kind: 'voltage', description: 'Voltage', units: 'V', siScaleCode: 'none' }],
    [/^(A$|Aph|DCA$)/, { kind: 'current', description: 'Current', units: 'A', siScaleCode: 'none' }],
    [/^Hz$/, { kind: 'frequency', description: 'Frequency', units: 'Hz', siScaleCode: 'none' }],
];
function itemBaseFor(name, unit) {
    for (const [re, ib] of ITEM_BY_NAME)
        if (re.test(name))
            return { ...ib };
    return { kind: 'customUnit', description: name, units: unit ?? '', siScaleCode: 'none' };
}
function toReportBindings(list) {
    return list.map((b) => {
        const rb = {
            rID: b.rID ?? `${b.device}/${b.point}`,
            device: b.device,
            name: b.point,
            report: b.report,
            reportType: b.report === 'TELEMETRY_STATUS' ? 'x-resourceStatus' : b.reportType,
            readingType: b.report === 'TELEMETRY_STATUS' ? 'x-notApplicable' : b.readingType,
            payloadType: b.payloadType ?? (b.report === 'TELEMETRY_STATUS' ? 'OPERATING_STATE' : b.reportType === 'usage' ? 'USAGE' : b.reportType === 'demand' ? 'DEMAND' : 'READING'),
        };
        if (b.unit)
            rb.unit = b.unit;
        if (b.report === 'TELEMETRY_USAGE') {
            const ib = itemBaseFor(b.point, b.unit);
            rb.itemBase = b.itemKind && b.itemKind !== ib.kind ? { ...itemBaseFor(b.point, b.unit), kind: b.itemKind } : ib;
        }
        return rb;
    });
}
/** Latest value per device point, fed by the runtime (or a Node-RED "report in" node). */
class LatestPoints {
    map = new Map();
    update(p) {
        this.map.set(`${p.device}\u0000${p.name}`, p);
    }
    get(device, name) {
        return this.map.get(`${device}\u0000${name}`);
    }
}
exports.LatestPoints = LatestPoints;
function sampleBindings(store, bindings, now) {
    return bindings.map((b) => {
        const p = store.get(b.device, b.name);
        if (!p)
            return { rID: b.rID, time: now, value: null, quality: 'missing', ...(b.report === 'TELEMETRY_STATUS' ? { status: { online: false, manualOverride: false } } : {}) };
        const v = typeof p.value === 'number' ? p.value : typeof p.value === 'boolean' ? (p.value ? 1 : 0) : null;
        const s = { rID: b.rID, time: now, value: v, quality: p.quality.code };
        if (b.report === 'TELEMETRY_STATUS') {
            s.status = { online: !['not_connected', 'timeout'].includes(p.quality.code) && p.value !== false, manualOverride: p.quality.code === 'substituted' };
        }
        return s;
    });
}
/** oadrDataQuality text (oadr_20b.xsd oadrDataQualityType) for a GridBridge quality. */
function oadrDataQuality(q) {
    switch (q) {
        case 'good':
            return 'Quality Good - Non Specific';
        case 'missing':
            return 'No Quality - No Value';
        case 'not_connected':
            return 'Quality Bad - Not Connected';
        case 'timeout':
            return 'Quality Bad - Comm Failure';
        case 'device_exception':
            return 'Quality Bad - Device Failure';
        case 'questionable':
            return 'Quality Uncertain - Non Specific';
        case 'overflow':
        case 'out_of_range':
            return 'Quality Uncertain - EU Units Exceeded';
        case 'substituted':
            return 'Quality Good - Local Override';
        case 'not_implemented':
            return 'Quality Bad - Configuration Error';
        default:
            return 'Quality Bad - Non Specific';
    }
}
exports.TELEMETRY_REPORTS = ['TELEMETRY_USAGE', 'TELEMETRY_STATUS'];
/** METADATA reports (oadrRegisterReport content) for the mapped points: one per telemetry report that has points. */
function metadataReports(bindings, opts) {
    const out = [];
    for (const name of exports.TELEMETRY_REPORTS) {
        const bs = bindings.filter((b) => b.report === name);
        if (bs.length === 0)
            continue;
        const descriptions = bs.map((b) => {
            const d = { rID: b.rID, resourceID: b.device, reportType: b.reportType, readingType: b.readingType, samplingRate: { minPeriodSec: opts.minSampleSec, maxPeriodSec: 3600, onChange: false } };
            if (b.itemBase)
                d.itemBase = b.itemBase;
            if (opts.marketContext)
                d.marketContext = opts.marketContext;
            return d;
        });
        out.push({
            durationSec: 0,
            eiReportID: `${opts.specifierPrefix ?? ''}${name}-meta`,
            descriptions,
            reportRequestID: '0',
            reportSpecifierID: `${opts.specifierPrefix ?? ''}${name}`,
            reportName: `METADATA_${name}`,
            createdDateTime: opts.now,
        });
    }
    return out;
}
//# sourceMappingURL=reports.js.map