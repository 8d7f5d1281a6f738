import { readFileSync } from 'node:fs';
import { errorMessage, formatProfileError } from '../../core/errors.js';
import { pointToJson } from '../../core/point.js';
import { loadMappingFile } from '../../runtime/validate.js';
import { createSite, parseListen, type SiteHost } from '../../runtime/site-host.js';
import { emit, parseCommandLine, untilSignal, warn } from '../jsonl.js';

export const summary = 'run a pilot site headless from its mapping: gridbridge run MAPPING [--points] [--embedded-broker PORT]';

const usage = `usage: gridbridge run MAPPING.yaml [--points] [--embedded-broker PORT] [--iec104-listen HOST:PORT]
                      [--sep2-cert F --sep2-key F --sep2-ca F] [--state-dir DIR]
  Polls every device of the mapping, publishes to its upstreams and takes controls through the arbiter.
  --iec104-listen   where the IEC 104 controlled station listens (default 0.0.0.0:2404)
  --sep2-cert/key/ca  PEM files of the 2030.5 device certificate, key and CA chain (or GRIDBRIDGE_SEP2_* variables)
  --state-dir       where held control intents and the upstream store survive a restart (default: the mapping's
                    site.stateDir; store.dir wins for the store; none: a restart forgets active controls and
                    applies the fail-safe defaults, and upstream queues are in memory)
  Prints JSON lines: status changes, writes, control decisions (audit), warnings; --points also prints every point
  (once it is in the upstream store); on stop, the store counters of every upstream queue ("store").
  When the mapping's MQTT block has no url, an embedded broker is started on 127.0.0.1 (default port 1883).
  Stops cleanly on SIGINT/SIGTERM.`;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      points: { type: 'boolean' },
      'embedded-broker': { type: 'string' },
      'iec104-listen': { type: 'string' },
      'sep2-cert': { type: 'string' },
      'sep2-key': { type: 'string' },
      'sep2-ca': { type: 'string' },
      'state-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    usage,
    true,
  );
  if (typeof cli === 'number') return cli;
  const { values, positionals } = cli;
  if (positionals.length !== 1) {
    warn(usage);
    return 2;
  }
  let tls: { cert?: string | undefined; key?: string | undefined; ca?: string | undefined };
  try {
    const pem = (f: string | undefined) => (f ? readFileSync(f, 'utf8') : undefined);
    tls = { cert: pem(values['sep2-cert']), key: pem(values['sep2-key']), ca: pem(values['sep2-ca']) };
  } catch (e) {
    warn(`--sep2-*: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  if (values['iec104-listen']) {
    try {
      parseListen(values['iec104-listen'], '--iec104-listen');
    } catch (e) {
      warn(errorMessage(e));
      return 2;
    }
  }
  const load = loadMappingFile(positionals[0]!);
  if (!load.mapping) {
    for (const e of load.errors) warn(formatProfileError(e));
    return 1;
  }
  let host: SiteHost;
  try {
    host = await createSite(load, {
      embeddedBrokerPort: Number(values['embedded-broker'] ?? 1883),
      sep2Tls: tls,
      ...(values['iec104-listen'] ? { iec104Listen: values['iec104-listen'] } : {}),
      ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
    });
  } catch (e) {
    warn(errorMessage(e));
    return 1;
  }
  const { site, broker } = host;
  if (broker) emit('broker', { url: broker.url });
  site.on('status', (s) => emit('status', s));
  site.on('write', (w) => emit('write', { ...w }));
  site.on('audit', (a) => emit('control', { ...a }));
  site.on('warning', (m) => emit('warning', { message: m }));
  if (values.points) site.on('points', (pts) => { for (const p of pts) emit('point', { ...pointToJson(p) }); });
  await site.start();
  emit('started', { site: site.id, devices: load.mapping.devices.map((d) => d.id), connections: [...site.ports.keys()] });
  const sig = await untilSignal();
  emit('stopping', { signal: sig });
  const store = site.storeStats();
  if (Object.keys(store).length) emit('store', { queues: store });
  await host.stop();
  return 0;
}
