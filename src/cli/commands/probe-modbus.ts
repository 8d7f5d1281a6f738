/** `gridbridge probe modbus --profile P (--tcp HOST:PORT | --rtu DEVICE) --unit N`: read every point once. */
import { errorMessage } from '../../core/errors.js';
import { pointToJson, type Point } from '../../core/point.js';
import { emit, warn, parseCommandLine } from '../jsonl.js';
import { ModbusPort } from '../../protocols/modbus/port.js';
import { discoverSunSpec, holdingReader } from '../../protocols/modbus/sunspec-discovery.js';
import type { Endpoint } from '../../protocols/modbus/transport.js';
import { loadProfile } from '../../sim/modbus/profile-file.js';

export const summary = 'read every point of a Modbus device once (TCP or RTU) and print them; exit 1 if unreachable';

const USAGE = `usage: gridbridge probe modbus --profile P (--tcp HOST:PORT | --rtu DEVICE [--baud B]) [--unit N] [options]
  --profile P        device profile YAML (path, or an id from device-profiles/)
  --tcp HOST:PORT    Modbus TCP device (port defaults to 502)
  --rtu DEVICE       serial device, with --baud B (default 9600), --parity none|even|odd (default none),
                     --stop-bits 1|2 (default 1)
  --unit N           unit id (default 1)
  --timeout MS       per-request timeout (default 1000)
  --retries N        retries after a timeout (default 1)
  --sunspec          also discover the SunSpec model chain (SunS at 40000/0/50000)
  --json             print one JSON array of {id, name, value, unit, quality, reason?}
Exit code 0 when the device answered, 1 when it could not be reached, 2 on usage or profile errors.`;

function endpointOf(v: { tcp?: string; rtu?: string; baud: string; parity: string; 'stop-bits': string }): Endpoint {
  if (v.tcp) {
    const m = /^(.*?)(?::(\d+))?$/.exec(v.tcp);
    const host = m?.[1] || '127.0.0.1';
    return { tcp: { host, port: m?.[2] ? Number(m[2]) : 502 } };
  }
  const parity = v.parity as 'none' | 'even' | 'odd';
  if (!['none', 'even', 'odd'].includes(parity)) throw new Error('--parity must be none, even or odd');
  return { rtu: { path: v.rtu!, baudRate: Number(v.baud), parity, stopBits: v['stop-bits'] === '2' ? 2 : 1 } };
}

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      profile: { type: 'string' },
      tcp: { type: 'string' },
      rtu: { type: 'string' },
      baud: { type: 'string', default: '9600' },
      parity: { type: 'string', default: 'none' },
      'stop-bits': { type: 'string', default: '1' },
      unit: { type: 'string', default: '1' },
      timeout: { type: 'string', default: '1000' },
      retries: { type: 'string', default: '1' },
      sunspec: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
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
  let port: ModbusPort;
  const unitId = Number(v.unit);
  const timeoutMs = Number(v.timeout);
  try {
    if (!Number.isInteger(unitId) || unitId < 1 || unitId > 247) throw new Error('--unit must be 1..247');
    if (!(timeoutMs > 0)) throw new Error('--timeout must be a positive number of ms');
    const profile = loadProfile(v.profile);
    port = new ModbusPort(endpointOf(v), { timeoutMs, retries: Number(v.retries), connectTimeoutMs: Math.max(timeoutMs, 2000), writeDeadlineMs: Math.max(timeoutMs * 2, 3000), offlineAfter: 1000 });
    port.addDevice({ id: profile.id, unitId, profile, pollClasses: Object.fromEntries(Object.keys(profile.pollClasses).map((k) => [k, 3_600_000])) });
  } catch (e) {
    warn(`probe modbus: ${errorMessage(e)}`);
    return 2;
  }
  const device = port.listDevices()[0]!;
  try {
    port.start();
    const up = await new Promise<boolean>((resolve) => {
      if (port.status.state === 'up') return resolve(true);
      const t = setTimeout(() => resolve(false), Math.max(timeoutMs, 2000) + 500);
      port.on('status', (s) => {
        if (s.state === 'up' || s.state === 'degraded') {
          clearTimeout(t);
          resolve(true);
        } else if (s.state === 'down' && s.reason !== 'stopped') {
          clearTimeout(t);
          warn(`probe modbus: ${s.reason ?? "port down"}`);
          resolve(false);
        }
      });
    });
    if (!up) return 1;
    const points: Point[] = await device.readAll();
    const answered = points.some((p) => p.quality.code !== 'timeout' && p.quality.code !== 'not_connected');
    if (v.json) {
      process.stdout.write(JSON.stringify(points.map((p) => ({ id: p.id, name: p.name, value: p.value, unit: p.unit ?? null, quality: p.quality.code, ...(p.quality.reason ? { reason: p.quality.reason } : {}) })), null, 1) + '\n');
    } else {
      for (const p of points) emit('point', { ...pointToJson(p) });
    }
    if (v.sunspec && answered) {
      const found = await discoverSunSpec(holdingReader(unitId, (r) => port.readRaw(r)), { decode: true }).catch((e: unknown) => {
        warn(`sunspec discovery: ${errorMessage(e)}`);
        return undefined;
      });
      const models = found?.models.map((m) => ({ id: m.id, address: m.address, length: m.length, ...(m.decoded ? { name: m.decoded.name } : {}), ...(m.problem ? { problem: m.problem } : {}) }));
      if (v.json) process.stderr.write(JSON.stringify({ sunspec: found ? { base: found.base, models } : null }) + '\n');
      else emit('sunspec', found ? { base: found.base, models } : { found: false });
    }
    if (!answered) warn(`probe modbus: unit ${unitId} on ${port.description} did not answer`);
    return answered ? 0 : 1;
  } catch (e) {
    warn(`probe modbus: ${errorMessage(e)}`);
    return 1;
  } finally {
    await port.stop();
  }
}
