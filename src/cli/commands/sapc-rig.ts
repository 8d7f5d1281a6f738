/**
 * `gridbridge sapc rig`: run the SAPC override scenarios as the meter end, against the appliance simulator (default)
 * or real equipment on a serial port / TCP serial server (`--device`) judged from a meter on its supply (Modbus),
 * and write the report as JSON, Markdown and HTML.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emit, warn, parseCommandLine } from '../jsonl.js';
import { errorMessage } from '../../core/errors.js';
import { FakeClock, systemClock } from '../../core/clock.js';
import { SerialTransport } from '../../protocols/sapc/transport.js';
import type { Endpoint } from '../../protocols/modbus/transport.js';
import { loadProfile } from '../../sim/modbus/profile-file.js';
import { ModbusPowerObserver } from '../../sim/sapc/observe.js';
import { formatRigHtml, formatRigSummary, runRig, SCENARIOS, type DeviceUnderTest } from '../../sim/sapc/rig.js';

export const summary = 'run the SAPC override scenarios (simulator or real equipment) and write a JSON + Markdown + HTML report';

const USAGE = `usage: gridbridge sapc rig [--report DIR] [--scenario NAME …] [options]
  --report DIR        write DIR/sapc-rig.json, sapc-rig.md and sapc-rig.html (default: print the Markdown only)
  --scenario NAME     run only these (repeatable); known: ${SCENARIOS.map((s) => s.name).join(', ')}
  --baud B            line speed (default 9600)
 Against the simulator (default):
  --apply-delay MS    simulated control loop delay (default 100)
  --rated-w W         simulated rated power (default 7400)
  --real-time         run on the system clock instead of virtual time
 Against real equipment (the rig is the meter end; always real time):
  --device DEV        serial port (RS-485 adapter, USB serial) or tcp://HOST:PORT (serial device server)
  --parity P          none | even | odd (default none)   --stop-bits N  1 | 2 (default 1)
  --measure-tcp H:P   Modbus TCP meter on the appliance supply   | --measure-rtu DEV [--measure-baud B]
  --measure-profile P meter profile (path or id; default eastron-sdm630)   --measure-unit N (default 1)
  --measure-point N   canonical point with the appliance power (default W)   --measure-interval MS (default 500)
  --absolute          use the magnitude of the reading (meters counting consumption negative)
  --rated-w W         the appliance's rated power at 100 % (required with --device)
  --tolerance-w W     allowed excess over a limit (default max(50 W, 2 % of rated))
  --manufacturer S --model S --serial S --firmware S --notes S   equipment identity for the report
Exit code 0 when every scenario run passes, 1 otherwise, 2 on usage, port or measurement errors.`;

function measureEndpoint(v: { 'measure-tcp'?: string; 'measure-rtu'?: string; 'measure-baud'?: string }): Endpoint {
  if (v['measure-tcp'] && v['measure-rtu']) throw new Error('give one of --measure-tcp or --measure-rtu');
  if (v['measure-tcp']) {
    const m = /^(.*?)(?::(\d+))?$/.exec(v['measure-tcp']);
    return { tcp: { host: m?.[1] || '127.0.0.1', port: m?.[2] ? Number(m[2]) : 502 } };
  }
  if (v['measure-rtu']) return { rtu: { path: v['measure-rtu'], baudRate: Number(v['measure-baud'] ?? 9600), parity: 'none', stopBits: 1 } };
  throw new Error('--device needs a measurement: --measure-tcp HOST:PORT or --measure-rtu DEV');
}

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      report: { type: 'string' },
      scenario: { type: 'string', multiple: true },
      baud: { type: 'string', default: '9600' },
      'apply-delay': { type: 'string', default: '100' },
      'real-time': { type: 'boolean', default: false },
      device: { type: 'string' },
      parity: { type: 'string', default: 'none' },
      'stop-bits': { type: 'string', default: '1' },
      'measure-tcp': { type: 'string' },
      'measure-rtu': { type: 'string' },
      'measure-baud': { type: 'string' },
      'measure-profile': { type: 'string', default: 'eastron-sdm630' },
      'measure-unit': { type: 'string', default: '1' },
      'measure-point': { type: 'string', default: 'W' },
      'measure-interval': { type: 'string', default: '500' },
      absolute: { type: 'boolean', default: false },
      'rated-w': { type: 'string' },
      'tolerance-w': { type: 'string' },
      manufacturer: { type: 'string' },
      model: { type: 'string' },
      serial: { type: 'string' },
      firmware: { type: 'string' },
      notes: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (typeof cli === 'number') return cli;
  const v = cli.values;
  const baud = Number(v.baud);
  const ratedW = v['rated-w'] !== undefined ? Number(v['rated-w']) : undefined;
  let device: DeviceUnderTest | undefined;
  let transport: SerialTransport | undefined;
  let observer: ModbusPowerObserver | undefined;
  if (v.device) {
    try {
      if (!(ratedW && ratedW > 0)) throw new Error('--rated-w is required with --device (the power at 100 %)');
      if (!['none', 'even', 'odd'].includes(v.parity!)) throw new Error('--parity must be none, even or odd');
      const unitId = Number(v['measure-unit']);
      if (!Number.isInteger(unitId) || unitId < 1 || unitId > 247) throw new Error('--measure-unit must be 1..247');
      const toleranceW = v['tolerance-w'] !== undefined ? Number(v['tolerance-w']) : undefined;
      if (toleranceW !== undefined && !(toleranceW >= 0)) throw new Error('--tolerance-w must be ≥ 0');
      observer = new ModbusPowerObserver({
        endpoint: measureEndpoint(v),
        profile: loadProfile(v['measure-profile']!),
        unitId,
        point: v['measure-point']!,
        intervalMs: Number(v['measure-interval']),
        ratedW,
        ...(toleranceW !== undefined ? { toleranceW } : {}),
        absolute: v.absolute ?? false,
        clock: systemClock,
      });
    } catch (e) {
      warn(`sapc rig: ${errorMessage(e)}\n${USAGE}`);
      return 2;
    }
    transport = new SerialTransport({ path: v.device, baudRate: baud, parity: v.parity as 'none', stopBits: v['stop-bits'] === '2' ? 2 : 1, clock: systemClock });
    transport.on('state', (state, reason) => emit('port', { state, ...(reason ? { reason } : {}) }));
    try {
      await transport.open();
      await observer.start();
    } catch (e) {
      warn(`sapc rig: ${errorMessage(e)}`);
      await observer.close();
      await transport.close();
      return 2;
    }
    emit('measurement', { description: observer.description, watts: observer.watts() });
    const identity = Object.fromEntries((['manufacturer', 'model', 'serial', 'firmware', 'notes'] as const).filter((k) => v[k] !== undefined).map((k) => [k, v[k]!]));
    device = { line: transport, observer, identity };
  }
  try {
    const report = await runRig({
      clock: v['real-time'] ? systemClock : new FakeClock(Date.now()),
      baud,
      applyDelayMs: Number(v['apply-delay']),
      ...(ratedW !== undefined ? { ratedW } : {}),
      ...(device ? { device } : {}),
      ...(v.scenario ? { scenarios: v.scenario } : {}),
      onProgress: (event, data) => emit(event, data),
    });
    const md = formatRigSummary(report);
    if (v.report) {
      mkdirSync(v.report, { recursive: true });
      const files = { json: join(v.report, 'sapc-rig.json'), summary: join(v.report, 'sapc-rig.md'), html: join(v.report, 'sapc-rig.html') };
      writeFileSync(files.json, JSON.stringify(report, null, 2) + '\n');
      writeFileSync(files.summary, md);
      writeFileSync(files.html, formatRigHtml(report));
      emit('report', { ...files, passed: report.passed, failed: report.failed, skipped: report.skipped });
    } else process.stderr.write(md);
    return report.failed ? 1 : 0;
  } catch (e) {
    warn(`sapc rig: ${errorMessage(e)}`);
    return 2;
  } finally {
    await observer?.close();
    await transport?.close();
  }
}
