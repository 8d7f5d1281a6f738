/**
 * `gridbridge sim sapc-appliance --device DEV`: the appliance end of an SSP-1 line (an EV charger or battery behind
 * a SAPC), the counterpart of `gridbridge sapc send` and `sim sapc-meter`. Applies accepted levels through its own
 * arbiter after a control-loop delay; optionally serves its measured power on Modbus TCP as a meter would, so a rig
 * can judge compliance from the measurement side.
 */
import { z } from 'zod';
import { errorMessage } from '../../core/errors.js';
import { systemClock } from '../../core/clock.js';
import { emit, readCheckedFile, untilSignal, warn, parseCommandLine, portFlag } from '../jsonl.js';
import { SerialTransport } from '../../protocols/sapc/transport.js';
import { newEventId, parseDuration, SOURCE_ALIASES } from '../../protocols/sapc/client.js';
import type { AppliancePlan } from '../../protocols/sapc/plan.js';
import type { SlotConfig } from '../../protocols/sapc/receiver.js';
import { SapcApplianceSim } from '../../sim/sapc/appliance.js';
import { loadProfile } from '../../sim/modbus/profile-file.js';
import { ModbusSimulator } from '../../sim/modbus/server.js';

export const summary = 'simulate a SAPC appliance (SSP-1 appliance end): ACK/NAK, arbitration, applied levels, metered power';

const USAGE = `usage: gridbridge sim sapc-appliance --device DEV [options]
  --device DEV          serial port (or a socat pty), or tcp://HOST:PORT for a serial device server
  --baud B              baud rate (default 9600, 8N1)
  --slot SPEC           slot:direction[:device] (repeatable; default 1:import:ev1); one device per slot
  --sources LIST        accepted sources, comma separated: lc,sup,own,agg (default all; EMG always accepted)
  --default L           level when no command is active (default 100)
  --rated-w W           power at level 100 per device (default 7400)
  --apply-delay MS      control loop: effective change → device applied (default 100)
  --heartbeat S         heartbeat period in seconds (default 60; the link is down after 3 silent periods)
  --echo                the adapter echoes what it sends (2-wire RS-485): ignore our own frames
  --modbus-tcp PORT     serve the measured power on Modbus TCP (0 = any free port; printed in "modbus")
  --modbus-host H       bind address (default 127.0.0.1)
  --meter-profile P     profile of that meter (default eastron-sdm630; point W = total power of all devices)
  --plan FILE           send this plan to the meter (PLN, SSP-1 1.1) at start and whenever the link comes back:
                        YAML/JSON { slot: 1, direction: import, for: 48h, steps: [{ at: 0, level: 100 }, { at: 2h, level: 40 }] }
Prints JSON lines: start, port, link, heartbeat, decision, applied, plan_sent, rx_error, stop. Stops on SIGINT/SIGTERM.`;

const duration = z.union([z.number().nonnegative().transform((n) => n * 1000), z.string().transform((t, ctx) => parseDuration(t) ?? (ctx.addIssue({ code: 'custom', message: `bad duration "${t}"` }), 0))]);
export const planFileSchema = z
  .object({
    slot: z.number().int().min(1).max(15).default(1),
    direction: z.enum(['import', 'export']).default('import'),
    eventId: z.string().regex(/^[A-Za-z0-9._:-]{1,32}$/).optional(),
    for: duration,
    steps: z.array(z.object({ at: duration, level: z.number().int().min(0).max(100) }).strict()).min(1),
  })
  .strict();

/** A plan file → the plan, starting now (whole seconds; step offsets in whole minutes). */
export function planFromFile(p: z.output<typeof planFileSchema>, now: number, ratedW: number): AppliancePlan {
  const from = Math.floor(now / 1000) * 1000;
  return { slot: p.slot, direction: p.direction, eventId: p.eventId ?? newEventId(now), validFrom: from, validTo: from + p.for, steps: p.steps.map((x) => ({ offsetMin: Math.round(x.at / 60_000), level: x.level })), ratedW };
}

/** `1:import:ev1` → slot config; throws with the reason. */
export function parseSlotSpec(spec: string, sources: SlotConfig['sources'], def: number): SlotConfig {
  const [slotText, dir = 'import', device] = spec.split(':');
  const slot = Number(slotText);
  if (!Number.isInteger(slot) || slot < 1 || slot > 15) throw new Error(`--slot ${spec}: slot must be 1..15`);
  if (dir !== 'import' && dir !== 'export') throw new Error(`--slot ${spec}: direction must be import or export`);
  return { slot, direction: dir, device: device || `sapc${slot}`, default: def, ...(sources ? { sources } : {}) };
}

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      device: { type: 'string' },
      baud: { type: 'string', default: '9600' },
      slot: { type: 'string', multiple: true },
      sources: { type: 'string' },
      default: { type: 'string', default: '100' },
      'rated-w': { type: 'string', default: '7400' },
      'apply-delay': { type: 'string', default: '100' },
      heartbeat: { type: 'string', default: '60' },
      echo: { type: 'boolean', default: false },
      'modbus-tcp': { type: 'string' },
      'modbus-host': { type: 'string', default: '127.0.0.1' },
      'meter-profile': { type: 'string', default: 'eastron-sdm630' },
      plan: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (typeof cli === 'number') return cli;
  const v = cli.values;
  let slots: SlotConfig[];
  const ratedW = Number(v['rated-w']);
  const def = Number(v.default);
  const heartbeatS = Number(v.heartbeat);
  try {
    if (!v.device) throw new Error('--device is required');
    const sources = v.sources?.split(',').map((s) => {
      const src = SOURCE_ALIASES[s.trim().toLowerCase()];
      if (!src || src === 'emergency') throw new Error(`--sources: "${s}" is not one of lc, sup, own, agg (EMG is always accepted)`);
      return src;
    });
    slots = (v.slot ?? ['1:import:ev1']).map((s) => parseSlotSpec(s, sources, def));
    if (!(ratedW > 0)) throw new Error('--rated-w must be a positive number of watts');
    if (!(def >= 0 && def <= 100)) throw new Error('--default must be 0..100');
    if (!(heartbeatS >= 1)) throw new Error('--heartbeat must be at least 1 s');
  } catch (e) {
    warn(`sim sapc-appliance: ${errorMessage(e)}\n${USAGE}`);
    return 2;
  }
  let planFile: z.output<typeof planFileSchema> | undefined;
  if (v.plan) {
    const read = readCheckedFile(v.plan, planFileSchema);
    if (!read) return 2;
    planFile = read;
  }
  let meter: ModbusSimulator | undefined;
  if (v['modbus-tcp'] !== undefined) {
    const port = portFlag(v['modbus-tcp'], '--modbus-tcp');
    if (port === undefined) return 2;
    try {
      meter = new ModbusSimulator({ units: [{ unitId: 1, profile: loadProfile(v['meter-profile']!) }] });
      const addr = await meter.listenTcp(port, v['modbus-host']);
      emit('modbus', { host: addr.host, port: addr.port, unit: 1, profile: v['meter-profile'], point: 'W' });
    } catch (e) {
      warn(`sim sapc-appliance: cannot serve Modbus TCP: ${errorMessage(e)}`);
      return 2;
    }
  }
  const transport = new SerialTransport({ path: v.device!, baudRate: Number(v.baud), clock: systemClock });
  transport.on('state', (state, reason) => emit('port', { state, ...(reason ? { reason } : {}) }));
  const sim = new SapcApplianceSim({
    clock: systemClock,
    write: (t) => transport.write(t),
    slots,
    ratedW,
    applyDelayMs: Number(v['apply-delay']),
    session: { baudRate: Number(v.baud), heartbeatMs: heartbeatS * 1000, echo: v.echo ?? false },
  });
  const image = meter?.images.get(1);
  const publish = () => image?.hold('W', sim.totalWatts());
  publish();
  transport.on('data', (b) => sim.receive(b));
  // The plan goes out at start and again after every link loss, until the meter has acknowledged every part.
  let planState: 'none' | 'sending' | 'delivered' = 'none';
  let started = false;
  const sendPlan = () => {
    if (!planFile || planState === 'sending') return;
    planState = 'sending';
    const plan = planFromFile(planFile, Date.now(), ratedW);
    sim.sendPlan(plan).then(
      (answers) => {
        planState = answers.every((a) => a.type === 'ACK') ? 'delivered' : 'none';
        emit('plan_sent', { eventId: plan.eventId, steps: plan.steps.length, answers: answers.map((a) => (a.type === 'NAK' ? `NAK ${a.reason}` : a.type === 'ACK' ? `ACK ${a.state ?? ''}`.trim() : a.type)) });
      },
      (e: unknown) => {
        planState = 'none';
        emit('plan_sent', { eventId: plan.eventId, error: errorMessage(e) });
      },
    );
  };
  sim.session.on('link', (l) => {
    emit('link', { state: l });
    if (l === 'down' && planState === 'delivered') planState = 'none';
    if (l === 'up' && started && planState === 'none') sendPlan();
  });
  sim.session.on('heartbeat', (hb) => emit('heartbeat', { seq: hb.seq, ...(hb.uptimeS !== undefined ? { uptimeS: hb.uptimeS } : {}) }));
  sim.session.on('rxError', (e) => emit('rx_error', { reason: e.reason, offset: e.offset }));
  sim.on('decision', (d) =>
    emit('decision', {
      eventId: d.command.eventId,
      source: d.command.source,
      slot: d.command.slot,
      level: d.command.level,
      answer: d.answer.ok ? (d.answer.state ?? 'applied') : d.answer.reason,
      ...(d.result ? { outcome: d.result.outcome } : {}),
    }),
  );
  sim.on('applied', (a) => {
    publish();
    emit('applied', { device: a.device, level: a.level, watts: a.watts, totalWatts: sim.totalWatts(), basis: a.basis, governing: a.governing });
  });
  try {
    await transport.open();
  } catch (e) {
    warn(`sim sapc-appliance: cannot open ${v.device}: ${errorMessage(e)}`);
    sim.close();
    await meter?.close();
    return 2;
  }
  emit('start', { device: transport.description, slots: slots.map((s) => `${s.slot}:${s.direction}:${s.device}`), ratedW, heartbeatS });
  sim.session.heartbeat();
  started = true;
  sendPlan();
  // Protocol timers are unref'd; keep the process up while the port reconnects.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const why = await untilSignal();
  clearInterval(keepAlive);
  emit('stop', { reason: why, stats: sim.session.stats });
  sim.close();
  await transport.close();
  await meter?.close();
  return 0;
}
