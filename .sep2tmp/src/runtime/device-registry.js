"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.registerDevice = registerDevice;
exports.findDevice = findDevice;
exports.knownDevices = knownDevices;
const devices = new Map();
function registerDevice(d) {
    devices.set(d.id, d);
    return () => {
        if (devices.get(d.id) === d)
            devices.delete(d.id);
    };
}
function findDevice(id) {
    return devices.get(id);
}
function knownDevices() {
    return [...devices.keys()].sort();
}
//# sourceMappingURL=device-registry.js.map