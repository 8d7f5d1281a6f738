/**
 * The report side shared by the 2.0b and 3.x VENs: mapped GridBridge Points become report samples, 2.0b METADATA
 * descriptions, and OpenADR 3 report payloads.
 */
import type { Point, QualityCode } from '../../core/point.js';
import type { OpenadrReportBinding } from './mapping.js';
import type { ItemBase, OadrReport, ReportDescription } from './oadr20b/types.js';

export interface ReportBinding {
  rID: string;
  device: string;
  name: string;
  report: 'TELEMETRY_USAGE' | 'TELEMETRY_STATUS';
  reportType: string;
  readingType: string;
  itemBase?: ItemBase;
  payloadType: string;
  unit?: string;
}

const ITEM_BY_NAME: Array<[RegExp, ItemBase]> = [
  [/^W(ph[ABC])?$|^DCW$|^WSet$/, { kind: 'powerReal', description: 'RealPower', units: 'W', siScaleCode: 'none' }],
  [/^VAr/, { kind: 'powerReactive', description: 'ReactivePower', units: 'VAR', siScaleCode: 'none' }],
  [/^VA$/, { kind: 'powerApparent', description: 'ApparentPower', units: 'VA', siScaleCode: 'none' }],
  [/^(WH|TotWhImp|TotWhExp)$/, { kind: 'energyReal', description: 'RealEnergy', units: 'Wh', siScaleCode: 'none' }],
  [/^(PhV|PPV|DCV$|V$)/, { kind: 'voltage', description: 'Voltage', units: 'V', siScaleCode: 'none' }],
  [/^(A$|Aph|DCA$)/, { kind: 'current', description: 'Current', units: 'A', siScaleCode: 'none' }],
  [/^Hz$/, { kind: 'frequency', description: 'Frequency', units: 'Hz', siScaleCode: 'none' }],
];

export function itemBaseFor(name: string, unit?: string): ItemBase {
  for (const [re, ib] of ITEM_BY_NAME) if (re.test(name)) return { ...ib };
  return { kind: 'customUnit', description: name, units: unit ?? '', siScaleCode: 'none' };
}

export function toReportBindings(list: OpenadrReportBinding[]): ReportBinding[] {
  return list.map((b) => {
    const rb: ReportBinding = {
      rID: b.rID ?? `${b.device}/${b.point}`,
      device: b.device,
      name: b.point,
      report: b.report,
      reportType: b.report === 'TELEMETRY_STATUS' ? 'x-resourceStatus' : b.reportType,
      readingType: b.report === 'TELEMETRY_STATUS' ? 'x-notApplicable' : b.readingType,
      payloadType: b.payloadType ?? (b.report === 'TELEMETRY_STATUS' ? 'OPERATING_STATE' : b.reportType === 'usage' ? 'USAGE' : b.reportType === 'demand' ? 'DEMAND' : 'READING'),
    };
    if (b.unit) rb.unit = b.unit;
    if (b.report === 'TELEMETRY_USAGE') {
      const ib = itemBaseFor(b.point, b.unit);
      rb.itemBase = b.itemKind && b.itemKind !== ib.kind ? { ...itemBaseFor(b.point, b.unit), kind: b.itemKind } : ib;
    }
    return rb;
  });
}

/** Latest value per device point, fed by the runtime (or a Node-RED "report in" node). */
export class LatestPoints {
  private readonly map = new Map<string, Point>();
  update(p: Point): void {
    this.map.set(`${p.device}\u0000${p.name}`, p);
  }
  get(device: string, name: string): Point | undefined {
    return this.map.get(`${device}\u0000${name}`);
  }
}

export interface ReportSample {
  rID: string;
  time: number;
  value: number | null;
  status?: { online: boolean; manualOverride: boolean };
  quality: QualityCode | 'missing';
}

export function sampleBindings(store: LatestPoints, bindings: ReportBinding[], now: number): ReportSample[] {
  return bindings.map((b) => {
    const p = store.get(b.device, b.name);
    if (!p) return { rID: b.rID, time: now, value: null, quality: 'missing', ...(b.report === 'TELEMETRY_STATUS' ? { status: { online: false, manualOverride: false } } : {}) };
    const v = typeof p.value === 'number' ? p.value : typeof p.value === 'boolean' ? (p.value ? 1 : 0) : null;
    const s: ReportSample = { rID: b.rID, time: now, value: v, quality: p.quality.code };
    if (b.report === 'TELEMETRY_STATUS') {
      s.status = { online: !['not_connected', 'timeout'].includes(p.quality.code) && p.value !== false, manualOverride: p.quality.code === 'substituted' };
    }
    return s;
  });
}

/** oadrDataQuality text (oadr_20b.xsd oadrDataQualityType) for a GridBridge quality. */
export function oadrDataQuality(q: ReportSample['quality']): string {
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

export const TELEMETRY_REPORTS = ['TELEMETRY_USAGE', 'TELEMETRY_STATUS'] as const;

/** METADATA reports (oadrRegisterReport content) for the mapped points: one per telemetry report that has points. */
export function metadataReports(bindings: ReportBinding[], opts: { now: number; minSampleSec: number; marketContext?: string; specifierPrefix?: string }): OadrReport[] {
  const out: OadrReport[] = [];
  for (const name of TELEMETRY_REPORTS) {
    const bs = bindings.filter((b) => b.report === name);
    if (bs.length === 0) continue;
    const descriptions: ReportDescription[] = bs.map((b) => {
      const d: ReportDescription = { rID: b.rID, resourceID: b.device, reportType: b.reportType, readingType: b.readingType, samplingRate: { minPeriodSec: opts.minSampleSec, maxPeriodSec: 3600, onChange: false } };
      if (b.itemBase) d.itemBase = b.itemBase;
      if (opts.marketContext) d.marketContext = opts.marketContext;
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

/** One sampled report interval: the samples of a report's points at one time. */
export interface LoggedInterval {
  /** Report the interval belongs to (2.0b: reportSpecifierID; 3.x: event id). */
  key: string;
  time: number;
  samples: ReportSample[];
}

/**
 * Where a VEN keeps sampled report intervals until the VTN accepted a report carrying them (2.0b oadrUpdatedReport
 * with 200, 3.x a 2xx answer). The runtime passes a durable one (src/core/store), so unsent intervals survive a
 * restart; the default keeps them in memory.
 */
export interface ReportLog {
  /** Keep one interval (durable before this returns when the log is). */
  add(iv: LoggedInterval): void;
  /** Unconfirmed intervals of `key`, oldest first (at most `max`). The handles go back to `confirm`. */
  pending(key: string, max: number): Array<{ handle: unknown; interval: LoggedInterval }>;
  /** The VTN accepted the report that carried these intervals: forget them. */
  confirm(handles: unknown[]): void;
}

/** In-memory ReportLog, bounded per key (oldest dropped beyond `maxPerKey`). */
export class MemoryReportLog implements ReportLog {
  private readonly byKey = new Map<string, LoggedInterval[]>();
  constructor(private readonly maxPerKey = 1000) {}
  add(iv: LoggedInterval): void {
    const list = this.byKey.get(iv.key) ?? [];
    list.push(iv);
    if (list.length > this.maxPerKey) list.splice(0, list.length - this.maxPerKey);
    this.byKey.set(iv.key, list);
  }
  pending(key: string, max: number): Array<{ handle: unknown; interval: LoggedInterval }> {
    return (this.byKey.get(key) ?? []).slice(0, max).map((interval) => ({ handle: interval, interval }));
  }
  confirm(handles: unknown[]): void {
    const done = new Set(handles);
    for (const [k, list] of this.byKey) this.byKey.set(k, list.filter((iv) => !done.has(iv)));
  }
}
