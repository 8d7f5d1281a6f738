/** `gridbridge client sep2`: a headless CSIP client printing discovery, controls, setpoints and posts as JSON lines. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { emit, untilSignal, warn, parseCommandLine } from '../jsonl.js';
import { systemClock } from '../../core/clock.js';
import { formatPath } from '../../core/errors.js';
import { Sep2Client, clientOptionsFromMapping } from '../../protocols/sep2/client.js';
import { Sep2MappingSchema, type Sep2Mapping } from '../../protocols/sep2/mapping.js';

export const summary = 'IEEE 2030.5 (CSIP) DER client: discovery, controls → setpoints, telemetry (JSON lines)';

const usage = `usage: gridbridge client sep2 --cert C.pem --key K.pem --ca CA.pem (--server URL | --mapping M.yaml) [options]

  --server URL      DeviceCapability URL, e.g. https://127.0.0.1:8443/dcap
  --mapping FILE    pilot mapping YAML; its "sep2" block (or the whole file) gives server, device, ratings, telemetry
  --cert/--key/--ca device certificate, its key, and the CA chain that must sign the server
  --pin N           registration PIN the server must show (e.g. 111115)
  --device ID       device receiving controls (default "der")
  --max-w W         rating used for DERCapability/DERSettings and %-controls (default 5000)
  --max-wh WH       energy rating (default 13500)
  --csip-aus MODE   auto (default) | on | off: send csipaus:doeModesSupported / doeModesEnabled
  --in-band         POST our EndDevice when the server does not list it, then wait for its Registration
  --synthetic       feed synthetic telemetry (meter/W, meter/Hz, <device>/SoC) to exercise the telemetry path

Prints JSON lines: identity, discovery, controls, setpoints, post, problem, resource, log, state.`;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      server: { type: 'string' },
      mapping: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      ca: { type: 'string' },
      pin: { type: 'string' },
      device: { type: 'string', default: 'der' },
      'max-w': { type: 'string', default: '5000' },
      'max-wh': { type: 'string', default: '13500' },
      'csip-aus': { type: 'string', default: 'auto' },
      'in-band': { type: 'boolean', default: false },
      synthetic: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    usage,
  );
  if (typeof cli === 'number') return cli;
  const a = cli.values;
  if (!a.cert || !a.key || !a.ca || (!a.server && !a.mapping)) {
    warn(usage);
    return 2;
  }
  let m: Sep2Mapping;
  try {
    const maxW = Number(a['max-w']);
    const raw: unknown = a.mapping
      ? (() => {
          const doc = parseYaml(readFileSync(a.mapping, 'utf8')) as Record<string, unknown> | null;
          return doc && typeof doc === 'object' && 'sep2' in doc ? doc.sep2 : doc;
        })()
      : {
          server: a.server,
          device: a.device,
          ratings: { maxW, maxChargeRateW: maxW, maxDischargeRateW: maxW, maxWh: Number(a['max-wh']) },
          telemetry: a.synthetic
            ? [
                { device: 'meter', name: 'W', quantity: 'realPower' },
                { device: 'meter', name: 'Hz', quantity: 'frequency' },
              ]
            : [],
          ...(a.synthetic ? { stateOfCharge: { device: a.device, name: 'SoC' } } : {}),
          csipAus: a['csip-aus'] === 'on' ? true : a['csip-aus'] === 'off' ? false : a['csip-aus'],
          registration: a['in-band'] ? 'in-band' : 'out-of-band',
        };
    const r = Sep2MappingSchema.safeParse(raw);
    if (!r.success) {
      const i = r.error.issues[0]!;
      warn(`${a.mapping ?? 'flags'}: sep2.${formatPath(i.path)}: ${i.message}`);
      return 2;
    }
    m = r.data;
    if (a.server) m.server = a.server;
  } catch (e) {
    warn((e as Error).message);
    return 2;
  }
  let tls;
  try {
    tls = { cert: readFileSync(a.cert, 'utf8'), key: readFileSync(a.key, 'utf8'), ca: readFileSync(a.ca, 'utf8') };
  } catch (e) {
    warn(`cannot read certificate material: ${(e as Error).message}`);
    return 2;
  }
  const client = new Sep2Client({
    ...clientOptionsFromMapping(m),
    clock: systemClock,
    ...tls,
    ...(a.pin !== undefined ? { pin: Number(a.pin) } : {}),
  });
  client.on('identity', (i: Record<string, unknown>) => emit('identity', i));
  client.on('discovery', (d: Record<string, unknown>) => emit('discovery', d));
  client.on('post', (p: Record<string, unknown>) => emit('post', p));
  client.on('problem', (p: Record<string, unknown>) => emit('problem', p));
  client.on('state', (s: Record<string, unknown>) => emit('state', s));
  client.on('resource', (r: Record<string, unknown>) => emit('resource', r));
  client.on('log', (l: Record<string, unknown>) => emit('log', l));
  client.on('controls', (c: { state: { controls: unknown[]; activeEvents: string[] }; intents: unknown[] }) => {
    emit('controls', { activeEvents: c.state.activeEvents, controls: c.state.controls });
    emit('setpoints', { intents: c.intents });
  });
  let feed: NodeJS.Timeout | undefined;
  if (a.synthetic) {
    feed = setInterval(() => {
      const t = Date.now() / 60_000;
      client.record('meter/W', Math.round(-3000 + 500 * Math.sin(t)));
      client.record('meter/Hz', 50 + 0.02 * Math.sin(t * 7));
      client.record(`${m.device}/SoC`, 50 + 10 * Math.sin(t / 10));
    }, 1000);
  }
  client.start();
  const sig = await untilSignal();
  if (feed) clearInterval(feed);
  client.stop();
  emit('stopped', { signal: sig, telemetry: client.telemetry.stats() });
  return 0;
}
