/** Shared by the SAPC interop tests: socat pty pairs and the built CLI as a separate process (JSON lines on stdout). */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');
const children: ChildProcess[] = [];

/** `socat` linking two ptys (or any two socat addresses); resolves when both links exist. */
export async function socat(a: string, b: string, extra: { aAddr?: string; bAddr?: string } = {}): Promise<ChildProcess> {
  const p = spawn('socat', ['-d', '-d', extra.aAddr ?? `pty,raw,echo=0,link=${a}`, extra.bAddr ?? `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  children.push(p);
  const want = [extra.aAddr ? undefined : a, extra.bAddr ? undefined : b].filter((x): x is string => !!x);
  for (let i = 0; i < 100 && !want.every(existsSync); i++) await new Promise((r) => setTimeout(r, 50));
  if (!want.every(existsSync)) throw new Error('socat did not create the ptys');
  return p;
}

export interface CliProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stderr(): string;
  /** Resolves with the first line matching, waiting up to `ms`. */
  waitFor(pred: (l: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  /** Ask it to stop (SIGTERM) unless `signal` is false, and wait for it to end. */
  stop(signal?: boolean): Promise<number | null>;
}

/** Run `gridbridge ARGS…` from dist/ (built by scripts/interop.mjs) as its own process. */
export function gridbridge(args: string[]): CliProcess {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'gridbridge.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        err += `(stdout) ${line}\n`;
      }
      for (const w of waiters.splice(0)) w();
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return {
    child,
    lines,
    stderr: () => err,
    async waitFor(pred, ms = 10_000) {
      const end = Date.now() + ms;
      for (;;) {
        const hit = lines.find(pred);
        if (hit) return hit;
        if (Date.now() > end || child.exitCode !== null) throw new Error(`no matching line; stdout: ${JSON.stringify(lines)}; stderr: ${err}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
    async stop(signal = true) {
      if (signal && child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Run `gridbridge ARGS…` to completion: exit code and JSON lines. */
export async function gridbridgeOnce(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; lines: Array<Record<string, unknown>>; stderr: string }> {
  const p = gridbridge(args);
  const t = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await p.stop(false);
  clearTimeout(t);
  return { code, lines: p.lines, stderr: p.stderr() };
}

export function killAll(): void {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGTERM');
}
