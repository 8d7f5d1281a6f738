"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __exportStar = (this && this.__exportStar) || function(m, exports) {
    for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.planReadBlocks = exports.SUNSPEC_BASES = exports.holdingReader = exports.discoverSunSpec = exports.WriteRefused = exports.findPoint = exports.checkWritable = exports.buildWrite = exports.describeEndpoint = exports.ModbusSerialTransport = exports.BusScheduler = exports.qualityOf = exports.ModbusDevice = exports.ModbusPort = void 0;
/** Modbus stack public API: the port/device API used by the runtime, the nodes and the CLI, plus its parts. */
var port_js_1 = require("./port.js");
Object.defineProperty(exports, "ModbusPort", { enumerable: true, get: function () { return port_js_1.ModbusPort; } });
var device_js_1 = require("./device.js");
Object.defineProperty(exports, "ModbusDevice", { enumerable: true, get: function () { return device_js_1.ModbusDevice; } });
Object.defineProperty(exports, "qualityOf", { enumerable: true, get: function () { return device_js_1.qualityOf; } });
var scheduler_js_1 = require("./scheduler.js");
Object.defineProperty(exports, "BusScheduler", { enumerable: true, get: function () { return scheduler_js_1.BusScheduler; } });
var transport_js_1 = require("./transport.js");
Object.defineProperty(exports, "ModbusSerialTransport", { enumerable: true, get: function () { return transport_js_1.ModbusSerialTransport; } });
Object.defineProperty(exports, "describeEndpoint", { enumerable: true, get: function () { return transport_js_1.describeEndpoint; } });
__exportStar(require("./types.js"), exports);
var writer_js_1 = require("./writer.js");
Object.defineProperty(exports, "buildWrite", { enumerable: true, get: function () { return writer_js_1.buildWrite; } });
Object.defineProperty(exports, "checkWritable", { enumerable: true, get: function () { return writer_js_1.checkWritable; } });
Object.defineProperty(exports, "findPoint", { enumerable: true, get: function () { return writer_js_1.findPoint; } });
Object.defineProperty(exports, "WriteRefused", { enumerable: true, get: function () { return writer_js_1.WriteRefused; } });
var sunspec_discovery_js_1 = require("./sunspec-discovery.js");
Object.defineProperty(exports, "discoverSunSpec", { enumerable: true, get: function () { return sunspec_discovery_js_1.discoverSunSpec; } });
Object.defineProperty(exports, "holdingReader", { enumerable: true, get: function () { return sunspec_discovery_js_1.holdingReader; } });
Object.defineProperty(exports, "SUNSPEC_BASES", { enumerable: true, get: function () { return sunspec_discovery_js_1.SUNSPEC_BASES; } });
var planner_js_1 = require("./planner.js");
Object.defineProperty(exports, "planReadBlocks", { enumerable: true, get: function () { return planner_js_1.planReadBlocks; } });
//# sourceMappingURL=index.js.map