/**
 * gridbridge-site (config): one pilot site from its mapping (a YAML file, or YAML edited in the dialog), run by the
 * same `Site` runtime as `gridbridge run` (src/runtime/site-host.ts): Modbus/field connections, fail-safe defaults,
 * the arbiter and the mapping's upstream adapters. site in / site control nodes expose it in flows. Mapping problems
 * are reported located (file:line: path: message) as node errors and on the status of every node using the site;
 * the dialog checks the YAML through POST /gridbridge/site/check.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { Node, NodeAPI, NodeDef } from './red.js';
import type { SiteConfigNode } from './site-shared.js';
import { errorMessage, formatProfileError } from '../src/core/errors.js';
import { loadMappingFile, loadMappingText, packageRoot, type MappingLoad } from '../src/runtime/validate.js';
import { createSite, type SiteHost } from '../src/runtime/site-host.js';
import { nodeRedMetrics } from '../src/runtime/metrics.js';
import { AuditLog, recordAudit } from '../src/runtime/audit-log.js';

interface Def extends NodeDef {
  source: string;
  file: string;
  yaml: string;
  mqttUrl: string;
  iec104Listen: string;
  stateDir: string;
}

/** A relative mapping path is looked up in the Node-RED user dir, then in this package (shipped mappings/). */
function resolveMappingPath(file: string, userDir: string | undefined): string {
  if (isAbsolute(file)) return file;
  for (const base of [userDir, packageRoot]) {
    if (base && existsSync(join(base, file))) return join(base, file);
  }
  return resolve(userDir ?? process.cwd(), file);
}

function loadFor(d: { source?: string; file?: string; yaml?: string; id?: string; name?: string }, userDir: string | undefined): MappingLoad {
  if (d.source === 'inline') {
    const file = join(userDir ?? process.cwd(), `site-${(d.name || d.id || 'inline').replace(/[^A-Za-z0-9_.-]/g, '_')}.yaml`);
    return loadMappingText(d.yaml ?? '', file);
  }
  if (!d.file) return { file: '(none)', profiles: new Map(), errors: [{ file: '(none)', path: 'file', message: 'no mapping file given' }] };
  return loadMappingFile(resolveMappingPath(d.file, userDir));
}

export = function register(RED: NodeAPI): void {
  const userDir = typeof RED.settings?.userDir === 'string' ? RED.settings.userDir : undefined;

  function SiteNode(this: SiteConfigNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const node = this;
    node.components = new Map();
    let host: SiteHost | undefined;
    let closed = false;
    let detachMetrics: (() => void) | undefined;
    const load = loadFor(d, userDir);
    if (!load.mapping) {
      node.problem = `mapping: ${load.errors.length} problem(s): ${load.errors.map(formatProfileError).join('\n')}`;
      node.error(node.problem);
      node.ready = Promise.resolve(undefined);
    } else {
      const stateDir = d.stateDir ? (isAbsolute(d.stateDir) ? d.stateDir : resolve(userDir ?? process.cwd(), d.stateDir)) : undefined;
      node.ready = createSite(load, {
        ...(d.mqttUrl ? { mqttUrl: d.mqttUrl } : {}),
        ...(d.iec104Listen ? { iec104Listen: d.iec104Listen } : {}),
        ...(stateDir ? { stateDir } : {}),
      }).then(
        (h) => {
          host = h;
          if (closed) {
            void h.stop();
            return undefined;
          }
          h.site.on('status', (s) => node.components.set(s.component, { state: s.state, ...(s.reason ? { reason: s.reason } : {}) }));
          h.site.on('warning', (w) => node.warn(w));
          // Operations: this site's connections, upstreams, store, points and decisions in /gridbridge/metrics and
          // /gridbridge/health (named "<site id>/…"), and its control decisions in the audit log of its state dir.
          detachMetrics = nodeRedMetrics.attachSite(h.site, `${h.site.id}/`);
          const auditDir = stateDir ?? (load.mapping!.site.stateDir ? resolve(dirname(resolve(load.file)), load.mapping!.site.stateDir) : undefined);
          if (auditDir) {
            try {
              recordAudit(h.site, new AuditLog(join(auditDir, 'audit.jsonl'), h.site.id), (m) => node.warn(m));
            } catch (e) {
              node.warn(`audit log: ${errorMessage(e)}`);
            }
          } else node.warn('no state directory (site node or mapping site.stateDir): control decisions are not kept in an audit log');
          // Start after the nodes using the site attached their listeners (they do on this same promise).
          setImmediate(() => {
            if (!closed) h.site.start().catch((e: unknown) => node.error(`site ${h.site.id}: start: ${errorMessage(e)}`));
          });
          return h.site;
        },
        (e: unknown) => {
          node.problem = `site: ${errorMessage(e)}`;
          node.error(node.problem);
          return undefined;
        },
      );
    }
    node.on('close', (_removed, done) => {
      closed = true;
      detachMetrics?.();
      (host ? host.stop() : Promise.resolve()).catch((e: unknown) => node.warn(`stop: ${errorMessage(e)}`)).finally(done);
    });
  }
  RED.nodes.registerType('gridbridge-site', SiteNode as unknown as (this: Node, def: NodeDef) => void);

  // The dialog's "check" button: validate YAML text (or a file) without deploying.
  const perm = RED.auth?.needsPermission('gridbridge-site.read') ?? ((_q: never, _r: never, next: () => void) => next());
  RED.httpAdmin?.post?.('/gridbridge/site/check', perm as never, (req, res) => {
    try {
      const b = (req.body ?? {}) as { source?: string; file?: string; yaml?: string; name?: string };
      const load = loadFor(b, userDir);
      res.json({
        file: load.file,
        errors: load.errors.map((e) => ({ line: e.line, column: e.column, path: e.path, message: e.message, text: formatProfileError(e) })),
        site: load.mapping?.site.id,
        devices: load.mapping?.devices.map((x) => x.id) ?? [],
        upstreams: Object.keys(load.mapping?.upstream ?? {}),
      });
    } catch (e) {
      res.status(400).json({ error: errorMessage(e) });
    }
  });
};
