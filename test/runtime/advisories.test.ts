import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- a plain ES module script without types
import { compareVersions, inRange } from '../../scripts/advisories.mjs';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'advisories.mjs');
const installed = (name: string): string => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

function run(list?: object): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gb-adv-'));
  try {
    const args = [script];
    if (list) {
      writeFileSync(join(dir, 'list.json'), JSON.stringify(list));
      args.push('--advisories', join(dir, 'list.json'));
    }
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    return { status: r.status, out: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('scripts/advisories.mjs (npm audit without the audit endpoint)', () => {
  it('semver ranges as advisories write them', () => {
    expect(compareVersions('2.0.0-5', '2.0.0')).toBe(-1);
    expect(compareVersions('2.0.0-beta.10', '2.0.0-beta.9')).toBe(1);
    expect(inRange('8.20.1', '>=1.1.0 <5.2.5 || >=6.0.0 <6.2.4 || >=8.0.0 <8.21.0')).toBe(true);
    expect(inRange('8.21.0', '>=1.1.0 <5.2.5 || >=6.0.0 <6.2.4 || >=8.0.0 <8.21.0')).toBe(false);
    expect(inRange('6.1.0', '>=6.0.0 <6.2.4')).toBe(true);
    expect(inRange('4.4.2', '=4.4.2')).toBe(true);
    expect(inRange('4.4.3', '=4.4.2')).toBe(false);
    expect(inRange('3.22.2', '<=3.22.2')).toBe(true);
    expect(inRange('2.0.0-4', '>=2.0.0-5 <2.2.2')).toBe(false);
  });

  it('the shipped list: exit 0, says how many runtime packages it covers and how many it does not', () => {
    const r = run();
    expect(r.status, r.out).toBe(0);
    const m = /covered (\d+) of (\d+) runtime package names; (\d+) NOT checked/.exec(r.out);
    expect(m, r.out).not.toBeNull();
    expect(Number(m![1]) + Number(m![3])).toBe(Number(m![2]));
    expect(Number(m![2])).toBeGreaterThan(50);
  });

  it('an installed runtime version inside a high advisory range fails the check and is named; a moderate one is reported only', () => {
    const v = installed('yaml');
    const high = run({ checked: 'test', packages: { yaml: { advisories: [{ id: 'GHSA-test-high', range: `=${v}`, severity: 'high', summary: 'test' }] } } });
    expect(high.status, high.out).toBe(1);
    expect(high.out).toContain(`HIGH yaml@${v}`);
    expect(high.out).toContain('GHSA-test-high');
    const moderate = run({ checked: 'test', packages: { yaml: { advisories: [{ id: 'GHSA-test-mod', range: `<=${v}`, severity: 'moderate', summary: 'test' }] } } });
    expect(moderate.status, moderate.out).toBe(0);
    expect(moderate.out).toContain(`MODERATE yaml@${v}`);
    // A development-only package is not part of the runtime tree, whatever its advisories.
    const dev = run({ checked: 'test', packages: { vitest: { advisories: [{ id: 'GHSA-test-dev', range: '>=0.0.0', severity: 'critical', summary: 'test' }] } } });
    expect(dev.status, dev.out).toBe(0);
  });
});
