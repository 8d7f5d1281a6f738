/** Test fixture: a `gridbridge` CLI process (from the build: bin/gridbridge.js) read as JSON lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const repoRoot = join(__dirname, '..', '..');

export interface CliProcess {
  child: ChildProcess;
  events: Array<Record<string, any>>;
  stderr(): string;
  /** The first event (seen so far or later) matching `pred`; rejects after `ms` or when the process exits. */
  waitFor(pred: (e: Record<string, any>) => boolean, what: string, ms?: number): Promise<Record<string, any>>;
  /** Resolves with the exit code when the process ends by itself. */
  exit: Promise<number | null>;
  /** SIGINT and the exit code. */
  stop(): Promise<number | null>;
}

export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'gridbridge.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const events: Array<Record<string, any>> = [];
  const waiters = new Set<() => void>();
  let err = '';
  let exited: number | null | undefined;
  child.stderr!.on('data', (d) => (err += d));
  createInterface({ input: child.stdout! }).on('line', (l) => {
    try {
      events.push(JSON.parse(l));
    } catch {
      events.push({ event: 'text', line: l });
    }
    for (const w of waiters) w();
  });
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (c) => {
      exited = c;
      for (const w of waiters) w();
      resolve(c);
    }),
  );
  return {
    child,
    events,
    exit,
    stderr: () => err,
    waitFor(pred, what, ms = 20000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred);
          if (hit) return done(() => resolve(hit));
          if (exited !== undefined) return done(() => reject(new Error(`gridbridge ${args[0]} exited (${exited}) before ${what}: ${err.slice(-500)}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${what}; last events ${JSON.stringify(events.slice(-5))} ${err.slice(-300)}`))), ms);
        const done = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (exited === undefined) child.kill('SIGINT');
      return exit;
    },
  };
}

/** Poll `f` until it returns something other than undefined (every 50 ms, 15 s at most). */
export async function until<T>(f: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
