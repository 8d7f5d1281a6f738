/**
 * Modbus interop against independent peers (Debian packages; CI installs them):
 *   - our ModbusPort / probe against a pymodbus 3.0 server, over TCP and over RTU on a socat pty pair;
 *   - mbpoll (libmodbus) reading and writing our simulator over TCP and RTU.
 * Each block skips with a clear message when its tool is missing.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Point } from '../../src/core/point.js';
import { ModbusPort } from '../../src/protocols/modbus/port.js';
import { loadProfile } from '../../src/sim/modbus/profile-file.js';
import { ModbusSimulator } from '../../src/sim/modbus/server.js';

const run = promisify(execFile);
const PY = '/usr/bin/python3';
const PEER = join(__dirname, 'peers', 'pymodbus_server.py');

function have(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 10000 });
    return true;
  } catch {
    return false;
  }
}
const hasPymodbus = existsSync(PY) && have(PY, ['-c', 'import pymodbus.server']);
const hasSocat = have('socat', ['-V']);
const hasMbpoll = have('mbpoll', ['-V']) || existsSync('/usr/bin/mbpoll');
for (const [ok, what] of [
  [hasPymodbus, 'python3-pymodbus (/usr/bin/python3 -c "import pymodbus")'],
  [hasSocat, 'socat'],
  [hasMbpoll, 'mbpoll'],
] as const) {
  if (!ok) console.warn(`[modbus interop] SKIPPING tests that need ${what}: not installed (apt-get install -y socat python3-pymodbus mbpoll)`);
}

const children: ChildProcess[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c().catch(() => undefined);
});
afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
});

function startChild(cmd: string, args: string[], ready: (out: string) => boolean): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(c);
    let out = '';
    const t = setTimeout(() => reject(new Error(`${cmd} not ready: ${out}`)), 10000);
    const on = (d: Buffer) => {
      out += d.toString();
      if (ready(out)) {
        clearTimeout(t);
        resolve(c);
      }
    };
    c.stdout!.on('data', on);
    c.stderr!.on('data', on);
    c.on('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${cmd} exited ${code}: ${out}`));
    });
  });
}

let ptyN = 0;
async function ptyPair(): Promise<[string, string]> {
  const base = `/tmp/gb-modbus-${process.pid}-${ptyN++}`;
  const a = `${base}-a`;
  const b = `${base}-b`;
  await startChild('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], (o) => /starting data transfer loop/.test(o));
  return [a, b];
}

const f32 = (x: number): [number, number] => {
  const b = Buffer.alloc(4);
  b.writeFloatBE(x);
  return [b.readUInt16BE(0), b.readUInt16BE(2)];
};

/** SDM630 input registers with known floats: PhVphA 230.5, W 1234.5, Hz 50.25, WH 12.5 kWh. */
const SDM_VALUES = { input: { '0': [...f32(230.5)], '52': [...f32(1234.5)], '70': [...f32(50.25)], '342': [...f32(12.5)] } };

function collect(port: ModbusPort, device: string): Map<string, Point> {
  const m = new Map<string, Point>();
  port.on('points', (pts, d) => {
    if (d.id === device) for (const p of pts) m.set(p.name, p);
  });
  return m;
}

async function until(cond: () => boolean, ms = 10000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!hasPymodbus)('GridBridge client → pymodbus server', () => {
  let tcpPort = 0;
  beforeAll(async () => {
    tcpPort = 20000 + (process.pid % 20000);
    await startChild(PY, [PEER, '--tcp', String(tcpPort), '--units', '1,2', '--values', JSON.stringify(SDM_VALUES)], (o) => o.includes('READY'));
  });

  it('reads float32 input registers over TCP and converts kWh to Wh', async () => {
    const port = new ModbusPort({ tcp: { host: '127.0.0.1', port: tcpPort } }, { timeoutMs: 1000 });
    closers.push(() => port.stop());
    const dev = port.addDevice({ id: 'sdm', unitId: 1, profile: loadProfile('eastron-sdm630') });
    port.start();
    await until(() => port.status.state === 'up');
    const pts = new Map((await dev.readAll()).map((p) => [p.name, p]));
    expect(pts.get('PhVphA')).toMatchObject({ value: 230.5, unit: 'V', quality: { code: 'good' } });
    expect(pts.get('W')).toMatchObject({ value: 1234.5, unit: 'W' });
    expect(pts.get('Hz')).toMatchObject({ value: 50.25 });
    expect(pts.get('WH')).toMatchObject({ value: 12500, unit: 'Wh' });
  });

  it("recovers after the pymodbus server is killed (SIGKILL) and restarted: 'online' after port-down, good reads", async () => {
    const port2 = tcpPort + 1;
    const args = [PEER, '--tcp', String(port2), '--units', '1', '--values', JSON.stringify(SDM_VALUES)];
    const peer = await startChild(PY, args, (o) => o.includes('READY'));
    const port = new ModbusPort({ tcp: { host: '127.0.0.1', port: port2 } }, { timeoutMs: 500 });
    closers.push(() => port.stop());
    port.addDevice({ id: 'sdm', unitId: 1, profile: loadProfile('eastron-sdm630'), pollClasses: { fast: 100, normal: 100, slow: 100 } });
    const online: string[] = [];
    port.on('online', (e) => online.push(e.after));
    const pts = collect(port, 'sdm');
    port.start();
    await until(() => online.length === 1);
    peer.kill('SIGKILL');
    await until(() => port.status.state === 'down');
    await until(() => pts.get('W')?.quality.code === 'not_connected');
    await new Promise((r) => setTimeout(r, 3000));
    await startChild(PY, args, (o) => o.includes('READY'));
    await until(() => online.length === 2);
    expect(online).toEqual(['start', 'port-down']);
    await until(() => pts.get('W')?.quality.code === 'good');
    expect(pts.get('W')).toMatchObject({ value: 1234.5 });
  });

  it('the probe command reads it and exits 0; exits 1 for an unreachable port', async () => {
    const probe = await import('../../src/cli/commands/probe-modbus.js');
    const out: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
    let code: number;
    try {
      code = await probe.run(['--profile', 'eastron-sdm630', '--tcp', `127.0.0.1:${tcpPort}`, '--unit', '2', '--json', '--timeout', '500']);
    } finally {
      process.stdout.write = orig;
    }
    expect(code).toBe(0);
    const arr = JSON.parse(out.join('')) as Array<{ name: string; value: unknown; quality: string }>;
    expect(arr.find((p) => p.name === 'W')).toMatchObject({ value: 1234.5, quality: 'good' });
    const bad = await probe.run(['--profile', 'eastron-sdm630', '--tcp', '127.0.0.1:1', '--timeout', '300']);
    expect(bad).toBe(1);
  });

  it.skipIf(!hasSocat)('reads over RTU on a socat pty; a silent unit id does not stop the answering one', async () => {
    const [ours, theirs] = await ptyPair();
    await startChild(PY, [PEER, '--rtu', theirs, '--baud', '9600', '--units', '1', '--values', JSON.stringify(SDM_VALUES)], (o) => o.includes('READY'));
    const port = new ModbusPort({ rtu: { path: ours, baudRate: 9600 } }, { timeoutMs: 300, retries: 0, offlineAfter: 2 });
    closers.push(() => port.stop());
    const profile = loadProfile('eastron-sdm630');
    const fast = { fast: 200, normal: 200, slow: 200 };
    port.addDevice({ id: 'sdm', unitId: 1, profile, pollClasses: fast });
    port.addDevice({ id: 'ghost', unitId: 7, profile, pollClasses: fast });
    const seen = collect(port, 'sdm');
    const states: string[] = [];
    port.on('device', (s) => states.push(`${s.device}:${s.state}`));
    port.start();
    await until(() => states.includes('ghost:offline') && seen.get('W')?.quality.code === 'good');
    expect(seen.get('W')?.value).toBe(1234.5);
    expect(seen.get('PhVphA')?.value).toBe(230.5);
    const before = port.stats().devices.sdm!.responses;
    await new Promise((r) => setTimeout(r, 1500));
    expect(port.stats().devices.sdm!.responses).toBeGreaterThan(before + 5);
    expect(port.status.state).toBe('degraded');
  });
});

describe.skipIf(!hasMbpoll)('mbpoll → GridBridge simulator', () => {
  it('reads holding and float input registers over TCP, writes within limits, gets exception 3 outside', async () => {
    const sim = new ModbusSimulator({ units: [{ unitId: 1, profile: loadProfile('dcbel-station-battery') }, { unitId: 2, profile: loadProfile('eastron-sdm630') }] });
    const { port } = await sim.listenTcp(0);
    closers.push(() => sim.close());
    const img = sim.images.get(1)!;
    img.write('holding', 102, [1500]); // WChaMax
    const r = await run('mbpoll', ['-m', 'tcp', '-p', String(port), '-a', '1', '-t', '4', '-r', '102', '-c', '1', '-0', '-1', '127.0.0.1'], { timeout: 10000 });
    expect(r.stdout).toMatch(/\[102\]:\s+1500/);
    const f = await run('mbpoll', ['-m', 'tcp', '-p', String(port), '-a', '2', '-t', '3:float', '-B', '-r', '0', '-c', '1', '-0', '-1', '127.0.0.1'], { timeout: 10000 });
    const v = Number(/\[0\]:\s+([\d.]+)/.exec(f.stdout)?.[1]);
    expect(v).toBeGreaterThan(220);
    expect(v).toBeLessThan(240);
    await run('mbpoll', ['-m', 'tcp', '-p', String(port), '-a', '1', '-t', '4', '-r', '103', '-0', '-1', '127.0.0.1', '--', '2000'], { timeout: 10000 });
    expect(img.readRegisters('holding', 103, 1)).toEqual([2000]);
    const bad = await run('mbpoll', ['-m', 'tcp', '-p', String(port), '-a', '1', '-t', '4', '-r', '103', '-0', '-1', '127.0.0.1', '--', '9000'], { timeout: 10000 }).then(
      (x) => x.stdout + x.stderr,
      (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
    expect(bad).toMatch(/Illegal data value/i);
    expect(img.readRegisters('holding', 103, 1)).toEqual([2000]);
  });

  it.skipIf(!hasSocat)('reads the simulator over RTU on a socat pty', async () => {
    const [ours, theirs] = await ptyPair();
    const sim = new ModbusSimulator({ units: [{ unitId: 3, profile: loadProfile('dcbel-station-battery') }] });
    await sim.openRtu(ours, 9600);
    closers.push(() => sim.close());
    sim.images.get(3)!.write('holding', 102, [4321]);
    const r = await run('mbpoll', ['-m', 'rtu', '-b', '9600', '-P', 'none', '-a', '3', '-t', '4', '-r', '102', '-c', '2', '-0', '-1', theirs], { timeout: 10000 });
    expect(r.stdout).toMatch(/\[102\]:\s+4321/);
  });
});
