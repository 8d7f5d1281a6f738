/** A private mosquitto (Debian package) on a free loopback port, for interop tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = netConnect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), res(true)));
    s.once('error', () => res(false));
  });
}

export interface Mosquitto {
  url: string;
  port: number;
  stop(): void;
}

/** Start mosquitto with one anonymous listener; resolves once the port accepts connections. */
export async function startMosquitto(): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'gb-mosquitto-'));
  const port = await freePort();
  // As root, mosquitto would switch to the "mosquitto" user, which cannot read this private temp dir.
  const conf = [...(process.getuid?.() === 0 ? ['user root'] : []), 'persistence false', 'log_dest stderr', `listener ${port} 127.0.0.1`, 'allow_anonymous true', ''];
  writeFileSync(join(dir, 'mosquitto.conf'), conf.join('\n'));
  let stderr = '';
  const proc: ChildProcess = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = () => {
    proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  const end = Date.now() + 10_000;
  while (!(await portOpen(port))) {
    if (Date.now() > end || proc.exitCode !== null) {
      stop();
      throw new Error(`mosquitto did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `mqtt://127.0.0.1:${port}`, port, stop };
}
