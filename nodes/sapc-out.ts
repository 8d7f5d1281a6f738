/**
 * gridbridge-sapc-out: the meter side of an SSP-1 port. msg.payload {level, for | validTo, source, slot, direction,
 * eventId, randomDelay, randomised, text} sends a command; {cancel: eventId, source} a cancel; {status: slot} a
 * status request. The answer (ACK/NAK/STA, attempts, elapsedMs) or the timeout goes out in msg.payload.
 */
import type { NodeAPI, NodeDef, NodeMessage } from './red.js';
import { statusFor } from './red.js';
import type { SapcPortNode } from './sapc-common.js';
import { errorMessage } from '../src/core/errors.js';
import { buildCommand, parseDuration, SOURCE_ALIASES } from '../src/protocols/sapc/client.js';
import type { RequestBody } from '../src/protocols/sapc/session.js';

interface Def extends NodeDef {
  port: string;
  source: string;
  slot: string;
}

type Payload = Record<string, unknown>;

function toRequest(p: Payload, d: Def, now: number): RequestBody | string {
  const source = SOURCE_ALIASES[String(p.source ?? d.source ?? 'lc').toLowerCase()];
  if (!source) return `unknown source "${String(p.source)}" (lc, sup, own, agg, emg)`;
  if (p.cancel !== undefined) return { type: 'CAN', eventId: String(p.cancel), source };
  if (p.status !== undefined) return typeof p.status === 'number' ? { type: 'STQ', slot: p.status } : { type: 'STQ' };
  if (typeof p.level !== 'number' || !Number.isInteger(p.level)) return 'payload.level must be an integer (0..100)';
  const to = typeof p.validTo === 'number' ? p.validTo : typeof p.validTo === 'string' ? Date.parse(p.validTo) : undefined;
  const forMs = typeof p.for === 'number' ? p.for * 1000 : typeof p.for === 'string' ? parseDuration(p.for) : to !== undefined ? to - now : undefined;
  if (forMs === undefined || !Number.isFinite(forMs)) return 'payload needs for (seconds or "15m") or validTo';
  return {
    type: 'CMD',
    command: buildCommand(
      {
        level: p.level,
        forMs,
        source,
        slot: typeof p.slot === 'number' ? p.slot : Number(d.slot) || 1,
        direction: p.direction === 'export' ? 'export' : 'import',
        randomDelayS: typeof p.randomDelay === 'number' ? p.randomDelay : 0,
        randomised: p.randomised === true,
        ...(typeof p.eventId === 'string' ? { eventId: p.eventId } : {}),
        ...(typeof p.text === 'string' ? { text: p.text } : {}),
      },
      now,
    ),
  };
}

export = function register(RED: NodeAPI): void {
  function SapcOutNode(this: SapcPortNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const port = RED.nodes.getNode(d.port) as SapcPortNode | null;
    if (!port?.sapc) {
      this.status({ fill: 'red', shape: 'ring', text: 'config error' });
      this.error('sapc out: no usable SAPC port configured');
      return;
    }
    const { session } = port.sapc;
    port.sapc.watch((s, text) => this.status(statusFor(s, text)));
    this.on('input', (msg: NodeMessage, send, done) => {
      const req = toRequest((msg.payload ?? {}) as Payload, d, session.clock.now());
      if (typeof req === 'string') return done(new Error(`sapc out: ${req}`));
      session.request(req).then(
        (r) => {
          this.status(r.type === 'NAK' ? { fill: 'yellow', shape: 'dot', text: `NAK ${r.reason}` } : { fill: 'green', shape: 'dot', text: `${r.type} in ${Math.round(r.elapsedMs)} ms` });
          send({ ...msg, payload: { ...r, request: req } });
          done();
        },
        (e: unknown) => {
          this.status({ fill: 'red', shape: 'ring', text: 'no answer' });
          done(new Error(`sapc out: ${errorMessage(e)}`));
        },
      );
    });
  }
  RED.nodes.registerType('gridbridge-sapc-out', SapcOutNode);
};
