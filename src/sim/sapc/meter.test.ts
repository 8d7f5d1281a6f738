import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { createLinePair } from '../../protocols/sapc/loopback.js';
import { SapcSession } from '../../protocols/sapc/session.js';
import { meterScriptSchema, SapcMeterSim, type MeterRecord } from './meter.js';
import { SapcApplianceSim } from './appliance.js';
import { buildCommand } from '../../protocols/sapc/client.js';

describe('SapcMeterSim against SapcApplianceSim', () => {
  it('plays a script and records ACK / STA / NAK / raw; the appliance applies the limit', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const line = createLinePair({ clock, baud: 9600 });
    const session = new SapcSession({ clock, write: line.a.write, baudRate: 9600 });
    const meter = new SapcMeterSim(session, clock, line.a.write);
    const appliance = new SapcApplianceSim({ clock, write: line.b.write, slots: [{ slot: 1, direction: 'import', device: 'ev1' }], applyDelayMs: 50 });
    line.a.onData((c) => session.receive(c));
    line.b.onData((c) => appliance.receive(c));
    const script = meterScriptSchema.parse({
      steps: [
        { at: 0, command: { level: 30, for: '10m', source: 'lc', eventId: 'A' } },
        { at: '2s', status: { slot: 1 } },
        { at: 4, command: { level: 130, for: 60 } },
        { at: 6, raw: 'noise\r\n' },
        { at: 8, cancel: { eventId: 'A', source: 'lc' } },
      ],
    });
    let done: MeterRecord[] | undefined;
    meter.on('done', (r) => (done = r));
    meter.play(script);
    for (let i = 0; i < 1100 && !done; i++) {
      clock.advance(10);
      await Promise.resolve();
    }
    clock.advance(100); // the appliance's 50 ms control loop after the cancel
    expect(done?.map((r) => r.reply?.type ?? r.request)).toEqual(['ACK', 'STA', 'NAK', 'RAW', 'ACK']);
    expect(done?.[1]?.reply).toMatchObject({ level: 30, eventId: 'A' });
    expect(done?.[2]?.reply).toMatchObject({ reason: 'LEVEL_RANGE' });
    expect(appliance.applied.map((a) => a.level)).toEqual([30, 100]);
    expect(appliance.applied[0]!.watts).toBe(2220);
    expect(appliance.session.stats.junkBytes).toBe(7);
    meter.stop();
    appliance.close();
  });

  it('refuses a bad script with a path', () => {
    const r = meterScriptSchema.safeParse({ steps: [{ at: 'soon', command: { level: 1, for: '1m', source: 'martian' } }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['steps.0.at', 'steps.0.command.source']));
  });

  it('resends the commands still in force when the appliance restarts (its HB up goes backwards)', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const line = createLinePair({ clock, baud: 9600 });
    const session = new SapcSession({ clock, write: line.a.write, baudRate: 9600, sendHeartbeats: false });
    const meter = new SapcMeterSim(session, clock, line.a.write);
    let appliance = new SapcApplianceSim({ clock, write: line.b.write, slots: [{ slot: 1, direction: 'import', device: 'ev1' }], session: { sendHeartbeats: false } });
    line.a.onData((c) => session.receive(c));
    line.b.onData((c) => appliance.receive(c));
    const restarts: Array<{ resent: string[] }> = [];
    meter.on('restart', (r) => restarts.push(r));
    const tick = async (ms: number) => {
      for (let t = 0; t < ms; t += 10) {
        clock.advance(10);
        await Promise.resolve();
      }
    };
    const send = (level: number, eventId: string, forMs: number) => {
      void meter.send({ type: 'CMD', command: buildCommand({ level, forMs, eventId }, clock.now()) });
      return tick(500);
    };
    await send(30, 'keep', 600_000);
    await send(50, 'short', 2000);
    await tick(5000); // 'short' has ended
    appliance.session.heartbeat(); // up = 5 s
    await tick(200);
    expect(appliance.level()).toBe(30);
    appliance.close();
    appliance = new SapcApplianceSim({ clock, write: line.b.write, slots: [{ slot: 1, direction: 'import', device: 'ev1' }], session: { sendHeartbeats: false } });
    expect(appliance.level()).toBe(100); // memory lost
    appliance.session.heartbeat(); // up = 0: a restart
    await tick(1000);
    expect(restarts).toEqual([{ uptimeS: 0, resent: ['keep'] }]);
    expect(appliance.level()).toBe(30);
    meter.stop();
    appliance.close();
  });
});
