/**
 * No acknowledged point is lost when the process is killed: a real child process stores points through the built
 * store (dist/), delivers the first ones to a fake upstream that then goes silent (an outage), and is killed with
 * SIGKILL while it is still appending. A restart must hand out every point the child acknowledged and did not see
 * confirmed, in order, with its original timestamp.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openQueue } from './index.js';

const dist = join(__dirname, '..', '..', '..', 'dist', 'src', 'core', 'store', 'index.js');

interface P {
  i: number;
  t: number;
}

describe('store-and-forward survives kill -9', () => {
  it('every acknowledged point is delivered after a restart, in order, with its original timestamp', async () => {
    expect(existsSync(dist), 'run node scripts/build.mjs first').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'gb-store-crash-'));
    try {
      const script = `
        const { openQueue, Forwarder } = require(${JSON.stringify(dist)});
        const q = openQueue('mqtt', { dir: process.argv[1] });
        const clock = { now: Date.now, monotonic: () => performance.now(), setTimeout, clearTimeout };
        // The upstream confirms points 0..999, then stops answering (broker gone): the rest stays buffered.
        const f = new Forwarder(q, { clock, ratePerS: 0, maxInflight: 50, send: (v) => v.i < 1000
          ? (process.stdout.write('delivered ' + v.i + '\\n'), Promise.resolve(true))
          : new Promise(() => {}) });
        f.online(true);
        let i = 0;
        const tick = () => {
          const batch = [];
          for (let k = 0; k < 50; k++, i++) batch.push({ i, t: 1700000000000 + i * 10 }); // the point's source time
          q.append(batch);
          process.stdout.write('stored ' + (i - 1) + '\\n'); // acknowledged: committed before this line
          setImmediate(tick);
        };
        tick();
      `;
      const child = spawn(process.execPath, ['-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      let lastStored = -1;
      const delivered = new Set<number>();
      await new Promise<void>((res, rej) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const lines = out.split('\n');
          out = lines.pop()!;
          for (const l of lines) {
            const [what, n] = l.split(' ');
            if (what === 'stored') lastStored = Number(n);
            else if (what === 'delivered') delivered.add(Number(n));
          }
          if (lastStored >= 10_000 && child.exitCode === null && !child.killed) {
            child.kill('SIGKILL'); // mid-buffer: the child is still appending
            res();
          }
        });
        child.on('exit', (code, sig) => sig !== 'SIGKILL' && rej(new Error(`child exited ${code}`)));
      });
      await new Promise((r) => child.on('close', r));
      expect(delivered.size).toBe(1000);

      const q = openQueue<P>('mqtt', { dir });
      const replay = q.take(Number.MAX_SAFE_INTEGER).map((e) => e.value);
      q.close();
      // In order, no gaps, original timestamps.
      for (let k = 1; k < replay.length; k++) expect(replay[k]!.i).toBe(replay[k - 1]!.i + 1);
      for (const p of replay) expect(p.t).toBe(1_700_000_000_000 + p.i * 10);
      // Every acknowledged point is either confirmed by the upstream before the kill or in the replay.
      const first = replay[0]!.i;
      expect(first).toBeLessThanOrEqual(1000);
      for (let k = 0; k < first; k++) expect(delivered.has(k)).toBe(true);
      expect(replay[replay.length - 1]!.i).toBeGreaterThanOrEqual(lastStored);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
