"use strict";
const errors_js_1 = require("../src/core/errors.js");
const validate_js_1 = require("../src/runtime/validate.js");
const profiles_js_1 = require("../src/runtime/profiles.js");
const device_registry_js_1 = require("../src/runtime/device-registry.js");
function pollOverrides(d) {
    const out = {};
    for (const [cls, v] of [['fast', d.pollFast], ['normal', d.pollNormal], ['slow', d.pollSlow]]) {
        const ms = Number(v);
        if (v !== undefined && v !== '' && Number.isFinite(ms)) {
            if (ms < 50)
                throw new Error(`poll period for "${cls}" must be at least 50 ms`);
            out[cls] = ms;
        }
    }
    return out;
}
module.exports = function register(RED) {
    function ModbusDeviceConfig(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        let unregister;
        try {
            const portNode = RED.nodes.getNode(d.port);
            if (!portNode)
                throw new Error('no Modbus port selected');
            if (!portNode.port)
                throw new Error(`Modbus port: ${portNode.configError ?? 'not available'}`);
            const unitId = Number(d.unitId);
            if (!Number.isInteger(unitId) || unitId < 0 || unitId > 255)
                throw new Error(`unit id "${d.unitId}" is not 0-255`);
            const id = d.deviceId || d.name || `unit${unitId}`;
            if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(id))
                throw new Error(`device id "${id}" must use letters, digits, "_", "-" or "."`);
            const userDir = typeof RED.settings?.userDir === 'string' ? RED.settings.userDir : process.cwd();
            const file = (0, validate_js_1.resolveProfileRef)(d.profile ?? '', userDir, [validate_js_1.builtinProfileDir]);
            if (!file)
                throw new Error(`profile "${d.profile}" not found (built-in ids or a path to a YAML file)`);
            const loaded = (0, validate_js_1.loadProfileFile)(file);
            if (!loaded.profile)
                throw new Error(`profile ${file}: ${loaded.errors.slice(0, 3).map(errors_js_1.formatProfileError).join('; ')}`);
            this.device = portNode.port.addDevice({ id, unitId, profile: loaded.profile, site: d.site || undefined, pollClasses: pollOverrides(d) });
            this.portNode = portNode;
            this.verifyWrites = d.verifyWrites === true;
            const dev = this.device;
            unregister = (0, device_registry_js_1.registerDevice)({ id, write: (name, value, o) => dev.write(name, value, { verify: o?.verify ?? this.verifyWrites }) });
            portNode.port.start();
        }
        catch (e) {
            this.configError = (0, errors_js_1.errorMessage)(e);
            this.error(`Modbus device configuration: ${this.configError}`);
        }
        this.on('close', (_removed, done) => {
            unregister?.();
            if (this.device && this.portNode?.port)
                this.portNode.port.removeDevice(this.device.id);
            done();
        });
    }
    RED.nodes.registerType('gridbridge-modbus-device', ModbusDeviceConfig);
    RED.httpAdmin?.get('/gridbridge/profiles', (_req, res) => res.json((0, profiles_js_1.listBuiltinProfiles)()));
};
//# sourceMappingURL=modbus-device.js.map