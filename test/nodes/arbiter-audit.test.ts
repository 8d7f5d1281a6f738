import { afterAll, afterEach, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import arbiterNode from '../../nodes/sapc-arbiter.js';
import arbitrateNode from '../../nodes/sapc-arbitrate.js';
import { initNodeRed } from '../node-red-path.js';

// The control arbiter node (Node-RED mode without a site node) keeps its decisions in an audit log file that
// survives a redeploy/restart: a second instance appends after the first one's lines.
initNodeRed(helper);
const dir = mkdtempSync(join(tmpdir(), 'gb-arb-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => helper.unload());

const file = join(dir, 'audit.jsonl');
const flow = [
  { id: 'arb', type: 'gridbridge-sapc-arbiter', name: 'site-a', targets: '[{"device":"ev1","name":"SAPCLevel","min":0,"max":100,"default":100}]', auditFile: file },
  { id: 'n1', type: 'gridbridge-sapc-arbitrate', arbiter: 'arb', wires: [['res'], []] },
  { id: 'res', type: 'helper' },
];

async function submit(id: string, value: number): Promise<Record<string, unknown>> {
  const result = new Promise<Record<string, unknown>>((r) => helper.getNode('res').on('input', (m: any) => r(m.payload)));
  helper.getNode('n1').receive({ payload: { id, source: 'test', sourceClass: 'supplier', target: { device: 'ev1', name: 'SAPCLevel' }, value, validTo: Date.now() + 60_000 } });
  return result;
}

const lines = (): Array<Record<string, any>> => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('control arbiter node audit log', () => {
  it('appends every decision as a JSON line and keeps them across a restart', async () => {
    await helper.load([arbiterNode, arbitrateNode], flow);
    expect(await submit('a1', 130)).toMatchObject({ intentId: 'a1', outcome: 'clipped' });
    expect(lines().find((l) => l.intentId === 'a1' && l.action === 'submit')).toMatchObject({ site: 'site-a', outcome: 'clipped', sourceClass: 'supplier' });
    await helper.unload();

    await helper.load([arbiterNode, arbitrateNode], flow);
    expect(await submit('a2', 40)).toMatchObject({ intentId: 'a2', outcome: 'applied' });
    const all = lines().filter((l) => l.action === 'submit').map((l) => l.intentId);
    expect(all).toEqual(['a1', 'a2']);
  });
});
