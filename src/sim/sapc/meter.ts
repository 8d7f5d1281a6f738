/**
 * Smart-meter SAPC port simulator: the sending end of an SSP-1 line. Sends heartbeats, plays a script of
 * overrides / cancels / status requests / raw noise, and records every answer (ACK, NAK, STA, timeout).
 */
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { SapcSession, SapcTimeoutError, type Reply, type RequestBody } from '../../protocols/sapc/session.js';
import { ActiveCommands, buildCommand, parseDuration, SOURCE_ALIASES } from '../../protocols/sapc/client.js';
import type { SapcFrame, SapcSource } from '../../protocols/sapc/frame.js';

const duration = z.union([z.number().nonnegative().transform((s) => s * 1000), z.string().transform((s, ctx) => parseDuration(s) ?? (ctx.addIssue({ code: 'custom', message: `bad duration "${s}"` }), 0))]);
const source = z.string().transform((s, ctx) => SOURCE_ALIASES[s.toLowerCase()] ?? (ctx.addIssue({ code: 'custom', message: `unknown source "${s}" (lc, sup, own, agg, emg)` }), 'load_controller' as SapcSource));

export const meterStepSchema = z
  .object({
    /** Offset from the script start: seconds, or a duration like "90s". */
    at: duration,
    command: z
      .object({
        level: z.number().int(),
        for: duration,
        slot: z.number().int().min(1).max(15).default(1),
        direction: z.enum(['import', 'export']).default('import'),
        source: source.default('load_controller'),
        eventId: z.string().optional(),
        /** Start offset from the step time (duration); absent = now. */
        startIn: duration.optional(),
        randomDelay: z.number().int().min(0).default(0),
        randomised: z.boolean().default(false),
        text: z.string().optional(),
      })
      .strict()
      .optional(),
    cancel: z.object({ eventId: z.string(), source: source.default('load_controller'), slot: z.number().int().optional() }).strict().optional(),
    status: z.object({ slot: z.number().int().optional() }).strict().optional(),
    /** Bytes written as-is (noise, hand-made frames). */
    raw: z.string().optional(),
  })
  .strict()
  .refine((s) => [s.command, s.cancel, s.status, s.raw].filter((x) => x !== undefined).length === 1, { message: 'each step needs exactly one of command, cancel, status, raw' });

export const meterScriptSchema = z.object({ steps: z.array(meterStepSchema) }).strict();
export type MeterStep = z.output<typeof meterStepSchema>;
export type MeterScript = z.output<typeof meterScriptSchema>;

export interface MeterRecord {
  at: number;
  step: number;
  request?: SapcFrame['type'] | 'RAW';
  reply?: Reply;
  error?: string;
}

export interface MeterSimEvents {
  record: [MeterRecord];
  done: [MeterRecord[]];
  /** The appliance restarted (its HB `up` went backwards); `resent` commands still in force go out again. */
  restart: [{ uptimeS: number | undefined; resent: string[] }];
}

export class SapcMeterSim extends EventEmitter<MeterSimEvents> {
  readonly records: MeterRecord[] = [];
  private timers: TimerHandle[] = [];
  private pending = 0;
  private scheduled = 0;
  /** Commands acknowledged and still in force, resent when the appliance restarts (SSP-1 §4.2). */
  readonly active: ActiveCommands;

  constructor(
    readonly session: SapcSession,
    private readonly clock: Clock,
    private readonly writeRaw: (text: string) => void,
  ) {
    super();
    this.active = new ActiveCommands(() => clock.now());
    session.on('heartbeat', (hb) => {
      if (!this.active.restarted(hb)) return;
      const again = this.active.list();
      this.emit('restart', { uptimeS: hb.uptimeS, resent: again.map((c) => c.eventId) });
      for (const command of again) void this.send({ type: 'CMD', command });
    });
  }

  /** Schedule every step of the script relative to now; emits `done` when all have answered or failed. */
  play(script: MeterScript): void {
    this.scheduled += script.steps.length;
    script.steps.forEach((step, i) => {
      this.timers.push(this.clock.setTimeout(() => void this.run(step, i), step.at));
    });
    if (script.steps.length === 0) this.emit('done', this.records);
  }

  /** Send one request now and record the answer. */
  async send(body: RequestBody, step = -1): Promise<MeterRecord> {
    this.pending++;
    const rec: MeterRecord = { at: this.clock.now(), step, request: body.type };
    try {
      rec.reply = await this.session.request(body);
      if (rec.reply.type === 'ACK' && body.type === 'CMD') this.active.acked(body.command);
      if (rec.reply.type === 'ACK' && body.type === 'CAN') this.active.cancelled(body.eventId, body.source);
    } catch (e) {
      rec.error = e instanceof SapcTimeoutError ? `timeout after ${e.attempts} attempts` : errorMessage(e);
    }
    this.pending--;
    this.push(rec);
    return rec;
  }

  stop(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers = [];
    this.session.close();
  }

  private async run(step: MeterStep, i: number): Promise<void> {
    const now = this.clock.now();
    if (step.raw !== undefined) {
      this.writeRaw(step.raw);
      this.push({ at: now, step: i, request: 'RAW' });
    } else if (step.command) {
      const c = step.command;
      const command = buildCommand(
        {
          level: c.level,
          forMs: c.for,
          slot: c.slot,
          direction: c.direction,
          source: c.source,
          randomDelayS: c.randomDelay,
          randomised: c.randomised,
          ...(c.startIn !== undefined ? { from: now + c.startIn } : {}),
          ...(c.eventId !== undefined ? { eventId: c.eventId } : {}),
          ...(c.text !== undefined ? { text: c.text } : {}),
        },
        now,
      );
      await this.send({ type: 'CMD', command }, i);
    } else if (step.cancel) {
      await this.send({ type: 'CAN', eventId: step.cancel.eventId, source: step.cancel.source, ...(step.cancel.slot !== undefined ? { slot: step.cancel.slot } : {}) }, i);
    } else if (step.status) {
      await this.send({ type: 'STQ', ...(step.status.slot !== undefined ? { slot: step.status.slot } : {}) }, i);
    }
  }

  private push(rec: MeterRecord): void {
    this.records.push(rec);
    this.emit('record', rec);
    if (rec.step >= 0 && --this.scheduled === 0 && this.pending === 0) this.emit('done', this.records);
  }
}
