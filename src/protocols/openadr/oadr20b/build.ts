/**
 * Serialize typed OpenADR 2.0b payloads to XML. Element order and namespaces follow oadr_20b.xsd and its imports;
 * every message type is schema-validated in test/openadr/schema.test.ts.
 */
import { el, envelope, formatDateTime as dt, formatDuration, opt, type XNode } from './xml.js';
import type {
  CancelReport,
  EiResponse,
  EiTarget,
  EventSignal,
  ItemBase,
  OadrEvent,
  OadrMessage,
  OadrReport,
  ReportDescription,
  ReportInterval,
  ReportPayload,
  ReportRequest,
} from './types.js';

const V = { 'ei:schemaVersion': '2.0b' };

function payload(n: string, ...c: Array<XNode | undefined | Array<XNode | undefined>>): XNode {
  return { ...el(n, ...c), a: V };
}
const dur = (n: string, sec: number): XNode => el(n, el('xcal:duration', formatDuration(sec)));
const dtstart = (ms: number): XNode => el('xcal:dtstart', el('xcal:date-time', dt(ms)));

function eiResponse(r: EiResponse): XNode {
  return el('ei:eiResponse', el('ei:responseCode', String(r.responseCode).padStart(3, '0')), opt('ei:responseDescription', r.responseDescription), el('pyld:requestID', r.requestID));
}

function target(n: string, t: EiTarget): XNode {
  const list = (k: keyof EiTarget) => (t[k] ?? []).map((v) => el(`ei:${k}`, v));
  return el(n, list('groupID'), list('groupName'), list('resourceID'), list('venID'), list('partyID'));
}

const float = (v: number): XNode => el('ei:payloadFloat', el('ei:value', v));

function signal(s: EventSignal): XNode {
  return el(
    'ei:eiEventSignal',
    el('strm:intervals', s.intervals.map((i) => el('ei:interval', dur('xcal:duration', i.durationSec), el('xcal:uid', el('xcal:text', i.uid)), el('ei:signalPayload', float(i.value))))),
    s.target ? target('ei:eiTarget', s.target) : undefined,
    el('ei:signalName', s.signalName),
    el('ei:signalType', s.signalType),
    el('ei:signalID', s.signalID),
    s.currentValue === undefined ? undefined : el('ei:currentValue', float(s.currentValue)),
  );
}

function event(e: OadrEvent): XNode {
  const d = el(
    'ei:eventDescriptor',
    el('ei:eventID', e.eventID),
    el('ei:modificationNumber', e.modificationNumber),
    e.modificationDateTime === undefined ? undefined : el('ei:modificationDateTime', dt(e.modificationDateTime)),
    opt('ei:modificationReason', e.modificationReason),
    opt('ei:priority', e.priority),
    el('ei:eiMarketContext', el('emix:marketContext', e.marketContext)),
    el('ei:createdDateTime', dt(e.createdDateTime)),
    el('ei:eventStatus', e.eventStatus),
    opt('ei:testEvent', e.testEvent),
    opt('ei:vtnComment', e.vtnComment),
  );
  const props = el(
    'xcal:properties',
    dtstart(e.dtstart),
    dur('xcal:duration', e.durationSec),
    e.startafterSec === undefined ? undefined : el('xcal:tolerance', el('xcal:tolerate', el('xcal:startafter', formatDuration(e.startafterSec)))),
    e.notificationSec === undefined ? undefined : dur('ei:x-eiNotification', e.notificationSec),
    e.rampUpSec === undefined ? undefined : dur('ei:x-eiRampUp', e.rampUpSec),
    e.recoverySec === undefined ? undefined : dur('ei:x-eiRecovery', e.recoverySec),
  );
  return el(
    'oadr:oadrEvent',
    el('ei:eiEvent', d, el('ei:eiActivePeriod', props, el('xcal:components')), el('ei:eiEventSignals', e.signals.map(signal)), target('ei:eiTarget', e.target)),
    el('oadr:oadrResponseRequired', e.responseRequired),
  );
}

const ITEM_NS: Record<ItemBase['kind'], string> = {
  powerReal: 'power',
  powerReactive: 'power',
  powerApparent: 'power',
  energyReal: 'power',
  voltage: 'power',
  current: 'oadr',
  frequency: 'oadr',
  customUnit: 'oadr',
};

function itemBase(i: ItemBase): XNode {
  const ns = ITEM_NS[i.kind];
  const pa = i.powerAttributes ?? { hertz: 50, voltage: 230, ac: true };
  const isPower = i.kind.startsWith('power');
  return el(
    `${ns}:${i.kind}`,
    el(`${ns}:itemDescription`, i.description),
    el(`${ns}:itemUnits`, i.units),
    el('scale:siScaleCode', i.siScaleCode),
    isPower ? el('power:powerAttributes', el('power:hertz', pa.hertz), el('power:voltage', pa.voltage), el('power:ac', pa.ac)) : undefined,
  );
}

function description(d: ReportDescription): XNode {
  return el(
    'oadr:oadrReportDescription',
    el('ei:rID', d.rID),
    d.resourceID === undefined ? undefined : el('ei:reportDataSource', el('ei:resourceID', d.resourceID)),
    el('ei:reportType', d.reportType),
    d.itemBase ? itemBase(d.itemBase) : undefined,
    el('ei:readingType', d.readingType),
    opt('emix:marketContext', d.marketContext),
    d.samplingRate
      ? el(
          'oadr:oadrSamplingRate',
          el('oadr:oadrMinPeriod', formatDuration(d.samplingRate.minPeriodSec)),
          el('oadr:oadrMaxPeriod', formatDuration(d.samplingRate.maxPeriodSec)),
          el('oadr:oadrOnChange', d.samplingRate.onChange),
        )
      : undefined,
  );
}

function reportPayload(p: ReportPayload): XNode {
  const value =
    typeof p.value === 'number'
      ? float(p.value)
      : el('oadr:oadrPayloadResourceStatus', el('oadr:oadrOnline', p.value.online), el('oadr:oadrManualOverride', p.value.manualOverride));
  return el('oadr:oadrReportPayload', el('ei:rID', p.rID), opt('ei:confidence', p.confidence), opt('ei:accuracy', p.accuracy), value, opt('oadr:oadrDataQuality', p.dataQuality));
}

function reportInterval(i: ReportInterval): XNode {
  return el(
    'ei:interval',
    dtstart(i.dtstart),
    i.durationSec === undefined ? undefined : dur('xcal:duration', i.durationSec),
    i.uid === undefined ? undefined : el('xcal:uid', el('xcal:text', i.uid)),
    i.payloads.map(reportPayload),
  );
}

function report(r: OadrReport): XNode {
  return el(
    'oadr:oadrReport',
    r.dtstart === undefined ? undefined : dtstart(r.dtstart),
    r.durationSec === undefined ? undefined : dur('xcal:duration', r.durationSec),
    r.intervals && r.intervals.length > 0 ? el('strm:intervals', r.intervals.map(reportInterval)) : undefined,
    opt('ei:eiReportID', r.eiReportID),
    r.descriptions.map(description),
    el('ei:reportRequestID', r.reportRequestID),
    el('ei:reportSpecifierID', r.reportSpecifierID),
    opt('ei:reportName', r.reportName),
    el('ei:createdDateTime', dt(r.createdDateTime)),
  );
}

function reportRequest(r: ReportRequest): XNode {
  const s = r.specifier;
  return el(
    'oadr:oadrReportRequest',
    el('ei:reportRequestID', r.reportRequestID),
    el(
      'ei:reportSpecifier',
      el('ei:reportSpecifierID', s.reportSpecifierID),
      dur('xcal:granularity', s.granularitySec),
      dur('ei:reportBackDuration', s.reportBackDurationSec),
      s.reportInterval ? el('ei:reportInterval', el('xcal:properties', dtstart(s.reportInterval.dtstart), dur('xcal:duration', s.reportInterval.durationSec))) : undefined,
      s.payloads.map((p) => el('ei:specifierPayload', el('ei:rID', p.rID), el('ei:readingType', p.readingType))),
    ),
  );
}

const pending = (ids: string[]): XNode => el('oadr:oadrPendingReports', ids.map((id) => el('ei:reportRequestID', id)));
const cancelReport = (n: string, c: CancelReport, v = false): XNode => {
  const x = el(n, el('pyld:requestID', c.requestID), c.reportRequestIDs.map((id) => el('ei:reportRequestID', id)), el('pyld:reportToFollow', c.reportToFollow), opt('ei:venID', c.venID));
  return v ? { ...x, a: V } : x;
};

/** The payload element (inside oadrSignedObject) for a message. */
export function payloadNode(m: OadrMessage): XNode {
  switch (m.type) {
    case 'oadrQueryRegistration':
      return payload('oadr:oadrQueryRegistration', el('pyld:requestID', m.requestID));
    case 'oadrCreatePartyRegistration':
      return payload(
        'oadr:oadrCreatePartyRegistration',
        el('pyld:requestID', m.requestID),
        opt('ei:registrationID', m.registrationID),
        opt('ei:venID', m.venID),
        el('oadr:oadrProfileName', m.profileName),
        el('oadr:oadrTransportName', m.transportName),
        opt('oadr:oadrTransportAddress', m.transportAddress),
        el('oadr:oadrReportOnly', m.reportOnly),
        el('oadr:oadrXmlSignature', m.xmlSignature),
        opt('oadr:oadrVenName', m.venName),
        opt('oadr:oadrHttpPullModel', m.httpPullModel),
      );
    case 'oadrCreatedPartyRegistration':
      return payload(
        'oadr:oadrCreatedPartyRegistration',
        eiResponse(m.response),
        opt('ei:registrationID', m.registrationID),
        opt('ei:venID', m.venID),
        el('ei:vtnID', m.vtnID),
        el(
          'oadr:oadrProfiles',
          m.profiles.map((p) =>
            el('oadr:oadrProfile', el('oadr:oadrProfileName', p.profileName), el('oadr:oadrTransports', p.transports.map((t) => el('oadr:oadrTransport', el('oadr:oadrTransportName', t))))),
          ),
        ),
        m.pollFreqSec === undefined ? undefined : dur('oadr:oadrRequestedOadrPollFreq', m.pollFreqSec),
      );
    case 'oadrRequestReregistration':
      return payload('oadr:oadrRequestReregistration', el('ei:venID', m.venID));
    case 'oadrCancelPartyRegistration':
      return payload('oadr:oadrCancelPartyRegistration', el('pyld:requestID', m.requestID), el('ei:registrationID', m.registrationID), opt('ei:venID', m.venID));
    case 'oadrCanceledPartyRegistration':
      return payload('oadr:oadrCanceledPartyRegistration', eiResponse(m.response), opt('ei:registrationID', m.registrationID), opt('ei:venID', m.venID));
    case 'oadrPoll':
      return payload('oadr:oadrPoll', el('ei:venID', m.venID));
    case 'oadrResponse':
      return payload('oadr:oadrResponse', eiResponse(m.response), opt('ei:venID', m.venID));
    case 'oadrDistributeEvent':
      return payload('oadr:oadrDistributeEvent', m.response ? eiResponse(m.response) : undefined, el('pyld:requestID', m.requestID), el('ei:vtnID', m.vtnID), m.events.map(event));
    case 'oadrCreatedEvent':
      return payload(
        'oadr:oadrCreatedEvent',
        el(
          'pyld:eiCreatedEvent',
          eiResponse(m.response),
          m.eventResponses.length === 0
            ? undefined
            : el(
                'ei:eventResponses',
                m.eventResponses.map((r) =>
                  el(
                    'ei:eventResponse',
                    el('ei:responseCode', String(r.responseCode)),
                    opt('ei:responseDescription', r.responseDescription),
                    el('pyld:requestID', r.requestID),
                    el('ei:qualifiedEventID', el('ei:eventID', r.eventID), el('ei:modificationNumber', r.modificationNumber)),
                    el('ei:optType', r.optType),
                  ),
                ),
              ),
          el('ei:venID', m.venID),
        ),
      );
    case 'oadrRequestEvent':
      return payload('oadr:oadrRequestEvent', el('pyld:eiRequestEvent', el('pyld:requestID', m.requestID), el('ei:venID', m.venID), opt('pyld:replyLimit', m.replyLimit)));
    case 'oadrCreateOpt':
      return payload(
        'oadr:oadrCreateOpt',
        el('ei:optID', m.optID),
        el('ei:optType', m.optType),
        el('ei:optReason', m.optReason),
        opt('emix:marketContext', m.marketContext),
        el('ei:venID', m.venID),
        el('ei:createdDateTime', dt(m.createdDateTime)),
        el('pyld:requestID', m.requestID),
        m.qualifiedEventID ? el('ei:qualifiedEventID', el('ei:eventID', m.qualifiedEventID.eventID), el('ei:modificationNumber', m.qualifiedEventID.modificationNumber)) : undefined,
        target('ei:eiTarget', m.target),
      );
    case 'oadrCreatedOpt':
      return payload('oadr:oadrCreatedOpt', eiResponse(m.response), el('ei:optID', m.optID));
    case 'oadrRegisterReport':
      return payload('oadr:oadrRegisterReport', el('pyld:requestID', m.requestID), m.reports.map(report), opt('ei:venID', m.venID), opt('ei:reportRequestID', m.reportRequestID));
    case 'oadrRegisteredReport':
      return payload('oadr:oadrRegisteredReport', eiResponse(m.response), m.reportRequests.map(reportRequest), opt('ei:venID', m.venID));
    case 'oadrCreateReport':
      return payload('oadr:oadrCreateReport', el('pyld:requestID', m.requestID), m.reportRequests.map(reportRequest), opt('ei:venID', m.venID));
    case 'oadrCreatedReport':
      return payload('oadr:oadrCreatedReport', eiResponse(m.response), pending(m.pendingReports), opt('ei:venID', m.venID));
    case 'oadrUpdateReport':
      return payload('oadr:oadrUpdateReport', el('pyld:requestID', m.requestID), m.reports.map(report), opt('ei:venID', m.venID));
    case 'oadrUpdatedReport':
      return payload('oadr:oadrUpdatedReport', eiResponse(m.response), m.cancelReport ? cancelReport('oadr:oadrCancelReport', m.cancelReport) : undefined, opt('ei:venID', m.venID));
    case 'oadrCancelReport':
      return cancelReport('oadr:oadrCancelReport', m, true);
    case 'oadrCanceledReport':
      return payload('oadr:oadrCanceledReport', eiResponse(m.response), pending(m.pendingReports), opt('ei:venID', m.venID));
  }
}

/** Serialize a message to a complete oadrPayload document. */
export function serialize(m: OadrMessage): string {
  return envelope(payloadNode(m));
}
