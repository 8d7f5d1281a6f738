/** One representative instance of every OpenADR 2.0b message type GridBridge emits or parses. */
import type { OadrMessage, OadrEvent, OadrReport, ReportRequest } from '../../src/protocols/openadr/oadr20b/types.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const ok = (requestID: string) => ({ responseCode: 200, responseDescription: 'OK', requestID });

export const sampleEvent: OadrEvent = {
  eventID: 'evt-1',
  modificationNumber: 0,
  priority: 1,
  marketContext: 'http://market.example.com/dr',
  createdDateTime: T0,
  eventStatus: 'far',
  testEvent: 'false',
  dtstart: T0 + 600_000,
  durationSec: 3600,
  startafterSec: 60,
  notificationSec: 600,
  signals: [
    {
      signalName: 'SIMPLE',
      signalType: 'level',
      signalID: 'sig-1',
      intervals: [
        { durationSec: 1800, uid: '0', value: 1 },
        { durationSec: 1800, uid: '1', value: 2 },
      ],
      currentValue: 0,
    },
    {
      signalName: 'LOAD_DISPATCH',
      signalType: 'setpoint',
      signalID: 'sig-2',
      intervals: [{ durationSec: 3600, uid: '0', value: 2500 }],
    },
  ],
  target: { venID: ['ven-1'] },
  responseRequired: 'always',
};

export const sampleMetadataReport: OadrReport = {
  durationSec: 7200,
  eiReportID: 'rep-meta-1',
  descriptions: [
    {
      rID: 'meter1/W',
      resourceID: 'meter1',
      reportType: 'usage',
      itemBase: { kind: 'powerReal', description: 'RealPower', units: 'W', siScaleCode: 'none', powerAttributes: { hertz: 50, voltage: 230, ac: true } },
      readingType: 'Direct Read',
      marketContext: 'http://market.example.com/dr',
      samplingRate: { minPeriodSec: 10, maxPeriodSec: 3600, onChange: false },
    },
    { rID: 'meter1/WH', resourceID: 'meter1', reportType: 'reading', itemBase: { kind: 'energyReal', description: 'RealEnergy', units: 'Wh', siScaleCode: 'none' }, readingType: 'Direct Read' },
  ],
  reportRequestID: '0',
  reportSpecifierID: 'TELEMETRY_USAGE',
  reportName: 'METADATA_TELEMETRY_USAGE',
  createdDateTime: T0,
};

export const sampleDataReport: OadrReport = {
  dtstart: T0,
  durationSec: 60,
  intervals: [
    { dtstart: T0, durationSec: 10, uid: '0', payloads: [{ rID: 'meter1/W', confidence: 100, accuracy: 0, value: 1234.5, dataQuality: 'Quality Good - Non Specific' }] },
    { dtstart: T0 + 10_000, durationSec: 10, uid: '1', payloads: [{ rID: 'meter1/St', value: { online: true, manualOverride: false } }] },
  ],
  eiReportID: 'rep-1',
  descriptions: [],
  reportRequestID: 'rr-1',
  reportSpecifierID: 'TELEMETRY_USAGE',
  reportName: 'TELEMETRY_USAGE',
  createdDateTime: T0 + 60_000,
};

export const sampleReportRequest: ReportRequest = {
  reportRequestID: 'rr-1',
  specifier: {
    reportSpecifierID: 'TELEMETRY_USAGE',
    granularitySec: 10,
    reportBackDurationSec: 60,
    reportInterval: { dtstart: T0, durationSec: 3600 },
    payloads: [{ rID: 'meter1/W', readingType: 'x-notApplicable' }],
  },
};

export const samples: OadrMessage[] = [
  { type: 'oadrQueryRegistration', requestID: 'req-1' },
  {
    type: 'oadrCreatePartyRegistration',
    requestID: 'req-2',
    venID: 'AB:CD:EF:01:23:45:67:89:AB:CD',
    profileName: '2.0b',
    transportName: 'simpleHttp',
    transportAddress: 'https://ven.example.com:8443',
    reportOnly: true,
    xmlSignature: false,
    venName: 'cem-1',
    httpPullModel: true,
  },
  {
    type: 'oadrCreatedPartyRegistration',
    response: ok('req-2'),
    registrationID: 'reg-1',
    venID: 'ven-1',
    vtnID: 'vtn-1',
    profiles: [{ profileName: '2.0b', transports: ['simpleHttp'] }],
    pollFreqSec: 10,
  },
  { type: 'oadrRequestReregistration', venID: 'ven-1' },
  { type: 'oadrCancelPartyRegistration', requestID: 'req-3', registrationID: 'reg-1', venID: 'ven-1' },
  { type: 'oadrCanceledPartyRegistration', response: ok('req-3'), registrationID: 'reg-1', venID: 'ven-1' },
  { type: 'oadrPoll', venID: 'ven-1' },
  { type: 'oadrResponse', response: ok('req-4'), venID: 'ven-1' },
  { type: 'oadrDistributeEvent', response: ok('req-5'), requestID: 'req-5', vtnID: 'vtn-1', events: [sampleEvent] },
  {
    type: 'oadrCreatedEvent',
    response: ok('req-5'),
    eventResponses: [{ responseCode: 200, responseDescription: 'OK', requestID: 'req-5', eventID: 'evt-1', modificationNumber: 0, optType: 'optIn' }],
    venID: 'ven-1',
  },
  { type: 'oadrRequestEvent', requestID: 'req-11', venID: 'ven-1', replyLimit: 5 },
  {
    type: 'oadrCreateOpt',
    optID: 'opt-1',
    optType: 'optOut',
    optReason: 'notParticipating',
    marketContext: 'http://market.example.com/dr',
    venID: 'ven-1',
    createdDateTime: T0,
    requestID: 'req-6',
    qualifiedEventID: { eventID: 'evt-1', modificationNumber: 0 },
    target: { resourceID: ['meter1'] },
  },
  { type: 'oadrCreatedOpt', response: ok('req-6'), optID: 'opt-1' },
  { type: 'oadrRegisterReport', requestID: 'req-7', reports: [sampleMetadataReport], venID: 'ven-1' },
  { type: 'oadrRegisteredReport', response: ok('req-7'), reportRequests: [sampleReportRequest], venID: 'ven-1' },
  { type: 'oadrCreateReport', requestID: 'req-8', reportRequests: [sampleReportRequest], venID: 'ven-1' },
  { type: 'oadrCreatedReport', response: ok('req-8'), pendingReports: ['rr-1'], venID: 'ven-1' },
  { type: 'oadrUpdateReport', requestID: 'req-9', reports: [sampleDataReport], venID: 'ven-1' },
  { type: 'oadrUpdatedReport', response: ok('req-9'), cancelReport: { requestID: 'req-10', reportRequestIDs: ['rr-1'], reportToFollow: false }, venID: 'ven-1' },
  { type: 'oadrCancelReport', requestID: 'req-10', reportRequestIDs: ['rr-1'], reportToFollow: true, venID: 'ven-1' },
  { type: 'oadrCanceledReport', response: ok('req-10'), pendingReports: [], venID: 'ven-1' },
];
