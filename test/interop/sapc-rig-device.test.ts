/**
 * `gridbridge sapc rig --device` as the meter end against `gridbridge sim sapc-appliance` standing in for real
 * equipment: two separate processes on the two ends of a socat pty pair, the rig judging compliance from the
 * appliance's Modbus TCP meter. A sluggish appliance (control loop far slower than the rig waits) must fail.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gridbridge, gridbridgeOnce, killAll, socat } from './sapc-peers.js';
import type { RigReport } from '../../src/sim/sapc/rig.js';

const dir = mkdtempSync(join(tmpdir(), 'gb-sapc-rigdev-'));
afterAll(() => killAll());

async function rigAgainst(name: string, applianceArgs: string[], scenarios: string[]): Promise<{ code: number | null; report: RigReport; html: string; md: string; stderr: string }> {
  const a = join(dir, `${name}-meter`);
  const b = join(dir, `${name}-appliance`);
  await socat(a, b);
  const app = gridbridge(['sim', 'sapc-appliance', '--device', b, '--modbus-tcp', '0', '--rated-w', '7400', ...applianceArgs]);
  try {
    const mb = await app.waitFor((l) => l.event === 'modbus');
    await app.waitFor((l) => l.event === 'start');
    const out = join(dir, name);
    const r = await gridbridgeOnce(
      ['sapc', 'rig', '--device', a, '--measure-tcp', `127.0.0.1:${String(mb.port)}`, '--measure-interval', '200', '--rated-w', '7400', '--manufacturer', 'GridBridge', '--model', 'sim sapc-appliance', '--serial', name, '--report', out, ...scenarios.flatMap((s) => ['--scenario', s])],
      120_000,
    );
    return {
      code: r.code,
      report: JSON.parse(readFileSync(join(out, 'sapc-rig.json'), 'utf8')) as RigReport,
      html: readFileSync(join(out, 'sapc-rig.html'), 'utf8'),
      md: readFileSync(join(out, 'sapc-rig.md'), 'utf8'),
      stderr: r.stderr,
    };
  } finally {
    await app.stop();
  }
}

describe('sapc rig --device against an appliance in another process', () => {
  it('passes a compliant appliance, judged from its metered power and status answers', async () => {
    const before = Date.now();
    const { code, report, html, md, stderr } = await rigAgainst('good', [], ['lc-limit-and-expiry', 'lc-outranks-supplier', 'min-of-caps', 'level-out-of-range', 'lost-acks', 'noise-and-bad-crc', 'cancel', 'emergency-cease', 'expiry-at-boundary']);
    expect(report.scenarios.filter((s) => !s.passed).map((s) => [s.name, s.checks.filter((c) => !c.ok), s.error]), stderr).toEqual([]);
    expect(code).toBe(0);
    expect(report).toMatchObject({ mode: 'device', time: 'real', equipment: { kind: 'device under test', model: 'sim sapc-appliance', serial: 'good' } });
    expect(report.measurement).toMatch(/eastron-sdm630 unit 1 on tcp:\/\/127\.0\.0\.1:\d+, point W/);
    expect(Date.parse(report.generatedAt)).toBeGreaterThanOrEqual(before);
    const lc = report.scenarios.find((s) => s.name === 'lc-limit-and-expiry')!;
    // Measured power went from 7400 W to 40 % (2960 W) and back, as read over Modbus from the other process.
    expect(lc.power.map((p) => p.value)).toEqual(expect.arrayContaining([7400, 2960]));
    expect(lc.latencyMs).toHaveLength(1);
    expect(lc.ackMs.length).toBeGreaterThan(0);
    expect(lc.trace.some((t) => t.dir === '<' && t.text.startsWith('$1,ACK,'))).toBe(true);
    expect(report.requirements.find((q) => q.id === 'R2')).toMatchObject({ result: 'pass' });
    expect(html.match(/<svg /g)).toHaveLength(9);
    expect(report.requirements.find((q) => q.id === 'R13')).toMatchObject({ result: 'pass' });
    expect(md).toContain('| R2 |');
  }, 150_000);

  it('fails an appliance that does not reach the limit in time, naming the requirement', async () => {
    const { code, report } = await rigAgainst('slow', ['--apply-delay', '15000'], ['lc-limit-and-expiry']);
    expect(code).toBe(1);
    const s = report.scenarios[0]!;
    expect(s.passed).toBe(false);
    expect(s.checks.find((c) => c.label === 'limit 40 %: device at 40 %')).toMatchObject({ req: 'R2', ok: false, detail: expect.stringContaining('7400 W') });
    expect(report.requirements.find((q) => q.id === 'R2')).toMatchObject({ result: 'fail' });
  }, 150_000);
});
