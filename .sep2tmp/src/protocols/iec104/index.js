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
/** IEC 60870-5-104 stack: codec, link layer, controlling station (client), controlled station (server), TLS, mapping. */
__exportStar(require("./constants.js"), exports);
__exportStar(require("./cp56time.js"), exports);
__exportStar(require("./quality.js"), exports);
__exportStar(require("./apci.js"), exports);
__exportStar(require("./asdu.js"), exports);
__exportStar(require("./codec.js"), exports);
__exportStar(require("./link.js"), exports);
__exportStar(require("./store.js"), exports);
__exportStar(require("./points.js"), exports);
__exportStar(require("./tls.js"), exports);
__exportStar(require("./client.js"), exports);
__exportStar(require("./server.js"), exports);
__exportStar(require("./mapping.js"), exports);
__exportStar(require("./requests.js"), exports);
//# sourceMappingURL=index.js.map