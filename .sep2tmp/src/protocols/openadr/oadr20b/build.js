"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.payloadNode = payloadNode;
exports.serialize = serialize;
/**
 * Serialize typed OpenADR 2.0b payloads to XML. Element order and namespaces follow oadr_20b.xsd and its imports;
 * every message type is schema-validated in test/openadr/schema.test.ts.
 */
const xml_js_1 = require("./xml.js");
const V = { 'ei:schemaVersion': '2.0b' };
function payload(n, ...c) {
    return { ...(0, xml_js_1.el)(n, ...c), a: V };
}
const dur = (n, sec) => (0, xml_js_1.el)(n, (0, xml_js_1.el)('xcal:duration', (0, xml_js_1.formatDuration)(sec)));
const dtstart = (ms) => (0, xml_js_1.el)('xcal:dtstart', (0, xml_js_1.el)('xcal:date-time', (0, xml_js_1.formatDateTime)(ms)));
function eiResponse(r) {
    return (0, xml_js_1.el)('ei:eiResponse', (0, xml_js_1.el)('ei:responseCode', String(r.responseCode).padStart(3, '0')), (0, xml_js_1.opt)('ei:responseDescription', r.responseDescription), (0, xml_js_1.el)('pyld:requestID', r.requestID));
}
function target(n, t) {
    const list = (k) => (t[k] ?? []).map((v) => (0, xml_js_1.el)(`ei:${k}`, v));
    return (0, xml_js_1.el)(n, list('groupID'), list('groupName'), list('resourceID'), list('venID'), list('partyID'));
}
const float = (v) => (0, xml_js_1.el)('ei:payloadFloat', (0, xml_js_1.el)('ei:value', v));
function signal(s) {
    return (0, xml_js_1.el)('ei:eiEventSignal', (0, xml_js_1.el)('strm:intervals', s.intervals.map((i) => (0, xml_js_1.el)('ei:interval', dur('xcal:duration', i.durationSec), (0, xml_js_1.el)('xcal:uid', (0, xml_js_1.el)('xcal:text', i.uid)), (0, xml_js_1.el)('ei:signalPayload', float(i.value))))), s.target ? target('ei:eiTarget', s.target) : undefined, (0, xml_js_1.el)('ei:signalName', s.signalName), (0, xml_js_1.el)('ei:signalType', s.signalType), (0, xml_js_1.el)('ei:signalID', s.signalID), s.currentValue === undefined ? undefined : (0, xml_js_1.el)('ei:currentValue', float(s.currentValue)));
}
function event(e) {
    const d = (0, xml_js_1.el)('ei:eventDescriptor', (0, xml_js_1.el)('ei:eventID', e.eventID), (0, xml_js_1.el)('ei:modificationNumber', e.modificationNumber), e.modificationDateTime === undefined ? undefined : (0, xml_js_1.el)('ei:modificationDateTime', (0, xml_js_1.formatDateTime)(e.modificationDateTime)), (0, xml_js_1.opt)('ei:modificationReason', e.modificationReason), (0, xml_js_1.opt)('ei:priority', e.priority), (0, xml_js_1.el)('ei:eiMarketContext', (0, xml_js_1.el)('emix:marketContext', e.marketContext)), (0, xml_js_1.el)('ei:createdDateTime', (0, xml_js_1.formatDateTime)(e.createdDateTime)), (0, xml_js_1.el)('ei:eventStatus', e.eventStatus), (0, xml_js_1.opt)('ei:testEvent', e.testEvent), (0, xml_js_1.opt)('ei:vtnComment', e.vtnComment));
    const props = (0, xml_js_1.el)('xcal:properties', dtstart(e.dtstart), dur('xcal:duration', e.durationSec), e.startafterSec === undefined ? undefined : (0, xml_js_1.el)('xcal:tolerance', (0, xml_js_1.el)('xcal:tolerate', (0, xml_js_1.el)('xcal:startafter', (0, xml_js_1.formatDuration)(e.startafterSec)))), e.notificationSec === undefined ? undefined : dur('ei:x-eiNotification', e.notificationSec), e.rampUpSec === undefined ? undefined : dur('ei:x-eiRampUp', e.rampUpSec), e.recoverySec === undefined ? undefined : dur('ei:x-eiRecovery', e.recoverySec));
    return (0, xml_js_1.el)('oadr:oadrEvent', (0, xml_js_1.el)('ei:eiEvent', d, (0, xml_js_1.el)('ei:eiActivePeriod', props, (0, xml_js_1.el)('xcal:components')), (0, xml_js_1.el)('ei:eiEventSignals', e.signals.map(signal)), target('ei:eiTarget', e.target)), (0, xml_js_1.el)('oadr:oadrResponseRequired', e.responseRequired));
}
const ITEM_NS = {
    powerReal: 'power',
    powerReactive: 'power',
    powerApparent: 'power',
    energyReal: 'power',
    voltage: 'power',
    current: 'oadr',
    frequency: 'oadr',
    customUnit: 'oadr',
};
function itemBase(i) {
    const ns = ITEM_NS[i.kind];
    const pa = i.powerAttributes ?? { hertz: 50, voltage: 230, ac: true };
    const isPower = i.kind.startsWith('power');
    return (0, xml_js_1.el)(`${ns}:${i.kind}`, (0, xml_js_1.el)(`${ns}:itemDescription`, i.description), (0, xml_js_1.el)(`${ns}:itemUnits`, i.units), (0, xml_js_1.el)('scale:siScaleCode', i.siScaleCode), isPower ? (0, xml_js_1.el)('power:powerAttributes', (0, xml_js_1.el)('power:hertz', pa.hertz), (0, xml_js_1.el)('power:voltage', pa.voltage), (0, xml_js_1.el)('power:ac', pa.ac)) : undefined);
}
function description(d) {
    return (0, xml_js_1.el)('oadr:oadrReportDescription', (0, xml_js_1.el)('ei:rID', d.rID), d.resourceID === undefined ? undefined : (0, xml_js_1.el)('ei:reportDataSource', (0, xml_js_1.el)('ei:resourceID', d.resourceID)), (0, xml_js_1.el)('ei:reportType', d.reportType), d.itemBase ? itemBase(d.itemBase) : undefined, (0, xml_js_1.el)('ei:readingType', d.readingType), (0, xml_js_1.opt)('emix:marketContext', d.marketContext), d.samplingRate
        ? (0, xml_js_1.el)('oadr:oadrSamplingRate', (0, xml_js_1.el)('oadr:oadrMinPeriod', (0, xml_js_1.formatDuration)(d.samplingRate.minPeriodSec)), (0, xml_js_1.el)('oadr:oadrMaxPeriod', (0, xml_js_1.formatDuration)(d.samplingRate.maxPeriodSec)), (0, xml_js_1.el)('oadr:oadrOnChange', d.samplingRate.onChange))
        : undefined);
}
function reportPayload(p) {
    const value = typeof p.value === 'number'
        ? float(p.value)
        : (0, xml_js_1.el)('oadr:oadrPayloadResourceStatus', (0, xml_js_1.el)('oadr:oadrOnline', p.value.online), (0, xml_js_1.el)('oadr:oadrManualOverride', p.value.manualOverride));
    return (0, xml_js_1.el)('oadr:oadrReportPayload', (0, xml_js_1.el)('ei:rID', p.rID), (0, xml_js_1.opt)('ei:confidence', p.confidence), (0, xml_js_1.opt)('ei:accuracy', p.accuracy), value, (0, xml_js_1.opt)('oadr:oadrDataQuality', p.dataQuality));
}
function reportInterval(i) {
    return (0, xml_js_1.el)('ei:interval', dtstart(i.dtstart), i.durationSec === undefined ? undefined : dur('xcal:duration', i.durationSec), i.uid === undefined ? undefined : (0, xml_js_1.el)('xcal:uid', (0, xml_js_1.el)('xcal:text', i.uid)), i.payloads.map(reportPayload));
}
function report(r) {
    return (0, xml_js_1.el)('oadr:oadrReport', r.dtstart === undefined ? undefined : dtstart(r.dtstart), r.durationSec === undefined ? undefined : dur('xcal:duration', r.durationSec), r.intervals && r.intervals.length > 0 ? (0, xml_js_1.el)('strm:intervals', r.intervals.map(reportInterval)) : undefined, (0, xml_js_1.opt)('ei:eiReportID', r.eiReportID), r.descriptions.map(description), (0, xml_js_1.el)('ei:reportRequestID', r.reportRequestID), (0, xml_js_1.el)('ei:reportSpecifierID', r.reportSpecifierID), (0, xml_js_1.opt)('ei:reportName', r.reportName), (0, xml_js_1.el)('ei:createdDateTime', (0, xml_js_1.formatDateTime)(r.createdDateTime)));
}
function reportRequest(r) {
    const s = r.specifier;
    return (0, xml_js_1.el)('oadr:oadrReportRequest', (0, xml_js_1.el)('ei:reportRequestID', r.reportRequestID), (0, xml_js_1.el)('ei:reportSpecifier', (0, xml_js_1.el)('ei:reportSpecifierID', s.reportSpecifierID), dur('xcal:granularity', s.granularitySec), dur('ei:reportBackDuration', s.reportBackDurationSec), s.reportInterval ? (0, xml_js_1.el)('ei:reportInterval', (0, xml_js_1.el)('xcal:properties', dtstart(s.reportInterval.dtstart), dur('xcal:duration', s.reportInterval.durationSec))) : undefined, s.payloads.map((p) => (0, xml_js_1.el)('ei:specifierPayload', (0, xml_js_1.el)('ei:rID', p.rID), (0, xml_js_1.el)('ei:readingType', p.readingType)))));
}
const pending = (ids) => (0, xml_js_1.el)('oadr:oadrPendingReports', ids.map((id) => (0, xml_js_1.el)('ei:reportRequestID', id)));
const cancelReport = (n, c, v = false) => {
    const x = (0, xml_js_1.el)(n, (0, xml_js_1.el)('pyld:requestID', c.requestID), c.reportRequestIDs.map((id) => (0, xml_js_1.el)('ei:reportRequestID', id)), (0, xml_js_1.el)('pyld:reportToFollow', c.reportToFollow), (0, xml_js_1.opt)('ei:venID', c.venID));
    return v ? { ...x, a: V } : x;
};
/** The payload element (inside oadrSignedObject) for a message. */
function payloadNode(m) {
    switch (m.type) {
        case 'oadrQueryRegistration':
            return payload('oadr:oadrQueryRegistration', (0, xml_js_1.el)('pyld:requestID', m.requestID));
        case 'oadrCreatePartyRegistration':
            return payload('oadr:oadrCreatePartyRegistration', (0, xml_js_1.el)('pyld:requestID', m.requestID), (0, xml_js_1.opt)('ei:registrationID', m.registrationID), (0, xml_js_1.opt)('ei:venID', m.venID), (0, xml_js_1.el)('oadr:oadrProfileName', m.profileName), (0, xml_js_1.el)('oadr:oadrTransportName', m.transportName), (0, xml_js_1.opt)('oadr:oadrTransportAddress', m.transportAddress), (0, xml_js_1.el)('oadr:oadrReportOnly', m.reportOnly), (0, xml_js_1.el)('oadr:oadrXmlSignature', m.xmlSignature), (0, xml_js_1.opt)('oadr:oadrVenName', m.venName), (0, xml_js_1.opt)('oadr:oadrHttpPullModel', m.httpPullModel));
        case 'oadrCreatedPartyRegistration':
            return payload('oadr:oadrCreatedPartyRegistration', eiResponse(m.response), (0, xml_js_1.opt)('ei:registrationID', m.registrationID), (0, xml_js_1.opt)('ei:venID', m.venID), (0, xml_js_1.el)('ei:vtnID', m.vtnID), (0, xml_js_1.el)('oadr:oadrProfiles', m.profiles.map((p) => (0, xml_js_1.el)('oadr:oadrProfile', (0, xml_js_1.el)('oadr:oadrProfileName', p.profileName), (0, xml_js_1.el)('oadr:oadrTransports', p.transports.map((t) => (0, xml_js_1.el)('oadr:oadrTransport', (0, xml_js_1.el)('oadr:oadrTransportName', t))))))), m.pollFreqSec === undefined ? undefined : dur('oadr:oadrRequestedOadrPollFreq', m.pollFreqSec));
        case 'oadrRequestReregistration':
            return payload('oadr:oadrRequestReregistration', (0, xml_js_1.el)('ei:venID', m.venID));
        case 'oadrCancelPartyRegistration':
            return payload('oadr:oadrCancelPartyRegistration', (0, xml_js_1.el)('pyld:requestID', m.requestID), (0, xml_js_1.el)('ei:registrationID', m.registrationID), (0, xml_js_1.opt)('ei:venID', m.venID));
        case 'oadrCanceledPartyRegistration':
            return payload('oadr:oadrCanceledPartyRegistration', eiResponse(m.response), (0, xml_js_1.opt)('ei:registrationID', m.registrationID), (0, xml_js_1.opt)('ei:venID', m.venID));
        case 'oadrPoll':
            return payload('oadr:oadrPoll', (0, xml_js_1.el)('ei:venID', m.venID));
        case 'oadrResponse':
            return payload('oadr:oadrResponse', eiResponse(m.response), (0, xml_js_1.opt)('ei:venID', m.venID));
        case 'oadrDistributeEvent':
            return payload('oadr:oadrDistributeEvent', m.response ? eiResponse(m.response) : undefined, (0, xml_js_1.el)('pyld:requestID', m.requestID), (0, xml_js_1.el)('ei:vtnID', m.vtnID), m.events.map(event));
        case 'oadrCreatedEvent':
            return payload('oadr:oadrCreatedEvent', (0, xml_js_1.el)('pyld:eiCreatedEvent', eiResponse(m.response), m.eventResponses.length === 0
                ? undefined
                : (0, xml_js_1.el)('ei:eventResponses', m.eventResponses.map((r) => (0, xml_js_1.el)('ei:eventResponse', (0, xml_js_1.el)('ei:responseCode', String(r.responseCode)), (0, xml_js_1.opt)('ei:responseDescription', r.responseDescription), (0, xml_js_1.el)('pyld:requestID', r.requestID), (0, xml_js_1.el)('ei:qualifiedEventID', (0, xml_js_1.el)('ei:eventID', r.eventID), (0, xml_js_1.el)('ei:modificationNumber', r.modificationNumber)), (0, xml_js_1.el)('ei:optType', r.optType)))), (0, xml_js_1.el)('ei:venID', m.venID)));
        case 'oadrCreateOpt':
            return payload('oadr:oadrCreateOpt', (0, xml_js_1.el)('ei:optID', m.optID), (0, xml_js_1.el)('ei:optType', m.optType), (0, xml_js_1.el)('ei:optReason', m.optReason), (0, xml_js_1.opt)('emix:marketContext', m.marketContext), (0, xml_js_1.el)('ei:venID', m.venID), (0, xml_js_1.el)('ei:createdDateTime', (0, xml_js_1.formatDateTime)(m.createdDateTime)), (0, xml_js_1.el)('pyld:requestID', m.requestID), m.qualifiedEventID ? (0, xml_js_1.el)('ei:qualifiedEventID', (0, xml_js_1.el)('ei:eventID', m.qualifiedEventID.eventID), (0, xml_js_1.el)('ei:modificationNumber', m.qualifiedEventID.modificationNumber)) : undefined, target('ei:eiTarget', m.target));
        case 'oadrCreatedOpt':
            return payload('oadr:oadrCreatedOpt', eiResponse(m.response), (0, xml_js_1.el)('ei:optID', m.optID));
        case 'oadrRegisterReport':
            return payload('oadr:oadrRegisterReport', (0, xml_js_1.el)('pyld:requestID', m.requestID), m.reports.map(report), (0, xml_js_1.opt)('ei:venID', m.venID), (0, xml_js_1.opt)('ei:reportRequestID', m.reportRequestID));
        case 'oadrRegisteredReport':
            return payload('oadr:oadrRegisteredReport', eiResponse(m.response), m.reportRequests.map(reportRequest), (0, xml_js_1.opt)('ei:venID', m.venID));
        case 'oadrCreateReport':
            return payload('oadr:oadrCreateReport', (0, xml_js_1.el)('pyld:requestID', m.requestID), m.reportRequests.map(reportRequest), (0, xml_js_1.opt)('ei:venID', m.venID));
        case 'oadrCreatedReport':
            return payload('oadr:oadrCreatedReport', eiResponse(m.response), pending(m.pendingReports), (0, xml_js_1.opt)('ei:venID', m.venID));
        case 'oadrUpdateReport':
            return payload('oadr:oadrUpdateReport', (0, xml_js_1.el)('pyld:requestID', m.requestID), m.reports.map(report), (0, xml_js_1.opt)('ei:venID', m.venID));
        case 'oadrUpdatedReport':
            return payload('oadr:oadrUpdatedReport', eiResponse(m.response), m.cancelReport ? cancelReport('oadr:oadrCancelReport', m.cancelReport) : undefined, (0, xml_js_1.opt)('ei:venID', m.venID));
        case 'oadrCancelReport':
            return cancelReport('oadr:oadrCancelReport', m, true);
        case 'oadrCanceledReport':
            return payload('oadr:oadrCanceledReport', eiResponse(m.response), pending(m.pendingReports), (0, xml_js_1.opt)('ei:venID', m.venID));
    }
}
/** Serialize a message to a complete oadrPayload document. */
function serialize(m) {
    return (0, xml_js_1.envelope)(payloadNode(m));
}
//# sourceMappingURL=build.js.map