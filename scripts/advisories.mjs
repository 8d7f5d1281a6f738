#!/usr/bin/env node
// Advisory check of the runtime dependencies without `npm audit` (the registry mirror of some sites does not answer
// the audit endpoint). Walks the installed tree from package.json `dependencies` (plus each package's dependencies and
// installed optionalDependencies, as Node resolves them: what ships and runs, not the dev tools), and checks every
// installed name@version against scripts/advisories.json: GitHub advisory facts (id, vulnerable range, severity)
// gathered by hand for the packages listed there. It says how many runtime packages the list covers and which it
// does not: a package not in the list has NOT been checked. Exit 1 when an installed version is in the range of a
// high or critical advisory, 0 otherwise.
//
//   node scripts/advisories.mjs [--json] [--uncovered] [--advisories FILE] [--root DIR]
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean' },
    uncovered: { type: 'boolean' },
    advisories: { type: 'string' },
    root: { type: 'string' },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(values.root ?? join(here, '..'));
const listFile = resolve(values.advisories ?? join(here, 'advisories.json'));

/** The package.json of `name` as Node would resolve it from `dir` (node_modules folders upwards). */
function findPackage(name, dir) {
  for (let d = dir; ; d = dirname(d)) {
    const p = join(d, 'node_modules', name, 'package.json');
    if (existsSync(p)) return realpathSync(p);
    if (dirname(d) === d) return undefined;
  }
}

/** Installed runtime closure: Map "name@version" → { name, version, via }. */
function runtimeClosure() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const out = new Map();
  const missing = [];
  const walk = (dir, deps, optional, via) => {
    for (const name of Object.keys(deps)) {
      const p = findPackage(name, dir);
      if (!p) {
        if (!optional.has(name)) missing.push(`${name} (needed by ${via})`);
        continue;
      }
      const j = JSON.parse(readFileSync(p, 'utf8'));
      const key = `${j.name}@${j.version}`;
      if (out.has(key)) continue;
      out.set(key, { name: j.name, version: j.version, via });
      const opt = new Set(Object.keys(j.optionalDependencies ?? {}));
      walk(dirname(p), { ...(j.dependencies ?? {}), ...(j.optionalDependencies ?? {}) }, opt, key);
    }
  };
  walk(root, pkg.dependencies ?? {}, new Set(), pkg.name);
  return { packages: [...out.values()], missing };
}

// --- semver ranges as GitHub advisories write them: "<1.2.3", ">=1.0.0 <1.4.1", "=4.4.2", joined by "||" ---

function parseVersion(v) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?$/.exec(v.trim());
  if (!m) throw new Error(`not a version: ${v}`);
  return { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
}

export function compareVersions(a, b) {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return x.nums[i] < y.nums[i] ? -1 : 1;
  if (x.pre.length === 0 || y.pre.length === 0) return x.pre.length === y.pre.length ? 0 : x.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Number(p) < Number(q) ? -1 : 1;
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

export function inRange(version, range) {
  return range.split('||').some((alt) => {
    const parts = alt.trim().match(/(>=|<=|>|<|=)?\s*[^\s<>=]+/g) ?? [];
    return parts.length > 0 && parts.every((c) => {
      const m = /^(>=|<=|>|<|=)?\s*(\S+)$/.exec(c.trim());
      const op = m[1] ?? '=';
      const r = compareVersions(version, m[2]);
      return op === '>=' ? r >= 0 : op === '<=' ? r <= 0 : op === '>' ? r > 0 : op === '<' ? r < 0 : r === 0;
    });
  });
}

const BLOCKING = new Set(['high', 'critical']);

function main() {
  const list = JSON.parse(readFileSync(listFile, 'utf8'));
  const { packages, missing } = runtimeClosure();
  const names = [...new Set(packages.map((p) => p.name))].sort();
  const covered = names.filter((n) => n in list.packages);
  const uncovered = names.filter((n) => !(n in list.packages));
  const findings = [];
  for (const p of packages) {
    for (const a of list.packages[p.name]?.advisories ?? []) {
      if (inRange(p.version, a.range)) findings.push({ package: p.name, version: p.version, via: p.via, ...a });
    }
  }
  const blocking = findings.filter((f) => BLOCKING.has(f.severity));
  const report = {
    list: listFile,
    checked: list.checked,
    runtimePackages: packages.length,
    runtimeNames: names.length,
    covered: covered.length,
    uncovered: uncovered.length,
    advisoriesKnown: Object.values(list.packages).reduce((n, e) => n + (e.advisories?.length ?? 0), 0),
    findings,
    missing,
    ...(values.uncovered ? { uncoveredNames: uncovered } : {}),
  };
  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    const out = (s) => process.stdout.write(s + '\n');
    out(`advisories: ${packages.length} installed runtime package versions (${names.length} names) from ${root}`);
    out(`advisories: list ${listFile} (facts gathered ${list.checked}): ${report.advisoriesKnown} advisories for ${Object.keys(list.packages).length} packages`);
    out(`advisories: covered ${covered.length} of ${names.length} runtime package names; ${uncovered.length} NOT checked${values.uncovered ? `: ${uncovered.join(', ')}` : ' (--uncovered lists them)'}`);
    for (const m of missing) out(`advisories: not installed: ${m}`);
    for (const f of findings) out(`advisories: ${f.severity.toUpperCase()} ${f.package}@${f.version} (via ${f.via}) is in ${f.id} "${f.range}": ${f.summary}`);
    out(blocking.length ? `advisories: ${blocking.length} high/critical finding(s)` : `advisories: no installed runtime version is in the range of a listed high or critical advisory${findings.length ? ` (${findings.length} lower-severity finding(s) above)` : ''}`);
  }
  return blocking.length ? 1 : 0;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
