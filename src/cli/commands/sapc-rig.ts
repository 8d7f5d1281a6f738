/** `gridbridge sapc rig --report DIR`: run the SAPC override scenarios against a simulated appliance. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emit, warn, parseCommandLine } from '../jsonl.js';
import { errorMessage } from '../../core/errors.js';
import { FakeClock, systemClock } from '../../core/clock.js';
import { formatRigSummary, runRig, SCENARIOS } from '../../sim/sapc/rig.js';

export const summary = 'run the SAPC override test scenarios and write a JSON + Markdown report';

const USAGE = `usage: gridbridge sapc rig [--report DIR] [--scenario NAME …] [--baud B] [--real-time]
  --report DIR      write DIR/sapc-rig.json and DIR/sapc-rig.md (default: print the summary only)
  --scenario NAME   run only these (repeatable); known: ${SCENARIOS.map((s) => s.name).join(', ')}
  --baud B          simulated line speed (default 9600)
  --apply-delay MS  appliance control loop delay (default 100)
  --real-time       run on the system clock instead of virtual time
Exit code 0 when every scenario passes, 1 otherwise.`;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      report: { type: 'string' },
      scenario: { type: 'string', multiple: true },
      baud: { type: 'string', default: '9600' },
      'apply-delay': { type: 'string', default: '100' },
      'real-time': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (typeof cli === 'number') return cli;
  const v = cli.values;
  try {
    const report = await runRig({
      clock: v['real-time'] ? systemClock : new FakeClock(Date.now()),
      baud: Number(v.baud),
      applyDelayMs: Number(v['apply-delay']),
      ...(v.scenario ? { scenarios: v.scenario } : {}),
      onProgress: (event, data) => emit(event, data),
    });
    const md = formatRigSummary(report);
    if (v.report) {
      mkdirSync(v.report, { recursive: true });
      writeFileSync(join(v.report, 'sapc-rig.json'), JSON.stringify(report, null, 2) + '\n');
      writeFileSync(join(v.report, 'sapc-rig.md'), md);
      emit('report', { json: join(v.report, 'sapc-rig.json'), summary: join(v.report, 'sapc-rig.md'), passed: report.passed, failed: report.failed });
    } else process.stderr.write(md);
    return report.failed ? 1 : 0;
  } catch (e) {
    warn(`sapc rig: ${errorMessage(e)}`);
    return 2;
  }
}
