import { readFileSync } from 'node:fs';
import { errorMessage, formatProfileError } from '../../core/errors.js';
import { pointToJson } from '../../core/point.js';
import { z } from 'zod';
import { type BrokerUser } from '../../protocols/mqtt/broker.js';
import { loadYamlFile, zodIssues } from '../../core/yaml.js';
import { loadMappingFile } from '../../runtime/validate.js';
import { createSite, parseListen, type SiteHost } from '../../runtime/site-host.js';
import pino from 'pino';
import { emit, parseCommandLine, untilSignal, warn } from '../jsonl.js';
import { GatewayMetrics, startMetricsServer } from '../../runtime/metrics.js';
import { AuditLog, recordAudit } from '../../runtime/audit-log.js';
import { inspectPem, type CertInfo } from '../../runtime/cert-info.js';
import { dirname, join, resolve } from 'node:path';

export const summary = 'run a pilot site headless from its mapping: gridbridge run MAPPING [--points] [--embedded-broker PORT]';

const usage = `usage: gridbridge run MAPPING.yaml [--points] [--embedded-broker PORT] [--iec104-listen HOST:PORT]
                      [--sep2-cert F --sep2-key F --sep2-ca F] [--state-dir DIR]
                      [--metrics [HOST:]PORT] [--log json|lines] [--log-level LEVEL] [--broker-users FILE]
                      [--audit-log FILE] [--broker-cert F --broker-key F [--broker-ca F] [--broker-require-cert]]
                      [--broker-host ADDR]
  Polls every device of the mapping, publishes to its upstreams and takes controls through the arbiter.
  --iec104-listen   where the IEC 104 controlled station listens (default 0.0.0.0:2404)
  --sep2-cert/key/ca  PEM files of the 2030.5 device certificate, key and CA chain (or GRIDBRIDGE_SEP2_* variables)
  --state-dir       where held control intents and the upstream store survive a restart (default: the mapping's
                    site.stateDir; store.dir wins for the store; none: a restart forgets active controls and
                    applies the fail-safe defaults, and upstream queues are in memory)
  --broker-users    YAML file of embedded-broker users: users: [{username, password, publish: [filters],
                    subscribe: [filters]}]; anonymous clients are then refused, and a user publishes (commands) only
                    to the topic filters it lists. password: clear text or scrypt$salt$key; a user without a
                    password logs in only with a client certificate whose subject CN is its username
  --broker-cert/--broker-key  PEM files: the embedded broker speaks MQTT over TLS (mqtts://, default port 8883)
  --broker-ca       PEM file of the CA that issues client certificates: a client may log in with one (its CN is
                    the user name; a certificate that CA did not issue is refused); --broker-require-cert: every
                    client must (no password logins, except the gateway's own generated one)
  --broker-host     where the embedded broker listens (default 127.0.0.1); beyond loopback only with
                    --broker-cert/--broker-key and --broker-users
  --audit-log       append every control decision as a JSON line to FILE (survives restarts; rotates at 10 MB);
                    default: audit.jsonl in the state directory when there is one
  --metrics         serve GET /metrics (Prometheus) and GET /health (JSON, 503 when a component is down) on
                    HOST:PORT (HOST defaults to 127.0.0.1)
  --log json        pino JSON logs (level, time, site, event …) instead of the event lines; --log-level
                    fatal|error|warn|info|debug|trace (default info; points are logged at debug)
  Prints JSON lines: status changes, writes, control decisions (audit), warnings; --points also prints every point
  (once it is in the upstream store); on stop, the store counters of every upstream queue ("store").
  When the mapping's MQTT block has no url, an embedded broker is started on 127.0.0.1 (default port 1883).
  Stops cleanly on SIGINT/SIGTERM.`;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      points: { type: 'boolean' },
      'embedded-broker': { type: 'string' },
      'iec104-listen': { type: 'string' },
      'sep2-cert': { type: 'string' },
      'sep2-key': { type: 'string' },
      'sep2-ca': { type: 'string' },
      'state-dir': { type: 'string' },
      metrics: { type: 'string' },
      'broker-users': { type: 'string' },
      'broker-cert': { type: 'string' },
      'broker-key': { type: 'string' },
      'broker-ca': { type: 'string' },
      'broker-require-cert': { type: 'boolean' },
      'broker-host': { type: 'string' },
      'audit-log': { type: 'string' },
      log: { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    usage,
    true,
  );
  if (typeof cli === 'number') return cli;
  const { values, positionals } = cli;
  if (positionals.length !== 1) {
    warn(usage);
    return 2;
  }
  let tls: { cert?: string | undefined; key?: string | undefined; ca?: string | undefined };
  try {
    const pem = (f: string | undefined) => (f ? readFileSync(f, 'utf8') : undefined);
    tls = { cert: pem(values['sep2-cert']), key: pem(values['sep2-key']), ca: pem(values['sep2-ca']) };
  } catch (e) {
    warn(`--sep2-*: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  if (values['iec104-listen']) {
    try {
      parseListen(values['iec104-listen'], '--iec104-listen');
    } catch (e) {
      warn(errorMessage(e));
      return 2;
    }
  }
  const metricsAt = values.metrics !== undefined ? /^(?:(.+):)?(\d+)$/.exec(values.metrics) : undefined;
  if (metricsAt === null || (metricsAt && Number(metricsAt[2]) > 65535)) {
    warn(`--metrics: expected [HOST:]PORT, got ${values.metrics}`);
    return 2;
  }
  const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
  if ((values.log && values.log !== 'json' && values.log !== 'lines') || (values['log-level'] && !LEVELS.includes(values['log-level']))) {
    warn(`--log: json or lines; --log-level: ${LEVELS.join(', ')}`);
    return 2;
  }
  const load = loadMappingFile(positionals[0]!);
  if (!load.mapping) {
    for (const e of load.errors) warn(formatProfileError(e));
    return 1;
  }
  const brokerTls = brokerTlsFlags(values);
  if (typeof brokerTls === 'string') {
    warn(brokerTls);
    return 2;
  }
  let brokerUsersList: BrokerUser[] | undefined;
  if (values['broker-users']) {
    const r = brokerUsers(values['broker-users'], Boolean(brokerTls?.ca));
    if (typeof r === 'string') {
      warn(r);
      return 1;
    }
    brokerUsersList = r;
  }
  let host: SiteHost;
  try {
    host = await createSite(load, {
      embeddedBrokerPort: Number(values['embedded-broker'] ?? (brokerTls ? 8883 : 1883)),
      sep2Tls: tls,
      ...(values['iec104-listen'] ? { iec104Listen: values['iec104-listen'] } : {}),
      ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
      ...(brokerUsersList ? { brokerUsers: brokerUsersList } : {}),
      ...(brokerTls ? { brokerTls } : {}),
      ...(values['broker-host'] ? { brokerHost: values['broker-host'] } : {}),
    });
  } catch (e) {
    warn(errorMessage(e));
    return 1;
  }
  const { site, broker } = host;
  const logger =
    values.log === 'json'
      ? pino({
          level: values['log-level'] ?? 'info',
          base: { site: site.id },
          timestamp: pino.stdTimeFunctions.isoTime,
          formatters: { level: (label) => ({ level: label }) },
        })
      : undefined;
  const out = (event: string, data: Record<string, unknown>, level: 'warn' | 'info' | 'debug' = 'info'): void => {
    if (logger) logger[level]({ event, ...data }, event);
    else if (level !== 'debug' || values.points) emit(event, data);
  };
  site.on('status', (s) => out('status', s, /down|offline|error/.test(s.state) ? 'warn' : 'info'));
  site.on('write', (w) => out('write', { ...w }, w.ok ? 'info' : 'warn'));
  const stateDir = values['state-dir'] ?? (load.mapping.site.stateDir ? resolve(dirname(resolve(load.file)), load.mapping.site.stateDir) : undefined);
  const auditFile = values['audit-log'] ?? (stateDir ? join(stateDir, 'audit.jsonl') : undefined);
  let audit: AuditLog | undefined;
  try {
    audit = auditFile ? new AuditLog(auditFile, site.id) : undefined;
  } catch (e) {
    warn(`--audit-log: ${e instanceof Error ? e.message : String(e)}`);
    await host.stop();
    return 1;
  }
  site.on('audit', (a) => out('control', { ...a }));
  if (audit) recordAudit(site, audit, (message) => out('warning', { message }, 'warn'));
  site.on('warning', (m) => out('warning', { message: m }, 'warn'));
  if (values.points || logger?.isLevelEnabled('debug')) site.on('points', (pts) => { for (const p of pts) out('point', { ...pointToJson(p) }, 'debug'); });
  const metrics = metricsAt ? new GatewayMetrics(Date.now, { site: site.id }) : undefined;
  metrics?.attachSite(site);
  const unobserveHttp = metrics?.observeUpstreamCalls();
  // Who sent each command: the broker user of every accepted publish to a …/set topic (refused ones never get here).
  broker?.aedes.on('publish', (packet, client) => {
    if (client && packet.topic.endsWith('/set')) out('mqtt-command', { topic: packet.topic, clientId: client.id, ...(broker.userOf(client) ? { user: broker.userOf(client) } : {}) });
  });
  if (broker) out('broker', { url: broker.url, ...(brokerUsersList ? { users: brokerUsersList.length } : {}), ...(brokerTls?.ca ? { clientCertificates: brokerTls.requireClientCert ? 'required' : 'accepted' } : {}) });
  await site.start();
  const server = metricsAt && metrics ? await startMetricsServer(metrics, metricsAt[1] ?? '127.0.0.1', Number(metricsAt[2])).catch((e: unknown) => e as Error) : undefined;
  if (server instanceof Error) {
    warn(`--metrics: ${server.message}`);
    await host.stop();
    return 1;
  }
  // The certificates this site uses: subject, expiry and LFDI/SFDI once at start, with a warning before expiry.
  for (const c of siteCertificates(load.mapping, dirname(resolve(load.file)), tls, brokerTls)) {
    out('certificate', { what: c.what, ...c.first });
    for (const w of c.warnings) out('warning', { message: w }, 'warn');
  }
  if (audit) out('audit-log', { file: audit.file });
  if (server) out('metrics', { url: `${server.url}/metrics`, health: `${server.url}/health` });
  out('started', { site: site.id, devices: load.mapping.devices.map((d) => d.id), connections: [...site.ports.keys(), ...site.fields.keys()] });
  const sig = await untilSignal();
  out('stopping', { signal: sig });
  await server?.close();
  unobserveHttp?.();
  const store = site.storeStats();
  if (Object.keys(store).length) out('store', { queues: store });
  await host.stop();
  logger?.flush();
  return 0;
}

const BrokerUsersSchema = z.strictObject({
  users: z
    .array(
      z.strictObject({
        username: z.string().min(1).refine((u) => u !== 'gridbridge-gateway', 'gridbridge-gateway is the gateway\'s own user'),
        password: z.string().min(8, 'at least 8 characters').optional(),
        publish: z.array(z.string().min(1)).optional(),
        subscribe: z.array(z.string().min(1)).optional(),
      }),
    )
    .min(1),
});

/** The users file of the embedded broker, or every problem as file:line: field: message. */
function brokerUsers(file: string, certificates: boolean): BrokerUser[] | string {
  const y = loadYamlFile(file);
  if (y.errors.length) return y.errors.map(formatProfileError).join('\n');
  const r = BrokerUsersSchema.safeParse(y.data);
  if (!r.success) return zodIssues(r.error).map((i) => formatProfileError(y.locate(i))).join('\n');
  const noLogin = r.data.users.filter((u) => u.password === undefined);
  if (noLogin.length && !certificates) {
    return `${file}: ${noLogin.map((u) => u.username).join(', ')}: no password, and the broker takes no client certificates (--broker-ca): give a password or the CA`;
  }
  return r.data.users.map((u) => ({ username: u.username, ...(u.password !== undefined ? { password: u.password } : {}), ...(u.publish ? { publish: u.publish } : {}), ...(u.subscribe ? { subscribe: u.subscribe } : {}) }));
}

/** First certificate and warnings of each PEM bundle the site uses (flags, and the TLS files its mapping names). */
function siteCertificates(
  mapping: NonNullable<ReturnType<typeof loadMappingFile>['mapping']>,
  baseDir: string,
  sep2: { cert?: string | undefined; ca?: string | undefined },
  broker: { cert: string; ca?: string } | undefined,
): Array<{ what: string; first?: Partial<CertInfo>; warnings: string[] }> {
  const bundles: Array<[string, string | undefined, boolean?]> = [
    ['2030.5 device certificate', sep2.cert, true],
    ['2030.5 CA chain', sep2.ca],
    ['embedded broker certificate', broker?.cert],
    ['embedded broker client CA', broker?.ca],
  ];
  const files = (block: unknown, what: string): void => {
    const t = (block as { tls?: { ca?: unknown; cert?: unknown } } | undefined)?.tls;
    for (const [k, label] of [['ca', 'CA chain'], ['cert', 'client certificate']] as const) {
      const f = t?.[k];
      if (typeof f !== 'string') continue;
      try {
        bundles.push([`${what} ${label}`, readFileSync(resolve(baseDir, f), 'utf8')]);
      } catch {
        /* the adapter names an unreadable file when it starts */
      }
    }
  };
  files(mapping.upstream?.mqtt, 'MQTT');
  files(mapping.upstream?.openadr, 'OpenADR');
  return bundles
    .filter((b): b is [string, string, boolean?] => Boolean(b[1]))
    .map(([what, pem, identity]) => {
      const r = inspectPem(pem, { what, ...(identity ? { identity: true } : {}) });
      const c = r.certificates[0];
      const first = c ? { subject: c.subject, issuer: c.issuer, notAfter: c.notAfter, daysLeft: c.daysLeft, ...(c.lfdi ? { lfdi: c.lfdi, sfdi: c.sfdi } : {}) } : undefined;
      return { what, ...(first ? { first } : {}), warnings: r.warnings };
    });
}

/** --broker-cert/-key/-ca/--broker-require-cert as PEM texts, or what is wrong. */
function brokerTlsFlags(v: { 'broker-cert'?: string | undefined; 'broker-key'?: string | undefined; 'broker-ca'?: string | undefined; 'broker-require-cert'?: boolean | undefined }): { cert: string; key: string; ca?: string; requireClientCert?: boolean } | string | undefined {
  if (!v['broker-cert'] && !v['broker-key']) return v['broker-ca'] || v['broker-require-cert'] ? '--broker-ca and --broker-require-cert need --broker-cert and --broker-key' : undefined;
  if (!v['broker-cert'] || !v['broker-key']) return '--broker-cert and --broker-key go together';
  if (v['broker-require-cert'] && !v['broker-ca']) return '--broker-require-cert needs --broker-ca (the CA that issues the client certificates)';
  const read = (flag: string, f: string): string => {
    try {
      return readFileSync(f, 'utf8');
    } catch (e) {
      throw new Error(`${flag} ${f}: ${errorMessage(e)}`);
    }
  };
  try {
    return {
      cert: read('--broker-cert', v['broker-cert']),
      key: read('--broker-key', v['broker-key']),
      ...(v['broker-ca'] ? { ca: read('--broker-ca', v['broker-ca']) } : {}),
      ...(v['broker-require-cert'] ? { requireClientCert: true } : {}),
    };
  } catch (e) {
    return errorMessage(e);
  }
}
