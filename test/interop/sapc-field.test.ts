/**
 * The `sapc` field connection (GridBridge as the meter end) on a real serial port, a socat pty pair, and through a
 * TCP serial server (socat tcp-listen ↔ pty), to `gridbridge sim sapc-appliance` in its own process; a held limit is
 * cross-checked from the measurement side by mbpoll (Debian) reading the appliance's supply meter.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gridbridge, killAll, socat, type CliProcess } from './sapc-peers.js';
import { sapcSiteYaml } from '../runtime/sapc-site.js';
import { loadMappingFile } from '../../src/runtime/validate.js';
import { Site } from '../../src/runtime/site.js';

const dir = mkdtempSync(join(tmpdir(), 'gb-sapc-field-'));
let site: Site | undefined;
const apps: CliProcess[] = [];
afterEach(async () => {
  await site?.stop();
  site = undefined;
  for (const a of apps.splice(0)) await a.stop();
});
afterAll(() => killAll());

async function until(f: () => boolean, what: string, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !f(); await new Promise((r) => setTimeout(r, 50))) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

/** A site on `path` with a 40 % limit submitted once the appliance is heard; resolves when the limit is held. */
async function holdLimit(path: string, name: string): Promise<Site> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, sapcSiteYaml(`path: "${path}", heartbeatSeconds: 5, statusS: 1`));
  const load = loadMappingFile(file);
  expect(load.errors).toEqual([]);
  const s = (site = new Site(load, { stateDir: false, storeDir: false }));
  let online = false;
  s.on('status', (st) => st.component === 'device:ev1' && st.state === 'online' && (online = true));
  await s.start();
  await until(() => online, 'appliance heard');
  const now = Date.now();
  s.submit({ id: `${name}-1`, source: 'interop', sourceClass: 'dso', target: { device: 'ev1', name: 'SAPCLevel' }, value: 40, validFrom: now, validTo: now + 120_000 });
  await until(() => s.controls({ device: 'ev1', name: 'SAPCLevel' }).find((i) => i.governing)?.field?.state === 'held', 'limit held');
  return s;
}

describe('sapc field connection on a serial line (socat)', () => {
  it('drives the appliance over a pty: held, applied, and seen on its supply meter by mbpoll', async () => {
    const A = join(dir, 'meter');
    const B = join(dir, 'appliance');
    await socat(A, B);
    const app = gridbridge(['sim', 'sapc-appliance', '--device', B, '--slot', '1:import:ev1', '--rated-w', '7400', '--apply-delay', '20', '--heartbeat', '5', '--modbus-tcp', '0']);
    apps.push(app);
    const modbus = await app.waitFor((l) => l.event === 'modbus');
    await app.waitFor((l) => l.event === 'start');
    await holdLimit(A, 'pty');
    await app.waitFor((l) => l.event === 'applied' && l.level === 40);
    // SDM630 layout: W = input registers 0x34-0x35, float32 ABCD; 40 % of 7400 W.
    const out = execFileSync('mbpoll', ['-m', 'tcp', '-p', String(modbus.port), '-a', '1', '-0', '-r', '52', '-c', '1', '-t', '3:float', '-B', '-1', '127.0.0.1'], { encoding: 'utf8' });
    expect(Number(/\[52\]:\s+(-?[\d.]+)/.exec(out)?.[1])).toBe(2960);
  });

  it('drives the appliance through a TCP serial server (tcp://host:port)', async () => {
    const pty = join(dir, 'tcp-line');
    const ptyApp = join(dir, 'tcp-appliance');
    await socat(pty, ptyApp);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    await socat('', '', { aAddr: `tcp-listen:${port},bind=127.0.0.1,reuseaddr`, bAddr: `file:${pty},raw,echo=0` });
    const app = gridbridge(['sim', 'sapc-appliance', '--device', ptyApp, '--slot', '1:import:ev1', '--apply-delay', '20', '--heartbeat', '5']);
    apps.push(app);
    await app.waitFor((l) => l.event === 'start');
    const s = await holdLimit(`tcp://127.0.0.1:${port}`, 'tcp');
    await app.waitFor((l) => l.event === 'applied' && l.level === 40);
    // Withdrawn: cancelled at the appliance, which returns to its own plan.
    s.arbiter.cancel('tcp-1', 'interop');
    await app.waitFor((l) => l.event === 'applied' && l.level === 100);
  });
});
