/** `gridbridge probe iec104 --host H --port N <gi|ci|cs|rd|cmd> …`: one request against an IEC 104 station. */
import { parseArgs } from 'node:util';
import { errorMessage } from '../../core/errors.js';
import { pointToJson, type Point } from '../../core/point.js';
import { emit, warn } from '../jsonl.js';
import { Iec104Client, resultSummary } from '../../protocols/iec104/client.js';
import { typeName } from '../../protocols/iec104/constants.js';
import type { ObjectUpdate } from '../../protocols/iec104/points.js';
import { TLS_USAGE, tlsFromFlags } from '../../sim/iec104/config.js';
import { parseCommand, runAction, type ProbeAction } from '../../protocols/iec104/requests.js';

export const summary = 'IEC 104 probe: general/counter interrogation, clock sync, read, commands (exit 1 on refusal/timeout)';

const USAGE = `usage: gridbridge probe iec104 --host H [--host H2 …] [--port N] [--ca N] [--json] <action>
actions:
  gi [--group G]                      general (or group 1-16) interrogation
  ci [--group G] [--freeze F]         counter interrogation (group 1-4; F = 0 read, 1 freeze, 2 freeze+reset, 3 reset)
  cs [--time ISO]                     clock synchronisation (default: now)
  rd IOA                              read one object
  cmd KIND IOA VALUE [--sbo] [--with-time] [--no-term]
                                      KIND sc|dc|rc|se-na|se-nb|se-nc|bo, e.g. cmd sc 5000 on, cmd se-nc 5005 42.5 --sbo
options:
  --timeout MS        ACT_CON timeout (default 5000); ACT_TERM waits as long again
  --json              JSON lines (points and the result); default a readable listing
${TLS_USAGE}
Exit code 0 on a positive result, 1 on a negative confirmation, unknown address or timeout, 2 on usage errors.`;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        host: { type: 'string', multiple: true },
        port: { type: 'string' },
        ca: { type: 'string', default: '1' },
        json: { type: 'boolean', default: false },
        timeout: { type: 'string', default: '5000' },
        group: { type: 'string' },
        freeze: { type: 'string', default: '0' },
        time: { type: 'string' },
        sbo: { type: 'boolean', default: false },
        'with-time': { type: 'boolean', default: false },
        'no-term': { type: 'boolean', default: false },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-ca': { type: 'string' },
        'tls-allow': { type: 'string', multiple: true },
        'tls-min': { type: 'string' },
        'tls-max': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    warn(`${errorMessage(e)}\n${USAGE}`);
    return 2;
  }
  const v = parsed.values;
  const [verb, ...rest] = parsed.positionals;
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (!v.host?.length || !verb) {
    warn(`probe iec104: --host and an action are needed\n${USAGE}`);
    return 2;
  }
  let action: ProbeAction;
  const group = v.group !== undefined ? Number(v.group) : undefined;
  switch (verb) {
    case 'gi':
      action = group !== undefined ? { kind: 'gi', group } : { kind: 'gi' };
      break;
    case 'ci':
      action = group !== undefined ? { kind: 'ci', group, freeze: Number(v.freeze) } : { kind: 'ci', freeze: Number(v.freeze) };
      break;
    case 'cs': {
      const t = v.time ? Date.parse(v.time) : undefined;
      if (t !== undefined && !Number.isFinite(t)) return warn(`probe iec104: --time "${v.time}" is not a date`), 2;
      action = t !== undefined ? { kind: 'cs', time: t } : { kind: 'cs' };
      break;
    }
    case 'rd':
      if (!Number.isInteger(Number(rest[0]))) return warn('probe iec104: rd needs an IOA'), 2;
      action = { kind: 'rd', ioa: Number(rest[0]) };
      break;
    case 'cmd': {
      const spec = parseCommand(rest[0] ?? '', rest[1], rest[2]);
      if (typeof spec === 'string') return warn(`probe iec104: ${spec}`), 2;
      if (v.sbo) spec.sbo = true;
      if (v['with-time']) spec.withTime = true;
      if (v['no-term']) spec.awaitTermination = false;
      action = { kind: 'cmd', spec };
      break;
    }
    default:
      warn(`probe iec104: unknown action "${verb}"\n${USAGE}`);
      return 2;
  }
  let client: Iec104Client;
  const timeout = Number(v.timeout);
  try {
    const tls = tlsFromFlags(v);
    const port = v.port ? Number(v.port) : undefined;
    client = new Iec104Client({
      hosts: v.host.map((h) => (port !== undefined ? { host: h, port } : { host: h })),
      ...(tls ? { tls } : {}),
      reconnect: false,
      confirmTimeoutMs: timeout,
      terminationTimeoutMs: timeout,
      link: { t0: timeout },
    });
  } catch (e) {
    warn(`probe iec104: ${errorMessage(e)}`);
    return 2;
  }
  client.on('warn', (m: string) => (v.json ? emit('warn', { message: m }) : warn(m)));
  // Show what the action asked for: interrogated/requested objects, and return information after a command.
  const shows = (cot: number): boolean => (verb === 'cmd' ? cot === 11 || cot === 12 : verb === 'gi' || verb === 'ci' || verb === 'rd' ? cot === 5 || (cot >= 20 && cot <= 41) : false);
  client.on('point', (p: Point, u: ObjectUpdate) => {
    if (!shows(u.cot)) return;
    if (v.json) emit('point', { ...pointToJson(p), ca: u.ca, ioa: u.object.ioa, type: typeName(u.typeId), cot: u.cot });
    else process.stdout.write(`${String(u.ca).padStart(5)} ${String(u.object.ioa).padStart(8)}  ${(typeName(u.typeId) ?? String(u.typeId)).padEnd(10)} ${String(p.value).padStart(14)}  ${p.quality.code}${p.sourceTime ? '  ' + new Date(p.sourceTime).toISOString() : ''}  cot=${u.cot}\n`);
  });
  const ca = Number(v.ca);
  try {
    await client.connect();
    const r = await runAction(client, ca, action);
    if (v.json) emit('result', { action: verb, ...resultSummary(r) });
    else {
      const n = resultSummary(r).objects;
      process.stdout.write(`${verb}: ${r.ok ? 'OK' : 'FAILED'} (${r.stage}${r.reason ? `: ${r.reason}` : ''})${n !== undefined ? `, ${n} object(s)` : ''}\n`);
    }
    return r.ok ? 0 : 1;
  } catch (e) {
    if (v.json) emit('result', { action: verb, ok: false, reason: errorMessage(e) });
    else warn(`probe iec104: ${errorMessage(e)}`);
    return 1;
  } finally {
    client.close();
  }
}
