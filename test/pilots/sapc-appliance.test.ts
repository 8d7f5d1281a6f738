import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import { repoRoot, until, type CliProcess } from './cli.js';
import { sapcLine } from './sapc-line.js';
import { initNodeRed } from '../node-red-path.js';
import siteNode from '../../nodes/site.js';
import siteInNode from '../../nodes/site-in.js';

initNodeRed(helper);

// SAPC appliance override pilot: GridBridge is the appliance end of the smart meter's SAPC port (upstream.sapc) and
// writes the inverter's export limit. The meter is `gridbridge sapc send` (its own process each time) on an SSP-1
// line behind a TCP-serial bridge (a two-client hub); the inverter is `gridbridge sim modbus` on the same mapping.
const mapping = join(repoRoot, 'mappings', 'pilot-sapc-appliance.yaml');
const line = sapcLine();

async function rig(): Promise<{ inverter: CliProcess; env: Record<string, string> }> {
  const path = await line.open();
  const inverter = line.cli(['sim', 'modbus', '--mapping', mapping, '--tcp', '0', '--host', '127.0.0.1', '--quiet']);
  const listening = await inverter.waitFor((e) => e.event === 'listening', 'inverter simulator');
  return { inverter, env: { GB_SAPC_PATH: path, GB_MODBUS_PORT: String(listening.tcp.port) } };
}

/** The meter sends one SSP-1 command (a separate process); resolves with its answer line. */
async function meterSends(args: string[]): Promise<Record<string, any>> {
  const send = line.cli(['sapc', 'send', '--device', `tcp://127.0.0.1:${line.hub.port}`, '--direction', 'export', ...args]);
  const answer = await send.waitFor((e) => e.event === 'answer', 'answer from the site');
  await send.exit;
  return answer;
}

describe('SAPC appliance override pilot (smart meter SAPC port → GridBridge → inverter export limit)', () => {
  it('headless: a load-controller limit is ACKed, written to the inverter, and expires to the default plan; an owner command is refused', async () => {
    const { inverter, env } = await rig();
    const run = line.cli(['run', mapping], env);
    // The default plan (100 %) is written from the start.
    await run.waitFor((e) => e.event === 'write' && e.name === 'WMaxLimPct' && e.value === 100 && e.ok, 'default plan written');
    await until(() => (line.hub.clients >= 1 ? true : undefined), 'site on the SSP-1 line');

    const ack = await meterSends(['--level', '40', '--for', '4s', '--source', 'lc', '--event-id', 'lc-1']);
    expect(ack).toMatchObject({ type: 'ACK', state: 'applied', eventId: 'lc-1' });
    await run.waitFor((e) => e.event === 'write' && e.name === 'WMaxLimPct' && e.value === 40 && e.ok, 'limit written');
    // The inverter simulator decodes the register write itself: 40 % in its WMaxLimPct.
    await inverter.waitFor((e) => e.event === 'write' && e.unitId === 1 && e.changes.some((c: any) => c.name === 'WMaxLimPct' && c.value === 40), 'register write at the inverter');
    await run.waitFor((e) => e.event === 'control' && e.intentId === 'lc-1' && e.outcome === 'applied', 'audit of lc-1');
    // Expiry: back to the slot's default plan.
    await run.waitFor((e) => e.event === 'control' && e.intentId === 'lc-1' && e.outcome === 'expired', 'expiry', 15_000);
    await until(() => (run.events.filter((e) => e.event === 'write' && e.name === 'WMaxLimPct' && e.value === 100 && e.ok).length >= 2 ? true : undefined), 'default plan again');

    // The mapping accepts load controller, supplier and aggregator only.
    expect(await meterSends(['--level', '10', '--for', '2m', '--source', 'own'])).toMatchObject({ type: 'NAK', reason: 'REJECTED' });
  }, 60_000);

  it('through the gridbridge site node: the meter command becomes a control decision and the inverter follows it', async () => {
    const { env } = await rig();
    Object.assign(process.env, env);
    try {
      await helper.load(
        [siteNode, siteInNode],
        [
          { id: 's', type: 'gridbridge-site', source: 'file', file: 'mappings/pilot-sapc-appliance.yaml' },
          { id: 'in', type: 'gridbridge-site-in', site: 's', devices: 'inverter', names: 'WMaxLimPct', mode: 'each', wires: [['pts'], [], ['audit']] },
          { id: 'pts', type: 'helper' },
          { id: 'audit', type: 'helper' },
        ],
      );
      const limits: number[] = [];
      helper.getNode('pts').on('input', (m: any) => limits.push(m.payload.value));
      const decisions: any[] = [];
      helper.getNode('audit').on('input', (m: any) => m.topic === 'audit' && decisions.push(m.payload));
      await until(() => (line.hub.clients >= 1 && limits.includes(100) ? true : undefined), 'site up, default plan read back');
      expect(await meterSends(['--level', '25', '--for', '2m', '--source', 'sup', '--event-id', 'sup-1'])).toMatchObject({ type: 'ACK', state: 'applied' });
      await until(() => decisions.find((d) => d.intentId === 'sup-1' && d.outcome === 'applied'), 'control decision out of site in');
      await until(() => (limits.at(-1) === 25 ? true : undefined), 'inverter WMaxLimPct read back at 25 %');
    } finally {
      await helper.unload();
      for (const k of Object.keys(env)) delete process.env[k];
    }
  }, 60_000);
});
