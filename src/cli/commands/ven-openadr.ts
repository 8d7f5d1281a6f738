/** `gridbridge ven openadr --config ven.yaml`: headless OpenADR VEN (2.0b or 3.x) printing JSON lines. */
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { systemClock } from '../../core/clock.js';
import { errorMessage, formatPath } from '../../core/errors.js';
import { QUALITY_CODES, type Point } from '../../core/point.js';
import { OpenadrVen } from '../../protocols/openadr/factory.js';
import { emit, untilSignal, warn } from '../jsonl.js';

export const summary = 'run an OpenADR VEN (2.0b events/report-only CEM, or 3.x) and print controls and reports as JSON lines';

const USAGE = `usage: gridbridge ven openadr --config FILE [--points-stdin] [--deregister-on-exit]
  --config FILE          YAML with an \`openadr:\` block (version, vtnUrl, venName, reports, signals, policy …)
  --points-stdin         read point updates as JSON lines on stdin: {"device":"meter1","name":"W","value":1200}
  --deregister-on-exit   2.0b: send oadrCancelPartyRegistration on SIGINT/SIGTERM
The OpenADR 3 client secret is read from the environment variable named by oauth.clientSecretEnv.`;

const pointLine = z.object({ device: z.string().min(1), name: z.string().min(1), value: z.union([z.number(), z.boolean(), z.string(), z.null()]), quality: z.enum(QUALITY_CODES).default('good'), unit: z.string().optional() });

export async function run(argv: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({ args: argv, options: { config: { type: 'string' }, 'points-stdin': { type: 'boolean', default: false }, 'deregister-on-exit': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (e) {
    warn(`${errorMessage(e)}\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (!v.config) {
    warn(`--config is required\n${USAGE}`);
    return 2;
  }
  let ven: OpenadrVen;
  try {
    const raw: unknown = parseYaml(readFileSync(v.config, 'utf8'));
    const parsed = (() => {
      try {
        return OpenadrVen.parseMapping(raw);
      } catch (e) {
        if (e instanceof z.ZodError) throw new Error(e.issues.map((i) => `openadr.${formatPath(i.path)}: ${i.message}`).join('; '));
        throw e;
      }
    })();
    ven = new OpenadrVen(parsed, systemClock);
  } catch (e) {
    warn(`${v.config}: ${errorMessage(e)}`);
    return 2;
  }
  ven.on('state', (s) => emit('state', s));
  ven.on('control', (c) => emit('control', { ...c, validFrom: new Date(c.validFrom).toISOString(), validTo: new Date(c.validTo).toISOString() }));
  ven.on('cancel', (c) => emit('cancel', c));
  ven.on('event', (e) => emit('event', e));
  ven.on('report', (r) => emit('report', r));
  ven.on('deviation', (d) => emit('deviation', { detail: d }));
  ven.on('error', (e) => emit('error', { error: e.message }));
  if (v['points-stdin']) {
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      if (!line.trim()) return;
      try {
        const p = pointLine.parse(JSON.parse(line));
        const now = Date.now();
        const pt: Point = { id: `${p.device}/${p.name}`, device: p.device, name: p.name, value: p.value, quality: { code: p.quality }, receiveTime: now, ...(p.unit ? { unit: p.unit } : {}) };
        ven.update(pt);
      } catch (e) {
        emit('input_error', { line: line.slice(0, 200), error: e instanceof z.ZodError ? e.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ') : errorMessage(e) });
      }
    });
  }
  // Protocol timers never hold the process open (systemClock unrefs them), so a headless VEN polling a VTN would
  // otherwise exit once its first round is done: hold it open until SIGINT/SIGTERM.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await ven.start();
  const sig = await untilSignal();
  clearInterval(keepAlive);
  emit('stopping', { signal: sig });
  if (v['deregister-on-exit']) await ven.deregister().catch((e: unknown) => emit('error', { error: errorMessage(e) }));
  await ven.stop();
  return 0;
}
