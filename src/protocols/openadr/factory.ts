/**
 * Build a 2.0b or 3.x VEN from an `openadr` mapping block behind one interface (used by the CLI and the Node-RED
 * nodes): the same control and report events whatever the OpenADR version.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { ControlIntent } from '../../core/control.js';
import type { Point } from '../../core/point.js';
import { Emitter } from './emitter.js';
import { openadrMappingSchema, type OpenadrMapping } from './mapping.js';
import { LatestPoints, toReportBindings, type ReportLog } from './reports.js';
import { Ven20b, type Ven20bConfig, type VenState } from './ven20b.js';
import { Ven3 } from './ven3.js';

export interface OpenadrVenEvents extends Record<string, unknown> {
  state: { state: VenState; reason?: string };
  control: ControlIntent;
  cancel: { id: string; reason: string };
  event: Record<string, unknown>;
  report: Record<string, unknown>;
  deviation: string;
  error: Error;
}

export interface VenSecrets {
  /** OpenADR 3 OAuth2 client secret (default: the env variable named in the mapping). */
  clientSecret?: string;
  /** PEM texts instead of reading the files named in the mapping. */
  tls?: { cert?: string; key?: string; ca?: string };
  /** 2.0b signature PEM texts instead of the files named in `signature` (signing falls back to the TLS pair). */
  signature?: { cert?: string; key?: string; vtnCert?: string; ca?: string };
  /** Directory the mapping's relative file names are resolved against (default: the working directory). */
  baseDir?: string;
}

export class OpenadrVen extends Emitter<OpenadrVenEvents> {
  readonly points = new LatestPoints();
  private readonly inner: Ven20b | Ven3;

  constructor(
    readonly mapping: OpenadrMapping,
    clock: Clock,
    secrets: VenSecrets = {},
    /** Where report intervals wait for the VTN's acceptance (the runtime passes a durable store). */
    reportLog?: ReportLog,
  ) {
    super();
    const reports = toReportBindings(mapping.reports);
    const read = (f: string | undefined) => (f ? readFileSync(secrets.baseDir && !isAbsolute(f) ? join(secrets.baseDir, f) : f, 'utf8') : undefined);
    const tlsCert = secrets.tls?.cert ?? read(mapping.tls?.cert);
    const tlsKey = secrets.tls?.key ?? read(mapping.tls?.key);
    const tlsCa = secrets.tls?.ca ?? read(mapping.tls?.ca);
    const tls = tlsCert || tlsCa ? { ...(tlsCert ? { cert: tlsCert } : {}), ...(tlsKey ? { key: tlsKey } : {}), ...(tlsCa ? { ca: tlsCa } : {}) } : undefined;
    if (mapping.version === '2.0b') {
      const signature = mapping.xmlSignature ? this.signatureMaterial(mapping, secrets, read, tls) : undefined;
      const v = new Ven20b({
        vtnUrl: mapping.vtnUrl.replace(/\/$/, ''),
        venName: mapping.venName,
        ...(mapping.venId ? { venID: mapping.venId } : {}),
        transport: mapping.transport,
        ...(mapping.pushUrl ? { pushUrl: mapping.pushUrl, pushPort: Number(new URL(mapping.pushUrl).port || 0) } : {}),
        reportOnly: mapping.reportOnly,
        ...(tls ? { tls } : {}),
        ...(signature ? { signature } : {}),
        pollFallbackSec: mapping.pollIntervalSec,
        ...(mapping.marketContext ? { marketContext: mapping.marketContext } : {}),
        policy: mapping.policy,
        reports,
        signals: mapping.signals,
        points: this.points,
        ...(reportLog ? { reportLog } : {}),
        clock,
      });
      v.on('state', (s) => this.emit('state', s));
      v.on('control', (c) => this.emit('control', c));
      v.on('cancel', (c) => this.emit('cancel', c));
      v.on('event', (e) => this.emit('event', { ...e }));
      v.on('report', (r) => this.emit('report', { ...r }));
      v.on('error', (e) => this.emit('error', e));
      this.inner = v;
    } else {
      const secret = secrets.clientSecret ?? process.env[mapping.oauth?.clientSecretEnv ?? 'OPENADR_CLIENT_SECRET'];
      if (!mapping.oauth || !secret) throw new Error('openadr 3: oauth.clientId and a client secret are required');
      const v = new Ven3({
        baseUrl: mapping.vtnUrl.replace(/\/$/, ''),
        version: mapping.version,
        clientId: mapping.oauth.clientId,
        clientSecret: secret,
        ...(mapping.oauth.tokenUrl ? { tokenUrl: mapping.oauth.tokenUrl } : {}),
        venName: mapping.venName,
        notification: mapping.notification,
        pollIntervalSec: mapping.pollIntervalSec,
        ...(mapping.callbackUrl ? { callbackUrl: mapping.callbackUrl, callbackPort: Number(new URL(mapping.callbackUrl).port || 0) } : {}),
        policy: mapping.policy,
        reports,
        signals: mapping.signals,
        points: this.points,
        ...(reportLog ? { reportLog } : {}),
        clock,
        ...(tls ? { tls } : {}),
      });
      v.on('state', (s) => this.emit('state', s));
      v.on('control', (c) => this.emit('control', c));
      v.on('cancel', (c) => this.emit('cancel', c));
      v.on('event', (e) => this.emit('event', { ...e }));
      v.on('report', (r) => this.emit('report', { ...r }));
      v.on('deviation', (d) => this.emit('deviation', d));
      v.on('error', (e) => this.emit('error', e));
      this.inner = v;
    }
  }

  /** 2.0b XML signature material from secrets, the `signature` files, or the TLS pair and CA. */
  private signatureMaterial(
    mapping: OpenadrMapping,
    secrets: VenSecrets,
    read: (f: string | undefined) => string | undefined,
    tls: { cert?: string; key?: string; ca?: string } | undefined,
  ): NonNullable<Ven20bConfig['signature']> {
    const s = mapping.signature;
    const certificate = secrets.signature?.cert ?? read(s?.cert) ?? tls?.cert;
    const privateKey = secrets.signature?.key ?? read(s?.key) ?? tls?.key;
    const vtnCertificate = secrets.signature?.vtnCert ?? read(s?.vtnCert);
    const ca = secrets.signature?.ca ?? read(s?.ca) ?? tls?.ca;
    if (!certificate || !privateKey) throw new Error('openadr xmlSignature: no signing certificate and key');
    if (!vtnCertificate && !ca) throw new Error("openadr xmlSignature: no VTN signing certificate or CA to verify the VTN's signatures with");
    return { certificate, privateKey, ...(vtnCertificate ? { vtnCertificate } : {}), ...(ca ? { ca } : {}), replayWindowSec: s?.replayWindowSec ?? 300 };
  }

  /** Parse a mapping block (throws a zod error naming the field). Accepts `{ openadr: {...} }` or the block itself. */
  static parseMapping(raw: unknown): OpenadrMapping {
    const block = raw && typeof raw === 'object' && 'openadr' in raw ? (raw as { openadr: unknown }).openadr : raw;
    return openadrMappingSchema.parse(block);
  }

  get state(): VenState {
    return this.inner.state;
  }

  update(p: Point): void {
    this.points.update(p);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  activeControls(): ControlIntent[] {
    return this.inner.activeControls();
  }

  /** 2.0b only: cancel the registration (deregistration). */
  async deregister(): Promise<void> {
    if (this.inner instanceof Ven20b) await this.inner.cancelRegistration();
  }
}
