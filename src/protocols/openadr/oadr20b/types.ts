/**
 * Typed OpenADR 2.0b payloads (B profile). Times are epoch ms, durations seconds. Field order and optionality follow
 * oadr_20b.xsd / oadr_ei_20b.xsd of the 2.0b schema set.
 */

/** OpenADR 2.0b application-layer response codes (2.0b profile specification, response codes table). */
export const OadrStatus = {
  OK: 200,
  OUT_OF_SEQUENCE: 450,
  NOT_ALLOWED: 451,
  INVALID_ID: 452,
  NOT_RECOGNIZED: 453,
  INVALID_DATA: 454,
  COMPLIANCE_ERROR: 459,
  SIGNAL_NOT_SUPPORTED: 460,
  REPORT_NOT_SUPPORTED: 461,
  TARGET_MISMATCH: 462,
  NOT_REGISTERED_OR_AUTHORIZED: 463,
  DEPLOYMENT_ERROR_OTHER: 469,
} as const;
export type OadrStatusCode = (typeof OadrStatus)[keyof typeof OadrStatus] | number;

export interface EiResponse {
  responseCode: number;
  responseDescription?: string;
  requestID: string;
}

/** ei:EiTargetType, reduced to the id lists GridBridge uses (others are ignored on parse). */
export interface EiTarget {
  groupID?: string[];
  groupName?: string[];
  resourceID?: string[];
  venID?: string[];
  partyID?: string[];
}

export interface SignalInterval {
  durationSec: number;
  uid: string;
  value: number;
}

export type SignalType =
  | 'delta'
  | 'level'
  | 'multiplier'
  | 'price'
  | 'priceMultiplier'
  | 'priceRelative'
  | 'setpoint'
  | 'x-loadControlCapacity'
  | 'x-loadControlLevelOffset'
  | 'x-loadControlPercentOffset'
  | 'x-loadControlSetpoint';

export interface EventSignal {
  signalName: string;
  signalType: SignalType;
  signalID: string;
  intervals: SignalInterval[];
  target?: EiTarget;
  currentValue?: number;
}

export type EventStatus = 'none' | 'far' | 'near' | 'active' | 'completed' | 'cancelled';

export interface OadrEvent {
  eventID: string;
  modificationNumber: number;
  modificationDateTime?: number;
  modificationReason?: string;
  priority?: number;
  marketContext: string;
  createdDateTime: number;
  eventStatus: EventStatus;
  testEvent?: string;
  vtnComment?: string;
  dtstart: number;
  durationSec: number;
  startafterSec?: number;
  notificationSec?: number;
  rampUpSec?: number;
  recoverySec?: number;
  signals: EventSignal[];
  target: EiTarget;
  responseRequired: 'always' | 'never';
}

export type OptType = 'optIn' | 'optOut';

export interface EventResponse {
  responseCode: number;
  responseDescription?: string;
  requestID: string;
  eventID: string;
  modificationNumber: number;
  optType: OptType;
}

export type ItemKind = 'powerReal' | 'powerReactive' | 'powerApparent' | 'energyReal' | 'voltage' | 'current' | 'frequency' | 'customUnit';

export interface ItemBase {
  kind: ItemKind;
  description: string;
  units: string;
  siScaleCode: string;
  /** powerReal/powerReactive/powerApparent only. */
  powerAttributes?: { hertz: number; voltage: number; ac: boolean };
}

export interface SamplingRate {
  minPeriodSec: number;
  maxPeriodSec: number;
  onChange: boolean;
}

export interface ReportDescription {
  rID: string;
  /** reportDataSource resourceID. */
  resourceID?: string;
  reportType: string;
  itemBase?: ItemBase;
  readingType: string;
  marketContext?: string;
  samplingRate?: SamplingRate;
}

export interface ResourceStatus {
  online: boolean;
  manualOverride: boolean;
}

export interface ReportPayload {
  rID: string;
  confidence?: number;
  accuracy?: number;
  value: number | ResourceStatus;
  dataQuality?: string;
}

export interface ReportInterval {
  dtstart: number;
  durationSec?: number;
  uid?: string;
  payloads: ReportPayload[];
}

export interface OadrReport {
  dtstart?: number;
  durationSec?: number;
  intervals?: ReportInterval[];
  eiReportID?: string;
  descriptions: ReportDescription[];
  reportRequestID: string;
  reportSpecifierID: string;
  reportName?: string;
  createdDateTime: number;
}

export interface ReportSpecifier {
  reportSpecifierID: string;
  granularitySec: number;
  reportBackDurationSec: number;
  reportInterval?: { dtstart: number; durationSec: number };
  payloads: Array<{ rID: string; readingType: string }>;
}

export interface ReportRequest {
  reportRequestID: string;
  specifier: ReportSpecifier;
}

export interface Profile {
  profileName: '2.0a' | '2.0b';
  transports: Array<'simpleHttp' | 'xmpp'>;
}

export type OadrMessage =
  | { type: 'oadrQueryRegistration'; requestID: string }
  | {
      type: 'oadrCreatePartyRegistration';
      requestID: string;
      registrationID?: string;
      venID?: string;
      profileName: '2.0a' | '2.0b';
      transportName: 'simpleHttp' | 'xmpp';
      transportAddress?: string;
      reportOnly: boolean;
      xmlSignature: boolean;
      venName?: string;
      httpPullModel?: boolean;
    }
  | {
      type: 'oadrCreatedPartyRegistration';
      response: EiResponse;
      registrationID?: string;
      venID?: string;
      vtnID: string;
      profiles: Profile[];
      pollFreqSec?: number;
    }
  | { type: 'oadrRequestReregistration'; venID: string }
  | { type: 'oadrCancelPartyRegistration'; requestID: string; registrationID: string; venID?: string }
  | { type: 'oadrCanceledPartyRegistration'; response: EiResponse; registrationID?: string; venID?: string }
  | { type: 'oadrPoll'; venID: string }
  | { type: 'oadrResponse'; response: EiResponse; venID?: string }
  | { type: 'oadrDistributeEvent'; response?: EiResponse; requestID: string; vtnID: string; events: OadrEvent[] }
  | { type: 'oadrCreatedEvent'; response: EiResponse; eventResponses: EventResponse[]; venID: string }
  | { type: 'oadrRequestEvent'; requestID: string; venID: string; replyLimit?: number }
  | {
      type: 'oadrCreateOpt';
      optID: string;
      optType: OptType;
      optReason: string;
      marketContext?: string;
      venID: string;
      createdDateTime: number;
      requestID: string;
      qualifiedEventID?: { eventID: string; modificationNumber: number };
      target: EiTarget;
    }
  | { type: 'oadrCreatedOpt'; response: EiResponse; optID: string }
  | { type: 'oadrRegisterReport'; requestID: string; reports: OadrReport[]; venID?: string; reportRequestID?: string }
  | { type: 'oadrRegisteredReport'; response: EiResponse; reportRequests: ReportRequest[]; venID?: string }
  | { type: 'oadrCreateReport'; requestID: string; reportRequests: ReportRequest[]; venID?: string }
  | { type: 'oadrCreatedReport'; response: EiResponse; pendingReports: string[]; venID?: string }
  | { type: 'oadrUpdateReport'; requestID: string; reports: OadrReport[]; venID?: string }
  | { type: 'oadrUpdatedReport'; response: EiResponse; cancelReport?: CancelReport; venID?: string }
  | ({ type: 'oadrCancelReport' } & CancelReport)
  | { type: 'oadrCanceledReport'; response: EiResponse; pendingReports: string[]; venID?: string };

export interface CancelReport {
  requestID: string;
  reportRequestIDs: string[];
  reportToFollow: boolean;
  venID?: string;
}

export type OadrMessageType = OadrMessage['type'];
export type MessageOf<T extends OadrMessageType> = Extract<OadrMessage, { type: T }>;

/** Which simple-HTTP service endpoint a message is posted to (`/OpenADR2/Simple/2.0b/<service>`). */
export type OadrService = 'EiRegisterParty' | 'EiEvent' | 'EiReport' | 'EiOpt' | 'OadrPoll';

export function serviceFor(type: OadrMessageType): OadrService {
  if (/Registration|Reregistration/.test(type)) return 'EiRegisterParty';
  if (type === 'oadrPoll') return 'OadrPoll';
  if (/Event/.test(type)) return 'EiEvent';
  if (/Opt/.test(type)) return 'EiOpt';
  if (/Report/.test(type)) return 'EiReport';
  return 'OadrPoll';
}
