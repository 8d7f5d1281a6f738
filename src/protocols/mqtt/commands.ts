/**
 * Commands from `<point topic>/set`: parse and check the payload, refuse retained (stale) commands, turn it into a
 * control intent with an expiry, call the runtime's handler with a timeout, and answer on `<point topic>/result`.
 * Every path ends in an answer; nothing here throws to the MQTT client.
 */
import type { Clock } from '../../core/clock.js';
import type { ControlIntent, ControlTarget } from '../../core/control.js';
import { errorMessage } from '../../core/errors.js';
import type { PointValue } from '../../core/point.js';
import { CommandError, encodeCommandResult, parseCommandPayload } from './codec.js';
import type { MqttCommandSettings } from './mapping.js';

/** A command from `…/set`, as a control intent (always with validTo) plus where it came from. */
export interface MqttCommand extends ControlIntent {
  value: PointValue;
  topic: string;
}

export interface CommandOutcome {
  ok: boolean;
  reason?: string;
  /** The value actually applied (e.g. clipped), when known. */
  value?: PointValue;
}

/** Provided by the runtime: validates against the profile, writes, and says what happened. */
export type CommandHandler = (cmd: MqttCommand) => Promise<CommandOutcome>;

export type CommandAnswer = CommandOutcome & { id?: string | undefined; topic: string };

export interface CommandDispatcherDeps {
  clock: Clock;
  settings: MqttCommandSettings;
  /** Point topic (without `/set`) → target, or undefined for an unknown point. */
  resolve: (pointTopic: string) => ControlTarget | undefined;
  /** The point topic template, for error messages. */
  template: string;
  /** Send an answer payload to a result topic. */
  send: (resultTopic: string, payload: string) => void;
  /** Every command (undefined when it could not be parsed) and its answer, for the audit log. */
  audit: (cmd: MqttCommand | undefined, answer: CommandAnswer) => void;
  warn: (message: string) => void;
}

export const MAX_PENDING_COMMANDS = 32;
const RECENT_COMMAND_IDS = 256;

export class CommandDispatcher {
  handler: CommandHandler | undefined;
  received = 0;
  rejected = 0;
  private pending = 0;
  private seq = 0;
  private readonly recent = new Map<string, Promise<CommandOutcome>>();

  constructor(private readonly deps: CommandDispatcherDeps) {}

  /** Handle one message on `…/set`. `retained` is the RETAIN flag as delivered by the broker. */
  async handle(topic: string, payload: Uint8Array, retained: boolean): Promise<void> {
    const { settings, clock } = this.deps;
    const pointTopic = topic.slice(0, -'/set'.length);
    const answer = (o: CommandOutcome & { id?: string | undefined }, cmd?: MqttCommand): void => {
      if (!o.ok) this.rejected++;
      this.deps.audit(cmd, { ...o, topic });
      this.deps.send(`${pointTopic}/result`, encodeCommandResult(o, clock.now()));
    };
    this.received++;
    let parsed;
    try {
      parsed = parseCommandPayload(payload);
    } catch (e) {
      answer({ ok: false, reason: `malformed command: ${e instanceof CommandError ? e.message : errorMessage(e)}` });
      return;
    }
    const id = parsed.id;
    if (retained) {
      answer({ id, ok: false, reason: 'retained command refused: a stored command is stale by nature; publish commands with retain=false' });
      return;
    }
    const target = this.deps.resolve(pointTopic);
    if (!target) {
      answer({ id, ok: false, reason: `unknown point: topic "${pointTopic}" does not match template "${this.deps.template}"` });
      return;
    }
    const validForMs = parsed.validForMs ?? settings.validForMs;
    if (validForMs > settings.maxValidForMs) {
      answer({ id, ok: false, reason: `validFor ${validForMs / 1000} s exceeds the maximum of ${settings.maxValidForMs / 1000} s` });
      return;
    }
    if (id !== undefined) {
      const prior = this.recent.get(id);
      if (prior) {
        const o = await prior;
        answer({ ...o, id, reason: o.reason ?? 'duplicate id: this is the result of the earlier command, not run again' });
        return;
      }
    }
    if (!this.handler) {
      answer({ id, ok: false, reason: 'commands are not handled by this gateway (no command handler)' });
      return;
    }
    if (this.pending >= MAX_PENDING_COMMANDS) {
      answer({ id, ok: false, reason: `busy: ${MAX_PENDING_COMMANDS} commands already pending` });
      return;
    }
    const now = clock.now();
    const cmd: MqttCommand = {
      id: id ?? `mqtt-${now}-${++this.seq}`,
      source: `mqtt:${topic}`,
      sourceClass: settings.sourceClass,
      target,
      value: parsed.value,
      validFrom: now,
      validTo: now + validForMs,
      topic,
    };
    const outcome = this.run(this.handler, cmd);
    if (id !== undefined) {
      this.recent.set(id, outcome);
      if (this.recent.size > RECENT_COMMAND_IDS) this.recent.delete(this.recent.keys().next().value!);
    }
    answer({ id: cmd.id, ...(await outcome) }, cmd);
  }

  private run(handler: CommandHandler, cmd: MqttCommand): Promise<CommandOutcome> {
    const { clock, settings, warn } = this.deps;
    this.pending++;
    return new Promise<CommandOutcome>((res) => {
      let done = false;
      const finish = (o: CommandOutcome): void => {
        if (done) return;
        done = true;
        this.pending--;
        clock.clearTimeout(timer);
        res(o);
      };
      const timer = clock.setTimeout(() => finish({ ok: false, reason: `no result within ${settings.timeoutMs} ms` }), settings.timeoutMs);
      let p: Promise<CommandOutcome>;
      try {
        p = Promise.resolve(handler(cmd));
      } catch (e) {
        p = Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
      p.then(
        (o) => {
          if (done) warn(`command ${cmd.id} on ${cmd.topic} finished after its timeout: ${o.ok ? 'ok' : (o.reason ?? 'failed')}`);
          finish(normaliseOutcome(o));
        },
        (e: unknown) => {
          if (done) warn(`command ${cmd.id} on ${cmd.topic} failed after its timeout: ${errorMessage(e)}`);
          finish({ ok: false, reason: errorMessage(e) });
        },
      );
    });
  }
}

function normaliseOutcome(o: unknown): CommandOutcome {
  if (typeof o !== 'object' || o === null || typeof (o as CommandOutcome).ok !== 'boolean') {
    return { ok: false, reason: 'command handler returned no {ok} result' };
  }
  const c = o as CommandOutcome;
  const r: CommandOutcome = { ok: c.ok };
  if (typeof c.reason === 'string') r.reason = c.reason;
  if (typeof c.value === 'number' || typeof c.value === 'boolean' || typeof c.value === 'string') r.value = c.value;
  return r;
}
