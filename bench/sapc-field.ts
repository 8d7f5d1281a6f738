/**
 * SAPC field bench (GridBridge as the meter end): control submitted to the site → held, i.e. the arbiter's decision,
 * the SSP-1 CMD → ACK, then STQ → STA confirming the level, against `gridbridge sim sapc-appliance` in its own
 * process, both ends joined by a TCP hub standing in for a TCP-serial bridge (in this process). In the same run and
 * on the same line, the bare SSP-1 exchange (a session sending CMD then STQ, no site or arbiter) as the baseline.
 * The line has no baud rate: this is the software and OS part; at 9600 baud add ≈ 1.04 ms per byte (a CMD, ACK, STQ
 * and STA are ≈ 320 bytes: ≈ 335 ms). Bounded in count and time; reports the load average.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { percentile, writeResult } from './lib.js';
import { systemClock } from '../src/core/clock.js';
import { buildCommand } from '../src/protocols/sapc/client.js';
import { SapcSession } from '../src/protocols/sapc/session.js';
import { SerialTransport } from '../src/protocols/sapc/transport.js';
import { startTcpHub } from '../src/sim/sapc/tcp-hub.js';
import { loadMappingFile } from '../src/runtime/validate.js';
import { Site } from '../src/runtime/site.js';

const N = Number(process.env.GB_BENCH_N ?? 1000);
const MAX_MS = 180_000;
const root = join(__dirname, '..', '..');

function summary(ms: number[]): Record<string, number> {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { samples: s.length, p50: r(percentile(s, 50)), p90: r(percentile(s, 90)), p99: r(percentile(s, 99)), max: r(s.at(-1) ?? NaN) };
}

async function waitFor(f: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Control → held through the site, `n` times, alternating levels so each is a change. */
async function siteLatency(path: string, dir: string, n: number): Promise<{ ms: number[]; notHeld: number; reasons: string[] }> {
  writeFileSync(
    join(dir, 'site.yaml'),
    `mapping: 1
site: { id: bench }
profileDirs: [${JSON.stringify(join(root, 'device-profiles'))}]
connections:
  sapc: { type: sapc, path: "${path}", heartbeatSeconds: 60, statusS: 0, ackTimeoutMs: 1000, slots: [{ slot: 1, device: ev1 }] }
devices:
  - { id: ev1, connection: sapc, profile: sapc-appliance }
`,
  );
  const load = loadMappingFile(join(dir, 'site.yaml'));
  if (load.errors.length) throw new Error(JSON.stringify(load.errors));
  const site = new Site(load, { stateDir: false, storeDir: false });
  let online = false;
  site.on('status', (s) => s.component === 'device:ev1' && s.state === 'online' && (online = true));
  await site.start();
  const ms: number[] = [];
  const reasons: string[] = [];
  let notHeld = 0;
  try {
    await waitFor(() => online, 10_000, 'appliance heard');
    const start = performance.now();
    for (let i = 0; i < n && performance.now() - start < MAX_MS; i++) {
      const now = Date.now();
      const id = `b${i}`;
      const t0 = performance.now();
      site.submit({ id, source: 'bench', sourceClass: 'dso', target: { device: 'ev1', name: 'SAPCLevel' }, value: 10 + (i % 80), validFrom: now, validTo: now + 600_000 });
      const w = await site.awaitWrite(id);
      const t1 = performance.now();
      if (w?.ok) ms.push(t1 - t0);
      else {
        notHeld++;
        if (reasons.length < 5) reasons.push(w?.reason ?? 'no write');
      }
    }
  } finally {
    await site.stop();
  }
  return { ms, notHeld, reasons };
}

/** The bare SSP-1 exchange the site makes per control (CMD → ACK, STQ → STA), from a session on the same line. */
async function bareLatency(path: string, n: number): Promise<number[]> {
  const m = /^tcp:\/\/[^:]+:(\d+)$/.exec(path)!;
  const transport = new SerialTransport({ path: `tcp://127.0.0.1:${m[1]}`, reconnect: false });
  const session = new SapcSession({ clock: systemClock, write: (t) => transport.write(t), sendHeartbeats: false, ackTimeoutMs: 1000, firstSeq: 20000 });
  transport.on('data', (b) => session.receive(b));
  await transport.open();
  const ms: number[] = [];
  try {
    const start = performance.now();
    for (let i = 0; i < n && performance.now() - start < MAX_MS; i++) {
      const t0 = performance.now();
      const a = await session.request({ type: 'CMD', command: buildCommand({ level: 10 + (i % 80), forMs: 600_000, eventId: 'bare-1' }, Date.now()) });
      const s = await session.request({ type: 'STQ', slot: 1 });
      if (a.type === 'ACK' && s.type === 'STA') ms.push(performance.now() - t0);
    }
  } finally {
    session.close();
    await transport.close();
  }
  return ms;
}

async function main(): Promise<void> {
  const bin = join(root, 'bin', 'gridbridge.js');
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'index.js'))) {
    writeResult('sapc-field', { skipped: 'dist not built' });
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gb-sapc-field-bench-'));
  const hub = await startTcpHub();
  const path = `tcp://127.0.0.1:${hub.port}`;
  const procs: ChildProcess[] = [];
  const loadBefore = loadavg().map((x) => Math.round(x * 100) / 100);
  try {
    const app = spawn(process.execPath, [bin, 'sim', 'sapc-appliance', '--device', path, '--slot', '1:import:ev1', '--apply-delay', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(app);
    let out = '';
    app.stdout!.on('data', (d: Buffer) => {
      if (out.length < 10_000) out += d.toString();
    });
    await waitFor(() => out.includes('"event":"start"'), 10_000, 'sim sapc-appliance start');
    await waitFor(() => hub.clients >= 1, 5000, 'appliance on the hub');
    const site = await siteLatency(path, dir, N);
    const bare = await bareLatency(path, N);
    writeResult('sapc-field', {
      description:
        'SAPC field connection (GridBridge = SSP-1 meter end): control submitted → held (arbiter, CMD→ACK, STQ→STA confirming the level) against gridbridge sim sapc-appliance in its own process, joined by a TCP hub in the bench process; baseline: the bare CMD→ACK + STQ→STA exchange from a session on the same line. No line speed modelled (add ≈ 1.04 ms per byte at 9600 baud).',
      controlToHeldMs: summary(site.ms),
      notHeld: site.notHeld,
      ...(site.reasons.length ? { notHeldReasons: site.reasons } : {}),
      bareSsp1CmdAndStatusMs: summary(bare),
      loadAverage: { before: loadBefore, after: loadavg().map((x) => Math.round(x * 100) / 100) },
    });
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
