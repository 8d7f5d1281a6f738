/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { runDemo } from '../../src/runtime/demo.js';
import { DASHBOARD_FLOW } from '../../src/runtime/demo-dashboard.js';
import { artefactDir, CHROMIUM, CHROMIUM_ARGS as ARGS } from './browser.js';

// The Node-RED editor in a real Chromium (Debian's package), against the main job: the GridBridge palette loads,
// the demo flow has no unknown node types, the help panel has our text, and values reach the debug sidebar.
// Screenshots go to .gridbridge/artefacts/editor (or $GB_ARTEFACTS/editor).
const shots = artefactDir('editor');

describe('Node-RED editor with GridBridge (Chromium)', () => {
  const userDir = mkdtempSync(join(tmpdir(), 'gb-editor-'));
  let demo: Awaited<ReturnType<typeof runDemo>>;
  let browser: Browser;

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), 'chromium is installed by scripts/interop.mjs').toBe(true);
    demo = await runDemo({ host: '127.0.0.1', port: 0, userDir, modbusPort: 0, mqttPort: 0, resetFlow: true, logLevel: 'warn', log: () => undefined });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  /** A new page on the editor, once our palette and the demo flow are drawn; page errors are collected. */
  async function openEditor() {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(demo.editorUrl);
    await page.waitForFunction(() => (window as any).RED?.nodes?.getType?.('gridbridge-modbus-read') !== undefined, undefined, { timeout: 30000 });
    await page.waitForSelector('.red-ui-flow-node', { timeout: 30000 });
    await page.waitForSelector('.red-ui-palette-node', { timeout: 30000 });
    return { page, errors };
  }

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    rmSync(userDir, { recursive: true, force: true });
  });

  it('shows every GridBridge node in the palette with a label in words, its own icon, and translated dialog labels', async () => {
    const { page } = await openEditor();
    const nodes = await page.evaluate(() => {
      const RED = (window as any).RED;
      return (RED.nodes.registry.getNodeTypes() as string[])
        .filter((t) => t.startsWith('gridbridge-'))
        .map((t) => {
          const def = RED.nodes.getType(t);
          const ns: string = def.set?.id ?? '';
          const tpl = document.querySelector(`script[data-template-name="${t}"]`)?.innerHTML ?? '';
          const keys = [...tpl.matchAll(/data-i18n="([^"]+)"/g)].map((m) => m[1] as string);
          const untranslated = keys.filter((k) => {
            const v = RED._(`${ns}:${k}`);
            return !v || v === k || v === `${ns}:${k}`;
          });
          const el = document.querySelector(`.red-ui-palette-node[data-palette-type="${t}"]`);
          const icon = typeof def.icon === 'function' ? def.icon.call({ _def: def }) : def.icon;
          return {
            type: t,
            config: def.category === 'config',
            paletteLabel: RED.utils.getPaletteLabel(t, def) as string,
            shown: el?.querySelector('.red-ui-palette-label')?.textContent?.replace(/\s+/g, ' ').trim() ?? null,
            icon: (icon as string | undefined) ?? '',
            iconUrl: el ? getComputedStyle(el.querySelector('.red-ui-palette-icon') as Element).backgroundImage : '',
            untranslated,
          };
        });
    });
    expect(nodes.length).toBeGreaterThanOrEqual(23);
    for (const n of nodes) {
      expect(n.paletteLabel, n.type).toMatch(/^[A-Z0-9][\w .()-]*$/);
      expect(n.paletteLabel, n.type).not.toMatch(/gridbridge|paletteLabel/);
      expect(n.untranslated, n.type).toEqual([]);
      if (n.config) continue;
      expect(n.shown, n.type).toBe(n.paletteLabel);
      expect(n.icon, n.type).toMatch(/^gridbridge-[a-z0-9-]+\.svg$/);
      const url = /url\("?([^")]+)"?\)/.exec(n.iconUrl)?.[1] ?? '';
      expect(url, n.type).toContain(n.icon);
      const res = await fetch(new URL(url, demo.editorUrl));
      expect(res.status, `${n.type} icon ${url}`).toBe(200);
      expect(await res.text()).toContain('<svg');
    }
    await page.screenshot({ path: join(shots, 'gridbridge-palette.png') });
  });

  it('device dialog: profile picker by maker/model, a check of the profile, and an unknown profile marked invalid', async () => {
    const { page } = await openEditor();
    const { id, invalid, valid } = await page.evaluate(() => {
      const RED = (window as any).RED;
      let dev: any;
      RED.nodes.eachConfig((n: any) => { if (n.type === 'gridbridge-modbus-device' && !dev) dev = n; });
      const def = RED.nodes.getType('gridbridge-modbus-device');
      return {
        id: dev.id as string,
        invalid: def.defaults.profile.validate.call(dev, 'no-such-profile') as unknown,
        valid: def.defaults.profile.validate.call(dev, dev.profile) as unknown,
      };
    });
    expect(valid).toBe(true);
    expect(invalid).toMatch(/unknown profile "no-such-profile"/);
    await page.evaluate((nid) => (window as any).RED.editor.editConfig('', 'gridbridge-modbus-device', nid), id);
    await page.waitForFunction(() => document.querySelectorAll('#gb-profile-picker optgroup').length > 2, undefined, { timeout: 10000 });
    await page.waitForFunction(() => /✓ .+ points\)/.test(document.querySelector('#gb-profile-check')?.textContent ?? ''), undefined, { timeout: 10000 });
    const makers = await page.$$eval('#gb-profile-picker optgroup', (gs) => gs.map((g) => g.getAttribute('label')));
    expect(makers).toContain('Eastron');
    await page.fill('#node-config-input-profile', 'no-such-profile');
    await page.waitForFunction(() => /not found/.test(document.querySelector('#gb-profile-check')?.textContent ?? ''), undefined, { timeout: 10000 });
    expect(await page.inputValue('#gb-profile-picker')).toBe('_file');
    await page.selectOption('#gb-profile-picker', 'eastron-sdm630');
    expect(await page.inputValue('#node-config-input-profile')).toBe('eastron-sdm630');
    await page.waitForFunction(() => /✓ Eastron/.test(document.querySelector('#gb-profile-check')?.textContent ?? ''), undefined, { timeout: 10000 });
    await page.screenshot({ path: join(shots, 'gridbridge-device-dialog.png') });
  });

  it('imports every example (Import ▸ Examples), deploys them beside the demo, and the demo keeps its green dots', async () => {
    const examplesDir = join(__dirname, '..', '..', 'examples');
    // Pilot flows run whole sites (their own simulators, brokers and listeners): listed here, imported by the pilot
    // tests (test/pilots); the per-protocol examples are imported and deployed beside the demo.
    const all = readdirSync(examplesDir).filter((f) => f.endsWith('.json') && f !== 'demo-home-station.json');
    const files = all.filter((f) => !f.startsWith('pilot-'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const { page, errors } = await openEditor();
    // The editor lists them under Import ▸ Examples (GET /nodes with the examples folder of our module).
    const listed = await page.evaluate(async () => JSON.stringify(await (await fetch('library/examples/flows/node-red-contrib-gridbridge/')).json()));
    for (const f of all) expect(listed, 'Import ▸ Examples lists ' + f).toContain(`"${f.replace(/\.json$/, '')}"`);
    for (const f of files) {
      const name = f.replace(/\.json$/, '');
      expect(listed, 'Import ▸ Examples lists ' + name).toContain(`"${name}"`);
      const flow = await page.evaluate(async (n) => (await fetch(`library/examples/flows/node-red-contrib-gridbridge/${n}`)).json(), name) as Array<{ id: string; type: string }>;
      expect(flow, f).toEqual(JSON.parse(readFileSync(join(examplesDir, f), 'utf8')));
      // The demo already runs the dashboard tab (Dashboard 2 takes one ui-base): the tab is deleted and the example
      // imported in its place, its dashboard config nodes replacing the demo's (the import-conflict dialog's
      // "replace"); the other examples are imported as copies.
      const replace = f === DASHBOARD_FLOW;
      const unknown = await page.evaluate(({ nodes, replace }) => {
        const RED = (window as any).RED;
        const importMap: Record<string, string> = {};
        if (replace) {
          RED.workspaces.delete(RED.nodes.workspace('gbx-dash'));
          for (const n of nodes) if (RED.nodes.node(n.id)) importMap[n.id] = 'replace';
        }
        RED.view.importNodes(nodes, replace ? { generateIds: false, addFlow: false, importMap } : { generateIds: true, addFlow: false });
        return nodes.map((n: { type: string }) => n.type).filter((t: string) => t !== 'tab' && t !== 'global-config' && !RED.nodes.getType(t));
      }, { nodes: flow, replace });
      expect(unknown, f).toEqual([]);
    }
    expect(files, 'the dashboard example is among those imported').toContain(DASHBOARD_FLOW);
    await page.click('#red-ui-header-button-deploy');
    // The import notices may still be up: wait for the deploy's own.
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.red-ui-notification')).some((e) => /deployed/i.test((e as HTMLElement).innerText)), undefined, { timeout: 20000 });
    await page.evaluate(() => (window as any).RED.workspaces.show('gb-demo-tab'));
    // The demo tab's site in (green "6/6 up": every component of the site up) and core mqtt in ("connected").
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.red-ui-flow-node-status-dot-green')).some((e) => /\d+\/\d+ up/.test((e.parentNode as Element).textContent ?? '')), undefined, { timeout: 20000 });
    await page.waitForFunction(() => document.querySelectorAll('.red-ui-flow-node-status-dot-green').length >= 2, undefined, { timeout: 20000 });
    await page.screenshot({ path: join(shots, 'gridbridge-examples-deployed.png') });
    // The dashboard tab, now the example as shipped (its own site): its site in and site control turn green ("5/5 up").
    const dash = await page.evaluate(() => {
      const RED = (window as any).RED;
      const site = RED.nodes.node('gbx-dash-in')?.site as string | undefined;
      RED.workspaces.show('gbx-dash');
      let bases = 0;
      RED.nodes.eachConfig((n: any) => void (n.type === 'ui-base' && bases++));
      return { site, siteType: site ? RED.nodes.node(site)?.type : undefined, bases };
    });
    expect(dash).toEqual({ site: 'gbx-dash-site', siteType: 'gridbridge-site', bases: 1 });
    await page.waitForFunction(
      () => ['gbx-dash-in', 'gbx-dash-ctl'].every((id) => /\d+\/\d+ up/.test(document.querySelector(`#${CSS.escape(id)} .red-ui-flow-node-status-dot-green`)?.parentNode?.textContent ?? '')),
      undefined,
      { timeout: 30000 },
    );
    await page.screenshot({ path: join(shots, 'gridbridge-dashboard-tab.png') });
    expect(errors).toEqual([]);
  });

  it('opens straight onto the demo flow, with our nodes, help and live values in the debug sidebar', async () => {
    const { page, errors } = await openEditor();
    const info = await page.evaluate(() => {
      const RED = (window as any).RED;
      const types: string[] = [];
      RED.nodes.eachNode((n: any) => types.push(n.type));
      RED.nodes.eachConfig((n: any) => types.push(n.type));
      return {
        types,
        unknown: types.filter((t) => !RED.nodes.getType(t)),
        help: ['gridbridge-modbus-port', 'gridbridge-modbus-device', 'gridbridge-modbus-read', 'gridbridge-modbus-write', 'gridbridge-mqtt-upstream'].map(
          (t) => document.querySelector(`script[data-help-name="${t}"]`)?.innerHTML.length ?? 0,
        ),
        dialogs: document.querySelectorAll('.red-ui-notification, .red-ui-tourGuide-popover').length,
      };
    });
    expect(info.unknown).toEqual([]);
    expect(info.types).toContain('gridbridge-site-in');
    for (const len of info.help) expect(len).toBeGreaterThan(200);
    expect(info.dialogs).toBe(0);
    // Debug sidebar: the demo's read nodes feed debug nodes; messages arrive within seconds.
    await page.evaluate(() => (window as any).RED.sidebar.show('debug'));
    // The demo tab runs the site node: its "points" debug shows each poll's points (other flows deployed by the
    // examples test may write to the sidebar too, so pick the demo's node).
    const points = page.locator('.red-ui-debug-msg', { hasText: 'node: points' }).first();
    await points.waitFor({ timeout: 15000 });
    expect(await points.innerText()).toMatch(/array\[\d+\]/);
    await page.screenshot({ path: join(shots, 'gridbridge-editor.png') });
    expect(errors).toEqual([]);
  });
});
