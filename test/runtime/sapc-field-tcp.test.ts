import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, until, type CliProcess } from '../pilots/cli.js';
import { startTcpHub, type TcpHub } from '../../src/sim/sapc/tcp-hub.js';
import { loadMappingFile } from '../../src/runtime/validate.js';
import { Site } from '../../src/runtime/site.js';
import { sapcSiteYaml } from './sapc-site.js';

// The `sapc` field connection over TCP (a TCP-serial bridge, here a two-client hub) to `gridbridge sim
// sapc-appliance` in its own process, as on site: the level held is the one the appliance process applied; when that
// process dies the level is reported not held, and a new appliance process gets it re-asserted.
const procs: CliProcess[] = [];
let hub: TcpHub | undefined;
let site: Site | undefined;
let dir: string | undefined;
afterEach(async () => {
  await site?.stop();
  site = undefined;
  for (const p of procs.splice(0).reverse()) await p.stop();
  await hub?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const appliance = (port: number) => startCli(['sim', 'sapc-appliance', '--device', `tcp://127.0.0.1:${port}`, '--slot', '1:import:ev1', '--heartbeat', '5', '--apply-delay', '20']);

describe('sapc field connection over a TCP-serial bridge to a separate appliance process', () => {
  it('holds, loses and re-asserts a limit on a real appliance process', async () => {
    hub = await startTcpHub();
    const sim1 = appliance(hub.port);
    procs.push(sim1);
    await sim1.waitFor((e) => e.event === 'start', 'appliance start');
    dir = mkdtempSync(join(tmpdir(), 'gb-sapc-tcp-'));
    writeFileSync(join(dir, 'site.yaml'), sapcSiteYaml(`path: "tcp://127.0.0.1:${hub.port}", heartbeatSeconds: 5, statusS: 1, ackTimeoutMs: 300, retries: 2`));
    const load = loadMappingFile(join(dir, 'site.yaml'));
    expect(load.errors).toEqual([]);
    site = new Site(load, { stateDir: false, storeDir: false });
    const statuses: string[] = [];
    site.on('status', (s) => statuses.push(`${s.component}:${s.state}`));
    await site.start();
    await until(() => (statuses.includes('device:ev1:online') ? true : undefined), 'appliance heard');

    const now = Date.now();
    site.submit({ id: 'c1', source: 'test', sourceClass: 'dso', target: { device: 'ev1', name: 'SAPCLevel' }, value: 40, validFrom: now, validTo: now + 120_000 });
    const held = () => site!.controls({ device: 'ev1', name: 'SAPCLevel' }).find((i) => i.governing)?.field;
    await until(() => (held()?.state === 'held' ? true : undefined), 'limit held');
    // The appliance process took the command from the load controller and applied it.
    const decision = await sim1.waitFor((e) => e.event === 'decision' && e.level === 40, 'decision at the appliance');
    expect(decision).toMatchObject({ source: 'load_controller', slot: 1, answer: 'applied' });
    await sim1.waitFor((e) => e.event === 'applied' && e.level === 40, 'applied at the appliance');

    // The appliance process dies: the next status request goes unanswered and the limit is not held any more.
    await sim1.stop();
    await until(() => (statuses.includes('device:ev1:offline') ? true : undefined), 'appliance gone');
    expect(held()?.state).toBe('not_held');

    // A new appliance process (it holds nothing): heard, then the limit is re-asserted to it and held again.
    const sim2 = appliance(hub.port);
    procs.push(sim2);
    await sim2.waitFor((e) => e.event === 'applied' && e.level === 40, 'limit re-asserted to the new appliance', 20_000);
    await until(() => (held()?.state === 'held' ? true : undefined), 'held again');

    // The control is withdrawn: the command is cancelled and the appliance returns to its own plan.
    site.arbiter.cancel('c1', 'test');
    await sim2.waitFor((e) => e.event === 'applied' && e.level === 100, 'back to the appliance plan');
  }, 60_000);
});
