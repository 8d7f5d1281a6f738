import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import { repoRoot, startCli, until, type CliProcess } from './cli.js';
import { freePort, ptyPair, type PtyPair } from './pty.js';
import { initNodeRed } from '../node-red-path.js';
import siteNode from '../../nodes/site.js';
import siteInNode from '../../nodes/site-in.js';

initNodeRed(helper);

// The Spanish pilot as shipped (mappings/pilot-iec104-scada.yaml): the meter, PV power electronics, battery storage
// and BMS on one Modbus RTU line (a pty pair: `gridbridge sim modbus --mapping … --rtu` on one end, the mapping's
// GB_RS485_DEVICE on the other), served to SCADA as an IEC 104 controlled station. SCADA is `gridbridge probe
// iec104` (a separate process): its general interrogation gets every mapped IOA, and a select-before-operate
// set-point reaches the inverter on the RS485 line. Headless (`gridbridge run`) and through the site node.
const mapping = join(repoRoot, 'mappings', 'pilot-iec104-scada.yaml');
const IOAS = [1001, 1002, 1003, 1101, 1201, 1202, 1301, 1302];
const procs: CliProcess[] = [];
const ptys: PtyPair[] = [];
afterEach(async () => {
  for (const p of procs.splice(0).reverse()) await p.stop();
  for (const p of ptys.splice(0)) p.close();
});

async function rs485Line(): Promise<{ sim: CliProcess; device: string }> {
  const pty = await ptyPair();
  ptys.push(pty);
  const sim = startCli(['sim', 'modbus', '--mapping', mapping, '--rtu', pty.a, '--quiet']);
  procs.push(sim);
  await sim.waitFor((e) => e.event === 'listening', 'simulated RS485 units');
  return { sim, device: pty.b };
}

/** SCADA: GI until every IOA comes back good (the first GI may precede the first RS485 poll), then a set-point. */
async function scada(port: number, sim: CliProcess): Promise<void> {
  let good = new Set<number>();
  for (let i = 0; i < 40 && !IOAS.every((x) => good.has(x)); i++) {
    const gi = startCli(['probe', 'iec104', '--host', '127.0.0.1', '--port', String(port), '--json', 'gi']);
    procs.push(gi);
    await gi.exit;
    good = new Set(gi.events.filter((e) => e.event === 'point' && e.quality === 'good').map((e) => e.ioa as number));
    if (!IOAS.every((x) => good.has(x))) await new Promise((r) => setTimeout(r, 500));
  }
  expect(IOAS.filter((x) => !good.has(x))).toEqual([]);
  const cmd = startCli(['probe', 'iec104', '--host', '127.0.0.1', '--port', String(port), '--json', 'cmd', 'se-nc', '2001', '40', '--sbo']);
  procs.push(cmd);
  expect(await cmd.exit, cmd.stderr()).toBe(0);
  expect(cmd.events.find((e) => e.event === 'result')).toMatchObject({ ok: true });
  await sim.waitFor((e) => e.event === 'write' && e.unitId === 2 && e.changes.some((c: any) => c.name === 'WMaxLimPct' && c.value === 40), 'WMaxLimPct 40 on the RS485 line');
}

describe('Spanish pilot: SCADA ↔ GridBridge (IEC 104 controlled station) ↔ RS485 Modbus devices', () => {
  it('headless: GI returns every mapped IOA from the RS485 devices; an SBO set-point reaches the inverter', async () => {
    const { sim, device } = await rs485Line();
    const port = await freePort();
    const run = startCli(['run', mapping, '--iec104-listen', `127.0.0.1:${port}`], { GB_RS485_DEVICE: device });
    procs.push(run);
    await scada(port, sim);
  }, 120_000);

  it('through the site node: the same mapping in Node-RED serves SCADA and passes the set-point down', async () => {
    const { sim, device } = await rs485Line();
    const port = await freePort();
    process.env.GB_RS485_DEVICE = device;
    try {
      await helper.load(
        [siteNode, siteInNode],
        [
          { id: 's', type: 'gridbridge-site', source: 'file', file: 'mappings/pilot-iec104-scada.yaml', iec104Listen: `127.0.0.1:${port}` },
          { id: 'in', type: 'gridbridge-site-in', site: 's', mode: 'batch', wires: [['pts'], [], []] },
          { id: 'pts', type: 'helper' },
        ],
      );
      const devices = new Set<string>();
      helper.getNode('pts').on('input', (m: any) => {
        for (const p of m.payload) if (p.quality === 'good') devices.add(p.device);
      });
      await until(() => (['meter', 'pv', 'storage', 'bms'].every((d) => devices.has(d)) ? true : undefined), `every RS485 device through site in (have ${[...devices].join(', ')})`);
      await scada(port, sim);
    } finally {
      await helper.unload();
      delete process.env.GB_RS485_DEVICE;
    }
  }, 120_000);
});
