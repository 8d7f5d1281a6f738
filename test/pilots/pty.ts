/** Test fixture: a null-modem pair of pseudo-terminals (fixtures/pty-pair.py, Python's os.openpty) for RS485 paths. */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface PtyPair {
  a: string;
  b: string;
  close(): void;
}

export function ptyPair(): Promise<PtyPair> {
  const child = spawn('python3', [join(__dirname, 'fixtures', 'pty-pair.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => reject(new Error(`pty-pair.py exited (${c}) before printing its ttys`)));
    createInterface({ input: child.stdout }).once('line', (l) => {
      const { a, b } = JSON.parse(l) as { a: string; b: string };
      resolve({ a, b, close: () => child.kill('SIGTERM') });
    });
  });
}

/** A TCP port free right now on 127.0.0.1 (for a listener the process under test opens itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
