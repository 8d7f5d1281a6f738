import { parseArgs } from 'node:util';
import { formatProfileError } from '../../core/errors.js';
import { pointToJson } from '../../core/point.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../protocols/mqtt/broker.js';
import { loadMappingFile } from '../../runtime/validate.js';
import { Site } from '../../runtime/site.js';
import { emit, untilSignal, warn } from '../jsonl.js';

export const summary = 'run a pilot site headless from its mapping: gridbridge run MAPPING [--points] [--embedded-broker PORT]';

const usage = `usage: gridbridge run MAPPING.yaml [--points] [--embedded-broker PORT]
  Polls every device of the mapping, publishes to its upstreams and takes controls through the arbiter.
  Prints JSON lines: status changes, writes, control decisions (audit), warnings; --points also prints every point.
  When the mapping's MQTT block has no url, an embedded broker is started on 127.0.0.1 (default port 1883).
  Stops cleanly on SIGINT/SIGTERM.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { points: { type: 'boolean' }, 'embedded-broker': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || positionals.length !== 1) {
    process.stdout.write(usage + '\n');
    return values.help ? 0 : 2;
  }
  const load = loadMappingFile(positionals[0]!);
  if (!load.mapping) {
    for (const e of load.errors) warn(formatProfileError(e));
    return 1;
  }
  let broker: EmbeddedBroker | undefined;
  const mq = load.mapping.upstream?.mqtt as { url?: string } | undefined;
  if (mq && !mq.url) {
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: Number(values['embedded-broker'] ?? 1883) });
    emit('broker', { url: broker.url });
  }
  const site = new Site(load, broker ? { adapters: { mqtt: { defaultUrl: broker.url } } } : {});
  site.on('status', (s) => emit('status', s));
  site.on('write', (w) => emit('write', { ...w }));
  site.on('audit', (a) => emit('control', { ...a }));
  site.on('warning', (m) => emit('warning', { message: m }));
  if (values.points) site.on('points', (pts) => { for (const p of pts) emit('point', { ...pointToJson(p) }); });
  await site.start();
  emit('started', { site: site.id, devices: load.mapping.devices.map((d) => d.id), connections: [...site.ports.keys()] });
  const sig = await untilSignal();
  emit('stopping', { signal: sig });
  await site.stop();
  await broker?.close();
  return 0;
}
