import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { VtnSim20b, type VtnLogEntry } from '../../src/sim/openadr/vtn20b.js';

// `gridbridge ven openadr` as a user runs it (needs the build, like test/runtime/run-cli.test.ts): headless, no
// --points-stdin, nothing but the poll timer to keep it busy. It must keep polling until it is stopped.
const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'gb-ven-'));
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('gridbridge ven openadr (headless)', () => {
  it('keeps polling the VTN after 30 s and stops cleanly on SIGTERM', async () => {
    const log: Array<VtnLogEntry & { at: number }> = [];
    const vtn = new VtnSim20b({ clock: systemClock, script: { vtnId: 'VTN', pollFreqSec: 2, steps: [] }, log: (e) => log.push({ ...e, at: Date.now() }) });
    await vtn.start();
    const config = join(dir, 'ven.yaml');
    writeFileSync(config, `openadr:\n  version: "2.0b"\n  vtnUrl: ${vtn.url}\n  venName: headless\n  pollIntervalSec: 2\n`);
    const c = spawn(process.execPath, [join(root, 'bin', 'gridbridge.js'), 'ven', 'openadr', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    const lines: Array<{ event: string; state?: string }> = [];
    createInterface({ input: c.stdout! }).on('line', (l) => lines.push(JSON.parse(l) as { event: string }));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => c.on('exit', (code) => resolve((exitCode = code))));
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 31_000));
    expect(exitCode, 'the VEN process exited by itself').toBeUndefined();
    const polls = log.filter((e) => e.event === 'received' && e.type === 'oadrPoll');
    expect(polls.filter((p) => p.at - t0 > 28_000).length).toBeGreaterThan(0);
    expect(lines.some((l) => l.event === 'state' && l.state === 'up')).toBe(true);
    c.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.at(-1)?.event).toMatch(/state|stopping/);
    await vtn.stop();
  }, 60_000);
});
