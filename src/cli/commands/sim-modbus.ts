/** `gridbridge sim modbus --profile P (--tcp PORT | --rtu DEVICE) --unit N …`: serve a profile's points. */
import { errorMessage } from '../../core/errors.js';
import { emit, untilSignal, warn, parseCommandLine } from '../jsonl.js';
import { parseFault, type Fault } from '../../sim/modbus/faults.js';
import { loadProfile } from '../../sim/modbus/profile-file.js';
import { ModbusSimulator, type SimUnit } from '../../sim/modbus/server.js';

export const summary = 'Modbus device simulator (TCP or RTU) serving a device profile with moving values and faults';

const USAGE = `usage: gridbridge sim modbus --profile P (--tcp PORT [--host H] | --rtu DEVICE [--baud B]) [options]
  --profile P        device profile YAML (path, or an id from device-profiles/, e.g. eastron-sdm630)
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
      profile: { type: 'string' },
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
  if (!v.profile || (!v.tcp && !v.rtu) || (v.tcp && v.rtu)) {
    warn(`give --profile and exactly one of --tcp or --rtu\n${USAGE}`);
    return 2;
  }
  let sim: ModbusSimulator;
  try {
    const profile = loadProfile(v.profile);
    const unitIds = (v.unit ?? ['1']).flatMap((u) => u.split(',')).map((u) => Number(u.trim()));
    if (unitIds.some((u) => !Number.isInteger(u) || u < 1 || u > 247)) throw new Error('--unit must be 1..247');
    const faults: Fault[] = (v.fault ?? []).map(parseFault);
    const models = v.sunspec ? v.sunspec.split(',').map((s) => Number(s.trim())) : undefined;
    const units: SimUnit[] = unitIds.map((unitId) => ({ unitId, profile, ...(models ? { sunspec: { base: Number(v['sunspec-base']), models } } : {}) }));
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
