/**
 * Parse OpenADR 2.0b XML into typed messages. Every failure is an OadrParseError naming the element path and the
 * OpenADR status code a VTN/VEN should answer with (454 invalid data by default).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { namespaceProblem } from './namespaces.js';
import { parseDateTime, parseDuration } from './xml.js';
import { OadrStatus } from './types.js';
import type {
  CancelReport,
  EiResponse,
  EiTarget,
  EventResponse,
  EventSignal,
  EventStatus,
  ItemBase,
  ItemKind,
  OadrEvent,
  OadrMessage,
  OadrReport,
  Profile,
  ReportDescription,
  ReportInterval,
  ReportPayload,
  ReportRequest,
  SignalType,
} from './types.js';

export class OadrParseError extends Error {
  constructor(
    /** Element path, e.g. `oadrDistributeEvent.oadrEvent[0].eiEvent.eventDescriptor.eventID`. */
    readonly element: string,
    readonly reason: string,
    readonly status: number = OadrStatus.INVALID_DATA,
    readonly line?: number,
  ) {
    super(`openadr 2.0b: ${element ? `${element}: ` : ''}${reason}${line !== undefined ? ` (line ${line})` : ''}`);
    this.name = 'OadrParseError';
  }
}

type Obj = Record<string, unknown>;

const ARRAYS = new Set([
  'oadrEvent',
  'eiEventSignal',
  'interval',
  'oadrReport',
  'oadrReportRequest',
  'specifierPayload',
  'oadrReportDescription',
  'eventResponse',
  'oadrProfile',
  'oadrTransport',
  'oadrReportPayload',
]);
const TARGET_LISTS = new Set(['groupID', 'groupName', 'resourceID', 'venID', 'partyID']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (name, jpath) => {
    if (ARRAYS.has(name)) return true;
    if (name === 'reportRequestID') return /oadrPendingReports|oadrCancelReport/.test(String(jpath));
    if (TARGET_LISTS.has(name)) return /(eiTarget|reportDataSource|reportSubject)\.[^.]+$/.test(String(jpath));
    return false;
  },
});

/** Reader over a parsed element, tracking its path for errors. */
class R {
  constructor(
    readonly o: Obj,
    readonly path: string,
  ) {}
  private at(k: string): string {
    return `${this.path}.${k}`;
  }
  has(k: string): boolean {
    return this.o[k] !== undefined;
  }
  child(k: string): R {
    const v = this.o[k];
    if (v === undefined) throw new OadrParseError(this.at(k), 'missing element');
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      if (v === '') return new R({}, this.at(k));
      throw new OadrParseError(this.at(k), 'expected an element with children');
    }
    return new R(v as Obj, this.at(k));
  }
  optChild(k: string): R | undefined {
    return this.has(k) ? this.child(k) : undefined;
  }
  list(k: string): R[] {
    const v = this.o[k];
    if (v === undefined) return [];
    const arr = Array.isArray(v) ? v : [v];
    return arr.map((x, i) => {
      if (typeof x !== 'object' || x === null) {
        if (x === '') return new R({}, `${this.at(k)}[${i}]`);
        throw new OadrParseError(`${this.at(k)}[${i}]`, 'expected an element with children');
      }
      return new R(x as Obj, `${this.at(k)}[${i}]`);
    });
  }
  str(k: string): string {
    const v = this.optStr(k);
    if (v === undefined) throw new OadrParseError(this.at(k), 'missing element');
    return v;
  }
  optStr(k: string): string | undefined {
    const v = this.o[k];
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Obj)['#text'] === 'string') return (v as Obj)['#text'] as string;
    throw new OadrParseError(this.at(k), 'expected text content');
  }
  strs(k: string): string[] {
    const v = this.o[k];
    if (v === undefined) return [];
    const arr = Array.isArray(v) ? v : [v];
    return arr.map((x, i) => {
      if (typeof x !== 'string') throw new OadrParseError(`${this.at(k)}[${i}]`, 'expected text content');
      return x;
    });
  }
  num(k: string): number {
    const s = this.str(k);
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n)) throw new OadrParseError(this.at(k), `not a number: "${s}"`);
    return n;
  }
  optNum(k: string): number | undefined {
    return this.has(k) ? this.num(k) : undefined;
  }
  uint(k: string): number {
    const n = this.num(k);
    if (!Number.isInteger(n) || n < 0) throw new OadrParseError(this.at(k), `not an unsigned integer: ${n}`);
    return n;
  }
  bool(k: string): boolean {
    const s = this.str(k);
    if (s === 'true' || s === '1') return true;
    if (s === 'false' || s === '0') return false;
    throw new OadrParseError(this.at(k), `not a boolean: "${s}"`);
  }
  optBool(k: string): boolean | undefined {
    return this.has(k) ? this.bool(k) : undefined;
  }
  time(k: string): number {
    const s = this.str(k);
    const t = parseDateTime(s);
    if (t === undefined) throw new OadrParseError(this.at(k), `invalid date-time "${s}"`);
    return t;
  }
  /** An element of xcal:DurationPropType (`<x><xcal:duration>PT1H</xcal:duration></x>`) or a bare duration value. */
  duration(k: string): number {
    const v = this.o[k];
    const s = typeof v === 'object' && v !== null ? this.child(k).str('duration') : this.str(k);
    const d = parseDuration(s);
    if (d === undefined) throw new OadrParseError(this.at(k), `invalid duration "${s}"`);
    return d;
  }
  oneOf<T extends string>(k: string, allowed: readonly T[], extension = false): T {
    const s = this.str(k);
    if ((allowed as readonly string[]).includes(s) || (extension && s.startsWith('x-'))) return s as T;
    throw new OadrParseError(this.at(k), `unexpected value "${s}"`);
  }
}

function eiResponse(r: R): EiResponse {
  const code = r.str('responseCode');
  if (!/^\d{3}$/.test(code)) throw new OadrParseError(`${r.path}.responseCode`, `invalid response code "${code}"`);
  const d = r.optStr('responseDescription');
  return { responseCode: Number(code), ...(d !== undefined ? { responseDescription: d } : {}), requestID: r.str('requestID') };
}

function target(r: R | undefined): EiTarget {
  const t: EiTarget = {};
  if (!r) return t;
  for (const k of ['groupID', 'groupName', 'resourceID', 'venID', 'partyID'] as const) {
    const v = r.strs(k);
    if (v.length) t[k] = v;
  }
  return t;
}

const SIGNAL_TYPES: readonly SignalType[] = [
  'delta',
  'level',
  'multiplier',
  'price',
  'priceMultiplier',
  'priceRelative',
  'setpoint',
  'x-loadControlCapacity',
  'x-loadControlLevelOffset',
  'x-loadControlPercentOffset',
  'x-loadControlSetpoint',
];
const EVENT_STATUS: readonly EventStatus[] = ['none', 'far', 'near', 'active', 'completed', 'cancelled'];

const floatOf = (r: R): number => r.child('payloadFloat').num('value');

function signal(r: R): EventSignal {
  const intervals = r.child('intervals').list('interval').map((i, n) => ({
    durationSec: i.has('duration') ? i.duration('duration') : 0,
    uid: i.has('uid') ? i.child('uid').str('text') : String(n),
    value: floatOf(i.child('signalPayload')),
  }));
  if (intervals.length === 0) throw new OadrParseError(`${r.path}.intervals`, 'no interval');
  const s: EventSignal = { signalName: r.str('signalName'), signalType: r.oneOf('signalType', SIGNAL_TYPES), signalID: r.str('signalID'), intervals };
  if (r.has('eiTarget')) s.target = target(r.child('eiTarget'));
  if (r.has('currentValue')) s.currentValue = floatOf(r.child('currentValue'));
  return s;
}

function event(r: R): OadrEvent {
  const e = r.child('eiEvent');
  const d = e.child('eventDescriptor');
  const p = e.child('eiActivePeriod').child('properties');
  const ev: OadrEvent = {
    eventID: d.str('eventID'),
    modificationNumber: d.uint('modificationNumber'),
    marketContext: d.child('eiMarketContext').str('marketContext'),
    createdDateTime: d.time('createdDateTime'),
    eventStatus: d.oneOf('eventStatus', EVENT_STATUS),
    dtstart: p.child('dtstart').time('date-time'),
    durationSec: p.duration('duration'),
    signals: e.child('eiEventSignals').list('eiEventSignal').map(signal),
    target: target(e.optChild('eiTarget')),
    responseRequired: r.oneOf('oadrResponseRequired', ['always', 'never'] as const),
  };
  if (d.has('modificationDateTime')) ev.modificationDateTime = d.time('modificationDateTime');
  if (d.has('modificationReason')) ev.modificationReason = d.str('modificationReason');
  if (d.has('priority')) ev.priority = d.uint('priority');
  if (d.has('testEvent')) ev.testEvent = d.str('testEvent');
  if (d.has('vtnComment')) ev.vtnComment = d.str('vtnComment');
  const tol = p.optChild('tolerance')?.optChild('tolerate');
  if (tol?.has('startafter')) ev.startafterSec = tol.duration('startafter');
  if (p.has('x-eiNotification')) ev.notificationSec = p.duration('x-eiNotification');
  if (p.has('x-eiRampUp')) ev.rampUpSec = p.duration('x-eiRampUp');
  if (p.has('x-eiRecovery')) ev.recoverySec = p.duration('x-eiRecovery');
  if (ev.durationSec < 0) throw new OadrParseError(`${p.path}.duration`, 'negative duration');
  return ev;
}

const ITEM_KINDS: readonly ItemKind[] = ['powerReal', 'powerReactive', 'powerApparent', 'energyReal', 'voltage', 'current', 'frequency', 'customUnit'];

function itemBase(r: R): ItemBase | undefined {
  for (const kind of ITEM_KINDS) {
    if (!r.has(kind)) continue;
    const i = r.child(kind);
    const ib: ItemBase = { kind, description: i.str('itemDescription'), units: i.str('itemUnits'), siScaleCode: i.optStr('siScaleCode') ?? 'none' };
    const pa = i.optChild('powerAttributes');
    if (pa) ib.powerAttributes = { hertz: pa.num('hertz'), voltage: pa.num('voltage'), ac: pa.bool('ac') };
    return ib;
  }
  return undefined;
}

function description(r: R): ReportDescription {
  const d: ReportDescription = { rID: r.str('rID'), reportType: r.str('reportType'), readingType: r.str('readingType') };
  const src = r.optChild('reportDataSource');
  const res = src ? target(src).resourceID?.[0] : undefined;
  if (res !== undefined) d.resourceID = res;
  const ib = itemBase(r);
  if (ib) d.itemBase = ib;
  if (r.has('marketContext')) d.marketContext = r.str('marketContext');
  const sr = r.optChild('oadrSamplingRate');
  if (sr) d.samplingRate = { minPeriodSec: sr.duration('oadrMinPeriod'), maxPeriodSec: sr.duration('oadrMaxPeriod'), onChange: sr.bool('oadrOnChange') };
  return d;
}

function reportPayload(r: R): ReportPayload {
  let value: ReportPayload['value'];
  if (r.has('payloadFloat')) value = floatOf(r);
  else if (r.has('oadrPayloadResourceStatus')) {
    const s = r.child('oadrPayloadResourceStatus');
    value = { online: s.bool('oadrOnline'), manualOverride: s.bool('oadrManualOverride') };
  } else throw new OadrParseError(`${r.path}.payloadFloat`, 'missing payload value');
  const p: ReportPayload = { rID: r.str('rID'), value };
  if (r.has('confidence')) p.confidence = r.uint('confidence');
  if (r.has('accuracy')) p.accuracy = r.num('accuracy');
  if (r.has('oadrDataQuality')) p.dataQuality = r.str('oadrDataQuality');
  return p;
}

function reportInterval(r: R): ReportInterval {
  const i: ReportInterval = { dtstart: r.child('dtstart').time('date-time'), payloads: r.list('oadrReportPayload').map(reportPayload) };
  if (r.has('duration')) i.durationSec = r.duration('duration');
  if (r.has('uid')) i.uid = r.child('uid').str('text');
  return i;
}

function report(r: R): OadrReport {
  const rep: OadrReport = {
    descriptions: r.list('oadrReportDescription').map(description),
    reportRequestID: r.str('reportRequestID'),
    reportSpecifierID: r.str('reportSpecifierID'),
    createdDateTime: r.time('createdDateTime'),
  };
  if (r.has('dtstart')) rep.dtstart = r.child('dtstart').time('date-time');
  if (r.has('duration')) rep.durationSec = r.duration('duration');
  if (r.has('intervals')) rep.intervals = r.child('intervals').list('interval').map(reportInterval);
  if (r.has('eiReportID')) rep.eiReportID = r.str('eiReportID');
  if (r.has('reportName')) rep.reportName = r.str('reportName');
  return rep;
}

function reportRequest(r: R): ReportRequest {
  const s = r.child('reportSpecifier');
  const rr: ReportRequest = {
    reportRequestID: r.str('reportRequestID'),
    specifier: {
      reportSpecifierID: s.str('reportSpecifierID'),
      granularitySec: s.duration('granularity'),
      reportBackDurationSec: s.duration('reportBackDuration'),
      payloads: s.list('specifierPayload').map((p) => ({ rID: p.str('rID'), readingType: p.str('readingType') })),
    },
  };
  if (rr.specifier.payloads.length === 0) throw new OadrParseError(`${s.path}.specifierPayload`, 'missing element');
  const ri = s.optChild('reportInterval')?.child('properties');
  if (ri) rr.specifier.reportInterval = { dtstart: ri.child('dtstart').time('date-time'), durationSec: ri.duration('duration') };
  return rr;
}

const pendingOf = (r: R): string[] => r.child('oadrPendingReports').strs('reportRequestID');
const venOf = (r: R): { venID?: string } => (r.has('venID') ? { venID: r.str('venID') } : {});

function cancelReport(r: R): CancelReport {
  const ids = r.strs('reportRequestID');
  if (ids.length === 0) throw new OadrParseError(`${r.path}.reportRequestID`, 'missing element');
  return { requestID: r.str('requestID'), reportRequestIDs: ids, reportToFollow: r.bool('reportToFollow'), ...venOf(r) };
}

function profile(r: R): Profile {
  return {
    profileName: r.oneOf('oadrProfileName', ['2.0a', '2.0b'] as const),
    transports: r.child('oadrTransports').list('oadrTransport').map((t) => t.oneOf('oadrTransportName', ['simpleHttp', 'xmpp'] as const)),
  };
}

function message(name: string, r: R): OadrMessage {
  switch (name) {
    case 'oadrQueryRegistration':
      return { type: name, requestID: r.str('requestID') };
    case 'oadrCreatePartyRegistration': {
      const m: OadrMessage = {
        type: name,
        requestID: r.str('requestID'),
        profileName: r.oneOf('oadrProfileName', ['2.0a', '2.0b'] as const),
        transportName: r.oneOf('oadrTransportName', ['simpleHttp', 'xmpp'] as const),
        reportOnly: r.bool('oadrReportOnly'),
        xmlSignature: r.bool('oadrXmlSignature'),
        ...venOf(r),
      };
      if (r.has('registrationID')) m.registrationID = r.str('registrationID');
      if (r.has('oadrTransportAddress')) m.transportAddress = r.str('oadrTransportAddress');
      if (r.has('oadrVenName')) m.venName = r.str('oadrVenName');
      const pull = r.optBool('oadrHttpPullModel');
      if (pull !== undefined) m.httpPullModel = pull;
      return m;
    }
    case 'oadrCreatedPartyRegistration': {
      const m: OadrMessage = {
        type: name,
        response: eiResponse(r.child('eiResponse')),
        vtnID: r.str('vtnID'),
        profiles: r.child('oadrProfiles').list('oadrProfile').map(profile),
        ...venOf(r),
      };
      if (r.has('registrationID')) m.registrationID = r.str('registrationID');
      if (r.has('oadrRequestedOadrPollFreq')) m.pollFreqSec = r.duration('oadrRequestedOadrPollFreq');
      return m;
    }
    case 'oadrRequestReregistration':
      return { type: name, venID: r.str('venID') };
    case 'oadrCancelPartyRegistration':
      return { type: name, requestID: r.str('requestID'), registrationID: r.str('registrationID'), ...venOf(r) };
    case 'oadrCanceledPartyRegistration':
      return { type: name, response: eiResponse(r.child('eiResponse')), ...(r.has('registrationID') ? { registrationID: r.str('registrationID') } : {}), ...venOf(r) };
    case 'oadrPoll':
      return { type: name, venID: r.str('venID') };
    case 'oadrResponse':
      return { type: name, response: eiResponse(r.child('eiResponse')), ...venOf(r) };
    case 'oadrDistributeEvent':
      return {
        type: name,
        ...(r.has('eiResponse') ? { response: eiResponse(r.child('eiResponse')) } : {}),
        requestID: r.str('requestID'),
        vtnID: r.str('vtnID'),
        events: r.list('oadrEvent').map(event),
      };
    case 'oadrCreatedEvent': {
      const c = r.child('eiCreatedEvent');
      const responses: EventResponse[] = (c.optChild('eventResponses')?.list('eventResponse') ?? []).map((e) => {
        const q = e.child('qualifiedEventID');
        const code = e.str('responseCode');
        return {
          responseCode: Number(code),
          ...(e.has('responseDescription') ? { responseDescription: e.str('responseDescription') } : {}),
          requestID: e.str('requestID'),
          eventID: q.str('eventID'),
          modificationNumber: q.uint('modificationNumber'),
          optType: e.oneOf('optType', ['optIn', 'optOut'] as const),
        };
      });
      return { type: name, response: eiResponse(c.child('eiResponse')), eventResponses: responses, venID: c.str('venID') };
    }
    case 'oadrRequestEvent': {
      const q = r.child('eiRequestEvent');
      return { type: name, requestID: q.str('requestID'), venID: q.str('venID'), ...(q.has('replyLimit') ? { replyLimit: q.uint('replyLimit') } : {}) };
    }
    case 'oadrCreateOpt': {
      const m: OadrMessage = {
        type: name,
        optID: r.str('optID'),
        optType: r.oneOf('optType', ['optIn', 'optOut'] as const),
        optReason: r.str('optReason'),
        venID: r.str('venID'),
        createdDateTime: r.time('createdDateTime'),
        requestID: r.str('requestID'),
        target: target(r.child('eiTarget')),
      };
      if (r.has('marketContext')) m.marketContext = r.str('marketContext');
      const q = r.optChild('qualifiedEventID');
      if (q) m.qualifiedEventID = { eventID: q.str('eventID'), modificationNumber: q.uint('modificationNumber') };
      return m;
    }
    case 'oadrCreatedOpt':
      return { type: name, response: eiResponse(r.child('eiResponse')), optID: r.str('optID') };
    case 'oadrRegisterReport':
      return {
        type: name,
        requestID: r.str('requestID'),
        reports: r.list('oadrReport').map(report),
        ...venOf(r),
        ...(r.has('reportRequestID') ? { reportRequestID: r.str('reportRequestID') } : {}),
      };
    case 'oadrRegisteredReport':
      return { type: name, response: eiResponse(r.child('eiResponse')), reportRequests: r.list('oadrReportRequest').map(reportRequest), ...venOf(r) };
    case 'oadrCreateReport': {
      const reqs = r.list('oadrReportRequest').map(reportRequest);
      if (reqs.length === 0) throw new OadrParseError(`${r.path}.oadrReportRequest`, 'missing element');
      return { type: name, requestID: r.str('requestID'), reportRequests: reqs, ...venOf(r) };
    }
    case 'oadrCreatedReport':
      return { type: name, response: eiResponse(r.child('eiResponse')), pendingReports: pendingOf(r), ...venOf(r) };
    case 'oadrUpdateReport':
      return { type: name, requestID: r.str('requestID'), reports: r.list('oadrReport').map(report), ...venOf(r) };
    case 'oadrUpdatedReport':
      return {
        type: name,
        response: eiResponse(r.child('eiResponse')),
        ...(r.has('oadrCancelReport') ? { cancelReport: cancelReport(r.child('oadrCancelReport')) } : {}),
        ...venOf(r),
      };
    case 'oadrCancelReport':
      return { type: name, ...cancelReport(r) };
    case 'oadrCanceledReport':
      return { type: name, response: eiResponse(r.child('eiResponse')), pendingReports: pendingOf(r), ...venOf(r) };
    default:
      throw new OadrParseError(`oadrSignedObject.${name}`, 'unsupported payload', OadrStatus.NOT_RECOGNIZED);
  }
}

export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** Parse a complete oadrPayload document. Rejects DTDs (entity expansion/XXE) and oversize input. */
export function parse(xml: string): OadrMessage {
  if (typeof xml !== 'string' || xml.trim() === '') throw new OadrParseError('', 'empty payload');
  if (xml.length > MAX_PAYLOAD_BYTES) throw new OadrParseError('', `payload larger than ${MAX_PAYLOAD_BYTES} bytes`);
  if (/<!DOCTYPE/i.test(xml)) throw new OadrParseError('', 'DOCTYPE not allowed');
  const v = XMLValidator.validate(xml);
  if (v !== true) throw new OadrParseError('', `not well-formed XML: ${v.err.msg}`, OadrStatus.INVALID_DATA, v.err.line);
  const nsProblem = namespaceProblem(xml);
  if (nsProblem) throw new OadrParseError(nsProblem.element, nsProblem.reason, OadrStatus.COMPLIANCE_ERROR);
  let doc: Obj;
  try {
    doc = parser.parse(xml) as Obj;
  } catch (e) {
    throw new OadrParseError('', `not well-formed XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const root = doc['oadrPayload'];
  if (typeof root !== 'object' || root === null) throw new OadrParseError('oadrPayload', 'missing root element');
  const so = (root as Obj)['oadrSignedObject'];
  if (typeof so !== 'object' || so === null) throw new OadrParseError('oadrPayload.oadrSignedObject', 'missing element');
  const names = Object.keys(so).filter((k) => !k.startsWith('@') && k !== '#text');
  if (names.length !== 1) throw new OadrParseError('oadrPayload.oadrSignedObject', `expected exactly one payload, found ${names.length}`);
  const name = names[0]!;
  const body = (so as Obj)[name];
  const r = new R(typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Obj) : {}, name);
  return message(name, r);
}

/** Best-effort requestID of a payload, for answering a bad message with the right request id. */
export function peekRequestID(xml: string): string {
  return /<(?:\w+:)?requestID[^>]*>([^<]{1,200})</.exec(xml)?.[1] ?? '0';
}
