/**
 * The main job (`npm start`): a simulated home energy station (seed 000: PV inverter + PUC5, stationary battery,
 * Tempo meter, EV charger) on a Modbus TCP simulator, an embedded MQTT broker, and embedded Node-RED on
 * 127.0.0.1:1880 with the demo flow (Modbus → GridBridge → MQTT, values in the debug panel). Ctrl-C stops all.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModbusSimulator } from '../sim/modbus/server.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../protocols/mqtt/broker.js';
import { loadProfileFile, packageRoot } from './validate.js';
import { nodeRedDir, startNodeRed, type NodeRedOptions } from './nodered.js';
import { demoDashboard } from './demo-dashboard.js';
import { formatProfileError } from '../core/errors.js';

export interface DemoOptions {
  host: string;
  port: number;
  userDir: string;
  modbusPort: number;
  mqttPort: number;
  /** Replace the user dir's flow file with the shipped demo flow. */
  resetFlow: boolean;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  log?: (line: string) => void;
  /** Editor users and HTTPS (see editor-security.ts); required to bind beyond loopback. */
  security?: NodeRedOptions['security'];
  logFormat?: NodeRedOptions['logFormat'];
}

export const DEMO_UNITS: Array<{ unitId: number; profile: string }> = [
  { unitId: 1, profile: 'dcbel-station-inverter' },
  { unitId: 2, profile: 'dcbel-station-battery' },
  { unitId: 3, profile: 'dcbel-tempo-meter' },
  { unitId: 4, profile: 'dcbel-ev-charger' },
  { unitId: 5, profile: 'dcbel-ats' },
];

async function brokerOn(port: number): Promise<EmbeddedBroker> {
  try {
    return await startEmbeddedBroker({ host: '127.0.0.1', port });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    return startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
  }
}

export async function runDemo(o: DemoOptions): Promise<{ editorUrl: string; mqttUrl: string; stop(): Promise<void> }> {
  const log = o.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const units = DEMO_UNITS.map((u) => {
    const file = join(packageRoot, 'device-profiles', `${u.profile}.yaml`);
    const loaded = loadProfileFile(file);
    if (!loaded.profile) throw new Error(`demo profile ${file} is invalid: ${loaded.errors.map(formatProfileError).join('; ')}`);
    return { unitId: u.unitId, profile: loaded.profile };
  });
  const sim = new ModbusSimulator({ units });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch((e: unknown) => log(`stop: ${String(e)}`));
  };
  let editorUrl = '';
  let mqttUrl = '';
  try {
    let simAddr: { host: string; port: number };
    try {
      simAddr = await sim.listenTcp(o.modbusPort, '127.0.0.1');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      simAddr = await sim.listenTcp(0, '127.0.0.1');
    }
    stops.push(() => sim.close());
    log(`Modbus TCP simulator: 127.0.0.1:${simAddr.port} (units ${DEMO_UNITS.map((u) => `${u.unitId}=${u.profile}`).join(', ')})`);
    const broker = await brokerOn(o.mqttPort);
    stops.push(() => broker.close());
    log(`embedded MQTT broker: ${broker.url}`);
    mqttUrl = broker.url;

    // The demo flow reads these with ${…} substitution, so it follows ports that had to move.
    process.env.GB_MODBUS_PORT = String(simAddr.port);
    process.env.GB_MQTT_PORT = String(broker.port);
    process.env.GB_MQTT_URL = broker.url;

    mkdirSync(o.userDir, { recursive: true });
    const flowFile = join(o.userDir, 'flows.json');
    if (o.resetFlow || !existsSync(flowFile)) {
      // The demo flow, and its dashboard tab on the same site when Dashboard 2 is installed (demo-dashboard.ts).
      const demoFlow = JSON.parse(readFileSync(join(packageRoot, 'flows', 'demo-home-station.json'), 'utf8')) as unknown[];
      const dashboard = demoDashboard({ host: o.host, userDir: o.userDir, redDir: nodeRedDir(), siteId: 'gb-site', log });
      writeFileSync(flowFile, JSON.stringify([...demoFlow, ...dashboard], null, 2) + '\n');
    }
    const red = await startNodeRed({ userDir: o.userDir, flowFile: 'flows.json', host: o.host, port: o.port, ...(o.logLevel ? { logLevel: o.logLevel } : {}), ...(o.security ? { security: o.security } : {}), ...(o.logFormat ? { logFormat: o.logFormat } : {}) });
    stops.push(() => red.stop());
    editorUrl = red.url;
    log(`Node-RED editor: ${red.url}  (Ctrl-C stops everything)`);
    if (readFileSync(flowFile, 'utf8').includes('"ui-base"')) log(`dashboard: ${red.url}dashboard`);
  } catch (e) {
    await stopAll();
    throw e;
  }
  return { editorUrl, mqttUrl, stop: stopAll };
}
