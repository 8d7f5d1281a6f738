import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { runRig } from './rig.js';

const run = async (name: string) => {
  const r = await runRig({ clock: new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0, 250)), scenarios: [name] });
  const s = r.scenarios[0]!;
  return { s, failed: s.checks.filter((c) => !c.ok), error: s.error };
};

describe('override rig scenarios (simulator, virtual time)', () => {
  it('heartbeat-loss: link down after 3 silent periods, limit kept to its end, then the default plan', async () => {
    const { s, failed, error } = await run('heartbeat-loss');
    expect({ failed, error }).toEqual({ failed: [], error: undefined });
    expect(s.checks.map((c) => c.label)).toEqual(expect.arrayContaining(['appliance sees the link down after 3 silent heartbeat periods', 'limit still in force 3 s before its end']));
    expect(s.trace.filter((t) => t.text.startsWith('$1,HB,')).length).toBeGreaterThanOrEqual(1);
    expect(s.limit.map((p) => p.value)).toEqual([100, 30, 100]);
  });

  it('appliance-restart: the meter resends the limit on the restart heartbeat and the device is limited again', async () => {
    const { s, failed, error } = await run('appliance-restart');
    expect({ failed, error }).toEqual({ failed: [], error: undefined });
    expect(s.stats.appliance?.restarts).toBe(1);
    // Power: 7400 → 2220 (30 %), 0 at the power cycle, 7400 at restart (default), 2220 once the limit is resent.
    expect(s.power.map((p) => p.value)).toEqual([7400, 2220, 0, 7400, 2220]);
    expect(s.answers.filter((a) => a.startsWith('CMD → ACK applied'))).toHaveLength(2);
  });

  it('several-sources: arbitration order as each is cancelled', async () => {
    const { s, failed, error } = await run('several-sources');
    expect({ failed, error }).toEqual({ failed: [], error: undefined });
    expect(s.limit.map((p) => p.value)).toEqual([100, 60, 40, 60, 80, 20]);
  });

  it('expiry-at-boundary: in force 20 ms before T, released exactly at T plus the control loop', async () => {
    const { s, failed, error } = await run('expiry-at-boundary');
    expect({ failed, error }).toEqual({ failed: [], error: undefined });
    expect(s.checks.find((c) => c.label.startsWith('released exactly'))?.detail).toBe('released 100 ms after T (control loop 100 ms)');
  });

  it('emergency-cease: EMG 0 % stops the device over cap and supplier; cancelling restores the clipped supplier level', async () => {
    const { s, failed, error } = await run('emergency-cease');
    expect({ failed, error }).toEqual({ failed: [], error: undefined });
    expect(s.limit.map((p) => p.value)).toEqual([100, 60, 40, 0, 60]);
    expect(s.trace.some((t) => t.text.includes('src=EMG'))).toBe(true);
  });

  it('plans-48h: 48 h limit held with its end; a 96-step plan arrives in parts and is assembled', async () => {
    const { s, failed, error } = await run('plans-48h');
    expect({ failed, error }).toEqual({ failed: [], error: undefined });
    const pln = s.trace.filter((t) => t.dir === '<' && t.text.startsWith('$1,PLN,'));
    expect(pln.length).toBeGreaterThan(1);
    expect(s.trace.filter((t) => t.dir === '>' && t.text.startsWith('$1,ACK,') && t.text.includes('st=received'))).toHaveLength(pln.length);
  });

  it('several-appliances: two slots, two devices, independent', async () => {
    const { s, failed, error } = await run('several-appliances');
    expect({ failed, error }).toEqual({ failed: [], error: undefined });
    expect(s.checks.find((c) => c.label === 'EV charger at 30 %, battery at 50 %')?.ok).toBe(true);
  });
});
