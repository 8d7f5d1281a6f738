/**
 * Certificates of the upstream nodes (2030.5 client, OpenADR VEN, MQTT upstream), shared: each node registers the
 * PEM bundles it uses (tenant CA chain, client certificate…); they are inspected with @peculiar/x509
 * (src/runtime/cert-info.ts), warned about in the log and debug sidebar when they expire within
 * `gridbridgeCertWarnDays` (settings, default 30) — again every day until renewed — and shown in the node's dialog
 * through two admin endpoints (read permission): GET /gridbridge/certs/:id (subject, issuer, expiry, LFDI/SFDI,
 * warnings; never a key) and GET /gridbridge/cert-files (names and kinds in the managed certificate directory).
 * For alerting, GET /gridbridge/metrics has `gridbridge_certificate_not_after_seconds{node,certificate,subject}`
 * (Unix time of each certificate's end of validity).
 * Not a node type: a helper module the node files import.
 */
import { nodeRedMetrics } from '../src/runtime/metrics.js';
import { inspectPem, type BundleInfo } from '../src/runtime/cert-info.js';
import { listManagedFiles, managedCertDir, resolvePem } from '../src/runtime/pem-source.js';
import { adminRead, type Node, type NodeAPI } from './red.js';

export interface WatchedBundle {
  /** Key in the report (e.g. "ca", "device"). */
  key: string;
  /** Shown in the dialog and in warnings ("CA chain"). */
  label: string;
  pem: string | undefined;
  /** Compute the 2030.5 LFDI/SFDI of the first certificate. */
  identity?: boolean;
}

const DAY = 86_400_000;
const reports = new Map<string, Record<string, BundleInfo & { label: string }>>();
const nodeNames = new Map<string, string>();
const routed = new WeakSet<object>();

nodeRedMetrics.extend((registry, { Gauge }) => new Gauge({
  name: 'gridbridge_certificate_not_after_seconds',
  help: 'End of validity (Unix time) of each certificate an upstream node uses (CA chains included)',
  labelNames: ['node', 'certificate', 'subject'],
  registers: [registry],
  collect() {
    this.reset();
    for (const [id, r] of reports) {
      for (const b of Object.values(r)) {
        for (const c of b.certificates) this.set({ node: nodeNames.get(id) ?? id, certificate: b.label, subject: c.subject }, Date.parse(c.notAfter) / 1000);
      }
    }
  },
}));

/** PEM from a node credential (text or managed file name) with the node's runtime settings. */
export function credentialPem(RED: NodeAPI, value: string | undefined, what: string, key = false): string | undefined {
  return resolvePem(value, { dir: managedCertDir(RED.settings), what, key });
}

/**
 * Inspect the bundles now and every day; warnings go to node.warn. The report is served to the editor until the
 * node closes. Returns the warnings of the first inspection.
 */
export function watchCertificates(RED: NodeAPI, node: Node & { on(event: 'close', fn: (removed: boolean, done: () => void) => void): void }, bundles: () => WatchedBundle[]): string[] {
  registerCertRoutes(RED);
  const warnDays = Number(RED.settings?.gridbridgeCertWarnDays ?? 30);
  const check = (): string[] => {
    const report: Record<string, BundleInfo & { label: string }> = {};
    const warnings: string[] = [];
    let list: WatchedBundle[];
    try {
      list = bundles(); // read again: a renewed file in the certificate directory shows at the next check
    } catch (e) {
      node.warn(e instanceof Error ? e.message : String(e));
      return [];
    }
    for (const b of list) {
      if (!b.pem) continue;
      const info = inspectPem(b.pem, { what: b.label, warnDays: Number.isFinite(warnDays) ? warnDays : 30, ...(b.identity ? { identity: true } : {}) });
      report[b.key] = { label: b.label, ...info };
      warnings.push(...info.warnings);
    }
    reports.set(node.id, report);
    nodeNames.set(node.id, node.name || node.id);
    for (const w of warnings) node.warn(w);
    return warnings;
  };
  const first = check();
  const daily = setInterval(check, DAY);
  daily.unref();
  node.on('close', (_removed, done) => {
    clearInterval(daily);
    reports.delete(node.id);
    nodeNames.delete(node.id);
    done();
  });
  return first;
}

/** The admin endpoints, once per Node-RED runtime. */
export function registerCertRoutes(RED: NodeAPI): void {
  const admin = RED.httpAdmin;
  if (!admin || routed.has(admin)) return;
  routed.add(admin);
  admin.get('/gridbridge/certs/:id', ...adminRead(RED), (req, res) => {
    const r = reports.get(req.params.id ?? '');
    if (!r) return res.status(404).json({ error: 'not deployed, or no certificates' });
    res.json(r);
  });
  admin.get('/gridbridge/cert-files', ...adminRead(RED), (_req, res) => {
    const dir = managedCertDir(RED.settings);
    res.json({ dir: dir ?? null, files: listManagedFiles(dir) });
  });
}
