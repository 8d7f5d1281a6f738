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
exports.createLinePair = exports.SerialTransport = exports.sourceOf = exports.SlotDispatcher = exports.SapcReceiver = exports.SapcTimeoutError = exports.SapcSession = exports.SspFramer = exports.crcHex = exports.crc16arc = void 0;
__exportStar(require("./frame.js"), exports);
var crc_js_1 = require("./crc.js");
Object.defineProperty(exports, "crc16arc", { enumerable: true, get: function () { return crc_js_1.crc16arc; } });
Object.defineProperty(exports, "crcHex", { enumerable: true, get: function () { return crc_js_1.crcHex; } });
var framer_js_1 = require("./framer.js");
Object.defineProperty(exports, "SspFramer", { enumerable: true, get: function () { return framer_js_1.SspFramer; } });
__exportStar(require("./apc.js"), exports);
var session_js_1 = require("./session.js");
Object.defineProperty(exports, "SapcSession", { enumerable: true, get: function () { return session_js_1.SapcSession; } });
Object.defineProperty(exports, "SapcTimeoutError", { enumerable: true, get: function () { return session_js_1.SapcTimeoutError; } });
var receiver_js_1 = require("./receiver.js");
Object.defineProperty(exports, "SapcReceiver", { enumerable: true, get: function () { return receiver_js_1.SapcReceiver; } });
Object.defineProperty(exports, "SlotDispatcher", { enumerable: true, get: function () { return receiver_js_1.SlotDispatcher; } });
Object.defineProperty(exports, "sourceOf", { enumerable: true, get: function () { return receiver_js_1.sourceOf; } });
var transport_js_1 = require("./transport.js");
Object.defineProperty(exports, "SerialTransport", { enumerable: true, get: function () { return transport_js_1.SerialTransport; } });
var loopback_js_1 = require("./loopback.js");
Object.defineProperty(exports, "createLinePair", { enumerable: true, get: function () { return loopback_js_1.createLinePair; } });
__exportStar(require("./client.js"), exports);
__exportStar(require("./mapping.js"), exports);
//# sourceMappingURL=index.js.map