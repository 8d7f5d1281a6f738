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
    const on = (s: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
