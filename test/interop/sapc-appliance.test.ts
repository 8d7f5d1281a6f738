/**
 * `gridbridge sim sapc-appliance` in its own process on one end of a socat pty pair, answering `gridbridge sapc send`
 * (also its own process) on the other end, directly and through a TCP serial server (socat tcp-listen ↔ pty); the
 * appliance's measured power is read back with mbpoll (Debian) from its Modbus TCP meter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
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
});
