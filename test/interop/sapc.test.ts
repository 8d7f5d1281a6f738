/**
 * SSP-1 end to end over a real pty pair made by socat (needs `socat` on PATH; run by `npm run test:interop`).
 * The appliance simulator listens on one end through serialport; the CLI commands talk on the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { SerialTransport } from '../../src/protocols/sapc/transport.js';
import { SapcApplianceSim } from '../../src/sim/sapc/appliance.js';
import { runRig, type RigLink } from '../../src/sim/sapc/rig.js';
import { run as sapcSend } from '../../src/cli/commands/sapc-send.js';
import { run as simMeter } from '../../src/cli/commands/sim-sapc-meter.js';

const dir = mkdtempSync(join(tmpdir(), 'gb-sapc-'));
let socat: ChildProcess;
const A = join(dir, 'ttyA');
const B = join(dir, 'ttyB');

async function startSocat(a: string, b: string): Promise<ChildProcess> {
  const p = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(existsSync(a) && existsSync(b)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(a) || !existsSync(b)) throw new Error('socat did not create the ptys');
  return p;
}

async function capture(fn: () => Promise<number>): Promise<{ code: number; lines: Array<Record<string, unknown>> }> {
  const orig = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write;
  try {
    const code = await fn();
    return { code, lines: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
  } finally {
    process.stdout.write = orig;
  }
}

describe('SSP-1 over a socat pty pair', () => {
  let port: SerialTransport;
  let appliance: SapcApplianceSim;

  beforeAll(async () => {
    socat = await startSocat(A, B);
    port = new SerialTransport({ path: B, clock: systemClock });
    appliance = new SapcApplianceSim({ clock: systemClock, write: (t) => port.write(t), slots: [{ slot: 1, direction: 'import', device: 'ev1' }] });
    port.on('data', (b) => appliance.receive(b));
    await port.open();
  });
  afterAll(async () => {
    appliance?.close();
    await port?.close();
    socat?.kill();
  });

  it('sapc send: ACK and the appliance applies the level', async () => {
    const r = await capture(() => sapcSend(['--device', A, '--level', '40', '--for', '1m', '--event-id', 'pty1']));
    expect(r.code).toBe(0);
    expect(r.lines.find((l) => l.event === 'answer')).toMatchObject({ type: 'ACK', state: 'applied', eventId: 'pty1', attempts: 1 });
    expect(appliance.level('ev1')).toBe(40);
  });

  it('sapc send: NAK with a reason and a non-zero exit', async () => {
    const r = await capture(() => sapcSend(['--device', A, '--level', '150', '--for', '1m']));
    expect(r.code).toBe(1);
    expect(r.lines.find((l) => l.event === 'answer')).toMatchObject({ type: 'NAK', reason: 'LEVEL_RANGE' });
    expect(appliance.level('ev1')).toBe(40);
  });

  it('sim sapc-meter plays a script and records the answers', async () => {
    const script = join(dir, 'script.yaml');
    writeFileSync(script, ['steps:', '  - { at: 0, command: { level: 25, for: 2m, source: lc, eventId: scr1 } }', '  - { at: 0.3, status: { slot: 1 } }', '  - { at: 0.6, cancel: { eventId: scr1, source: lc } }'].join('\n'));
    const r = await capture(() => simMeter(['--device', A, '--script', script, '--exit']));
    expect(r.code).toBe(0);
    const answers = r.lines.filter((l) => l.event === 'answer');
    expect(answers.map((a) => a.type)).toEqual(['ACK', 'STA', 'ACK']);
    expect(answers[1]).toMatchObject({ level: 25, source: 'load_controller' });
    expect(appliance.level('ev1')).toBe(40);
  });

  it('the override rig runs over the pty in real time', async () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'gb-sapc-rig-'));
    const a = join(dir2, 'a');
    const b = join(dir2, 'b');
    const s2 = await startSocat(a, b);
    try {
      const link = async (): Promise<RigLink> => {
        const ta = new SerialTransport({ path: a, reconnect: false });
        const tb = new SerialTransport({ path: b, reconnect: false });
        await Promise.all([ta.open(), tb.open()]);
        return {
          meterWrite: (t) => ta.write(t),
          applianceWrite: (t) => tb.write(t),
          onMeterData: (fn) => ta.on('data', fn),
          onApplianceData: (fn) => tb.on('data', fn),
          close: async () => void (await Promise.all([ta.close(), tb.close()])),
        };
      };
      const report = await runRig({ clock: systemClock, link, scenarios: ['lc-outranks-supplier', 'lost-acks', 'noise-and-bad-crc', 'level-out-of-range'] });
      expect(report.scenarios.filter((s) => !s.passed).map((s) => [s.name, s.checks.filter((c) => !c.ok), s.error])).toEqual([]);
      expect(report.time).toBe('real');
    } finally {
      s2.kill();
    }
  });

  it('sapc send: exit 3 when nobody answers', async () => {
    appliance.close();
    await port.close();
    const r = await capture(() => sapcSend(['--device', A, '--level', '10', '--for', '1m', '--ack-timeout', '200', '--retries', '1']));
    expect(r.code).toBe(3);
    expect(r.lines.filter((l) => l.event === 'sent')).toHaveLength(2);
  }, 10_000);
});
