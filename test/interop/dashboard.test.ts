/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runDemo } from '../../src/runtime/demo.js';
import { artefactDir, CHROMIUM, CHROMIUM_ARGS } from './browser.js';

// The dashboard example (flows/dashboard-home-station.json, FlowFuse Dashboard 2) as `npm start` deploys it, in
// Debian's Chromium: live values move, the chart holds W over time per device, a control button's report shows
// on the page, and mbpoll (libmodbus, an independent Modbus client) reads the written register from the simulator.
const run = promisify(execFile);
const hasMbpoll = existsSync('/usr/bin/mbpoll');
const shots = artefactDir('dashboard');

/** Holding registers of the demo simulator, read with mbpoll (0-based addresses). */
async function mbpollHolding(unit: number, address: number): Promise<number> {
  const port = process.env.GB_MODBUS_PORT ?? '';
  const r = await run('mbpoll', ['-m', 'tcp', '-p', port, '-a', String(unit), '-t', '4', '-r', String(address), '-c', '1', '-0', '-1', '127.0.0.1'], { timeout: 10000 });
  const m = new RegExp(`\\[${address}\\]:\\s+(-?\\d+)`).exec(r.stdout);
  if (!m) throw new Error(`mbpoll: no value for register ${address} in:\n${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

const text = (page: Page, cls: string) => page.locator(`.${cls}`).innerText();

describe('Dashboard 2 example (Chromium, mbpoll)', () => {
  const userDir = mkdtempSync(join(tmpdir(), 'gb-dashboard-'));
  const lines: string[] = [];
  let demo: Awaited<ReturnType<typeof runDemo>>;
  let browser: Browser;

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), 'chromium is installed by scripts/interop.mjs').toBe(true);
    expect(hasMbpoll, 'mbpoll is installed by scripts/interop.mjs').toBe(true);
    demo = await runDemo({ host: '127.0.0.1', port: 0, userDir, modbusPort: 0, mqttPort: 0, resetFlow: true, logLevel: 'warn', log: (l) => lines.push(l) });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    rmSync(userDir, { recursive: true, force: true });
  });

  it('npm start deploys the dashboard tab on the demo site and says where it is', () => {
    expect(lines.join('\n')).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard/);
    const flow = JSON.parse(readFileSync(join(userDir, 'flows.json'), 'utf8')) as Array<Record<string, string>>;
    const uses = flow.filter((n) => n.type === 'gridbridge-site-in' || n.type === 'gridbridge-site-control');
    expect(uses.length).toBeGreaterThanOrEqual(4);
    // One site: the dashboard reads and controls the demo's, not a second copy polling the same devices.
    expect(new Set(uses.map((n) => n.site))).toEqual(new Set(['gb-site']));
    expect(flow.filter((n) => n.type === 'gridbridge-site')).toHaveLength(1);
  });

  it('shows live values that change, and a chart of W per device over time', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${demo.editorUrl}dashboard`);
    expect(new URL(page.url()).pathname).toMatch(/^\/api\/dashboard/);
    // The battery's state of charge arrives from site in (a number with its unit), then moves with the simulator.
    await page.waitForFunction(() => /\d+\.\d %/.test(document.querySelector('.gb-soc')?.textContent ?? ''), undefined, { timeout: 30000 });
    const first = { soc: await text(page, 'gb-soc'), pv: await text(page, 'gb-pv-gauge') };
    await page.waitForFunction(
      (f) => document.querySelector('.gb-soc')?.textContent?.replace(/\s+/g, '') !== f.soc.replace(/\s+/g, '') && (document.querySelector('.gb-pv-gauge') as HTMLElement | null)?.innerText !== f.pv,
      first,
      { timeout: 30000 },
    );
    expect(await text(page, 'gb-pv-gauge')).toMatch(/PV power[\s\S]*-?\d+[\s\S]*W/);
    // The chart widget is drawn, and the dashboard's store for it holds a series per device with points over time.
    await page.locator('.gb-chart canvas').first().waitFor({ timeout: 20000 });
    let data: Array<{ topic: string; payload: number; _datapoint?: { x: number } }> = [];
    for (let i = 0; i < 60; i++) {
      data = (await (await fetch(`${demo.editorUrl}api/dashboard/_debug/datastore/gbx-dash-chart`)).json()) as typeof data;
      if (new Set(data.map((d) => d.topic)).size >= 4 && data.length >= 12) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const series = new Map<string, number[]>();
    for (const d of data) series.set(d.topic, [...(series.get(d.topic) ?? []), d.payload]);
    expect([...series.keys()].sort()).toEqual(['battery', 'ev', 'inverter', 'meter']);
    for (const [dev, ys] of series) expect(ys.length, dev).toBeGreaterThanOrEqual(2);
    const xs = data.filter((d) => d.topic === 'inverter').map((d) => d._datapoint?.x ?? 0);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(xs.at(-1)!).toBeGreaterThan(xs[0]!);
    // The devices draw their own curves (the simulator seeds each one): not all series carry the same values.
    expect(new Set([...series.values()].map((ys) => ys.join(','))).size).toBeGreaterThan(1);
    await page.screenshot({ path: join(shots, 'dashboard-live.png') });
    expect(errors).toEqual([]);
  });

  it('a control button submits with a validity; the report shows on the page and mbpoll reads the register written', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${demo.editorUrl}dashboard`);
    await page.waitForFunction(() => /\d+ %/.test(document.querySelector('.gb-pv-limit')?.textContent ?? ''), undefined, { timeout: 30000 });
    // WMaxLimPct: holding register 100 of the inverter (unit 1), u16 with scale 0.01 (dcbel-station-inverter.yaml).
    expect(await mbpollHolding(1, 100)).toBe(10000);
    expect(await text(page, 'gb-pv-limit')).toMatch(/100 %/);
    await page.locator('.gb-btn-pv-limit button').click();
    await page.waitForFunction(() => /WMaxLimPct/.test(document.querySelector('.gb-control-result')?.textContent ?? ''), undefined, { timeout: 20000 });
    const report = await text(page, 'gb-control-result');
    expect(report).toMatch(/inverter\/WMaxLimPct: applied, field held 50, valid until (\d\d:\d\d:\d\d) UTC/);
    // Valid for 15 minutes (the button's validFor: 900 s), give or take the seconds the test took.
    const until = /valid until (\d\d):(\d\d):(\d\d)/.exec(report)!.slice(1).map(Number) as [number, number, number];
    const now = new Date();
    const left = ((until[0] * 3600 + until[1] * 60 + until[2] - (now.getUTCHours() * 3600 + now.getUTCMinutes() * 60 + now.getUTCSeconds()) + 86400) % 86400);
    expect(left).toBeGreaterThan(840);
    expect(left).toBeLessThanOrEqual(900);
    await expect.poll(() => page.locator('.nrdb-ui-notification').innerText().catch(() => ''), { timeout: 10000 }).toMatch(/WMaxLimPct: applied/);
    await page.screenshot({ path: join(shots, 'dashboard-control.png') });
    // Independently: the simulator's register holds 50 % (raw 5000), and the read-back on the page follows.
    expect(await mbpollHolding(1, 100)).toBe(5000);
    await page.waitForFunction(() => /^\s*PV limit \(read back\)\s*50 %\s*$/.test((document.querySelector('.gb-pv-limit') as HTMLElement | null)?.innerText ?? ''), undefined, { timeout: 20000 });
    await page.screenshot({ path: join(shots, 'dashboard-readback.png') });
    expect(errors).toEqual([]);
  });
});
