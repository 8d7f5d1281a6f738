/**
 * `gridbridge sim sapc-appliance` in its own process on one end of a socat pty pair, answering `gridbridge sapc send`
 * (also its own process) on the other end, directly and through a TCP serial server (socat tcp-listen ↔ pty); the
 * appliance's measured power is read back with mbpoll (Debian) from its Modbus TCP meter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gridbridge, gridbridgeOnce, killAll, socat, type CliProcess } from './sapc-peers.js';

const dir = mkdtempSync(join(tmpdir(), 'gb-sapc-app-'));
const A = join(dir, 'meter');
const B = join(dir, 'appliance');
let appliance: CliProcess;
let modbusPort = 0;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Total power from the appliance's meter (SDM630 layout: W = input registers 0x34–0x35, float32 ABCD). */
function mbpollWatts(): number {
  const out = execFileSync('mbpoll', ['-m', 'tcp', '-p', String(modbusPort), '-a', '1', '-0', '-r', '52', '-c', '1', '-t', '3:float', '-B', '-1', '127.0.0.1'], { encoding: 'utf8' });
  const m = /\[52\]:\s+(-?[\d.]+)/.exec(out);
  if (!m) throw new Error(`mbpoll output not understood: ${out}`);
  return Number(m[1]);
}

beforeAll(async () => {
  await socat(A, B);
  appliance = gridbridge(['sim', 'sapc-appliance', '--device', B, '--rated-w', '7400', '--apply-delay', '50', '--sources', 'lc,sup', '--modbus-tcp', '0']);
  const mb = await appliance.waitFor((l) => l.event === 'modbus');
  modbusPort = Number(mb.port);
  await appliance.waitFor((l) => l.event === 'start');
});
afterAll(async () => {
  await appliance?.stop();
  killAll();
});

describe('sim sapc-appliance (separate process) ↔ sapc send', () => {
  it('serves full power before any command', () => {
    expect(mbpollWatts()).toBe(7400);
  });

  it('ACKs a load-controller limit and the metered power follows it', async () => {
    const r = await gridbridgeOnce(['sapc', 'send', '--device', A, '--level', '40', '--for', '10m', '--event-id', 'app-1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines.find((l) => l.event === 'answer')).toMatchObject({ type: 'ACK', state: 'applied', eventId: 'app-1' });
    await appliance.waitFor((l) => l.event === 'applied' && l.level === 40);
    expect(appliance.lines.find((l) => l.event === 'decision' && l.eventId === 'app-1')).toMatchObject({ source: 'load_controller', answer: 'applied' });
    expect(mbpollWatts()).toBe(2960);
  });

  it('two sends in quick succession get distinct generated event ids (neither is taken as an update)', async () => {
    // One after the other (two processes must not share the pty), typically well within the same second.
    const a = await gridbridgeOnce(['sapc', 'send', '--device', A, '--level', '60', '--for', '5m', '--source', 'sup']);
    const b = await gridbridgeOnce(['sapc', 'send', '--device', A, '--level', '55', '--for', '5m', '--source', 'sup']);
    const ids = [a, b].map((r) => r.lines.find((l) => l.event === 'answer')?.eventId);
    expect(ids[0]).toBeTruthy();
    expect(ids[1]).toBeTruthy();
    expect(ids[0]).not.toBe(ids[1]);
    // Both concurrently held by the appliance: two separate decisions, each "applied" (not "duplicate").
    await appliance.waitFor((l) => l.event === 'decision' && l.eventId === ids[1]);
    expect(appliance.lines.filter((l) => l.event === 'decision' && (l.eventId === ids[0] || l.eventId === ids[1])).map((l) => l.answer)).toEqual(['applied', 'applied']);
  });

  it('NAKs a source the simulator was told not to accept, and a level out of range, without changing power', async () => {
    const agg = await gridbridgeOnce(['sapc', 'send', '--device', A, '--level', '10', '--for', '5m', '--source', 'agg']);
    expect(agg.code).toBe(1);
    expect(agg.lines.find((l) => l.event === 'answer')).toMatchObject({ type: 'NAK', reason: 'REJECTED', field: 'src' });
    const bad = await gridbridgeOnce(['sapc', 'send', '--device', A, '--level', '101', '--for', '5m']);
    expect(bad.lines.find((l) => l.event === 'answer')).toMatchObject({ type: 'NAK', reason: 'LEVEL_RANGE' });
    expect(mbpollWatts()).toBe(2960);
  });

  it('works through a TCP serial server (tcp://host:port)', async () => {
    // A second appliance process on a fresh pty, exposed on TCP by socat as a serial device server would.
    const tcpPort = await freePort();
    const pty = join(dir, 'tcp-appliance');
    const ptyApp = join(dir, 'tcp-appliance-end');
    await socat(pty, ptyApp);
    await socat('', '', { aAddr: `tcp-listen:${tcpPort},bind=127.0.0.1,reuseaddr,fork`, bAddr: `file:${pty},raw,echo=0` });
    for (let i = 0; i < 50; i++) {
      const ok = await new Promise<boolean>((r) => {
        const s = createConnection(tcpPort, '127.0.0.1', () => (s.destroy(), r(true))).on('error', () => r(false));
      });
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // socat forks a child per connection onto the same pty: let the probe's child exit first, or it can take the
    // appliance's answer meant for the send below.
    await new Promise((r) => setTimeout(r, 1000));
    const app2 = gridbridge(['sim', 'sapc-appliance', '--device', ptyApp]);
    try {
      await app2.waitFor((l) => l.event === 'start');
      const r = await gridbridgeOnce(['sapc', 'send', '--device', `tcp://127.0.0.1:${tcpPort}`, '--level', '20', '--for', '2m', '--event-id', 'tcp-1']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.lines.find((l) => l.event === 'answer')).toMatchObject({ type: 'ACK', eventId: 'tcp-1' });
      await app2.waitFor((l) => l.event === 'applied' && l.level === 20);
    } finally {
      await app2.stop();
    }
  });

  it('an appliance process sends its 48 h plan (PLN, in parts) and sim sapc-meter, another process, prints it whole', async () => {
    const a = join(dir, 'plan-meter');
    const b = join(dir, 'plan-appliance');
    await socat(a, b);
    const planFile = join(dir, 'plan.yaml');
    const steps = Array.from({ length: 70 }, (_, i) => `{ at: ${i * 40}m, level: ${i % 3 ? 50 : 100} }`);
    writeFileSync(planFile, `slot: 1\ndirection: import\neventId: plan-x\nfor: 48h\nsteps: [${steps.join(', ')}]\n`);
    const meter = gridbridge(['sim', 'sapc-meter', '--device', a]);
    try {
      await meter.waitFor((l) => l.event === 'start');
      const app = gridbridge(['sim', 'sapc-appliance', '--device', b, '--plan', planFile]);
      try {
        const sent = await app.waitFor((l) => l.event === 'plan_sent');
        expect(sent).toMatchObject({ eventId: 'plan-x', steps: 70 });
        const answers = sent.answers as string[];
        expect(answers.length).toBeGreaterThan(1);
        expect(new Set(answers)).toEqual(new Set(['ACK received']));
        const plan = await meter.waitFor((l) => l.event === 'plan');
        expect(plan).toMatchObject({ slot: 1, direction: 'import', eventId: 'plan-x', ratedW: 7400 });
        expect(Date.parse(String(plan.to)) - Date.parse(String(plan.from))).toBe(48 * 3600_000);
        expect((plan.steps as Array<{ offsetMin: number; level: number }>).map((x) => x.offsetMin)).toEqual(Array.from({ length: 70 }, (_, i) => i * 40));
      } finally {
        await app.stop();
      }
    } finally {
      await meter.stop();
    }
  });

  it('sim sapc-appliance refuses a bad plan file with the path of the problem', async () => {
    const bad = join(dir, 'bad-plan.yaml');
    writeFileSync(bad, 'for: 2h\nsteps: [{ at: 0, level: 130 }]\n');
    const r = await gridbridgeOnce(['sim', 'sapc-appliance', '--device', B, '--plan', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-plan\.yaml: steps\[0\]\.level: .*100/);
  });
});
