/**
 * The override rig's scenarios. Each runs against the simulator or real equipment (then judged from metered power
 * and the appliance's own status answers); checks that need the simulator's internals only run against it, and a
 * scenario marked `needs: 'simulator'` is reported as not run against real equipment.
 */
import type { ScenarioContext } from './context.js';
import type { SlotConfig } from '../../protocols/sapc/receiver.js';
import type { PlanStep } from '../../protocols/sapc/frame.js';

export interface Scenario {
  name: string;
  description: string;
  /** Requirements (REQUIREMENTS ids) the scenario tests. */
  requirements: string[];
  needs?: 'simulator';
  /** Slots of the simulated appliance (default: slot 1 import, one device). */
  simSlots?: SlotConfig[];
  run(ctx: ScenarioContext): Promise<void>;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d+/g, '');

export const SCENARIOS: Scenario[] = [
  {
    name: 'lc-limit-and-expiry',
    description: 'Load-controller limit 40 % for 3 s, then fall back to the default plan (100 %) at expiry',
    requirements: ['R1', 'R2', 'R3'],
    async run(c) {
      const r = await c.override({ level: 40, forMs: 3000, source: 'load_controller' }, 40, 'limit 40 %');
      if (r instanceof Error) return;
      await c.released('fallback to 100 % after expiry', 6000);
    },
  },
  {
    name: 'lc-outranks-supplier',
    description: 'Supplier sets 20 %, load controller limits to 50 %: 20 % stays; supplier raises to 90 %: clipped to 50 %',
    requirements: ['R2', 'R9'],
    async run(c) {
      await c.override({ level: 20, source: 'supplier', forMs: 8000, eventId: 'sup1' }, 20, 'supplier 20 %');
      await c.request(c.command({ level: 50, source: 'load_controller', forMs: 8000 }));
      c.check('R9', 'limit above setpoint keeps 20 %', await c.isAt(20, { reported: true }), c.describeLevel());
      await c.override({ level: 90, source: 'supplier', forMs: 8000, eventId: 'sup2' }, 50, 'supplier 90 % clipped', 'R9', true);
    },
  },
  {
    name: 'min-of-caps',
    description: 'Two load-controller limits overlap (60 % and 30 %): the minimum applies, then the other again',
    requirements: ['R2', 'R3', 'R9'],
    async run(c) {
      await c.override({ level: 60, forMs: 8000, eventId: 'capA' }, 60, 'cap 60 %');
      await c.override({ level: 30, forMs: 4000, eventId: 'capB' }, 30, 'cap 30 %', 'R9', true);
      const back = await c.reach(60, 8000, { reported: true });
      if (back !== undefined) c.expectLimit(60);
      c.check('R3', 'back to 60 % when the 30 % cap ends', back !== undefined, c.describeLevel());
    },
  },
  {
    name: 'level-out-of-range',
    description: 'Level 150 % is NAKed LEVEL_RANGE and nothing changes',
    requirements: ['R4'],
    run: (c) => c.expectNak(c.command({ level: 150 }), 'LEVEL_RANGE', 'level 150'),
  },
  {
    name: 'window-too-long',
    description: 'A 49 h window is NAKed WINDOW_TOO_LONG (at most 48 h since SSP-1 1.1)',
    requirements: ['R4', 'R12'],
    run: (c) => c.expectNak(c.command({ level: 10, forMs: 49 * 3600_000 }), 'WINDOW_TOO_LONG', '49 h window', 'R12'),
  },
  {
    name: 'window-in-past',
    description: 'A window that already ended is NAKed WINDOW_PAST',
    requirements: ['R4'],
    run: (c) => c.expectNak(c.command({ level: 10, from: c.clock.now() - 7200_000, forMs: 3600_000 }), 'WINDOW_PAST', 'past window'),
  },
  {
    name: 'unknown-source',
    description: 'A command from an unknown source class is NAKed UNKNOWN_SOURCE',
    requirements: ['R4'],
    async run(c) {
      const now = c.clock.now();
      const a = await c.raw(`slot=1,dir=IMP,lvl=10,src=XYZ,to=${iso(now + 60_000)},evt=${c.id('u1')},ts=${iso(now)}`);
      c.check('R4', 'NAK UNKNOWN_SOURCE', a === 'NAK UNKNOWN_SOURCE', a);
      c.check('R4', 'state unchanged', await c.isAt(100), c.describeLevel());
    },
  },
  {
    name: 'lost-acks',
    description: 'Two ACKs are lost: the meter retries with the same SEQ, the appliance answers the duplicates but applies once',
    requirements: ['R2', 'R5'],
    async run(c) {
      c.dropAcks = 2;
      const r = await c.override({ level: 25, forMs: 5000 }, 25, 'limit 25 % with 2 lost ACKs');
      c.check('R5', 'three attempts, same SEQ', !(r instanceof Error) && r.attempts === 3, r instanceof Error ? r.message : `${r.attempts}`);
      const sim = c.sim;
      if (sim) {
        const submits = sim.arbiter.audit.filter((a) => a.action === 'submit').length;
        c.check('R5', 'applied once', submits === 1 && sim.session.stats.duplicates === 2, `${submits} submit(s), ${sim.session.stats.duplicates} duplicate(s)`);
      }
    },
  },
  {
    name: 'noise-and-bad-crc',
    description: 'Garbage and a frame with a bad CRC precede a command: both dropped, never answered, the command applies',
    requirements: ['R2', 'R6'],
    async run(c) {
      const seen: number[] = [];
      const on = (f: { seq: number }) => seen.push(f.seq);
      c.meter.on('frame', on);
      c.writeRaw('\x00\xffnoise\r\n$1,CMD,77,slot=1,dir=IMP,lvl=0,src=LC*0000\r\n');
      await c.override({ level: 70, forMs: 5000 }, 70, 'limit 70 % after noise', 'R6');
      c.meter.off('frame', on);
      c.check('R6', 'bad-CRC frame (SEQ 77) not answered', !seen.includes(77), seen.includes(77) ? 'answered' : 'no answer');
      const sim = c.sim;
      if (sim) {
        const s = sim.session.stats;
        c.check('R6', 'bad CRC and junk counted by the appliance', s.badCrc === 1 && s.junkBytes > 0 && s.naksSent === 0, `badCrc ${s.badCrc}, junk ${s.junkBytes} bytes, naks ${s.naksSent}`);
      }
    },
  },
  {
    name: 'random-delay-once',
    description: 'Random delay up to 2 s is drawn once by the appliance; an already-randomised command applies at once',
    requirements: ['R7'],
    async run(c) {
      const t0 = c.clock.monotonic();
      const cmd = c.command({ level: 35, forMs: 8000, randomDelayS: 2, eventId: 'rnd1' });
      const r = await c.request(cmd);
      c.check('R7', 'ACK', !(r instanceof Error) && r.type === 'ACK', r instanceof Error ? r.message : `${r.type}`);
      c.expectLimit(35);
      const at = await c.reach(35, 4000);
      const took = (at ?? c.clock.monotonic()) - t0;
      c.check('R7', 'applied within the 2 s delay window', at !== undefined && took <= 2600 + (c.sim ? 0 : 1000), `${Math.round(took)} ms`);
      const again = await c.request(cmd);
      c.check('R7', 'resent event acknowledged as duplicate', !(again instanceof Error) && again.type === 'ACK' && again.state === 'duplicate');
      const sim = c.sim;
      if (sim) {
        const draws = sim.arbiter.audit.filter((a) => a.randomDelayMs !== undefined).length;
        c.check('R7', 'delay drawn at most once', draws <= 1, `${draws} draw(s)`);
      }
      await c.override({ level: 15, forMs: 8000, randomDelayS: 2, randomised: true }, 15, 'pre-randomised 15 %', 'R7');
    },
  },
  {
    name: 'cancel',
    description: 'A limit is cancelled (CAN) and the device returns to the default plan',
    requirements: ['R2', 'R8'],
    async run(c) {
      await c.override({ level: 45, forMs: 60_000, eventId: 'can1' }, 45, 'limit 45 %');
      const r = await c.request({ type: 'CAN', eventId: c.id('can1'), source: 'load_controller' });
      c.check('R8', 'ACK cancelled', !(r instanceof Error) && r.type === 'ACK' && r.state === 'cancelled');
      await c.released('back to 100 %', 3000, 'R8');
    },
  },
  {
    name: 'heartbeat-loss',
    description: 'Heartbeats stop during a 4-minute limit: the link goes down after 3 silent periods, the limit is kept to its end (not dropped, not extended), then the default plan',
    requirements: ['R10'],
    async run(c) {
      const hb = 60_000;
      c.startHeartbeats(hb);
      const r = await c.override({ level: 30, forMs: 4 * hb, eventId: 'hb1', source: 'load_controller' }, 30, 'limit 30 % for 4 min', 'R10');
      if (r instanceof Error || r.type !== 'ACK') return;
      const end = r.type === 'ACK' ? c.active.list().find((x) => x.eventId === c.id('hb1'))?.validTo : undefined;
      c.stopHeartbeats();
      const silentFrom = c.clock.monotonic();
      const sim = c.sim;
      if (sim) {
        const down = await c.until(() => sim.session.link === 'down', 3 * hb + 5000);
        c.check('R10', 'appliance sees the link down after 3 silent heartbeat periods', down && c.clock.monotonic() - silentFrom >= 3 * hb - 1000, `${Math.round((c.clock.monotonic() - silentFrom) / 1000)} s of silence`);
      } else await c.sleep(3 * hb + 5000);
      c.check('R10', 'limit still in force with the link down', await c.isAt(30), c.describeLevel());
      // Still silent until just before the end: the limit must hold to its end, not be dropped early.
      const beforeEnd = (end ?? c.clock.now()) - c.clock.now() - 3000;
      if (beforeEnd > 0) await c.sleep(beforeEnd);
      c.check('R10', 'limit still in force 3 s before its end', await c.isAt(30), c.describeLevel());
      await c.released('default plan at the end of the limit (not extended by the link loss)', 3000 + (sim ? 1000 : 5000), 'R10');
    },
  },
  {
    name: 'appliance-restart',
    description: 'The appliance restarts (power cycle, memory lost) with a limit in force: its first heartbeat shows the restart, the meter resends the limit, the device is limited again',
    requirements: ['R11'],
    needs: 'simulator',
    async run(c) {
      await c.override({ level: 30, forMs: 120_000, eventId: 'rs1' }, 30, 'limit 30 % for 2 min', 'R11');
      await c.sleep(5000);
      c.sim?.session.heartbeat(); // its periodic heartbeat (up ≈ 5 s)
      await c.sleep(100);
      const t0 = c.clock.monotonic();
      await c.restartSim();
      const at = await c.reach(30, 5000);
      c.check('R11', 'restart seen and the limit resent', c.answers.some((a) => a.startsWith('appliance restart seen')), c.answers.at(-1));
      c.check('R11', 'device limited to 30 % again after the restart', at !== undefined, `${c.describeLevel()}${at !== undefined ? `, ${Math.round(at - t0)} ms after the restart` : ''}`);
    },
  },
  {
    name: 'several-sources',
    description: 'Load controller cap 60 %, supplier 40 %, aggregator 80 %, owner 20 % overlap; cancelling them one by one walks the arbitration order',
    requirements: ['R9'],
    async run(c) {
      const f = 60_000;
      await c.override({ level: 60, forMs: f, eventId: 'ms-lc', source: 'load_controller' }, 60, 'LC cap 60 %', 'R9');
      await c.override({ level: 80, forMs: f, eventId: 'ms-agg', source: 'aggregator' }, 60, 'aggregator 80 % under the 60 % cap', 'R9', true);
      await c.override({ level: 20, forMs: f, eventId: 'ms-own', source: 'owner' }, 60, 'owner 20 % ranks below the aggregator', 'R9', true);
      await c.override({ level: 40, forMs: f, eventId: 'ms-sup', source: 'supplier' }, 40, 'supplier 40 % outranks aggregator and owner', 'R9', true);
      const steps: Array<[string, 'load_controller' | 'supplier' | 'aggregator', number, string]> = [
        ['ms-sup', 'supplier', 60, 'supplier cancelled: aggregator 80 % clipped to the 60 % cap'],
        ['ms-lc', 'load_controller', 80, 'cap cancelled: aggregator 80 %'],
        ['ms-agg', 'aggregator', 20, 'aggregator cancelled: owner 20 %'],
      ];
      for (const [id, source, level, label] of steps) {
        const r = await c.request({ type: 'CAN', eventId: c.id(id), source });
        c.check('R9', `${label}: ACK cancelled`, !(r instanceof Error) && r.type === 'ACK');
        c.expectLimit(level);
        c.check('R9', label, (await c.reach(level, 5000, { reported: true })) !== undefined, c.describeLevel());
      }
    },
  },
  {
    name: 'expiry-at-boundary',
    description: 'A 25 % limit ending at a whole second T: still in force just before T, released at T',
    requirements: ['R3'],
    async run(c) {
      const now = c.clock.now();
      const T = Math.ceil((now + 4000) / 1000) * 1000;
      const r = await c.override({ level: 25, forMs: T - now, eventId: 'edge' }, 25, 'limit 25 % until T', 'R3');
      if (r instanceof Error) return;
      const sim = c.sim;
      const margin = sim ? 20 : 2000; // real equipment: clocks agree within a few seconds at best (SSP-1 §10)
      await c.sleep(T - margin - c.clock.now());
      c.check('R3', `in force ${margin} ms before T`, await c.isAt(25, { reported: true }), c.describeLevel());
      if (sim) {
        const from = sim.applied.length;
        const released = await c.until(() => sim.applied.slice(from).some((a) => a.level === 100), 2000);
        const rec = sim.applied.slice(from).find((a) => a.level === 100);
        const late = rec ? rec.at - T : NaN;
        const loop = sim.applyDelayMs;
        c.check('R3', 'released exactly at T (plus the control loop)', released && late >= loop && late <= loop + 10, `released ${late} ms after T (control loop ${loop} ms)`);
        c.expectLimit(100);
      } else {
        await c.sleep(T + margin - c.clock.now());
        await c.released(`released ${margin} ms after T`, 1000, 'R3');
      }
    },
  },
  {
    name: 'emergency-cease',
    description: 'With a 60 % cap and a 40 % supplier setpoint in force, an emergency cease-to-energise (EMG 0 %) stops the device; later commands cannot raise it; cancelling it restores 40 %',
    requirements: ['R13'],
    async run(c) {
      await c.override({ level: 60, forMs: 60_000, eventId: 'em-lc', source: 'load_controller' }, 60, 'LC cap 60 %', 'R13');
      await c.override({ level: 40, forMs: 60_000, eventId: 'em-sup', source: 'supplier' }, 40, 'supplier 40 %', 'R13', true);
      await c.override({ level: 0, forMs: 60_000, eventId: 'em-cte', source: 'emergency' }, 0, 'EMG cease to energise', 'R13', true);
      const r = await c.request(c.command({ level: 90, forMs: 60_000, eventId: 'em-sup2', source: 'supplier' }));
      c.check('R13', 'supplier 90 % accepted but held at 0 %', !(r instanceof Error) && r.type === 'ACK' && (await c.isAt(0, { reported: true })), c.describeLevel());
      const can = await c.request({ type: 'CAN', eventId: c.id('em-cte'), source: 'emergency' });
      c.check('R13', 'EMG cancelled', !(can instanceof Error) && can.type === 'ACK');
      c.expectLimit(60);
      c.check('R13', 'back to the 60 % cap (supplier 90 % clipped)', (await c.reach(60, 5000, { reported: true })) !== undefined, c.describeLevel());
    },
  },
  {
    name: 'plans-48h',
    description: 'A 48 h limit is accepted and held with its 48 h end; the appliance sends its 48 h plan (PLN, in parts) and the meter assembles it',
    requirements: ['R12', 'R14'],
    async run(c) {
      const forMs = 48 * 3600_000;
      const r = await c.override({ level: 50, forMs, eventId: 'p48' }, 50, '48 h limit 50 %', 'R12');
      const sent = c.active.list().find((x) => x.eventId === c.id('p48'));
      const sta = await c.request({ type: 'STQ', slot: 1 });
      c.check('R12', 'status reports the 48 h end', !(r instanceof Error) && !(sta instanceof Error) && sta.type === 'STA' && sent !== undefined && sta.validTo === sent.validTo, sta instanceof Error ? sta.message : sta.type === 'STA' ? `to ${sta.validTo ? new Date(sta.validTo).toISOString() : '—'}` : sta.type);
      const sim = c.sim;
      if (!sim) {
        // Real equipment sends plans when it has them: judge any that arrived during the scenario.
        for (const p of c.plans.plans) c.check('R14', `plan ${p.eventId} received whole`, p.steps.length > 0 && p.validTo - p.validFrom <= forMs, `${p.steps.length} steps`);
        return;
      }
      const from = Math.ceil(c.clock.now() / 60_000) * 60_000;
      const steps: PlanStep[] = Array.from({ length: 96 }, (_, i) => ({ offsetMin: i * 30, level: [100, 40, 60, 0][i % 4]! }));
      let answers: Array<{ type: string; state?: string }> | undefined;
      // The line runs on the rig's clock: keep it moving while the appliance sends the parts.
      sim.sendPlan({ slot: 1, direction: 'import', eventId: 'plan48', validFrom: from, validTo: from + forMs, steps, ratedW: 7400 }).then(
        (a) => (answers = a),
        (e: unknown) => (answers = [{ type: `error: ${String(e)}` }]),
      );
      await c.until(() => answers !== undefined, 30_000);
      const a = answers ?? [];
      c.check('R14', 'every plan part acknowledged received', a.length > 1 && a.every((x) => x.type === 'ACK' && x.state === 'received'), `${a.length} part(s): ${a.map((x) => x.type).join(', ')}`);
      const got = c.plans.plans.find((p) => p.eventId === 'plan48');
      c.check('R14', 'meter assembled the whole 48 h plan in order', JSON.stringify(got?.steps) === JSON.stringify(steps) && got?.validTo === from + forMs, `${got?.steps.length ?? 0} of ${steps.length} steps`);
    },
  },
  {
    name: 'several-appliances',
    description: 'One SAPC node, two appliances (slot 1: EV charger, slot 2: battery): commands and status per slot, independent of each other',
    requirements: ['R15'],
    simSlots: [
      { slot: 1, direction: 'import', device: 'ev1' },
      { slot: 2, direction: 'import', device: 'bat1' },
    ],
    async run(c) {
      const ok = (r: unknown) => !(r instanceof Error) && (r as { type: string }).type === 'ACK';
      const at = async (slot: number, level: number) => ((await c.request({ type: 'STQ', slot })) as { level?: number }).level === level;
      c.check('R15', 'slot 1 limit 30 %: ACK', ok(await c.request(c.command({ level: 30, forMs: 60_000, slot: 1, eventId: 'ua1' }))));
      c.check('R15', 'slot 2 supplier 50 %: ACK', ok(await c.request(c.command({ level: 50, forMs: 60_000, slot: 2, source: 'supplier', eventId: 'ua2' }))));
      await c.sleep(c.sim ? 300 : 2000);
      c.check('R15', 'slot 1 at 30 %, slot 2 at 50 %', (await at(1, 30)) && (await at(2, 50)));
      const sim = c.sim;
      if (sim) c.check('R15', 'EV charger at 30 %, battery at 50 %', sim.level('ev1') === 30 && sim.level('bat1') === 50, `ev1 ${sim.level('ev1')} %, bat1 ${sim.level('bat1')} %`);
      c.check('R15', 'cancel on slot 1: ACK', ok(await c.request({ type: 'CAN', eventId: c.id('ua1'), source: 'load_controller', slot: 1 })));
      await c.sleep(c.sim ? 300 : 2000);
      c.check('R15', 'slot 1 back to 100 %, slot 2 still 50 %', (await at(1, 100)) && (await at(2, 50)));
    },
  },
];
