/**
 * OpenADR 3 VTN simulator (3.0.1 or 3.1.0): OAuth2 client-credentials token endpoint, programs, events, reports,
 * subscriptions with webhook notifications, VENs. In-memory, loopback by default. Optional deviations reproduce
 * what some field VTNs do, to exercise tolerant parsing.
 */
import { randomUUID } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { request, serve, type IncomingRequest, type OutgoingReply, type ServerHandle } from '../../protocols/openadr/http.js';
import { check, eventSchema, Oadr3Error, programSchema, reportSchema, subscriptionSchema, venSchema, type Oadr3Version } from '../../protocols/openadr/oadr3/models.js';

export interface Vtn3Deviations {
  scopeArray?: boolean;
  problemStatusString?: boolean;
  doubleEncodedWebhook?: boolean;
  /** Notification keys in snake_case (`object_type`), as the OpenADR Alliance 3.1.0 reference VTN sends them. */
  snakeCaseWebhook?: boolean;
  spaceDateTime?: boolean;
}

/** OpenADR 3 client roles: a VEN, or the business logic (BL) that writes programs and events. */
export type Vtn3Role = 'ven' | 'bl';

export interface Vtn3Options {
  port?: number;
  host?: string;
  version?: Oadr3Version;
  /** OAuth2 clients: id → secret (a VEN) or { secret, role }. Default { ven: 'secret' }. */
  clients?: Record<string, string | { secret: string; role: Vtn3Role }>;
  deviations?: Vtn3Deviations;
  /** Refuse http:// callback URLs, as the 3.1.0 Definition asks of a VTN (default: accept them, logging a warning). */
  requireHttpsCallbacks?: boolean;
  /** 3.1.0 MQTT notifier binding: publish every notification to this broker (`publicUrl` is what GET /notifiers tells VENs). */
  mqtt?: { url: string; publicUrl?: string };
  log?: (e: { event: string; [k: string]: unknown }) => void;
}

type Obj = Record<string, unknown>;
const COLLECTIONS = ['programs', 'events', 'reports', 'subscriptions', 'vens'] as const;
type Collection = (typeof COLLECTIONS)[number];
const TYPE: Record<Collection, string> = { programs: 'PROGRAM', events: 'EVENT', reports: 'REPORT', subscriptions: 'SUBSCRIPTION', vens: 'VEN' };
const SCHEMA = { programs: programSchema, events: eventSchema, reports: reportSchema, subscriptions: subscriptionSchema, vens: venSchema };

/**
 * Scopes per version and role, from the securitySchemes of the OpenAPI files: 3.0.1 "read_all: VENs and BL can read
 * all resources", "write_programs/write_events: only BL", "write_reports: only VENs", "write_subscriptions,
 * write_vens: VENs and BL"; 3.1.0 adds read_targets / read_ven_objects for VENs (a VEN reads only objects whose
 * clientID is its own) and makes read_all / read_bl business-logic scopes.
 */
const SCOPES: Record<Oadr3Version, Record<Vtn3Role, readonly string[]>> = {
  '3.0.1': {
    ven: ['read_all', 'write_reports', 'write_subscriptions', 'write_vens'],
    bl: ['read_all', 'write_programs', 'write_events', 'write_subscriptions', 'write_vens'],
  },
  '3.1.0': {
    ven: ['read_targets', 'read_ven_objects', 'write_reports', 'write_subscriptions', 'write_vens'],
    bl: ['read_all', 'read_bl', 'read_targets', 'read_ven_objects', 'write_programs', 'write_events', 'write_subscriptions', 'write_vens'],
  },
};

/** The scope an operation on a collection requires (the `security` of each path in the OpenAPI files). */
function requiredScope(version: Oadr3Version, method: string, coll: Collection): string {
  if (method !== 'GET') return coll === 'vens' ? 'write_vens' : `write_${coll}`;
  if (version === '3.0.1') return 'read_all';
  return coll === 'programs' || coll === 'events' ? 'read_targets' : 'read_ven_objects';
}

export class VtnSim3 {
  readonly version: Oadr3Version;
  readonly store: Record<Collection, Map<string, Obj>> = { programs: new Map(), events: new Map(), reports: new Map(), subscriptions: new Map(), vens: new Map() };
  private readonly tokens = new Map<string, { client: string; role: Vtn3Role }>();
  /** Which client created each report, subscription and VEN (3.0.1 objects carry no clientID). */
  private readonly owners = new Map<string, string>();
  private server: ServerHandle | undefined;
  private readonly inflight = new Set<Promise<unknown>>();
  private broker: MqttClient | undefined;

  constructor(readonly opts: Vtn3Options = {}) {
    this.version = opts.version ?? '3.0.1';
  }

  get url(): string {
    if (!this.server) throw new Error('VTN not started');
    return this.server.url;
  }

  async start(): Promise<void> {
    if (this.opts.mqtt && this.version === '3.1.0') {
      this.broker = await connectAsync(this.opts.mqtt.url, { clientId: `gridbridge-vtn3-${randomUUID().slice(0, 8)}`, protocolVersion: 5, reconnectPeriod: 2000 });
      this.broker.on('error', (e) => this.log('mqtt_error', { error: e.message }));
    }
    this.server = await serve((r) => this.handle(r), { ...(this.opts.port !== undefined ? { port: this.opts.port } : {}), ...(this.opts.host ? { host: this.opts.host } : {}) });
    this.log('vtn3_listening', { url: this.server.url, version: this.version });
  }

  async stop(): Promise<void> {
    await this.idle();
    await this.broker?.endAsync().catch(() => undefined);
    this.broker = undefined;
    await this.server?.close();
    this.server = undefined;
  }

  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private log(event: string, data: Obj = {}): void {
    this.opts.log?.({ event, ...data });
  }

  private now(): string {
    const iso = new Date().toISOString();
    return this.opts.deviations?.spaceDateTime ? iso.replace('T', ' ') : iso;
  }

  private json(status: number, v: unknown): OutgoingReply {
    return { status, body: JSON.stringify(v), contentType: 'application/json' };
  }

  private problem(status: number, title: string, detail?: string): OutgoingReply {
    return this.json(status, { type: 'about:blank', title, status: this.opts.deviations?.problemStatusString ? String(status) : status, ...(detail ? { detail } : {}) });
  }

  /** Create an object as the business logic would (programs and events), notifying subscribers. */
  create(coll: Collection, body: Obj): Obj {
    const id = `${coll.slice(0, 3)}-${randomUUID().slice(0, 8)}`;
    const o = { ...body, id, createdDateTime: this.now(), modificationDateTime: this.now(), objectType: TYPE[coll] };
    this.store[coll].set(id, o);
    this.notify(TYPE[coll], 'create', o);
    return o;
  }

  update(coll: Collection, id: string, body: Obj): Obj {
    const prev = this.store[coll].get(id);
    if (!prev) throw new Error(`no ${coll} ${id}`);
    const o = { ...prev, ...body, id, modificationDateTime: new Date(Date.parse(String(prev['modificationDateTime']).replace(' ', 'T')) + 1000).toISOString() };
    this.store[coll].set(id, o);
    this.notify(TYPE[coll], 'update', o);
    return o;
  }

  remove(coll: Collection, id: string): void {
    const o = this.store[coll].get(id);
    if (!o) return;
    this.store[coll].delete(id);
    this.notify(TYPE[coll], 'delete', o);
  }

  private notify(objectType: string, op: 'create' | 'update' | 'delete', object: Obj): void {
    const operation = this.version === '3.1.0' ? op.toUpperCase() : { create: 'POST', update: 'PUT', delete: 'DELETE' }[op];
    const subOp = op.toUpperCase();
    this.publishMqtt(objectType, subOp, object);
    for (const s of this.store.subscriptions.values()) {
      const sub = s as { programID?: string; objectOperations?: Array<{ objects: string[]; operations: string[]; callbackUrl: string; bearerToken?: string | null }> };
      if (object['programID'] !== undefined && sub.programID !== object['programID']) continue;
      for (const oo of sub.objectOperations ?? []) {
        if (!oo.objects.includes(objectType) || !oo.operations.includes(subOp)) continue;
        let body = JSON.stringify(this.opts.deviations?.snakeCaseWebhook ? { object_type: objectType, operation, object } : { objectType, operation, object });
        if (this.opts.deviations?.doubleEncodedWebhook) body = JSON.stringify(body);
        const p = request('POST', oo.callbackUrl, { body, headers: { 'content-type': 'application/json', ...(oo.bearerToken ? { authorization: `Bearer ${oo.bearerToken}` } : {}) } }).then(
          (r) => this.log('notified', { callbackUrl: oo.callbackUrl, status: r.status, objectType, operation }),
          (e: unknown) => this.log('notify_failed', { callbackUrl: oo.callbackUrl, error: e instanceof Error ? e.message : String(e) }),
        );
        this.inflight.add(p);
        void p.finally(() => this.inflight.delete(p));
      }
    }
  }

  /**
   * MQTT topic names (this simulator's scheme, handed out by GET /notifiers/mqtt/topics/...):
   * `openadr3/<path>/<create|update|delete>`, e.g. `openadr3/vens/{venID}/events/create`.
   */
  private topicsFor(path: string, withCreate: boolean): Obj {
    const base = `openadr3/${path}`;
    return { topics: { ...(withCreate ? { CREATE: `${base}/create` } : {}), UPDATE: `${base}/update`, DELETE: `${base}/delete`, ALL: `${base}/+` } };
  }

  private publishMqtt(objectType: string, op: string, object: Obj): void {
    const broker = this.broker;
    if (!broker) return;
    const body = JSON.stringify({ objectType, operation: op, object });
    const suffix = op.toLowerCase();
    const coll = `${objectType.toLowerCase()}s`;
    const topics = [`openadr3/${coll}/${suffix}`];
    if (object['id'] !== undefined && op !== 'CREATE') topics.push(`openadr3/${coll}/${String(object['id'])}/${suffix}`);
    if (objectType === 'EVENT' && object['programID'] !== undefined) {
      topics.push(`openadr3/programs/${String(object['programID'])}/events/${suffix}`);
      // No targeting in the simulator: every VEN's own event topic gets every event.
      for (const venID of this.store.vens.keys()) topics.push(`openadr3/vens/${venID}/events/${suffix}`);
    }
    for (const t of topics) {
      const p = broker.publishAsync(t, body, { qos: 1 }).then(
        () => this.log('mqtt_published', { topic: t, objectType, operation: op }),
        (e: unknown) => this.log('mqtt_publish_failed', { topic: t, error: e instanceof Error ? e.message : String(e) }),
      );
      this.inflight.add(p);
      void p.finally(() => this.inflight.delete(p));
    }
  }

  /** GET /notifiers and /notifiers/mqtt/topics/... (3.1.0). */
  private notifiers(parts: string[], role: Vtn3Role): OutgoingReply {
    if (this.version !== '3.1.0') return this.problem(404, 'Not Found', 'notifiers are an OpenADR 3.1.0 feature');
    const mqtt = this.opts.mqtt;
    if (parts.length === 1) {
      return this.json(200, { WEBHOOK: true, ...(mqtt ? { MQTT: { URIS: [mqtt.publicUrl ?? mqtt.url], serialization: 'JSON', authentication: { method: 'ANONYMOUS' } } } : {}) });
    }
    if (!mqtt || parts[1] !== 'mqtt' || parts[2] !== 'topics') return this.problem(404, 'Not Found');
    const rest = parts.slice(3);
    const [a, id, b] = rest;
    // The OpenAPI file asks read_bl for the VTN-wide lists of events, reports, subscriptions, vens and resources.
    if (rest.length === 1 && a !== 'programs' && role !== 'bl') return this.problem(403, 'Forbidden', `topics for all ${a} need scope read_bl`);
    const known =
      (rest.length === 1 && ['programs', 'events', 'reports', 'subscriptions', 'vens', 'resources'].includes(a!)) ||
      (rest.length === 2 && (a === 'programs' || a === 'vens')) ||
      (rest.length === 3 && ((a === 'programs' && b === 'events') || (a === 'vens' && ['events', 'programs', 'resources'].includes(b!))));
    if (!known) return this.problem(404, 'Not Found', `no MQTT topics for ${rest.join('/')}`);
    if (id && a === 'vens' && !this.store.vens.has(id)) return this.problem(404, 'Not Found', `vens/${id}`);
    return this.json(200, this.topicsFor(rest.join('/'), rest.length !== 2));
  }

  private async handle(r: IncomingRequest): Promise<OutgoingReply> {
    const parts = r.path.split('/').filter(Boolean);
    if (parts[0] === 'auth' && parts[1] === 'server' && r.method === 'GET') return this.json(200, { tokenURL: `${this.url}/auth/token` });
    if (parts[0] === 'auth' && parts[1] === 'token' && r.method === 'POST') return this.token(r.body);
    const auth = r.headers.authorization;
    const session = auth?.startsWith('Bearer ') ? this.tokens.get(auth.slice(7)) : undefined;
    // 3.1.0 declares 401 for a missing or bad token; 3.0.1 declares only 403 (no 401) on its operations.
    if (!session) return this.version === '3.0.1' ? this.problem(403, 'Forbidden', 'missing or unknown bearer token') : this.problem(401, 'Unauthorized', 'missing or unknown bearer token');
    const { client, role } = session;
    // GET /notifiers declares read_all, which 3.1.0 gives only to BL, yet the User Guide has VENs call it: VENs may.
    if (parts[0] === 'notifiers' && r.method === 'GET') return this.notifiers(parts, role);
    const coll = parts[0] as Collection;
    if (!COLLECTIONS.includes(coll) || parts.length > 2) return this.problem(404, 'Not Found');
    const id = parts[1];
    const scope = requiredScope(this.version, r.method, coll);
    if (!SCOPES[this.version][role].includes(scope)) {
      this.log('forbidden', { client, role, method: r.method, path: r.path, scope });
      return this.problem(403, 'Forbidden', `${r.method} /${coll} needs scope ${scope}, which a ${role === 'bl' ? 'business logic' : 'VEN'} client does not have`);
    }
    // A VEN may change only the reports, subscriptions and VEN objects it created; in 3.1.0 it may also read only those.
    const owned = role === 'ven' && (coll === 'reports' || coll === 'subscriptions' || coll === 'vens');
    const foreign = (objectId: string) => owned && this.owners.has(objectId) && this.owners.get(objectId) !== client;
    if (id && foreign(id) && (r.method !== 'GET' || this.version === '3.1.0')) {
      this.log('forbidden', { client, role, method: r.method, path: r.path, reason: 'not its own object' });
      return this.problem(403, 'Forbidden', `${coll}/${id} belongs to another client`);
    }
    try {
      if (r.method === 'GET' && !id) {
        let list = [...this.store[coll].values()];
        if (this.version === '3.1.0') list = list.filter((o) => !foreign(String(o['id'])));
        for (const k of ['programID', 'eventID', 'venName', 'clientName'] as const) {
          const q = r.query.get(k);
          if (q !== null) list = list.filter((o) => o[k] === q);
        }
        return this.json(200, list.slice(Number(r.query.get('skip') ?? 0), Number(r.query.get('skip') ?? 0) + Number(r.query.get('limit') ?? 50)));
      }
      if (r.method === 'GET' && id) {
        const o = this.store[coll].get(id);
        return o ? this.json(200, o) : this.problem(404, 'Not Found', `${coll}/${id}`);
      }
      if (r.method === 'POST' && !id) {
        const body = this.body(coll, r.body);
        if (coll === 'subscriptions') {
          const refused = await this.checkCallbacks(body, client);
          if (refused) return refused;
        }
        if (coll === 'vens' && this.version === '3.1.0' && body['objectType'] !== 'VEN_VEN_REQUEST' && body['objectType'] !== 'BL_VEN_REQUEST') {
          return this.problem(400, 'Bad Request', 'objectType must be VEN_VEN_REQUEST or BL_VEN_REQUEST');
        }
        // 3.1.0: the server representations of report, subscription and ven require clientID (the token's client).
        if (this.version === '3.1.0' && (coll === 'reports' || coll === 'subscriptions' || coll === 'vens')) body['clientID'] ??= client;
        const o = this.create(coll, body);
        if (coll === 'reports' || coll === 'subscriptions' || coll === 'vens') this.owners.set(String(o['id']), client);
        this.log('created', { collection: coll, id: o['id'], client, ...(coll === 'reports' ? { report: body } : {}) });
        return this.json(201, o);
      }
      if (r.method === 'PUT' && id) {
        if (!this.store[coll].has(id)) return this.problem(404, 'Not Found', `${coll}/${id}`);
        const body = this.body(coll, r.body);
        if (coll === 'subscriptions') {
          const refused = await this.checkCallbacks(body, client);
          if (refused) return refused;
        }
        if (this.version === '3.1.0' && (coll === 'reports' || coll === 'subscriptions' || coll === 'vens')) body['clientID'] ??= client;
        const o = this.update(coll, id, body);
        this.log('updated', { collection: coll, id, client, ...(coll === 'reports' ? { report: body } : {}) });
        return this.json(200, o);
      }
      if (r.method === 'DELETE' && id) {
        const o = this.store[coll].get(id);
        if (!o) return this.problem(404, 'Not Found', `${coll}/${id}`);
        this.remove(coll, id);
        return this.json(200, o);
      }
      return this.problem(405, 'Method Not Allowed');
    } catch (e) {
      return this.problem(400, 'Bad Request', e instanceof Error ? e.message : String(e));
    }
  }

  /**
   * Callback validation before a subscription is created or changed (3.1.0 Definition, "Webhooks"): a GET to each
   * callback URL with a random `echo` query parameter, which must come back as the body of a 200 answer.
   */
  private async checkCallbacks(body: Obj, client: string): Promise<OutgoingReply | undefined> {
    const urls = new Set(((body['objectOperations'] ?? []) as Array<{ callbackUrl?: unknown }>).map((o) => String(o.callbackUrl)));
    for (const url of urls) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        return this.problem(400, 'Bad Request', `callbackUrl ${url} is not a URL`);
      }
      if (u.protocol !== 'https:') {
        if (this.opts.requireHttpsCallbacks || u.protocol !== 'http:') return this.problem(400, 'Bad Request', `callbackUrl ${url} must use https`);
        this.log('insecure_callback', { client, callbackUrl: url });
      }
      const challenge = randomUUID();
      u.searchParams.set('echo', challenge);
      const answer = await request('GET', u.toString(), { timeoutMs: 10_000 }).catch((e: unknown) => ({ status: 0, body: e instanceof Error ? e.message : String(e) }));
      const ok = answer.status === 200 && answer.body.trim() === challenge;
      this.log('callback_check', { client, callbackUrl: url, ok, status: answer.status });
      if (!ok) {
        const why = answer.status === 200 ? 'the body did not carry the echo value' : `HTTP ${answer.status} ${answer.body.slice(0, 100)}`.trim();
        return this.problem(400, 'Bad Request', `callback validation failed for ${url}: ${why}`);
      }
    }
    return undefined;
  }

  private body(coll: Collection, text: string): Obj {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new Oadr3Error(coll, 'invalid JSON');
    }
    if (coll === 'reports' && this.version === '3.0.1' && (v as Obj)['programID'] === undefined) throw new Oadr3Error('report.programID', 'required in 3.0.1');
    // Validate, but store what the client sent: fields our models do not list are kept, never silently lost.
    return { ...(v as Obj), ...(check(SCHEMA[coll] as never, v, coll) as Obj) };
  }

  private token(text: string): OutgoingReply {
    const f = new URLSearchParams(text);
    if (f.get('grant_type') !== 'client_credentials') return this.json(400, { error: 'unsupported_grant_type' });
    const id = f.get('client_id') ?? '';
    const entry = (this.opts.clients ?? { ven: 'secret' })[id];
    const known = entry === undefined ? undefined : typeof entry === 'string' ? { secret: entry, role: 'ven' as const } : entry;
    if (!id || !known || known.secret !== f.get('client_secret')) return this.json(400, { error: 'invalid_client', error_description: 'unknown client or wrong secret' });
    const t = randomUUID();
    this.tokens.set(t, { client: id, role: known.role });
    this.log('token', { client: id, role: known.role });
    const scopes = SCOPES[this.version][known.role];
    return this.json(200, { access_token: t, token_type: 'Bearer', expires_in: 3600, scope: this.opts.deviations?.scopeArray ? [...scopes] : scopes.join(' ') });
  }
}
