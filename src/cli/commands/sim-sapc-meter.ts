/** `gridbridge sim sapc-meter --device DEV [--script S] [--baud B]`: act as a smart meter's SAPC port. */
import { emit, readCheckedFile, untilSignal, warn, parseCommandLine } from '../jsonl.js';
import { errorMessage } from '../../core/errors.js';
import { systemClock } from '../../core/clock.js';
import { SerialTransport } from '../../protocols/sapc/transport.js';
import { SapcSession } from '../../protocols/sapc/session.js';
import { PlanCollector } from '../../protocols/sapc/plan.js';
import { meterScriptSchema, SapcMeterSim, type MeterScript } from '../../sim/sapc/meter.js';

export const summary = 'simulate a smart meter SAPC port (SSP-1): heartbeats, scripted overrides, ACK/NAK log';

const USAGE = `usage: gridbridge sim sapc-meter --device DEV [--script S] [--baud B] [--exit]
  --device DEV   serial port (or a socat pty)
  --script S     YAML/JSON script: steps: [{ at: 0, command: { level: 50, for: 10m, source: lc } }, …]
                 step kinds: command, cancel {eventId, source}, status {slot}, raw "bytes"
  --baud B       baud rate (default 9600, 8N1)
  --heartbeat S  heartbeat period in seconds (default 60)
  --echo         the adapter echoes what it sends (2-wire RS-485): ignore our own frames
  --exit         exit when the script has finished (exit 1 if any NAK or timeout)`;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      device: { type: 'string' },
      script: { type: 'string' },
      baud: { type: 'string', default: '9600' },
      heartbeat: { type: 'string', default: '60' },
      exit: { type: 'boolean', default: false },
      echo: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (typeof cli === 'number') return cli;
  const v = cli.values;
  if (!v.device) {
    warn(`--device is required\n${USAGE}`);
    return 2;
  }
  let script: MeterScript = { steps: [] };
  if (v.script) {
    const read = readCheckedFile(v.script, meterScriptSchema);
    if (!read) return 2;
    script = read;
  }
  const transport = new SerialTransport({ path: v.device, baudRate: Number(v.baud) });
  transport.on('state', (state, reason) => emit('port', { state, ...(reason ? { reason } : {}) }));
  try {
    await transport.open();
  } catch (e) {
    warn(`sim sapc-meter: cannot open ${v.device}: ${errorMessage(e)}`);
    return 2;
  }
  const session = new SapcSession({ write: (t) => transport.write(t), heartbeatMs: Number(v.heartbeat) * 1000, baudRate: Number(v.baud), echo: v.echo ?? false });
  transport.on('data', (b) => session.receive(b));
  session.on('sent', (t) => emit('sent', { frame: t.trimEnd() }));
  session.on('heartbeat', (hb) => emit('heartbeat', { seq: hb.seq, uptimeS: hb.uptimeS }));
  session.on('rxError', (e) => emit('rx_error', { reason: e.reason, offset: e.offset }));
  session.on('link', (l) => emit('link', { state: l }));
  // Plans from the appliance (PLN, SSP-1 1.1) are acknowledged and printed once complete.
  const plans = new PlanCollector((p) => emit('plan', { slot: p.slot, direction: p.direction, eventId: p.eventId, from: new Date(p.validFrom).toISOString(), to: new Date(p.validTo).toISOString(), steps: p.steps, ...(p.ratedW !== undefined ? { ratedW: p.ratedW } : {}) }));
  session.setHandler({ onPlan: plans.onPlan });
  const sim = new SapcMeterSim(session, systemClock, (t) => transport.write(t));
  sim.on('restart', (r) => emit('appliance_restart', { uptimeS: r.uptimeS, resent: r.resent }));
  let failures = 0;
  sim.on('record', (r) => {
    if (r.error || r.reply?.type === 'NAK') failures++;
    if (r.reply) {
      const { attempts, elapsedMs, ...frame } = r.reply;
      emit('answer', { step: r.step, request: r.request, ...frame, attempts, elapsedMs: Math.round(elapsedMs) });
    } else if (r.error) emit('timeout', { step: r.step, request: r.request, message: r.error });
  });
  emit('start', { device: v.device, baud: Number(v.baud), steps: script.steps.length });
  const finished = new Promise<'done'>((resolve) => sim.once('done', () => resolve('done')));
  sim.play(script);
  // Protocol timers are unref'd; keep the process up while the port reconnects.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const why = await Promise.race([untilSignal(), ...(v.exit ? [finished] : [])]);
  clearInterval(keepAlive);
  emit('stop', { reason: why, stats: session.stats });
  sim.stop();
  await transport.close();
  return v.exit && failures ? 1 : 0;
}
