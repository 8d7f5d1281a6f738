"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DEMO_UNITS = void 0;
exports.runDemo = runDemo;
/**
 * The main job (`npm start`): a simulated home energy station (seed 000: PV inverter + PUC5, stationary battery,
 * Tempo meter, EV charger) on a Modbus TCP simulator, an embedded MQTT broker, and embedded Node-RED on
 * 127.0.0.1:1880 with the demo flow (Modbus → GridBridge → MQTT, values in the debug panel). Ctrl-C stops all.
 */
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const server_js_1 = require("../sim/modbus/server.js");
const broker_js_1 = require("../protocols/mqtt/broker.js");
const validate_js_1 = require("./validate.js");
const nodered_js_1 = require("./nodered.js");
const errors_js_1 = require("../core/errors.js");
exports.DEMO_UNITS = [
    { unitId: 1, profile: 'dcbel-station-inverter' },
    { unitId: 2, profile: 'dcbel-station-battery' },
    { unitId: 3, profile: 'dcbel-tempo-meter' },
    { unitId: 4, profile: 'dcbel-ev-charger' },
];
async function brokerOn(port) {
    try {
        return await (0, broker_js_1.startEmbeddedBroker)({ host: '127.0.0.1', port });
    }
    catch (e) {
        if (e.code !== 'EADDRINUSE')
            throw e;
        return (0, broker_js_1.startEmbeddedBroker)({ host: '127.0.0.1', port: 0 });
    }
}
async function runDemo(o) {
    const log = o.log ?? ((l) => process.stdout.write(l + '\n'));
    const units = exports.DEMO_UNITS.map((u) => {
        const file = (0, node_path_1.join)(validate_js_1.packageRoot, 'device-profiles', `${u.profile}.yaml`);
        const loaded = (0, validate_js_1.loadProfileFile)(file);
        if (!loaded.profile)
            throw new Error(`demo profile ${file} is invalid: ${loaded.errors.map(errors_js_1.formatProfileError).join('; ')}`);
        return { unitId: u.unitId, profile: loaded.profile };
    });
    const sim = new server_js_1.ModbusSimulator({ units });
    const stops = [];
    const stopAll = async () => {
        for (const s of stops.reverse())
            await s().catch((e) => log(`stop: ${String(e)}`));
    };
    let editorUrl = '';
    let mqttUrl = '';
    try {
        let simAddr;
        try {
            simAddr = await sim.listenTcp(o.modbusPort, '127.0.0.1');
        }
        catch (e) {
            if (e.code !== 'EADDRINUSE')
                throw e;
            simAddr = await sim.listenTcp(0, '127.0.0.1');
        }
        stops.push(() => sim.close());
        log(`Modbus TCP simulator: 127.0.0.1:${simAddr.port} (units ${exports.DEMO_UNITS.map((u) => `${u.unitId}=${u.profile}`).join(', ')})`);
        const broker = await brokerOn(o.mqttPort);
        stops.push(() => broker.close());
        log(`embedded MQTT broker: ${broker.url}`);
        mqttUrl = broker.url;
        // The demo flow reads these with ${…} substitution, so it follows ports that had to move.
        process.env.GB_MODBUS_PORT = String(simAddr.port);
        process.env.GB_MQTT_PORT = String(broker.port);
        process.env.GB_MQTT_URL = broker.url;
        (0, node_fs_1.mkdirSync)(o.userDir, { recursive: true });
        const flowFile = (0, node_path_1.join)(o.userDir, 'flows.json');
        if (o.resetFlow || !(0, node_fs_1.existsSync)(flowFile))
            (0, node_fs_1.copyFileSync)((0, node_path_1.join)(validate_js_1.packageRoot, 'flows', 'demo-home-station.json'), flowFile);
        const red = await (0, nodered_js_1.startNodeRed)({ userDir: o.userDir, flowFile: 'flows.json', host: o.host, port: o.port, ...(o.logLevel ? { logLevel: o.logLevel } : {}) });
        stops.push(() => red.stop());
        editorUrl = red.url;
        log(`Node-RED editor: ${red.url}  (Ctrl-C stops everything)`);
    }
    catch (e) {
        await stopAll();
        throw e;
    }
    return { editorUrl, mqttUrl, stop: stopAll };
}
//# sourceMappingURL=demo.js.map