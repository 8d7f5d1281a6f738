import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { VtnSim20b, type VtnLogEntry } from '../../src/sim/openadr/vtn20b.js';
import { VtnSim3 } from '../../src/sim/openadr/vtn3.js';

// `gridbridge ven openadr` as a user runs it (needs the build, like test/runtime/run-cli.test.ts): headless, no
// --points-stdin, nothing but the poll timer to keep it busy. It must keep polling until it is stopped.
const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'gb-ven-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Line {
  event: string;
  state?: string;
  at: number;
}

function runVen(name: string, yaml: string, env: Record<string, string> = {}) {
  const config = join(dir, `${name}.yaml`);
  writeFileSync(config, yaml);
  const c = spawn(process.execPath, [join(root, 'bin', 'gridbridge.js'), 'ven', 'openadr', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(c);
  const lines: Line[] = [];
  createInterface({ input: c.stdout! }).on('line', (l) => lines.push({ ...(JSON.parse(l) as Line), at: Date.now() }));
  const state: { exitCode: number | null | undefined } = { exitCode: undefined };
  const exited = new Promise<number | null>((resolve) => c.on('exit', (code) => resolve((state.exitCode = code))));
  return { c, lines, state, exited };
}

describe('gridbridge ven openadr (headless)', () => {
  it('2.0b and 3.1.0 (notification: poll) keep polling after 30 s and stop cleanly on SIGTERM', async () => {
    const log: Array<VtnLogEntry & { at: number }> = [];
    const vtn = new VtnSim20b({ clock: systemClock, script: { vtnId: 'VTN', pollFreqSec: 2, steps: [] }, log: (e) => log.push({ ...e, at: Date.now() }) });
    await vtn.start();
    const vtn3 = new VtnSim3({ version: '3.1.0', clients: { 'ven-3': 's3' } });
    await vtn3.start();
    vtn3.create('programs', { programName: 'p' });
    const t0 = Date.now();
    const v2 = runVen('v2', `openadr:\n  version: "2.0b"\n  vtnUrl: ${vtn.url}\n  venName: headless\n  pollIntervalSec: 2\n`);
    const v3 = runVen('v3', `openadr:\n  version: "3.1.0"\n  vtnUrl: ${vtn3.url}\n  venName: headless3\n  pollIntervalSec: 2\n  notification: poll\n  oauth: { clientId: ven-3 }\n`, { OPENADR_CLIENT_SECRET: 's3' });
    await new Promise((r) => setTimeout(r, 31_000));
    expect(v2.state.exitCode, 'the 2.0b VEN process exited by itself').toBeUndefined();
    expect(v3.state.exitCode, 'the 3.1.0 VEN process exited by itself').toBeUndefined();
    // 2.0b: the VTN saw polls in the last seconds; 3.1.0: each poll round ends with a state line.
    expect(log.filter((e) => e.event === 'received' && e.type === 'oadrPoll' && e.at - t0 > 28_000).length).toBeGreaterThan(0);
    expect(v3.lines.filter((l) => l.event === 'state' && l.state === 'up' && l.at - t0 > 28_000).length).toBeGreaterThan(0);
    expect(v2.lines.some((l) => l.event === 'state' && l.state === 'up')).toBe(true);
    v2.c.kill('SIGTERM');
    v3.c.kill('SIGTERM');
    expect(await v2.exited).toBe(0);
    expect(await v3.exited).toBe(0);
    expect(v2.lines.some((l) => l.event === 'stopping')).toBe(true);
    await vtn.stop();
    await vtn3.stop();
  }, 60_000);
});
