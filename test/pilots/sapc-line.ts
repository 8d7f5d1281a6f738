/** Test fixture for the SAPC pilots: an SSP-1 line behind a TCP hub and the CLI processes on it, cleaned after each test. */
import { afterEach } from 'vitest';
import { startCli, type CliProcess } from './cli.js';
import { startTcpHub, type TcpHub } from '../../src/sim/sapc/tcp-hub.js';

export interface SapcLine {
  /** Open a fresh hub for this test; its `tcp://` address. */
  open(): Promise<string>;
  readonly hub: TcpHub;
  /** Start a `gridbridge` process stopped after the test. */
  cli(args: string[], env?: Record<string, string>): CliProcess;
}

/** Registers the cleanup (processes in reverse, then the hub) with the test file's afterEach. */
export function sapcLine(): SapcLine {
  const procs: CliProcess[] = [];
  let hub: TcpHub | undefined;
  afterEach(async () => {
    for (const p of procs.splice(0).reverse()) await p.stop();
    await hub?.close();
    hub = undefined;
  });
  return {
    async open() {
      hub = await startTcpHub();
      return `tcp://127.0.0.1:${hub.port}`;
    },
    get hub() {
      if (!hub) throw new Error('open() the SAPC line first');
      return hub;
    },
    cli(args, env) {
      const p = startCli(args, env);
      procs.push(p);
      return p;
    },
  };
}
