/**
 * OpenADR upstream adapter (2.0b or 3.x VEN, through the stack's OpenadrVen facade) built from the `upstream.openadr`
 * block. Event signals bound by the block's `signals` become ControlIntents (always with validTo) submitted to the
 * arbiter; modifications, cancellations, opt-outs and events the VTN stops listing cancel exactly their intents.
 * Field points bound by `reports` feed the VEN's report samples (value and quality of the latest point).
 *
 * Secrets never go in the mapping: `tls` names PEM files (relative to the mapping file); the OpenADR 3 client secret
 * comes from the adapter options (Node-RED credentials) or the environment variable `oauth.clientSecretEnv`.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ControlIntent } from '../../core/control.js';
import { errorMessage } from '../../core/errors.js';
import type { Point } from '../../core/point.js';
import { OpenadrVen, type VenSecrets } from '../../protocols/openadr/factory.js';
import { openadrMappingSchema, type OpenadrMapping } from '../../protocols/openadr/mapping.js';
import type { LoggedInterval, ReportLog } from '../../protocols/openadr/reports.js';
import type { QueueEntry, StoreQueue } from '../../core/store/queue.js';
import type { AdapterFactory, UpstreamAdapter, UpstreamContext } from '../adapter.js';

export interface OpenadrAdapterOptions {
  /** OpenADR 3 OAuth2 client secret (default: the environment variable named by `oauth.clientSecretEnv`). */
  clientSecret?: string;
  /** PEM texts instead of the files named by the block's `tls`. */
  tls?: { cert?: string; key?: string; ca?: string };
}

/** PEM texts for the VEN: options first, else the block's files resolved against the mapping's directory. */
export function resolveOpenadrSecrets(m: OpenadrMapping, o: OpenadrAdapterOptions, baseDir: string): VenSecrets {
  const read = (what: string, f: string | undefined): string | undefined => {
    if (!f) return undefined;
    const path = isAbsolute(f) ? f : join(baseDir, f);
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`tls.${what} ${f}: ${errorMessage(e)}`);
    }
  };
  const cert = o.tls?.cert ?? read('cert', m.tls?.cert);
  const key = o.tls?.key ?? read('key', m.tls?.key);
  const ca = o.tls?.ca ?? read('ca', m.tls?.ca);
  const tls = { ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(ca ? { ca } : {}) };
  return { ...(o.clientSecret ? { clientSecret: o.clientSecret } : {}), ...(Object.keys(tls).length ? { tls } : {}) };
}

function inert(ctx: UpstreamContext, reason: string): UpstreamAdapter {
  return {
    name: 'openadr',
    start: () => {
      ctx.status('down', reason);
      ctx.warn(reason);
    },
    stop: () => Promise.resolve(),
    publishPoints: () => undefined,
  };
}

/**
 * The VEN's report log on a durable store queue: every sampled interval is one committed batch; the intervals handed
 * out are held per report key and acknowledged (removed from the store) when the VTN accepted a report carrying them.
 * Opening it hands out what an earlier run left, so those intervals are sent first, with their own times.
 */
export function storeReportLog(queue: StoreQueue<LoggedInterval>, warn: (m: string) => void): ReportLog & { restored: number } {
  const held = new Map<string, QueueEntry<LoggedInterval>[]>();
  const hold = (entries: QueueEntry<LoggedInterval>[]): void => {
    for (const e of entries) {
      const list = held.get(e.value.key) ?? [];
      list.push(e);
      held.set(e.value.key, list);
    }
  };
  const backlog = queue.take(Number.MAX_SAFE_INTEGER);
  hold(backlog);
  return {
    restored: backlog.length,
    add(iv) {
      try {
        queue.append([iv]);
        hold(queue.take(1));
      } catch (e) {
        warn(`store: report interval of ${new Date(iv.time).toISOString()} not stored: ${errorMessage(e)}`);
      }
    },
    pending(key, max) {
      return (held.get(key) ?? []).slice(0, max).map((e) => ({ handle: e, interval: e.value }));
    },
    confirm(handles) {
      const done = new Set(handles);
      for (const h of handles) queue.ack(h as QueueEntry<LoggedInterval>);
      for (const [k, list] of held) held.set(k, list.filter((e) => !done.has(e)));
    },
  };
}

export const createOpenadrAdapter: AdapterFactory = (block, ctx: UpstreamContext, opts) => {
  const o = opts as OpenadrAdapterOptions;
  const m = openadrMappingSchema.parse(block);
  let ven: OpenadrVen;
  const log = storeReportLog(ctx.storeQueue<LoggedInterval>(), (msg) => ctx.warn(msg));
  try {
    // Secrets are passed as texts so the VEN never reads the block's (mapping-relative) paths from the cwd.
    ven = new OpenadrVen({ ...m, tls: undefined }, ctx.clock, { ...resolveOpenadrSecrets(m, o, ctx.baseDir), baseDir: ctx.baseDir }, log);
  } catch (e) {
    return inert(ctx, `not started: ${errorMessage(e)}`);
  }

  /** Submitted intents by id (for the source on cancel); pruned once over. */
  const submitted = new Map<string, ControlIntent>();
  const prune = (): void => {
    const now = ctx.clock.now();
    for (const [id, i] of submitted) if (i.validTo <= now) submitted.delete(id);
  };
  const reported = new Set(m.reports.map((r) => `${r.device}\u0000${r.point}`));
  let lastError = '';

  ven.on('state', (s) => ctx.status(s.state === 'idle' ? 'down' : s.state, s.reason));
  ven.on('error', (e) => {
    if (e.message !== lastError) ctx.warn(e.message);
    lastError = e.message;
  });
  ven.on('deviation', (d) => ctx.warn(`VTN deviation: ${d}`));
  ven.on('control', (intent) => {
    try {
      if (submitted.size > 1000) prune();
      submitted.set(intent.id, intent);
      const r = ctx.submit(intent);
      if (r.outcome === 'rejected') ctx.warn(`control ${intent.id} → ${intent.target.device}/${intent.target.name} rejected: ${r.reason ?? 'no reason'}`);
    } catch (e) {
      ctx.warn(`control ${intent.id}: ${errorMessage(e)}`);
    }
  });
  ven.on('cancel', (c) => {
    try {
      const i = submitted.get(c.id);
      submitted.delete(c.id);
      ctx.cancel(c.id, i?.source);
    } catch (e) {
      ctx.warn(`cancel ${c.id}: ${errorMessage(e)}`);
    }
  });

  return {
    name: 'openadr',
    start: async () => {
      ctx.status('connecting', m.vtnUrl);
      if (log.restored) ctx.warn(`store: ${log.restored} report interval(s) from before the restart kept for the VTN`);
      await ven.start();
    },
    stop: () => ven.stop(),
    publishPoints: (points: readonly Point[]) => {
      for (const p of points) {
        if (!reported.has(`${p.device}\u0000${p.name}`)) continue;
        try {
          ven.update(p);
        } catch (e) {
          ctx.warn(`${p.device}/${p.name}: ${errorMessage(e)}`);
        }
      }
    },
  };
};
