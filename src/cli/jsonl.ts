import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { errorMessage, formatPath } from '../core/errors.js';
/** JSON lines on stdout: one object per event, with an ISO timestamp and an event name. */
export function emit(event: string, data: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), event, ...data }) + '\n');
}

/** Diagnostics go to stderr so stdout stays machine-readable. */
export function warn(message: string): void {
  process.stderr.write(message.endsWith('\n') ? message : message + '\n');
}

/** Resolve when the process is asked to stop (SIGINT/SIGTERM); used by long-running sim/client commands. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    // Protocol timers are unref'd (a library must not hold a process open); a command that runs until stopped holds
    // it here, so it does not exit by itself when nothing else is pending (e.g. a site whose only peer is polled).
    const hold = setInterval(() => undefined, 1 << 30);
    const on = (s: NodeJS.Signals) => {
      clearInterval(hold);
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

type Options = NonNullable<import('node:util').ParseArgsConfig['options']>;

/**
 * Parse a command's flags (strict: unknown flags are errors). Returns the parsed flags, or the exit code when the
 * command should stop: 0 after printing usage for --help, 2 after printing the problem and usage.
 */
export function parseCommandLine<const O extends Options>(
  argv: string[],
  options: O,
  usage: string,
  allowPositionals = false,
): { values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: boolean; strict: true }>>['values']; positionals: string[] } | number {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals, strict: true });
    if ((r.values as Record<string, unknown>).help) {
      process.stdout.write(usage + '\n');
      return 0;
    }
    return { values: r.values, positionals: r.positionals };
  } catch (e) {
    warn(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
    return 2;
  }
}

/** A TCP port flag (0 = ephemeral), or undefined after printing why it is not one. */
export function portFlag(value: string | undefined, flag: string): number | undefined {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0 || n > 65535) {
    warn(`${flag}: invalid port ${String(value)}`);
    return undefined;
  }
  return n;
}

/** Read a YAML (or JSON) file named on the command line and check it with `schema`; undefined after printing each problem with its place. */
export function readCheckedFile<S extends z.ZodType>(file: string, schema: S): z.output<S> | undefined {
  try {
    const parsed = schema.safeParse(parseYaml(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
    for (const i of parsed.error.issues) warn(`${file}: ${formatPath(i.path)}: ${i.message}`);
  } catch (e) {
    warn(`${file}: ${errorMessage(e)}`);
  }
  return undefined;
}
