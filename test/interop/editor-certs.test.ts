/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startNodeRed } from '../../src/runtime/nodered.js';
import { makeCa } from '../iec104/pki.js';

// The certificate panel of an upstream dialog in a real Chromium (Debian's package): the deployed MQTT upstream's
// tenant CA chain (a file of the managed certificate directory) is shown with subject and expiry, the directory's
// certificate files are offered, and the page has no script error.
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
const userDir = mkdtempSync(join(tmpdir(), 'gb-editor-certs-'));
const certDir = join(userDir, 'gridbridge-certs');
let red: Awaited<ReturnType<typeof startNodeRed>>;
let browser: Browser;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), 'chromium is installed by scripts/interop.mjs').toBe(true);
  mkdirSync(certDir);
  writeFileSync(join(certDir, 'tenant-ca.pem'), (await makeCa('Tenant CA')).cert);
  writeFileSync(
    join(userDir, 'flows.json'),
    JSON.stringify([
      { id: 'tab1', type: 'tab', label: 'certs' },
      { id: 'u1', type: 'gridbridge-mqtt-upstream', z: 'tab1', x: 200, y: 100, name: 'upstream', url: 'mqtts://127.0.0.1:9', site: 'lab', baseTopic: 'gb/{site}', topic: '{base}/{device}/{name}', qos: '1', retain: true, commands: false, storeDir: join(userDir, 'store'), wires: [[]] },
    ]),
  );
  // credentialSecret false: the credentials file is plain JSON, written here as the editor would after a deploy
  writeFileSync(join(userDir, 'flows_cred.json'), JSON.stringify({ u1: { tlsCa: 'tenant-ca.pem' } }));
  red = await startNodeRed({ userDir, flowFile: 'flows.json', host: '127.0.0.1', port: 0, logLevel: 'fatal', settings: { credentialSecret: false } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}, 60000);
afterAll(async () => {
  await browser?.close();
  await red?.stop();
  rmSync(userDir, { recursive: true, force: true });
});

describe('upstream certificate panel (Chromium)', () => {
  it('shows the deployed CA chain with subject and expiry, and offers the managed certificate files', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(red.url);
    await page.waitForFunction(() => (window as any).RED?.nodes?.node?.('u1') !== undefined, undefined, { timeout: 30000 });
    await page.evaluate(() => (window as any).RED.editor.edit((window as any).RED.nodes.node('u1')));
    await page.waitForFunction(() => /CN=Tenant CA/.test(document.querySelector('#gb-mqtt-certs')?.textContent ?? ''), undefined, { timeout: 15000 });
    const panel = await page.textContent('#gb-mqtt-certs');
    expect(panel).toMatch(/CA chain: CN=Tenant CA · expires \d{4}-\d\d-\d\d \([01] d\)/);
    expect(panel).toMatch(/⚠ CA chain "CN=Tenant CA" expires in [01] day/);
    await page.waitForFunction(() => document.querySelectorAll('#gb-mqtt-cert-files option').length > 0, undefined, { timeout: 15000 });
    expect(await page.$$eval('#gb-mqtt-cert-files option', (o) => o.map((x) => (x as HTMLOptionElement).value))).toEqual(['tenant-ca.pem']);
    expect(await page.textContent('#gb-mqtt-cert-dir')).toBe(certDir);
    expect(await page.isVisible('#gb-mqtt-legacy-tls')).toBe(false);
    expect(await page.getAttribute('#node-input-tlsKey', 'placeholder')).toBe('PEM text, or the name of a file in the certificate directory');
    expect(errors).toEqual([]);
    await page.close();
  }, 60000);
});
