/** `gridbridge sim vtn3 --port N`: OpenADR 3 VTN simulator with an OAuth2 client-credentials token endpoint. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { errorMessage } from '../../core/errors.js';
import { VtnSim3 } from '../../sim/openadr/vtn3.js';
import { emit, untilSignal, warn, parseCommandLine } from '../jsonl.js';

export const summary = 'simulate an OpenADR 3 VTN (3.0.1 or 3.1.0; programs, events, reports, subscriptions, OAuth2)';

const USAGE = `usage: gridbridge sim vtn3 --port N [--version 3.0.1|3.1.0] [--client ID:SECRET]... [--seed S.yaml]
  --port N        TCP port (default 8081)
  --host H        listen address (default 127.0.0.1)
  --version V     OpenAPI version to behave as (default 3.0.1)
  --client ID:S[:ROLE]  an OAuth2 client allowed to get a token, ROLE ven (default) or bl for business logic
                  (repeatable; default ven:secret). VEN tokens cannot write programs or events, BL tokens cannot
                  write reports (the scopes of the OpenAPI files).
  --require-https-callbacks  refuse http:// webhook callback URLs (every callback URL must also answer the echo
                  challenge: GET <callbackUrl>?echo=<random> → 200 with that value as the body)
  --mqtt URL      3.1.0: publish notifications to this MQTT broker (mqtt:// or mqtts://) and offer it in GET /notifiers
                  (topics openadr3/<objects>/<create|update|delete>, e.g. openadr3/vens/{venID}/events/+)
  --mqtt-public-url URL  the broker URL VENs are told, when it differs from --mqtt
  --seed S        YAML with programs: [{programName, …}] and events: [{programName, eventName, intervalPeriod, intervals}]`;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      port: { type: 'string', default: '8081' },
      host: { type: 'string', default: '127.0.0.1' },
      version: { type: 'string', default: '3.0.1' },
      client: { type: 'string', multiple: true },
      seed: { type: 'string' },
      'require-https-callbacks': { type: 'boolean', default: false },
      mqtt: { type: 'string' },
      'mqtt-public-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (typeof cli === 'number') return cli;
  const v = cli.values;
  if (v.version !== '3.0.1' && v.version !== '3.1.0') {
    warn(`--version must be 3.0.1 or 3.1.0`);
    return 2;
  }
  const clients: Record<string, { secret: string; role: 'ven' | 'bl' }> = {};
  for (const c of v.client ?? ['ven:secret']) {
    const m = /^([^:]+):(.+?)(?::(ven|bl))?$/.exec(c);
    if (!m) {
      warn(`--client ${c}: expected ID:SECRET or ID:SECRET:ROLE (ROLE ven or bl)`);
      return 2;
    }
    clients[m[1]!] = { secret: m[2]!, role: (m[3] as 'ven' | 'bl' | undefined) ?? 'ven' };
  }
  const sim = new VtnSim3({ port: Number(v.port), host: v.host, version: v.version, clients, requireHttpsCallbacks: v['require-https-callbacks'], ...(v.mqtt ? { mqtt: { url: v.mqtt, ...(v['mqtt-public-url'] ? { publicUrl: v['mqtt-public-url'] } : {}) } } : {}), log: ({ event, ...rest }) => emit(event, rest) });
  try {
    await sim.start();
    if (v.seed) {
      const seed = (parseYaml(readFileSync(v.seed, 'utf8')) ?? {}) as { programs?: Array<Record<string, unknown>>; events?: Array<Record<string, unknown>> };
      const ids = new Map<string, string>();
      for (const p of seed.programs ?? []) ids.set(String(p['programName']), String(sim.create('programs', p)['id']));
      for (const e of seed.events ?? []) {
        const { programName, ...rest } = e;
        const programID = ids.get(String(programName));
        if (!programID) throw new Error(`seed event ${String(e['eventName'])}: unknown programName ${String(programName)}`);
        sim.create('events', { ...rest, programID });
      }
    }
  } catch (e) {
    warn(`sim vtn3: ${errorMessage(e)}`);
    await sim.stop();
    return 1;
  }
  const sig = await untilSignal();
  emit('stopping', { signal: sig });
  await sim.stop();
  return 0;
}
