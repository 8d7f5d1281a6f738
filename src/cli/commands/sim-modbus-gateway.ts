/**
 * `gridbridge sim modbus-gateway --tcp PORT (--unit N --profile P … | --mapping M)`: a Modbus TCP → RS485 gateway
 * (unit-id routing, one transaction at a time on the line, 0x0B / 0x0A gateway exceptions) in front of simulated
 * RS485 units, each with its profile. See src/sim/modbus/gateway.ts.
 */
import { errorMessage } from '../../core/errors.js';
import { emit, untilSignal, warn, parseCommandLine } from '../jsonl.js';
import { parseFault } from '../../sim/modbus/faults.js';
import { GATEWAY_PATH_UNAVAILABLE, GATEWAY_TARGET_FAILED, ModbusGatewaySim, type GatewayOptions } from '../../sim/modbus/gateway.js';
import { unitsOfFlags, unitsOfMapping } from './sim-modbus.js';

export const summary = 'Modbus TCP → RS485 gateway simulator: unit-id routing to several simulated units, gateway exceptions';

const USAGE = `usage: gridbridge sim modbus-gateway --unit N --profile P [--unit N --profile P …] --tcp PORT [options]
       gridbridge sim modbus-gateway --mapping M [--connection C] [--tcp PORT] [options]
  --unit N / --profile P  the RS485 slaves behind the gateway: the n-th --profile serves the n-th --unit (one
                          --profile for all when only one is given)
  --mapping M             the enabled devices of connection C of site mapping M (unit ids and profiles); listens
                          on the connection's TCP port unless --tcp is given
  --connection C          which connection of the mapping (default: the only one)
  --tcp PORT              TCP port (0 = any free port, printed in "listening"); --host H bind address (127.0.0.1)
  --baud B                RS485 line speed: each transaction holds the line for its wire time (default 9600;
                          0 = no wire time)
  --timeout MS            the gateway's response timeout: a slave that does not answer holds the line this long,
                          then the gateway answers exception 0x0B (default 1000)
  --unknown-unit X        a unit id not on the line: 0x0B (default: after the timeout, as a gateway without a
                          routing table), 0x0A (gateway path unavailable, at once: a gateway with a routing table)
                          or silent (no answer)
  --fault SPEC            as for gridbridge sim modbus (exception=N[,unit=U]… | silent[,unit=U] | slow=MS[,…])
  --quiet                 do not print one line per transaction (writes are still printed)
Prints JSON lines: listening, transaction, write, error. Stops on SIGINT/SIGTERM.`;

function parseUnknown(v: string): GatewayOptions['unknownUnit'] {
  if (v === 'silent') return 'silent';
  const n = Number(v);
  if (n === GATEWAY_PATH_UNAVAILABLE || n === GATEWAY_TARGET_FAILED) return n;
  throw new Error(`--unknown-unit must be 0x0A, 0x0B or silent (got "${v}")`);
}

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      profile: { type: 'string', multiple: true },
      unit: { type: 'string', multiple: true },
      mapping: { type: 'string' },
      connection: { type: 'string' },
      tcp: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      baud: { type: 'string', default: '9600' },
      timeout: { type: 'string', default: '1000' },
      'unknown-unit': { type: 'string', default: '0x0B' },
      fault: { type: 'string', multiple: true },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (typeof cli === 'number') return cli;
  const v = cli.values;
  if (!v.profile === !v.mapping || (!v.mapping && !v.tcp)) {
    warn(`give --unit/--profile with --tcp, or --mapping\n${USAGE}`);
    return 2;
  }
  let gw: ModbusGatewaySim;
  try {
    let units;
    if (v.mapping) {
      const served = unitsOfMapping(v.mapping, v.connection);
      if (served.connection.type !== 'tcp' && !v.tcp) throw new Error(`connection of ${v.mapping} is a serial line: give --tcp for the gateway's port`);
      if (!v.tcp && served.connection.type === 'tcp') v.tcp = String(served.connection.port);
      units = served.units;
    } else units = unitsOfFlags(v.unit ?? ['1'], v.profile!);
    const baud = Number(v.baud);
    const timeout = Number(v.timeout);
    if (!Number.isFinite(baud) || baud < 0) throw new Error(`--baud must be 0 or a positive number (got "${v.baud}")`);
    if (!Number.isFinite(timeout) || timeout < 1) throw new Error(`--timeout must be a positive number of ms (got "${v.timeout}")`);
    gw = new ModbusGatewaySim({ units, faults: (v.fault ?? []).map(parseFault), baud, responseTimeoutMs: timeout, unknownUnit: parseUnknown(v['unknown-unit']) });
  } catch (e) {
    warn(`sim modbus-gateway: ${errorMessage(e)}`);
    return 2;
  }
  gw.on('listening', (info) => emit('listening', { ...info, units: gw.units }));
  if (!v.quiet) gw.on('transaction', (t) => emit('transaction', { ...t }));
  gw.on('write', (w) => emit('write', { ...w }));
  gw.on('error', (e) => emit('error', { message: e.message }));
  try {
    await gw.listenTcp(Number(v.tcp), v.host);
  } catch (e) {
    warn(`sim modbus-gateway: cannot listen on tcp ${v.host}:${v.tcp}: ${errorMessage(e)}`);
    return 1;
  }
  const sig = await untilSignal();
  await gw.close();
  emit('stopped', { signal: sig, requests: gw.sim.requests });
  return 0;
}
