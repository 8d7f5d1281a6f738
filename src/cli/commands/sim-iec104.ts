/** `gridbridge sim iec104 --port N [--mapping M] [--tls …]`: a simulated RTU (IEC 104 controlled station). */
import { errorMessage } from '../../core/errors.js';
import { emit, untilSignal, warn, parseCommandLine } from '../jsonl.js';
import { loadIec104Mapping, TLS_USAGE, tlsFromFlags } from '../../sim/iec104/config.js';
import { SimRtu, type RtuOptions } from '../../sim/iec104/rtu.js';

export const summary = 'simulated IEC 104 RTU serving every supported type, with moving values and commands (SBO)';

const USAGE = `usage: gridbridge sim iec104 [--port N] [--host H] [--mapping FILE] [options]
  --port N            TCP port (default 2404, 19998 with TLS)
  --host H            listen address (default 127.0.0.1; 0.0.0.0 for every interface)
  --mapping FILE      serve the iec104 block of a mapping YAML instead of the built-in point list
  --ca N              common address of the built-in points (default 1)
  --interval MS       value changes every MS (default 1000, 0 = static)
  --cyclic MS         cyclic transmission period (default 0 = off)
  --link-down IOA     answer commands to this IOA with a negative ACT_CON (field link down; repeatable)
  --group NAME=IP,IP  redundancy group (repeatable; default one group for every client)
  --max-connections N accept at most N connections at once (default 16; 0 = no limit)
${TLS_USAGE}
Built-in points (CA 1): 100 M_SP_NA, 101 M_SP_TB, 200 M_DP_NA, 201 M_DP_TB, 300 M_ST_NA, 301 M_ST_TB,
  400 M_BO_NA, 401 M_BO_TB, 500 M_ME_NA, 501 M_ME_TD, 600 M_ME_NB, 601 M_ME_TE, 700-709 M_ME_NC, 710 M_ME_TF,
  800 M_IT_NA, 801 M_IT_TB. Commands: 5000 C_SC, 5001 C_DC (SBO), 5002 C_RC, 5003 C_SE_NA, 5004 C_SE_NB,
  5005 C_SE_NC (SBO), 5006 C_BO (each also with time tag).
Prints JSON lines (listening, connection, state, command, disconnect, warn); stops on SIGINT/SIGTERM.`;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      mapping: { type: 'string' },
      ca: { type: 'string', default: '1' },
      interval: { type: 'string', default: '1000' },
      cyclic: { type: 'string', default: '0' },
      'link-down': { type: 'string', multiple: true },
      group: { type: 'string', multiple: true },
      'max-connections': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      'tls-allow': { type: 'string', multiple: true },
      'tls-min': { type: 'string' },
      'tls-max': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (typeof cli === 'number') return cli;
  const v = cli.values;
  let rtu: SimRtu;
  try {
    const tls = tlsFromFlags(v);
    const opts: RtuOptions = {
      port: Number(v.port ?? (tls ? 19998 : 2404)),
      host: v.host,
      ca: Number(v.ca),
      changeEveryMs: Number(v.interval),
      cyclicPeriodMs: Number(v.cyclic),
      linkDown: (v['link-down'] ?? []).map(Number),
    };
    if (tls) opts.tls = tls;
    if (v['max-connections'] !== undefined) {
      const n = Number(v['max-connections']);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--max-connections: '${v['max-connections']}' is not a whole number ≥ 0`);
      opts.maxConnections = n;
    }
    if (v.mapping) opts.mapping = loadIec104Mapping(v.mapping);
    if (v.group?.length) opts.redundancyGroups = v.group.map((g) => ({ name: g.split('=')[0]!, clients: (g.split('=')[1] ?? '').split(',').filter(Boolean) }));
    rtu = new SimRtu(opts);
  } catch (e) {
    warn(`sim iec104: ${errorMessage(e)}`);
    return 2;
  }
  const s = rtu.server;
  for (const ev of ['connection', 'state', 'command', 'disconnect'] as const) s.on(ev, (d: Record<string, unknown>) => emit(ev, d));
  s.on('warn', (m: string) => emit('warn', { message: m }));
  try {
    const addr = await rtu.start();
    emit('listening', { ...addr, tls: Boolean(v['tls-cert']), points: s.store.size });
  } catch (e) {
    warn(`sim iec104: cannot listen: ${errorMessage(e)}`);
    return 1;
  }
  const sig = await untilSignal();
  await rtu.stop();
  emit('stopped', { signal: sig });
  return 0;
}
