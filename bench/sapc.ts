/**
 * SAPC SSP-1 bench: frames/s through the stream framer + field decoder (clean and noisy streams), encode rate,
 * arbiter submits/s, the override-to-device latency of the rig in virtual time at 9600 baud, and the answer time
 * over a socat pty pair to `gridbridge sim sapc-appliance` in its own process (as a user runs the two ends).
 * Every loop is bounded in count and time.
 */
import { performance } from 'node:perf_hooks';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, writeResult } from './lib.js';
import { systemClock } from '../src/core/clock.js';
import { SerialTransport } from '../src/protocols/sapc/transport.js';
import { SapcSession, type RequestBody } from '../src/protocols/sapc/session.js';
import { buildCommand } from '../src/protocols/sapc/client.js';
import { FakeClock } from '../src/core/clock.js';
import { Arbiter } from '../src/core/arbitration/arbiter.js';
import { SspFramer } from '../src/protocols/sapc/framer.js';
import { decodeFrame, encodeFrame, type SapcFrame } from '../src/protocols/sapc/frame.js';
import { runRig } from '../src/sim/sapc/rig.js';

const T0 = Date.UTC(2026, 0, 1);
const cmd = (seq: number): SapcFrame => ({
  type: 'CMD',
  seq,
  command: { slot: 1, direction: 'import', level: seq % 101, source: 'load_controller', validFrom: T0, validTo: T0 + 7200_000, randomDelayS: 0, randomised: false, eventId: `E${seq}`, timestamp: T0 },
});

function parseRate(noise: boolean): { framesPerS: number; MBperS: number; frames: number; dropped: number } {
  const parts: string[] = [];
  for (let i = 0; i < 2000; i++) parts.push((noise && i % 5 === 0 ? 'xx\x00\xff' : '') + encodeFrame(cmd(i)) + (noise && i % 7 === 0 ? '$1,CMD,9*0000\r\n' : ''));
  const chunk = Buffer.from(parts.join(''), 'latin1');
  let frames = 0;
  let dropped = 0;
  let bytes = 0;
  const start = performance.now();
  for (let round = 0; round < 200 && performance.now() - start < 3000; round++) {
    const f = new SspFramer();
    for (let off = 0; off < chunk.length; off += 512) {
      for (const e of f.push(chunk.subarray(off, off + 512))) {
        if (e.kind === 'frame') {
          decodeFrame(e.frame);
          frames++;
        } else dropped++;
      }
    }
    bytes += chunk.length;
  }
  const s = (performance.now() - start) / 1000;
  return { framesPerS: Math.round(frames / s), MBperS: Math.round((bytes / s / 1e6) * 10) / 10, frames, dropped };
}

function encodeRate(): number {
  let n = 0;
  const start = performance.now();
  while (n < 500_000 && performance.now() - start < 2000) encodeFrame(cmd(n++ % 65536));
  return Math.round(n / ((performance.now() - start) / 1000));
}

function arbiterRate(): { submitsPerS: number; targets: number } {
  const clock = new FakeClock(T0);
  const a = new Arbiter({ clock, auditLimit: 1000 });
  const classes = ['load_controller', 'supplier', 'aggregator', 'owner'] as const;
  let n = 0;
  const start = performance.now();
  while (n < 100_000 && performance.now() - start < 2000) {
    a.submit({ id: `i${n % 200}`, source: 'bench', sourceClass: classes[n % 4]!, target: { device: `d${n % 10}`, name: 'SAPCLevel' }, cap: n % 100, validFrom: T0, validTo: T0 + 3600_000 + n });
    n++;
  }
  a.close();
  return { submitsPerS: Math.round(n / ((performance.now() - start) / 1000)), targets: 10 };
}

/**
 * Request → answer times (ms) over a pty to the appliance simulator in another process: `n` status requests and
 * `n` commands (each a new event, so each is arbitrated and applied). A pty has no line speed: this is the software
 * and OS part of the answer time; at 9600 baud add ≈ 1.04 ms per byte of request and answer.
 */
async function ptyRoundTrips(n: number): Promise<Record<string, unknown>> {
  const root = join(__dirname, '..', '..');
  const bin = join(root, 'bin', 'gridbridge.js');
  if (spawnSync('sh', ['-c', 'command -v socat']).status !== 0) return { skipped: 'socat not installed' };
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'index.js'))) return { skipped: 'dist not built' };
  const dir = mkdtempSync(join(tmpdir(), 'gb-sapc-bench-'));
  const a = join(dir, 'meter');
  const b = join(dir, 'appliance');
  const procs: ChildProcess[] = [];
  const transport = new SerialTransport({ path: a, reconnect: false });
  const session = new SapcSession({ clock: systemClock, write: (t) => transport.write(t), sendHeartbeats: false, ackTimeoutMs: 1000 });
  try {
    procs.push(spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' }));
    for (let i = 0; i < 100 && !(existsSync(a) && existsSync(b)); i++) await new Promise((r) => setTimeout(r, 50));
    const app = spawn(process.execPath, [bin, 'sim', 'sapc-appliance', '--device', b, '--apply-delay', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(app);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('sim sapc-appliance did not start')), 10_000);
      app.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('"event":"start"')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    app.stdout!.resume();
    await transport.open();
    transport.on('data', (d) => session.receive(d));
    const measure = async (make: (i: number) => RequestBody): Promise<Record<string, number>> => {
      const times: number[] = [];
      let errors = 0;
      const start = performance.now();
      for (let i = 0; i < n && performance.now() - start < 30_000; i++) {
        try {
          const r = await session.request(make(i));
          if (r.attempts === 1) times.push(r.elapsedMs);
        } catch {
          errors++;
        }
      }
      times.sort((x, y) => x - y);
      const r2 = (x: number) => Math.round(x * 100) / 100;
      return { n: times.length, errors, p50: r2(percentile(times, 50)), p95: r2(percentile(times, 95)), p99: r2(percentile(times, 99)), max: r2(times.at(-1) ?? NaN) };
    };
    const status = await measure(() => ({ type: 'STQ', slot: 1 }));
    const command = await measure((i) => ({ type: 'CMD', command: buildCommand({ level: i % 100, forMs: 600_000, eventId: `b${i}` }, Date.now()) }));
    return { modelled: 'socat pty pair, no line speed; meter end in this process, appliance simulator (arbiter, apply delay 0) in its own process; first attempts only', statusMs: status, commandMs: command };
  } finally {
    session.close();
    await transport.close();
    for (const p of procs.reverse()) p.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const clean = parseRate(false);
  const noisy = parseRate(true);
  const rig = await runRig({ clock: new FakeClock(T0), baud: 9600, applyDelayMs: 100 });
  const latencies = rig.scenarios.flatMap((s) => s.latencyMs);
  writeResult('sapc', {
    parser: { clean, noisy },
    encodeFramesPerS: encodeRate(),
    arbiter: arbiterRate(),
    rig: {
      time: rig.time,
      baud: rig.baud,
      applyDelayMs: rig.applyDelayMs,
      passed: rig.passed,
      failed: rig.failed,
      overrideToDeviceMs: { min: Math.min(...latencies), max: Math.max(...latencies), n: latencies.length },
    },
    pty: await ptyRoundTrips(1000),
  });
}

void main();
