/**
 * `gridbridge sim modbus --profile P (--tcp PORT | --rtu DEVICE) --unit N …`: serve a profile's points; several
 * units with their own profiles (`--unit 1 --profile a --unit 2 --profile b`), or every device of one connection of a
 * site mapping (`--mapping M`), on one port, as a Modbus TCP gateway or an RS485 line would.
 */
import { errorMessage } from '../../core/errors.js';
import { emit, untilSignal, warn, parseCommandLine } from '../jsonl.js';
import { parseFault, type Fault } from '../../sim/modbus/faults.js';
import { loadProfile } from '../../sim/modbus/profile-file.js';
import { ModbusSimulator, type SimUnit } from '../../sim/modbus/server.js';
import type { Profile } from '../../core/profile/types.js';
import type { ModbusConnectionConfig } from '../../core/mapping/schema.js';
import { formatProfileError } from '../../core/errors.js';
import { loadMappingFile } from '../../runtime/validate.js';

/** `--unit` values (repeatable, comma lists) paired with `--profile`: one profile for all, or the n-th for the n-th. */
export function unitsOfFlags(unitArgs: string[], profileArgs: string[]): Array<{ unitId: number; profile: Profile }> {
  const unitIds = profileArgs.length > 1 ? unitArgs.map((u) => Number(u.trim())) : unitArgs.flatMap((u) => u.split(',')).map((u) => Number(u.trim()));
  if (unitIds.some((u) => !Number.isInteger(u) || u < 1 || u > 247)) throw new Error('--unit must be 1..247 (one id per --unit when several --profile are given)');
  if (profileArgs.length > 1 && profileArgs.length !== unitIds.length) throw new Error(`${profileArgs.length} --profile but ${unitIds.length} --unit: give one --unit per --profile, in the same order`);
  const seen = new Set<number>();
  for (const u of unitIds) {
    if (seen.has(u)) throw new Error(`--unit ${u} is given twice`);
    seen.add(u);
  }
  const loaded = profileArgs.map(loadProfile);
  return unitIds.map((unitId, i) => ({ unitId, profile: loaded.length > 1 ? loaded[i]! : loaded[0]! }));
}

/** Every enabled device of one connection of a mapping, as simulator units. */
export function unitsOfMapping(file: string, connection: string | undefined): { connection: ModbusConnectionConfig; units: Array<{ unitId: number; profile: Profile }> } {
  const load = loadMappingFile(file);
  if (!load.mapping) throw new Error(`mapping ${file}:\n${load.errors.map(formatProfileError).join('\n')}`);
  const ids = Object.keys(load.mapping.connections);
  const id = connection ?? (ids.length === 1 ? ids[0]! : undefined);
  if (!id) throw new Error(`mapping ${file} has ${ids.length} connections (${ids.join(', ')}); choose one with --connection`);
  const conn = load.mapping.connections[id];
  if (!conn) throw new Error(`mapping ${file} has no connection "${id}" (has: ${ids.join(', ')})`);
  if (conn.type === 'iec104') throw new Error(`connection "${id}" of ${file} is an IEC 104 connection; simulate it with gridbridge sim iec104`);
  if (conn.type === 'sapc') throw new Error(`connection "${id}" of ${file} is a SAPC (SSP-1) connection; simulate the appliance with gridbridge sim sapc-appliance`);
  const devices = load.mapping.devices.filter((d) => d.connection === id && d.enabled);
  if (devices.length === 0) throw new Error(`connection "${id}" of ${file} has no enabled device`);
  return { connection: conn, units: devices.map((d) => ({ unitId: d.unit!, profile: load.profiles.get(d.id)! })) };
}

export const summary = 'Modbus device simulator (TCP or RTU) serving a device profile with moving values and faults';

const USAGE = `usage: gridbridge sim modbus --profile P (--tcp PORT [--host H] | --rtu DEVICE [--baud B]) [options]
       gridbridge sim modbus --unit N --profile P [--unit N --profile P …] (--tcp PORT | --rtu DEVICE) [options]
       gridbridge sim modbus --mapping M [--connection C] [--tcp PORT | --rtu DEVICE] [options]
  --profile P        device profile YAML (path, or an id from device-profiles/, e.g. eastron-sdm630); repeated
                     together with --unit, the n-th --profile serves the n-th --unit
  --mapping M        serve every enabled device of connection C of site mapping M, each with its profile and unit
                     id; listens where the connection points (TCP port, or serial device) unless --tcp/--rtu is given
  --connection C     which connection of the mapping (default: the only one)
  --tcp PORT         serve Modbus TCP on PORT (0 = any free port; printed in "listening")
  --host H           TCP bind address (default 127.0.0.1)
  --rtu DEVICE       serve Modbus RTU on a serial device (e.g. /dev/ttyUSB0 or a socat pty /tmp/ttyV1)
  --baud B           serial baud rate (default 9600)
  --unit N           unit id(s) to answer (repeatable or comma separated; default 1)
  --fault SPEC       inject a fault (repeatable): exception=N[,unit=U][,fn=holding|input|coil|discrete]
                     [,start=A][,count=C] | silent[,unit=U] | slow=MS[,…]
  --emulate-baud B   delay every reply by the RS485 wire time at B baud (for benches over TCP or a pty)
  --sunspec IDS      also serve a SunSpec header chain ("SunS" + model ids/lengths), e.g. 1,103,120,121,122,123
  --sunspec-base A   address of "SunS" (default 40000)
  --quiet            do not print one line per request (writes are still printed)
Prints JSON lines: listening, request, write, error. Stops on SIGINT/SIGTERM.`;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      profile: { type: 'string', multiple: true },
      mapping: { type: 'string' },
      connection: { type: 'string' },
      tcp: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      rtu: { type: 'string' },
      baud: { type: 'string', default: '9600' },
      unit: { type: 'string', multiple: true },
      fault: { type: 'string', multiple: true },
      'emulate-baud': { type: 'string' },
      sunspec: { type: 'string' },
      'sunspec-base': { type: 'string', default: '40000' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (typeof cli === 'number') return cli;
  const v = cli.values;
  if (!v.profile === !v.mapping || (v.tcp && v.rtu) || (!v.mapping && !v.tcp && !v.rtu)) {
    warn(`give --profile or --mapping, and at most one of --tcp or --rtu (one is needed with --profile)\n${USAGE}`);
    return 2;
  }
  let sim: ModbusSimulator;
  try {
    const models = v.sunspec ? v.sunspec.split(',').map((s) => Number(s.trim())) : undefined;
    const sunspec = models ? { sunspec: { base: Number(v['sunspec-base']), models } } : {};
    let pairs: Array<{ unitId: number; profile: Profile }>;
    if (v.mapping) {
      const served = unitsOfMapping(v.mapping, v.connection);
      pairs = served.units;
      if (!v.tcp && !v.rtu) {
        if (served.connection.type === 'tcp') v.tcp = String(served.connection.port);
        else {
          v.rtu = served.connection.device;
          v.baud = String(served.connection.baudRate);
        }
      }
    } else {
      pairs = unitsOfFlags(v.unit ?? ['1'], v.profile!);
    }
    const faults: Fault[] = (v.fault ?? []).map(parseFault);
    const units: SimUnit[] = pairs.map((p) => ({ ...p, ...sunspec }));
    const emulateBaud = v['emulate-baud'] ? Number(v['emulate-baud']) : undefined;
    sim = new ModbusSimulator({ units, faults, ...(emulateBaud ? { emulateBaud } : {}) });
  } catch (e) {
    warn(`sim modbus: ${errorMessage(e)}`);
    return 2;
  }
  sim.on('listening', (info) => emit('listening', { ...info, units: [...sim.images.keys()] }));
  if (!v.quiet) sim.on('request', (r) => emit('request', { ...r }));
  sim.on('write', (w) => emit('write', { ...w }));
  sim.on('error', (e) => emit('error', { message: e.message }));
  try {
    if (v.tcp) await sim.listenTcp(Number(v.tcp), v.host);
    else await sim.openRtu(v.rtu!, Number(v.baud));
  } catch (e) {
    warn(`sim modbus: cannot open ${v.tcp ? `tcp ${v.host}:${v.tcp}` : v.rtu}: ${errorMessage(e)}`);
    return 1;
  }
  const sig = await untilSignal();
  await sim.close();
  emit('stopped', { signal: sig, requests: sim.requests });
  return 0;
}
