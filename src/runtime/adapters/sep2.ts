/**
 * IEEE 2030.5 (CSIP) upstream adapter: a Sep2Client built from the `upstream.sep2` block. The client's scheduler turns
 * active DERControls (and DefaultDERControls) into ControlIntents; this adapter submits every new or changed intent to
 * the arbiter and cancels the ones the scheduler dropped before their end (cancelled, superseded, withdrawn). Field
 * points named by the block feed the MirrorUsagePoints (`telemetry`) and DERStatus (`stateOfCharge`).
 *
 * Telemetry samples go through the site's durable store (src/core/store) before the client's interval buffer: a
 * sample is removed from the store once superseded within its interval (the interval reports its latest sample) or
 * once a MirrorMeterReading post of its point succeeded after its interval closed; after a restart the stored
 * samples are fed to the client again, in order, before live ones, so intervals not yet posted are posted.
 *
 * TLS material (device certificate, key, CA chain) never goes in the mapping: it comes from the adapter options
 * (`{ tls: { cert, key, ca } }` PEM texts, e.g. Node-RED credentials) or from the environment variables
 * GRIDBRIDGE_SEP2_CERT / GRIDBRIDGE_SEP2_KEY / GRIDBRIDGE_SEP2_CA naming PEM files (relative to the working directory,
 * as paths in the environment usually are).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ControlIntent } from '../../core/control.js';
import { errorMessage } from '../../core/errors.js';
import type { Point } from '../../core/point.js';
import { convertUnit, unitsCompatible } from '../../core/units.js';
import { Sep2Client, Sep2MappingSchema, clientOptionsFromMapping, type ClientState, type Sep2Mapping } from '../../protocols/sep2/index.js';
import type { QueueEntry } from '../../core/store/index.js';
import type { AdapterFactory, UpstreamAdapter, UpstreamContext } from '../adapter.js';

/** A stored telemetry sample: point key (`device/name`), value in the block's unit, local epoch ms. */
interface Sample {
  k: string;
  v: number;
  t: number;
}

/** MirrorMeterReading batches the client posts at most (a shorter one means everything closed was posted). */
const MMR_BATCH = 120;

export interface Sep2AdapterOptions {
  /** PEM texts; each wins over its environment variable. */
  tls?: { cert?: string; key?: string; ca?: string };
  /** Environment to read GRIDBRIDGE_SEP2_* from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Client tuning (tests and rehearsals): floor of poll/post rates, HTTP timeout, attempts, backoff. */
  minPollSeconds?: number;
  timeoutMs?: number;
  attempts?: number;
  backoffMs?: number;
  random?: () => number;
}

export const SEP2_TLS_ENV = { cert: 'GRIDBRIDGE_SEP2_CERT', key: 'GRIDBRIDGE_SEP2_KEY', ca: 'GRIDBRIDGE_SEP2_CA' } as const;

/** Device certificate, key and CA chain from the options, else from the files the environment names. */
export function resolveSep2Tls(o: Sep2AdapterOptions): { cert: string; key: string; ca: string } {
  const env = o.env ?? process.env;
  const get = (k: keyof typeof SEP2_TLS_ENV): string => {
    const pem = o.tls?.[k];
    if (pem) return pem;
    const file = env[SEP2_TLS_ENV[k]];
    if (!file) throw new Error(`no TLS ${k}: set ${SEP2_TLS_ENV[k]} to a PEM file (or give it in the adapter credentials)`);
    try {
      return readFileSync(resolve(file), 'utf8');
    } catch (e) {
      throw new Error(`${SEP2_TLS_ENV[k]}=${file}: ${errorMessage(e)}`);
    }
  };
  return { cert: get('cert'), key: get('key'), ca: get('ca') };
}

/** What identifies an intent version: a change of any of these is re-submitted. */
const fingerprint = (i: ControlIntent): string => JSON.stringify([i.target.device, i.target.name, i.value, i.cap, i.validFrom, i.validTo, i.priority, i.sourceClass, i.source]);

/** Keeps the arbiter in step with the scheduler's intent set: submit new/changed, cancel dropped (still running) ones. */
export class IntentSync {
  private readonly known = new Map<string, { intent: ControlIntent; fp: string }>();

  constructor(private readonly ctx: Pick<UpstreamContext, 'submit' | 'cancel' | 'warn' | 'clock'>) {}

  apply(intents: readonly ControlIntent[]): void {
    const next = new Set<string>();
    for (const i of intents) {
      next.add(i.id);
      const fp = fingerprint(i);
      if (this.known.get(i.id)?.fp === fp) continue;
      this.known.set(i.id, { intent: i, fp });
      const r = this.ctx.submit(i);
      if (r.outcome === 'rejected') this.ctx.warn(`control ${i.id} → ${i.target.device}/${i.target.name} rejected: ${r.reason ?? 'no reason'}`);
    }
    const now = this.ctx.clock.now();
    for (const [id, k] of [...this.known]) {
      if (next.has(id)) continue;
      this.known.delete(id);
      // Over: the arbiter expires it by itself. Still running or ahead: the server cancelled or superseded it.
      if (k.intent.validTo > now) this.ctx.cancel(id, k.intent.source);
    }
  }

  get size(): number {
    return this.known.size;
  }
}

/** Unit the client expects per quantity (readings are scaled from it by the ReadingType's power of ten). */
const QUANTITY_UNIT: Record<Sep2Mapping['telemetry'][number]['quantity'], string> = {
  realPower: 'W',
  reactivePower: 'var',
  frequency: 'Hz',
  voltage: 'V',
  current: 'A',
  stateOfCharge: '%',
};

/** `device/name` → unit the value must be in, for every point the block reads. */
export function blockTelemetryUnits(m: Sep2Mapping): Map<string, string> {
  const units = new Map(m.telemetry.map((t) => [`${t.device}/${t.name}`, QUANTITY_UNIT[t.quantity]]));
  if (m.stateOfCharge) units.set(`${m.stateOfCharge.device}/${m.stateOfCharge.name}`, '%');
  return units;
}

function inert(ctx: UpstreamContext, reason: string): UpstreamAdapter {
  return {
    name: 'sep2',
    start: () => {
      ctx.status('down', reason);
      ctx.warn(reason);
    },
    stop: () => Promise.resolve(),
    publishPoints: () => undefined,
  };
}

export const createSep2Adapter: AdapterFactory = (block, ctx: UpstreamContext, opts) => {
  const o = opts as Sep2AdapterOptions;
  const m = Sep2MappingSchema.parse(block);
  let client: Sep2Client;
  try {
    const tls = resolveSep2Tls(o);
    client = new Sep2Client({
      ...clientOptionsFromMapping(m),
      clock: ctx.clock,
      ...tls,
      ...(o.minPollSeconds !== undefined ? { minPollSeconds: o.minPollSeconds } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.attempts !== undefined ? { attempts: o.attempts } : {}),
      ...(o.backoffMs !== undefined ? { backoffMs: o.backoffMs } : {}),
      ...(o.random ? { random: o.random } : {}),
    });
  } catch (e) {
    return inert(ctx, `not started: ${errorMessage(e)}`);
  }

  const sync = new IntentSync(ctx);
  const queue = ctx.storeQueue<Sample>();
  const intervalMs = m.intervalSeconds * 1000;
  const intervalOf = (t: number): number => Math.floor((t + client.scheduler.serverOffsetMs) / intervalMs);
  /** Samples handed to the client and not yet confirmed, per point, oldest first. */
  const held = new Map<string, QueueEntry<Sample>[]>();
  const hold = (entries: QueueEntry<Sample>[]): void => {
    for (const e of entries) {
      const list = held.get(e.value.k) ?? [];
      const prev = list.at(-1);
      // The interval reports its latest sample: an earlier one of the same interval is done with.
      if (prev && intervalOf(prev.value.t) === intervalOf(e.value.t)) queue.ack(list.pop()!);
      list.push(e);
      held.set(e.value.k, list);
      client.record(e.value.k, e.value.v, e.value.t);
    }
  };
  client.on('post', (p: { resource: string; key?: string; status: number; readings?: number }) => {
    if (p.resource !== 'MirrorMeterReading' || p.key === undefined || p.status >= 300 || (p.readings ?? 0) >= MMR_BATCH) return;
    // Everything of this point whose interval had closed when the post started is on the server.
    const list = held.get(p.key);
    if (!list) return;
    const closedBefore = intervalOf(ctx.clock.now()) - 1;
    let n = 0;
    while (n < list.length && intervalOf(list[n]!.value.t) < closedBefore) queue.ack(list[n++]!);
    list.splice(0, n);
  });
  const wanted = blockTelemetryUnits(m);
  /** Keys whose last point was unusable (warned once until a good value comes back). */
  const bad = new Set<string>();
  let lastProblem = '';

  client.on('state', (s: { state: ClientState; reason?: string }) => {
    if (s.state === 'up') lastProblem = ''; // a problem that comes back after recovery is reported again
    ctx.status(s.state, s.reason);
  });
  client.on('problem', (p: { step: string; message: string }) => {
    const msg = `${p.step}: ${p.message}`;
    if (msg !== lastProblem) ctx.warn(msg);
    lastProblem = msg;
  });
  // Decisions the standard leaves open (tie-breaks, CSIP-AUS detection, refused modes) go to the log.
  client.on('log', (l: { step: string; message: string }) => ctx.warn(`${l.step}: ${l.message}`));
  client.on('controls', (c: { intents: ControlIntent[] }) => {
    try {
      sync.apply(c.intents);
    } catch (e) {
      ctx.warn(`controls: ${errorMessage(e)}`);
    }
  });

  const sample = (p: Point): Sample | undefined => {
    const key = `${p.device}/${p.name}`;
    const unit = wanted.get(key);
    if (unit === undefined) return;
    let v = typeof p.value === 'number' ? p.value : typeof p.value === 'boolean' ? (p.value ? 1 : 0) : undefined;
    let problem: string | undefined;
    if (p.quality.code !== 'good' || v === undefined || !Number.isFinite(v)) {
      // 2030.5 readings carry no quality here: an unusable value is left out (the interval keeps its last good one).
      problem = `${p.quality.code}${p.quality.reason ? ` (${p.quality.reason})` : ''}`;
    } else if (p.unit && p.unit !== unit) {
      if (unitsCompatible(p.unit, unit)) v = convertUnit(v, p.unit, unit);
      else problem = `unit ${p.unit} cannot be reported as ${unit}`;
    }
    if (problem !== undefined || v === undefined) {
      if (!bad.has(key)) ctx.warn(`${key}: ${problem ?? 'no value'}, not reported`);
      bad.add(key);
      return;
    }
    bad.delete(key);
    return { k: key, v, t: p.sourceTime ?? p.receiveTime };
  };

  return {
    name: 'sep2',
    start: () => {
      ctx.status('connecting', m.server);
      // Samples stored before a restart (or a crash) first, in order.
      const backlog = queue.take(Number.MAX_SAFE_INTEGER);
      if (backlog.length) ctx.warn(`store: ${backlog.length} telemetry sample(s) from before the restart fed to the client again`);
      hold(backlog);
      client.start();
    },
    stop: () => {
      client.stop();
      return Promise.resolve();
    },
    publishPoints: (points) => {
      const batch: Sample[] = [];
      for (const p of points) {
        try {
          const s = sample(p);
          if (s) batch.push(s);
        } catch (e) {
          ctx.warn(`${p.device}/${p.name}: ${errorMessage(e)}`);
        }
      }
      if (!batch.length) return;
      try {
        queue.append(batch);
        hold(queue.take(batch.length));
      } catch (e) {
        ctx.warn(`store: ${batch.length} telemetry sample(s) not stored: ${errorMessage(e)}`);
        for (const s of batch) client.record(s.k, s.v, s.t);
      }
    },
  };
};
